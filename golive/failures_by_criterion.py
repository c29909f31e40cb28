"""A run's failures grouped by criterion, for the terminal: one block per failing
criterion naming its failing targets, the longest list first.

On a large fleet one pytest failure section per failing instance buries the verdict
under thousands of sections; a block per criterion reads like the report. Pure
functions of the record, so the same text comes from a single run, xdist or a merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from golive.outcomes import Outcome, Severity
from golive.record_schema import CriterionEntry, InstanceEntry, Record

TARGETS_SHOWN = 20
"""Failing targets a block lists; past a screenful the rest are counted."""
REASON_CHARS = 160


@dataclass(frozen=True)
class Block:
    """One failing criterion: its headline and a line per failing target (then a count)."""

    criterion: str
    severity: Severity
    headline: str
    lines: list[str]


def blocks(record: Record, shown: int = TARGETS_SHOWN) -> list[Block]:
    """Each failed criterion's block, the longest list of failing targets first."""
    failed = [c for c in record["criteria"] if c["outcome"] == Outcome.FAILED]
    failing = {c["id"]: [i for i in c["instances"] if Outcome(i["outcome"]).is_failure] for c in failed}
    failed.sort(key=lambda c: (-len(failing[c["id"]]), Severity(c["severity"]).rank, c["id"]))
    return [_block(c, failing[c["id"]], shown) for c in failed]


def _block(criterion: CriterionEntry, failing: list[InstanceEntry], shown: int) -> Block:
    total = len(criterion["instances"])
    targets = f"{len(failing)} of {total} target{'s' * (total != 1)}"
    headline = f"{criterion['id']} ({criterion['severity']}) {criterion['title']} — fails on {targets}"
    lines = [f"  {instance['target'] or criterion['id']}: {_reason(instance)}" for instance in failing[:shown]]
    if len(failing) > shown:
        lines.append(f"  … and {len(failing) - shown} more")
    return Block(criterion["id"], Severity(criterion["severity"]), headline, lines)


def _reason(instance: InstanceEntry) -> str:
    """The first line of the instance's message (an assertion's own text, not pytest's rewrite)."""
    message = instance["message"].strip()
    first = message.splitlines()[0] if message else "failed"
    first = first.removeprefix("AssertionError: ")
    if len(first) > REASON_CHARS:
        first = first[: REASON_CHARS - 1] + "…"
    if instance["outcome"] == Outcome.ERROR and not first.startswith("could not check"):
        return f"could not check: {first}"
    return first


def waived(record: Record) -> int:
    """How many instances failed under an active waiver (not in any block)."""
    return sum(i["outcome"] == Outcome.WAIVED for c in record["criteria"] for i in c["instances"])


def judged_nodeids(record: Record) -> set[str]:
    """The test ids of every criterion instance the record judged: the blocks stand for
    their pytest failure sections."""
    return {instance["nodeid"] for c in record["criteria"] for instance in c["instances"]}
