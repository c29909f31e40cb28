"""The run record: the one data structure every report is rendered from.

It is plain JSON-able data (``reports/readiness.json``, its shape in
``golive.record_schema``), so a merge of shard records re-renders exactly what a
single run would have shown. ``finalize`` is the one place a run is graded, for a
single run and for a merge of shards alike.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from golive import evidence_store, gate
from golive.errors import InventoryError
from golive.inventory import Waiver
from golive.outcomes import Outcome
from golive.record_schema import SCHEMA, CriterionEntry, Fix, HistoryRecord, Record, RunMetadata, WaiverStatus
from golive.results import CriterionResult, apply_waivers, judge_grade_claims
from golive.rubric import Grade, RubricConfig, gains, grade, shown

NOT_RUN = "criteria of the suite not run:"
"""How the partial reason naming the suite criteria that did not run begins."""

PARTIAL_GRADE = "partial grade over the selected criteria, not the fleet's"
"""How a gate run introduces its score: a grade of a subset, where unselected categories score 0."""


def finalize(
    results: list[CriterionResult],
    rubric: RubricConfig,
    waivers: Sequence[Waiver],
    today: dt.date,
    *,
    run: RunMetadata,
    judge_claims: bool = True,
    selection: Sequence[str] = (),
    not_run: Iterable[str] = (),
    incomplete: Sequence[str] = (),
    facts: evidence_store.Store | None = None,
    severity_gate: gate.Selection | None = None,
) -> Record:
    """Grade a run: waivers, grade claims (judged against the rest of the run), waivers
    again (a failed claim can be waived too), the rubric, and the record.

    ``selection`` says how the run was narrowed (``-m critical``), ``not_run`` the suite
    criteria that did not run, ``incomplete`` why the run did not reach its end; any of
    them keeps the run from READY. ``facts`` holds the command results the instances'
    evidence refers to (``golive.evidence_store``). ``severity_gate``, for a run
    selected by severity, adds the gate's verdict (``golive.gate``). A shard passes
    ``judge_claims=False``: it sees part of the grade, so the merge judges the claims."""
    apply_waivers(results, waivers, today)
    if severity_gate is not None:
        gate.set_aside_grade_claims(results)
    elif judge_claims:
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
        severity_gate=severity_gate,
    )


def build_record(
    results: list[CriterionResult],
    grade: Grade,
    rubric: RubricConfig,
    *,
    partial_reasons: list[str],
    not_run: list[str],
    incomplete_reasons: list[str],
    waivers: list[WaiverStatus],
    run: RunMetadata,
    facts: evidence_store.Store | None = None,
    severity_gate: gate.Selection | None = None,
) -> Record:
    """Assemble the record from criterion results, the grade and run metadata; scores
    are shown truncated to one decimal (``score_unrounded`` keeps the exact value)."""
    titles = {r.criterion.id: r.criterion for r in results}
    fixes = [
        Fix(id=cid, title=titles[cid].title, severity=titles[cid].severity, points=points,
            remediation=titles[cid].remediation)
        for cid, points in gains([r.as_outcome() for r in results], rubric)
    ]  # fmt: skip
    partial, complete = bool(partial_reasons), not incomplete_reasons
    criteria = [_criterion_entry(r) for r in sorted(results, key=lambda r: (r.criterion.severity.rank, r.criterion.id))]
    stored = (facts or evidence_store.Store()).referenced(criteria)  # what the instances refer to, once each
    built: Record = {
        "schema": SCHEMA,
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
        "facts": stored.facts,
        "scripts": stored.scripts,
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
    if severity_gate is not None:
        built["gate"] = gate.judge(criteria, severity_gate, run.get("hosts", 0))
    return built


def _criterion_entry(result: CriterionResult) -> CriterionEntry:
    c = result.criterion
    return CriterionEntry(
        id=c.id, category=c.category, severity=c.severity, title=c.title, why=c.why, remediation=c.remediation,
        description=c.description, keys=c.keys, outcome=result.outcome,
        instances=[i.to_dict() for i in result.instances],
    )  # fmt: skip


def verdict_line(record: Record, report_path: str) -> str:
    """What a person reads first: score, letter, READY and why not; a run selected by
    severity leads with its gate's verdict, its partial grade on the next line."""
    return "\n".join(verdict_lines(record, report_path))


def verdict_lines(record: Record, report_path: str) -> list[str]:
    """The verdict line, or for a gate run the gate's line and the partial grade's."""
    judged = record.get("gate")
    if judged is None:
        return [_grade_line(record, report_path)]
    return [f"golive: {gate_line(record)}", _grade_line(record, report_path)]


def gate_line(record: Record) -> str:
    """A gate run's verdict (``golive.gate.line``), naming any narrowing besides the severities."""
    judged = record.get("gate")
    if judged is None:
        return ""
    narrowed = [r for r in record["partial_reasons"] if r != f"-m {judged['selection']}"]
    also = f" (selection also narrowed: {'; '.join(narrowed)})" if narrowed else ""
    return gate.line(judged) + also


def _grade_line(record: Record, report_path: str) -> str:
    state = "READY" if record["ready"] else "NOT READY"
    if record.get("gate") is not None:
        parts = [f"golive: {PARTIAL_GRADE}: {record['score']:.1f}/100 {record['grade']} {state}"]
    else:
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


def write_json(record: Record | HistoryRecord, path: Path) -> None:
    """Compact JSON (``jq .`` indents it): on a large fleet indentation alone was a third of the file."""
    write_atomically(path, json.dumps(record, separators=(",", ":")) + "\n")


def read_json(path: Path) -> Record:
    """A record written by ``write_json`` (any golive of the same schema); InventoryError if it is not one."""
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InventoryError(
            str(path), "", f"not a readable golive record ({exc}); pass readiness.json files"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        raise InventoryError(str(path), "", "not a golive record; pass readiness.json files")
    schema = data.get("schema", SCHEMA)  # records before the schema was written have the same shape
    if schema != SCHEMA:
        raise InventoryError(
            str(path),
            "schema",
            f"record schema {schema!r}; this golive reads schema {SCHEMA}: use the golive that wrote it",
        )
    return cast(Record, data)


def exit_status(record: Record, fail_under: float | None = None, gate: bool = False) -> int:
    """1 when the run fails its gate, else 0 (pytest's TESTS_FAILED / OK).

    By default any failed criterion fails the run (a grade claim judged at the end
    too); with ``gate`` only critical failures do. ``fail_under`` adds a score floor.
    """
    below = fail_under is not None and record["score_unrounded"] < fail_under
    judged = record.get("gate")
    if judged is not None and not judged["criteria"]:
        return 1  # a gate that judged no criterion is never a pass
    if gate:
        return 1 if record["critical_failures"] or below else 0
    return 1 if below or any(c["outcome"] == Outcome.FAILED for c in record["criteria"]) else 0
