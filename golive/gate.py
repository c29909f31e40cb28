"""The pre-go-live gate: a run selected by severity (``-m critical``) judged as one.

Such a run grades a subset of the suite, so its score is not the fleet's; what it
answers is whether every selected criterion holds. ``severities_of`` reads the
severities a marker expression selects, ``judge`` the gate's verdict from the
record's criteria, ``line`` the sentence the terminal and the summaries lead with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from _pytest.mark.expression import Expression

from golive.outcomes import Outcome, Severity
from golive.record_schema import CriterionEntry, GateFailure, GateVerdict
from golive.results import CriterionResult

_IDENTIFIER = re.compile(r"[^\s()]+")
_OPERATORS = {"and", "or", "not"}
_TARGETS_SHOWN = 5


@dataclass(frozen=True)
class Selection:
    """A run's selection by severity: the expression, the severities it selects, and
    those whose failure fails the gate (all of them, or only critical under ``--gate``)."""

    expression: str
    severities: tuple[Severity, ...]
    blocking: tuple[Severity, ...]

    @classmethod
    def of(cls, markexpr: str, critical_only: bool = False) -> Selection | None:
        """The gate of ``-m markexpr``, or None when it does not select by severity alone."""
        severities = severities_of(markexpr)
        if not severities:
            return None
        return cls(markexpr, severities, (Severity.CRITICAL,) if critical_only else severities)

    @classmethod
    def of_record(cls, gate: GateVerdict) -> Selection:
        """The selection a recorded gate was judged with (a merge of shards judges it again)."""
        return cls(gate["selection"], tuple(map(Severity, gate["severities"])), tuple(map(Severity, gate["blocking"])))


def severities_of(markexpr: str) -> tuple[Severity, ...]:
    """The severities ``-m markexpr`` selects when it names severity markers only, else none."""
    if not markexpr.strip() or re.search(r"[=\"',]", markexpr):
        return ()
    names = {word for word in _IDENTIFIER.findall(markexpr) if word not in _OPERATORS}
    if not names or not names <= {str(s) for s in Severity}:
        return ()
    try:
        expression = Expression.compile(markexpr)
    except SyntaxError:
        return ()
    return tuple(s for s in Severity if expression.evaluate(_only(s)))


def _only(severity: Severity) -> Callable[..., bool]:
    """The marker matcher of a criterion marked with ``severity`` alone."""
    return lambda name, /, **_: name == severity


CLAIM_NOT_JUDGED = (
    "a claimed grade is judged against the grade of the whole suite, which a run selected by severity does not measure"
)


def set_aside_grade_claims(results: Iterable[CriterionResult]) -> None:
    """A grade a document claims is the fleet's; a run selected by severity grades a
    subset, so its claims are not judged (skipped, named as such) rather than failed
    against a partial score or passed with no comparison."""
    for result in results:
        for instance in result.instances:
            if instance.outcome == Outcome.PASSED and any(e.get("kind") == "grade_claim" for e in instance.evidence):
                instance.outcome = Outcome.SKIPPED
                instance.message = CLAIM_NOT_JUDGED


def judge(criteria: Iterable[CriterionEntry], selection: Selection, hosts: int) -> GateVerdict:
    """Whether every selected criterion that ran holds; a failure of a ``blocking``
    severity fails the gate. No criterion judged is never a pass."""
    severities, blocking = selection.severities, selection.blocking
    criteria = list(criteria)
    judged = [
        c for c in criteria
        if c["severity"] in severities and c["outcome"] in (Outcome.PASSED, Outcome.FAILED, Outcome.WAIVED)
    ]  # fmt: skip
    failed = [
        GateFailure(
            id=c["id"], severity=c["severity"],
            targets=[i["target"] for i in c["instances"] if Outcome(i["outcome"]).is_failure],
        )
        for c in judged
        if c["outcome"] == Outcome.FAILED
    ]  # fmt: skip
    failed.sort(key=lambda f: (Severity(f["severity"]).rank, -len(f["targets"]), f["id"]))
    return GateVerdict(
        selection=selection.expression,
        severities=list(severities),
        blocking=[s for s in Severity if s in blocking and s in severities],
        criteria=len(judged),
        held=len(judged) - len(failed),
        failed=failed,
        hosts=hosts,
        not_judged=[
            c["id"]
            for c in criteria
            if c["severity"] in severities and c["outcome"] == Outcome.NOT_APPLICABLE and c["instances"]
        ],
        passed=bool(judged) and not any(f["severity"] in blocking for f in failed),
    )


def label(gate: GateVerdict) -> str:
    """``critical``, ``critical and warning``: the severities the gate selected."""
    return " and ".join(gate["severities"])


def line(gate: GateVerdict) -> str:
    """The gate's verdict as one sentence, e.g. ``critical gate passed: 12 of 12 critical
    criteria hold on 3 hosts`` or ``critical gate FAILED: 2 of 12 critical criteria fail: SEC-03 (h1, h2), ...``."""
    name, total, hosts = label(gate), gate["criteria"], gate["hosts"]
    on = f"on {hosts} host{'s' * (hosts != 1)}"
    if not total:
        return f"{name} gate FAILED: no {name} criterion was judged {on}"
    blocking = [f for f in gate["failed"] if f["severity"] in gate["blocking"]]
    others = [f for f in gate["failed"] if f["severity"] not in gate["blocking"]]
    if gate["passed"]:
        text = f"{name} gate passed: {gate['held']} of {total} {name} criteria hold {on}"
    else:
        text = f"{name} gate FAILED: {len(blocking)} of {total} {name} criteria fail {on}: {failures(blocking)}"
    if others:
        text += f"; not blocking: {failures(others)}"
    if gate["not_judged"]:
        text += f"; not judged: {', '.join(gate['not_judged'])}"
    return text


def failures(failed: Iterable[GateFailure]) -> str:
    """``SEC-03 (h1, h2), BAK-01 (h1)``: each failing criterion with its first targets."""
    return ", ".join(f"{f['id']} ({targets(f['targets'])})" for f in failed)


def targets(names: Sequence[str], shown: int = _TARGETS_SHOWN) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"
