"""The words of a verdict: what an instance or a criterion came to, and how much it weighs.

Both are ``StrEnum``s, so they are the same strings in the JSON record, in pytest's
markers and in the inventory (``Severity.CRITICAL == "critical"``).
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """An instance's outcome (passed ... waived) or a criterion's (passed, failed, waived, not applicable)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    """The target could not be checked (``golive.errors.TargetError``); scored as failed."""
    SKIPPED = "skipped"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"

    @property
    def is_failure(self) -> bool:
        """Failed or could not be checked: what a waiver covers and what fails a criterion."""
        return self in (Outcome.FAILED, Outcome.ERROR)


class Severity(StrEnum):
    """A criterion's severity marker, in order: a critical failure blocks go-live."""

    CRITICAL = "critical"
    WARNING = "warning"
    ACCEPTABLE = "acceptable"

    @property
    def rank(self) -> int:
        """0 for critical, 1 for warning, 2 for acceptable: the order reports list criteria in."""
        return list(Severity).index(self)


SEVERITIES = tuple(Severity)
"""Every severity, most severe first (also the severities of a log pattern)."""
