"""How the inventory adjusts grading: waivers of known failures and rubric overrides."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from golive.inventory.section import CRITERION_ID, Section
from golive.rubric import DEFAULT_RUBRIC, MAX_WAIVER_DAYS, RubricConfig


class Waiver(Section):
    """A known failure accepted for a while, by a named owner, for a reason."""

    criterion: str
    target: str
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date

    @field_validator("criterion")
    @classmethod
    def _criterion(cls, value: str) -> str:
        if not CRITERION_ID.fullmatch(value):
            raise ValueError(f"expected a criterion ID like SEC-01, got {value!r}")
        return value

    @field_validator("owner", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank; a waiver names who owns the risk (owner) and why it is accepted (reason)")
        return value

    def days_left(self, today: dt.date) -> int:
        return (self.expires - today).days

    def is_expired(self, today: dt.date) -> bool:
        return self.expires < today

    def covers(self, criterion: str, target: str) -> bool:
        return self.criterion == criterion and self.target in (target, "*")


class RubricSection(Section):
    """Overrides of the default rubric (from a ``rubric:`` section or ``--rubric``)."""

    categories: dict[str, float] | None = None
    severity_weights: dict[str, float] | None = None
    grades: dict[str, float] | None = None
    ready_score: float | None = Field(None, ge=0, le=100)
    critical_cap: float | None = Field(None, ge=0, le=100)
    max_waiver_days: int | None = Field(None, ge=0)

    @field_validator("severity_weights")
    @classmethod
    def _severities(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        allowed = set(DEFAULT_RUBRIC.severity_weights)
        for key in value or {}:
            if key not in allowed:
                raise ValueError(f"unknown severity {key!r} (valid: {', '.join(sorted(allowed))})")
        return value

    @field_validator("max_waiver_days")
    @classmethod
    def _waiver_cap(cls, value: int | None) -> int | None:
        if value is not None and value > MAX_WAIVER_DAYS:
            raise ValueError(
                f"{value} is above the hard limit of {MAX_WAIVER_DAYS} days; choose {MAX_WAIVER_DAYS} or less"
            )
        return value

    def apply(self, base: RubricConfig) -> RubricConfig:
        return base.merged(
            categories=self.categories,
            severity_weights=self.severity_weights,
            grades=self.grades,
            ready_score=self.ready_score,
            critical_cap=self.critical_cap,
            max_waiver_days=self.max_waiver_days,
        )
