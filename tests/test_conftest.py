"""One rule for what CI means, for every self-test: a test that cannot run is a
failure under CI and a loud skip elsewhere, whichever helper says so."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import need
from tests.sandbox.conftest import unavailable


def sandbox_unavailable() -> None:
    unavailable("no dockerd")


def cannot_plant() -> None:
    need(False, "no loop devices")


HELPERS = [sandbox_unavailable, cannot_plant]


def outcome(helper: Callable[[], None]) -> str:
    with pytest.raises((pytest.fail.Exception, pytest.skip.Exception)) as caught:
        helper()
    return "failed" if caught.type is pytest.fail.Exception else "skipped"


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes"])
def test_under_ci_a_test_that_cannot_run_fails(monkeypatch, helper, value):
    monkeypatch.setenv("CI", value)
    assert outcome(helper) == "failed"


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("value", [None, "", "0", "false", "no"])
def test_elsewhere_it_is_skipped(monkeypatch, helper, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert outcome(helper) == "skipped"
