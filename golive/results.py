"""From pytest's test reports to criterion results.

The controller (or a single process) feeds every report here; a report carries the
criterion's identity and evidence in ``report.golive`` so this works unchanged under
pytest-xdist, where the controller never sees the test items (each criterion and fact
whole only on the first report that needs it: ``golive.report_payload``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from golive import evidence_store
from golive.criteria import Criterion
from golive.inventory import Waiver
from golive.outcomes import Outcome
from golive.record_schema import EvidenceEntry, InstanceEntry, WaiverMark, WaiverStatus
from golive.rubric import CriterionOutcome, RubricConfig, grade, judge_grade_claim


@dataclass
class Instance:
    """One parametrized run of a criterion against one target."""

    nodeid: str
    target: str
    outcome: Outcome = Outcome.PASSED
    message: str = ""
    evidence: list[EvidenceEntry] = field(default_factory=list)
    duration: float = 0.0
    waiver: WaiverMark | None = None

    @classmethod
    def from_dict(cls, data: InstanceEntry) -> Instance:
        mark = data.get("waiver")
        waiver = None
        if mark is not None:
            waiver = WaiverMark(
                owner=mark["owner"], reason=mark["reason"], expires=mark["expires"],
                outcome=Outcome(mark.get("outcome", Outcome.FAILED)),
            )  # fmt: skip
        return cls(
            data["nodeid"], data["target"], Outcome(data["outcome"]), data["message"],
            list(data["evidence"]), data["duration"], waiver,
        )  # fmt: skip

    def unwaived(self) -> Instance:
        """This instance with the outcome it had before a waiver covered it."""
        if self.outcome != Outcome.WAIVED or not self.waiver:
            return self
        return replace(self, outcome=self.waiver["outcome"], waiver=None)

    def to_dict(self) -> InstanceEntry:
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
    def outcome(self) -> Outcome:
        outcomes = {i.outcome for i in self.instances}
        if any(outcome.is_failure for outcome in outcomes):
            return Outcome.FAILED
        if Outcome.WAIVED in outcomes:
            return Outcome.WAIVED
        if Outcome.PASSED in outcomes:
            return Outcome.PASSED
        return Outcome.NOT_APPLICABLE

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
        """Fold one setup/call/teardown report (a pytest TestReport) into its instance; the
        report's evidence becomes references to the facts stored here (``facts``)."""
        data = getattr(report, "golive", None)
        if not data:
            return
        self.learn(data)
        result = self._criteria.get(data["criterion"]["id"])
        if result is None:
            criterion = Criterion.from_dict(data["criterion"])
            result = self._criteria.setdefault(criterion.id, CriterionResult(criterion))
        instance = self._instances.get(report.nodeid)
        if instance is None:
            instance = Instance(report.nodeid, data.get("target", ""))
            self._instances[report.nodeid] = instance
            result.instances.append(instance)
        instance.duration += getattr(report, "duration", 0.0) or 0.0
        kept = self.facts.intern(data.get("evidence", []))
        instance.evidence.extend(kept)
        # pytest keeps every report to the end of the run: let it keep references to the
        # facts stored here and the criterion's name, not a copy of each fact and docstring
        data["evidence"] = kept
        data["criterion"] = {"id": result.criterion.id, "severity": str(result.criterion.severity)}
        data.pop("facts", None)
        data.pop("scripts", None)
        outcome = _instance_outcome(report, data)
        if outcome is None:
            return
        if report.when == "setup" or _rank(outcome) > _rank(instance.outcome):
            instance.outcome = outcome
            instance.message = data.get("message") or instance.message

    def learn(self, data: dict[str, Any]) -> None:
        """The facts a report carries whole (``golive.report_payload``), for it and later reports."""
        self.facts.facts.update(data.get("facts") or {})
        self.facts.scripts.update(data.get("scripts") or {})

    def criterion(self, found: dict[str, Any]) -> dict[str, Any]:
        """A report's criterion whole: as it came, or as an earlier report carried it."""
        result = self._criteria.get(found.get("id", ""))
        return found if result is None else {**result.criterion.to_dict(), **found}

    def declare(self, criteria: Iterable[Criterion]) -> None:
        """Criteria collected but never run (nothing declared, or deselected) join as not applicable."""
        for criterion in criteria:
            self._criteria.setdefault(criterion.id, CriterionResult(criterion))

    def results(self) -> list[CriterionResult]:
        return list(self._criteria.values())


_RANK = {Outcome.PASSED: 0, Outcome.SKIPPED: 1, Outcome.FAILED: 2, Outcome.ERROR: 3}
"""Which of an instance's setup, call and teardown outcomes it keeps: the worst."""


def _rank(outcome: Outcome) -> int:
    return _RANK.get(outcome, 0)


def _instance_outcome(report: Any, data: dict[str, Any]) -> Outcome | None:
    passed_or_skipped = Outcome.SKIPPED if report.skipped else Outcome.PASSED
    if report.when == "setup":
        return Outcome.ERROR if report.failed else passed_or_skipped
    if report.when == "call":
        if data.get("error"):
            return Outcome.ERROR
        if report.failed or (report.skipped and hasattr(report, "wasxfail")):
            return Outcome.FAILED
        return passed_or_skipped
    return Outcome.ERROR if report.failed else None


def apply_waivers(results: list[CriterionResult], waivers: Iterable[Waiver], today: dt.date) -> list[WaiverStatus]:
    """Turn covered failures into "waived"; return every waiver with its status (idempotent).

    A waived instance keeps the outcome it had (``waiver["outcome"]``), so a merge can
    judge the waivers again from the records alone."""
    statuses: list[WaiverStatus] = []
    for waiver in waivers:
        expired = waiver.is_expired(today)
        used = []
        for result in results:
            for instance in result.instances:
                if not waiver.covers(result.criterion.id, instance.target):
                    continue
                if instance.outcome == Outcome.WAIVED and instance.waiver and instance.waiver["owner"] == waiver.owner:
                    used.append(instance.nodeid)  # waived by an earlier pass: applying twice is harmless
                elif instance.outcome.is_failure:
                    used.append(instance.nodeid)
                    if not expired:
                        instance.waiver = {
                            "owner": waiver.owner,
                            "reason": waiver.reason,
                            "expires": waiver.expires.isoformat(),
                            "outcome": instance.outcome,
                        }
                        instance.outcome = Outcome.WAIVED
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
        if entry.get("kind") == "grade_claim" and instance.outcome == Outcome.PASSED
    ]
    if not claims:
        return
    claiming = {id(result) for result, _, _ in claims}
    measured = grade([r.as_outcome() for r in results if id(r) not in claiming], rubric)
    for _, instance, claim in claims:
        passed, message = judge_grade_claim(claim["score"], claim["letter"], measured, rubric)
        instance.evidence.append({"kind": "verdict", "passed": passed, "summary": f"{claim['source']}: {message}"})
        if not passed:
            instance.outcome = Outcome.FAILED
            instance.message = f"{claim['source']}: {message}"
