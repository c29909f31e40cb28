"""Past runs: the score over time and what changed since the previous (or a baseline) run.

Each complete, non-partial run's record is kept in ``reports/history/`` (the newest 50),
so a report can say what got fixed and what newly fails since the last run, or since
a chosen baseline such as the last accepted phase (``--baseline FILE``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from golive.record import write_json

KEEP = 50
FAILING = ("failed",)


def load(directory: Path) -> list[dict[str, Any]]:
    """The kept records, oldest first (unreadable files are skipped)."""
    records = []
    for path in sorted(directory.glob("*.json")):
        try:
            records.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    return records


KEPT_CRITERION = ("id", "title", "category", "severity", "outcome")


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """What a later run compares with: the grade, the categories, each criterion's outcome
    and the run's metadata; not the instances or their evidence (the whole record is
    ``readiness.json``)."""
    kept = ("score", "uncapped_score", "score_unrounded", "grade", "ready", "partial", "complete",
            "critical_failures", "categories", "run")  # fmt: skip
    return {
        **{key: record[key] for key in kept if key in record},
        "criteria": [{key: c[key] for key in KEPT_CRITERION if key in c} for c in record["criteria"]],
    }


def save(directory: Path, record: dict[str, Any], keep: int = KEEP) -> Path:
    """Keep ``record``'s ``summary``; drop the oldest beyond ``keep``."""
    # nanoseconds, not the record's "finished" (whole seconds): two runs in one second
    # must not overwrite each other, and names must sort in the order the runs ended
    path = directory / f"{time.time_ns():020d}.json"
    write_json(summary(record), path)
    for old in sorted(directory.glob("*.json"))[:-keep]:
        old.unlink(missing_ok=True)
    return path


def changes(previous: dict[str, Any], current: dict[str, Any], label: str) -> dict[str, Any]:
    """Per criterion: newly failing, fixed, still failing, compared with ``previous``."""
    before = {c["id"]: c["outcome"] for c in previous["criteria"]}
    after = {c["id"]: c["outcome"] for c in current["criteria"]}
    return {
        "since": label,
        "since_finished": previous["run"]["finished"],
        "since_score": previous["score"],
        "newly_failing": sorted(cid for cid, now in after.items() if now in FAILING and before.get(cid) not in FAILING),
        "fixed": sorted(cid for cid, was in before.items() if was in FAILING and after.get(cid) == "passed"),
        "still_failing": sorted(cid for cid, now in after.items() if now in FAILING and before.get(cid) in FAILING),
    }


def trend(past: list[dict[str, Any]], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Score points for the chart: the kept runs and this one."""
    points = [{"finished": r["run"]["finished"], "score": r["score"], "grade": r["grade"]} for r in past]
    return [*points, {"finished": current["run"]["finished"], "score": current["score"], "grade": current["grade"]}]
