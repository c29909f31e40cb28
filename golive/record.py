"""The run record: the one data structure every report is rendered from.

It is plain JSON-able data (``reports/readiness.json``), so a merge of shard records
re-renders exactly what a single run would have shown. ``finalize`` is the one place
a run is graded, for a single run and for a merge of shards alike.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from golive import evidence_store
from golive.inventory import Waiver
from golive.results import CriterionResult, apply_waivers, judge_grade_claims
from golive.rubric import Grade, RubricConfig, gains, grade, shown

SEVERITY_ORDER = {"critical": 0, "warning": 1, "acceptable": 2}
NOT_RUN = "criteria of the suite not run:"
"""How the partial reason naming the suite criteria that did not run begins."""


def finalize(
    results: list[CriterionResult],
    rubric: RubricConfig,
    waivers: Sequence[Waiver],
    today: dt.date,
    *,
    run: dict[str, Any],
    judge_claims: bool = True,
    selection: Sequence[str] = (),
    not_run: Iterable[str] = (),
    incomplete: Sequence[str] = (),
    facts: evidence_store.Store | None = None,
) -> dict[str, Any]:
    """Grade a run: waivers, grade claims (judged against the rest of the run), waivers
    again (a failed claim can be waived too), the rubric, and the record.

    ``selection`` says how the run was narrowed (``-m critical``), ``not_run`` the suite
    criteria that did not run, ``incomplete`` why the run did not reach its end; any of
    them keeps the run from READY. ``facts`` holds the command results the instances'
    evidence refers to (``golive.evidence_store``). A shard passes ``judge_claims=False``: it sees part of
    the grade, so the merge judges the claims."""
    apply_waivers(results, waivers, today)
    if judge_claims:
        judge_grade_claims(results, rubric)
    statuses = apply_waivers(results, waivers, today)
    missing = sorted(set(not_run))
    reasons = [*selection, *([f"{NOT_RUN} {', '.join(missing)}"] if missing else [])]
    return build_record(
        results,
        grade([r.as_outcome() for r in results], rubric),
        rubric,
        partial_reasons=reasons,
        not_run=missing,
        incomplete_reasons=list(incomplete),
        waivers=statuses,
        run=run,
        facts=facts,
    )


def build_record(
    results: list[CriterionResult],
    grade: Grade,
    rubric: RubricConfig,
    *,
    partial_reasons: list[str],
    not_run: list[str],
    incomplete_reasons: list[str],
    waivers: list[dict[str, Any]],
    run: dict[str, Any],
    facts: evidence_store.Store | None = None,
) -> dict[str, Any]:
    """Assemble the record from criterion results, the grade and run metadata; scores
    are shown truncated to one decimal (``score_unrounded`` keeps the exact value)."""
    titles = {r.criterion.id: r.criterion for r in results}
    fixes = [
        {"id": cid, "title": titles[cid].title, "severity": titles[cid].severity, "points": points,
         "remediation": titles[cid].remediation}
        for cid, points in gains([r.as_outcome() for r in results], rubric)
    ]  # fmt: skip
    partial, complete = bool(partial_reasons), not incomplete_reasons
    criteria = [
        {**r.criterion.to_dict(), "outcome": r.outcome, "instances": [i.to_dict() for i in r.instances]}
        for r in sorted(results, key=lambda r: (SEVERITY_ORDER.get(r.criterion.severity, 9), r.criterion.id))
    ]
    return {
        "score": shown(grade.score),
        "uncapped_score": shown(grade.uncapped_score),
        "score_unrounded": grade.score,
        "grade": grade.letter,
        "ready": grade.ready and complete and not partial,
        "partial": partial,
        "partial_reasons": partial_reasons,
        "not_run": not_run,
        "complete": complete,
        "incomplete_reasons": incomplete_reasons,
        "rubric_overridden": rubric.overrides(),
        "critical_failures": list(grade.critical_failures),
        "categories": [
            {"name": c.name, "weight": c.weight, "score": shown(c.score), "counted": c.counted, "passed": c.passed}
            for c in grade.categories
        ],
        "criteria": criteria,
        **_stored(criteria, facts),
        "fixes": fixes,
        "waivers": waivers,
        "rubric": {
            "categories": dict(rubric.categories),
            "severity_weights": dict(rubric.severity_weights),
            "grades": dict(rubric.grades),
            "ready_score": rubric.ready_score,
            "critical_cap": rubric.critical_cap,
            "max_waiver_days": rubric.max_waiver_days,
        },
        "run": run,
    }


def _stored(criteria: list[dict[str, Any]], store: evidence_store.Store | None) -> dict[str, Any]:
    """The record's ``facts`` and ``scripts``: what its instances refer to, once each."""
    kept = (store or evidence_store.Store()).referenced(criteria)
    return {"facts": kept.facts, "scripts": kept.scripts}


def verdict_line(record: dict[str, Any], report_path: str) -> str:
    """The one line a person reads first: score, letter, READY and why not."""
    state = "READY" if record["ready"] else "NOT READY"
    parts = [f"golive: {record['score']:.1f}/100 {record['grade']} {state}"]
    failures = len(record["critical_failures"])
    if failures:
        parts.append(f"{failures} critical failure{'s' * (failures != 1)}")
    if record["partial"]:
        missing = record["not_run"]
        parts.append(f"partial run (not run: {', '.join(missing)})" if missing else "partial run")
    if not record["complete"]:
        why = record["incomplete_reasons"]
        parts.append(f"INCOMPLETE run ({'; '.join(why)})" if why else "INCOMPLETE run")
    if record["rubric_overridden"]:
        parts.append(f"rubric overridden: {', '.join(record['rubric_overridden'])}")
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
    """Compact JSON (``jq .`` indents it): on a large fleet indentation alone was a third of the file."""
    write_atomically(path, json.dumps(record, separators=(",", ":")) + "\n")


def exit_status(record: dict[str, Any], fail_under: float | None = None, gate: bool = False) -> int:
    """1 when the run fails its gate, else 0 (pytest's TESTS_FAILED / OK).

    By default any failed criterion fails the run (a grade claim judged at the end
    too); with ``gate`` only critical failures do. ``fail_under`` adds a score floor.
    """
    below = fail_under is not None and record["score_unrounded"] < fail_under
    if gate:
        return 1 if record["critical_failures"] or below else 0
    return 1 if below or any(c["outcome"] == "failed" for c in record["criteria"]) else 0
