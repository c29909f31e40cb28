"""The Loki stand-in's LogQL subset (sandbox/logql.py): selectors and line filters, nothing more."""

from __future__ import annotations

import pytest

from sandbox.logql import LogQuery


def test_a_selector_with_line_filters_selects_and_keeps() -> None:
    query = LogQuery.parse('{host="h1", job=~"app.*"} |= "error" !~ "retry"')
    assert query.selects({"host": "h1", "job": "app-web"})
    assert not query.selects({"host": "h1", "job": "db"})  # label regexes are anchored, as Loki's
    assert not query.selects({"host": "h2", "job": "app"})
    assert query.keeps("disk error on sda") and not query.keeps("error, will retry")


@pytest.mark.parametrize("text", ['count_over_time({host="h1"}[5m])', '{host="h1"} | json', "{}", "host"])
def test_what_it_cannot_answer_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        LogQuery.parse(text)
