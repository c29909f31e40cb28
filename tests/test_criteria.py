"""golive/criteria.py: a criterion read once per test function, for all its items."""

from __future__ import annotations

import pytest

from golive.criteria import CriterionReader, criterion_of
from golive.errors import CriterionMarkError

CATEGORIES = ("Security", "Reliability")

MODULE = """
import pytest

@pytest.mark.critical
@pytest.mark.criterion("SEC-01", category="Security")
@pytest.mark.parametrize("host", ["a", "b", pytest.param("c", marks=pytest.mark.warning), "d"])
def test_documented(host):
    '''Something holds.

    Why: it matters.
    '''

@pytest.mark.warning
@pytest.mark.criterion("REL-01", category="Reliability")
@pytest.mark.parametrize("host", ["a", "b"])
def test_undocumented(host):
    pass
"""


@pytest.fixture
def items(pytester: pytest.Pytester) -> dict[str, pytest.Item]:
    pytester.makepyfile(test_suite=MODULE)
    collected, _ = pytester.inline_genitems("-p", "no:golive", "-p", "no:cacheprovider")
    return {item.name: item for item in collected}


def test_the_items_of_one_function_share_their_criterion(items):
    read = CriterionReader(CATEGORIES)
    found = [read(items[f"test_documented[{host}]"]) for host in "abd"]
    assert found[0] is found[1] is found[2]
    assert found[0] == criterion_of(items["test_documented[a]"], CATEGORIES)
    assert (found[0].id, found[0].severity, found[0].title, found[0].why) == (
        "SEC-01", "critical", "Something holds.", "it matters."
    )  # fmt: skip


def test_an_item_with_marks_of_its_own_parameter_is_read_on_its_own(items):
    read = CriterionReader(CATEGORIES)
    read(items["test_documented[a]"])
    with pytest.raises(CriterionMarkError, match=r"test_documented\[c\]: needs exactly one severity marker"):
        read(items["test_documented[c]"])


def test_a_title_taken_from_the_item_name_stays_each_items_own(items):
    read = CriterionReader(CATEGORIES)
    titles = [read(items[f"test_undocumented[{host}]"]).title for host in "ab"]
    assert titles == ["test_undocumented[a]", "test_undocumented[b]"]
