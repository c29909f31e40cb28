"""From pytest's test reports to criterion results.

The controller (or a single process) feeds every report here; a report carries the
criterion's identity and evidence in ``report.golive`` so this works unchanged under
pytest-xdist, where the controller never sees the test items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from golive import evidence_store
from golive.criteria import Criterion
from golive.inventory import Waiver
from golive.rubric import (
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    WAIVED,
    CriterionOutcome,
    RubricConfig,
    grade,
    judge_grade_claim,
)

INSTANCE_OUTCOMES = ("passed", "failed", "error", "skipped", "waived")


@dataclass
class Instance:
    """One parametrized run of a criterion against one target."""

    nodeid: str
    target: str
    outcome: str = "passed"
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    duration: float = 0.0
    waiver: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Instance:
        return cls(
            data["nodeid"], data["target"], data["outcome"], data["message"],
            list(data["evidence"]), data["duration"], data.get("waiver"),
        )  # fmt: skip

    def unwaived(self) -> Instance:
        """This instance with the outcome it had before a waiver covered it."""
        if self.outcome != WAIVED or not self.waiver:
            return self
        return replace(self, outcome=self.waiver.get("outcome", FAILED), waiver=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "target": self.target,
            "outcome": self.outcome,
            "message": self.message,
            "duration": round(self.duration, 3),
            "waiver": self.waiver,
            "evidence": self.evidence,
        }


@dataclass
class CriterionResult:
    """A criterion and all its instances; its outcome is what the rubric scores."""

    criterion: Criterion
    instances: list[Instance] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        outcomes = {i.outcome for i in self.instances}
        if outcomes & {"failed", "error"}:
            return FAILED
        if WAIVED in outcomes:
            return WAIVED
        if PASSED in outcomes:
            return PASSED
        return NOT_APPLICABLE

    def as_outcome(self) -> CriterionOutcome:
        c = self.criterion
        return CriterionOutcome(c.id, c.category, c.severity, self.outcome)


class Ledger:
    """Accumulates reports into criterion results, in the order criteria were first seen."""

    def __init__(self) -> None:
        self._criteria: dict[str, CriterionResult] = {}
        self._instances: dict[str, Instance] = {}
        self.facts = evidence_store.Store()
        """Each distinct command result and script once; instances refer to them."""

    def add_report(self, report: Any) -> None:
        """Fold one setup/call/teardown report (a pytest TestReport) into its instance."""
        data = getattr(report, "golive", None)
        if not data:
            return
        criterion = Criterion.from_dict(data["criterion"])
        result = self._criteria.setdefault(criterion.id, CriterionResult(criterion))
        instance = self._instances.get(report.nodeid)
        if instance is None:
            instance = Instance(report.nodeid, data.get("target", ""))
            self._instances[report.nodeid] = instance
            result.instances.append(instance)
        instance.duration += getattr(report, "duration", 0.0) or 0.0
        instance.evidence.extend(self.facts.intern(data.get("evidence", [])))
        outcome = _instance_outcome(report, data)
        if outcome is None:
            return
        if report.when == "setup" or _rank(outcome) > _rank(instance.outcome):
            instance.outcome = outcome
            instance.message = data.get("message") or instance.message

    def declare(self, criteria: Iterable[Criterion]) -> None:
        """Criteria collected but never run (nothing declared, or deselected) join as not applicable."""
        for criterion in criteria:
            self._criteria.setdefault(criterion.id, CriterionResult(criterion))

    def results(self) -> list[CriterionResult]:
        return list(self._criteria.values())


def _rank(outcome: str) -> int:
    return {"passed": 0, "skipped": 1, "failed": 2, "error": 3}.get(outcome, 0)


def _instance_outcome(report: Any, data: dict[str, Any]) -> str | None:
    if report.when == "setup":
        if report.failed:
            return "error"
        return "skipped" if report.skipped else "passed"
    if report.when == "call":
        if data.get("error"):
            return "error"
        if report.failed or (report.skipped and hasattr(report, "wasxfail")):
            return "failed"
        return "skipped" if report.skipped else "passed"
    return "error" if report.failed else None


def apply_waivers(results: list[CriterionResult], waivers: Iterable[Waiver], today: dt.date) -> list[dict[str, Any]]:
    """Turn covered failures into "waived"; return every waiver with its status (idempotent).

    A waived instance keeps the outcome it had (``waiver["outcome"]``), so a merge can
    judge the waivers again from the records alone."""
    statuses = []
    for waiver in waivers:
        expired = waiver.is_expired(today)
        used = []
        for result in results:
            for instance in result.instances:
                if not waiver.covers(result.criterion.id, instance.target):
                    continue
                if instance.outcome == WAIVED and instance.waiver and instance.waiver["owner"] == waiver.owner:
                    used.append(instance.nodeid)  # waived by an earlier pass: applying twice is harmless
                elif instance.outcome in ("failed", "error"):
                    used.append(instance.nodeid)
                    if not expired:
                        instance.waiver = {
                            "owner": waiver.owner,
                            "reason": waiver.reason,
                            "expires": waiver.expires.isoformat(),
                            "outcome": instance.outcome,
                        }
                        instance.outcome = WAIVED
        statuses.append(
            {
                "criterion": waiver.criterion,
                "target": waiver.target,
                "owner": waiver.owner,
                "reason": waiver.reason,
                "expires": waiver.expires.isoformat(),
                "days_left": waiver.days_left(today),
                "status": "expired" if expired else "active",
                "covers": used,
            }
        )
    return statuses


def judge_grade_claims(results: list[CriterionResult], rubric: RubricConfig) -> None:
    """Judge the grades documents claim (``Evidence.claim_grade``) against the grade of
    every other criterion of the run; a claim above it fails its instance."""
    claims = [
        (result, instance, entry)
        for result in results
        for instance in result.instances
        for entry in instance.evidence
        if entry.get("kind") == "grade_claim" and instance.outcome == PASSED
    ]
    if not claims:
        return
    claiming = {id(result) for result, _, _ in claims}
    measured = grade([r.as_outcome() for r in results if id(r) not in claiming], rubric)
    for _, instance, claim in claims:
        passed, message = judge_grade_claim(claim["score"], claim["letter"], measured, rubric)
        instance.evidence.append({"kind": "verdict", "passed": passed, "summary": f"{claim['source']}: {message}"})
        if not passed:
            instance.outcome = FAILED
            instance.message = f"{claim['source']}: {message}"
