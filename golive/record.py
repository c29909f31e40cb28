"""The run record: the one data structure every report is rendered from.

It is plain JSON-able data (``reports/readiness.json``), so a merge of shard records
re-renders exactly what a single run would have shown.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from golive.results import CriterionResult
from golive.rubric import Grade, RubricConfig, gains

SEVERITY_ORDER = {"critical": 0, "warning": 1, "acceptable": 2}


def build_record(
    results: list[CriterionResult],
    grade: Grade,
    rubric: RubricConfig,
    *,
    partial: bool,
    partial_reasons: list[str],
    complete: bool,
    waivers: list[dict[str, Any]],
    run: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the record from criterion results, the grade and run metadata."""
    titles = {r.criterion.id: r.criterion for r in results}
    fixes = [
        {"id": cid, "title": titles[cid].title, "severity": titles[cid].severity, "points": points,
         "remediation": titles[cid].remediation}
        for cid, points in gains([r.as_outcome() for r in results], rubric)
    ]  # fmt: skip
    ready = grade.ready and complete and not partial
    return {
        "score": grade.score,
        "uncapped_score": grade.uncapped_score,
        "grade": grade.letter,
        "ready": ready,
        "partial": partial,
        "partial_reasons": partial_reasons,
        "complete": complete,
        "critical_failures": list(grade.critical_failures),
        "categories": [
            {"name": c.name, "weight": c.weight, "score": round(c.score, 1), "counted": c.counted, "passed": c.passed}
            for c in grade.categories
        ],
        "criteria": [
            {**r.criterion.to_dict(), "outcome": r.outcome, "instances": [i.to_dict() for i in r.instances]}
            for r in sorted(results, key=lambda r: (SEVERITY_ORDER.get(r.criterion.severity, 9), r.criterion.id))
        ],
        "fixes": fixes,
        "waivers": waivers,
        "rubric": {
            "categories": dict(rubric.categories),
            "severity_weights": dict(rubric.severity_weights),
            "grades": dict(rubric.grades),
            "ready_score": rubric.ready_score,
            "critical_cap": rubric.critical_cap,
        },
        "run": run,
    }


def verdict_line(record: dict[str, Any], report_path: str) -> str:
    """The one line a person reads first: score, letter, READY and why not."""
    state = "READY" if record["ready"] else "NOT READY"
    parts = [f"golive: {record['score']:.1f}/100 {record['grade']} {state}"]
    failures = len(record["critical_failures"])
    if failures:
        parts.append(f"{failures} critical failure{'s' * (failures != 1)}")
    if record["partial"]:
        parts.append("partial run")
    if not record["complete"]:
        parts.append("INCOMPLETE run")
    parts.append(report_path)
    return " — ".join(parts)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(record: dict[str, Any], path: Path) -> None:
    write_atomically(path, json.dumps(record, indent=2, sort_keys=False) + "\n")


def exit_status(record: dict[str, Any], fail_under: float | None = None, gate: bool = False) -> int:
    """1 when the run fails its gate, else 0 (pytest's TESTS_FAILED / OK).

    By default any failed criterion fails the run (a grade claim judged at the end
    too); with ``gate`` only critical failures do. ``fail_under`` adds a score floor.
    """
    below = fail_under is not None and record["score"] < fail_under
    if gate:
        return 1 if record["critical_failures"] or below else 0
    return 1 if below or any(c["outcome"] == "failed" for c in record["criteria"]) else 0
