"""Past runs: the score over time and what changed since the previous (or a baseline) run.

Each complete, non-partial run's record is kept in ``reports/history/`` (the newest 50),
so a report can say what got fixed and what newly fails since the last run, or since
a chosen baseline such as the last accepted phase (``--baseline FILE``).
"""

from __future__ import annotations

import time
from pathlib import Path

from golive.errors import InventoryError
from golive.outcomes import Outcome
from golive.record import read_json, write_json
from golive.record_schema import Changes, HistoryCriterion, HistoryRecord, Record, TrendPoint

KEEP = 50
FAILING = (Outcome.FAILED,)


def load(directory: Path) -> list[HistoryRecord]:
    """The kept runs, oldest first (unreadable files and other schemas are skipped; a whole
    record kept by an earlier golive is read as its summary)."""
    records = []
    for path in sorted(directory.glob("*.json")):
        try:
            records.append(summary(read_json(path)))
        except (InventoryError, KeyError, TypeError):
            continue
    return records


def summary(record: Record | HistoryRecord) -> HistoryRecord:
    """What a later run compares with: the grade, the categories, each criterion's outcome
    and the run's metadata; not the instances or their evidence (the whole record is
    ``readiness.json``)."""
    return HistoryRecord(
        score=record["score"], uncapped_score=record.get("uncapped_score", record["score"]),
        score_unrounded=record.get("score_unrounded", record["score"]), grade=record["grade"],
        ready=record.get("ready", False), partial=record.get("partial", False),
        complete=record.get("complete", True), critical_failures=record.get("critical_failures", []),
        categories=record.get("categories", []), run=record["run"],
        criteria=[
            HistoryCriterion(id=c["id"], title=c.get("title", ""), category=c.get("category", ""),
                             severity=c["severity"], outcome=c["outcome"])
            for c in record["criteria"]
        ],
    )  # fmt: skip


def save(directory: Path, record: Record, keep: int = KEEP) -> Path:
    """Keep ``record``'s ``summary``; drop the oldest beyond ``keep``."""
    # nanoseconds, not the record's "finished" (whole seconds): two runs in one second
    # must not overwrite each other, and names must sort in the order the runs ended
    path = directory / f"{time.time_ns():020d}.json"
    write_json(summary(record), path)
    for old in sorted(directory.glob("*.json"))[:-keep]:
        old.unlink(missing_ok=True)
    return path


def changes(previous: Record | HistoryRecord, current: Record, label: str) -> Changes:
    """Per criterion: newly failing, fixed, still failing, compared with ``previous``."""
    before = {c["id"]: c["outcome"] for c in previous["criteria"]}
    after = {c["id"]: c["outcome"] for c in current["criteria"]}
    return {
        "since": label,
        "since_finished": previous["run"]["finished"],
        "since_score": previous["score"],
        "newly_failing": sorted(cid for cid, now in after.items() if now in FAILING and before.get(cid) not in FAILING),
        "fixed": sorted(cid for cid, was in before.items() if was in FAILING and after.get(cid) == Outcome.PASSED),
        "still_failing": sorted(cid for cid, now in after.items() if now in FAILING and before.get(cid) in FAILING),
    }


def trend(past: list[HistoryRecord], current: Record) -> list[TrendPoint]:
    """Score points for the chart: the kept runs and this one."""
    return [TrendPoint(finished=r["run"]["finished"], score=r["score"], grade=r["grade"]) for r in [*past, current]]
