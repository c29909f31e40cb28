"""golive's errors form one hierarchy (golive/errors.py draws it)."""

from __future__ import annotations

from golive import criteria
from golive.errors import CheckTimeout, CriterionMarkError, GoliveError, InventoryError, TargetError, Unreachable
from sandbox.process import SandboxError


def test_every_error_golive_raises_on_purpose_is_a_golive_error() -> None:
    for error in (InventoryError, CriterionMarkError, TargetError, Unreachable, CheckTimeout, SandboxError):
        assert issubclass(error, GoliveError), error
    assert issubclass(Unreachable, TargetError) and issubclass(CheckTimeout, TargetError)


def test_a_sandbox_error_is_still_a_runtime_error_for_callers_that_catch_one() -> None:
    assert issubclass(SandboxError, RuntimeError)


def test_criteria_names_the_same_mark_error() -> None:
    assert criteria.CriterionMarkError is CriterionMarkError
