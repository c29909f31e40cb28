"""The run record: typed, versioned, the same JSON strings as before (golive/record.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from golive import record
from golive.criteria import Criterion
from golive.errors import InventoryError
from golive.outcomes import Outcome, Severity
from golive.record_schema import SCHEMA, Record, RunMetadata
from golive.results import CriterionResult, Instance
from golive.rubric import DEFAULT_RUBRIC

RUN = RunMetadata(
    golive_version="0", suite_commit=None, inventory=None, inventory_sha256=None, hosts=1,
    started="2026-01-01T00:00:00",
    finished="2026-01-01T00:00:01", duration_seconds=1.0, runner="r@h", python="3", pytest="8", workers=0,
    round_trips={}, shard=None, args="",
)  # fmt: skip


def _record() -> Record:
    failing = CriterionResult(
        Criterion("SEC-01", "Security", "critical", "No wildcard listener"),  # type: ignore[arg-type]
        [Instance("t::a[h1]", "h1", Outcome.FAILED), Instance("t::a[h2]", "h2", Outcome.ERROR)],
    )
    passing = CriterionResult(Criterion("REL-08", "Reliability", Severity.WARNING, "Disk"), [Instance("t::b", "h1")])
    return record.finalize([passing, failing], DEFAULT_RUBRIC, [], dt.date(2026, 1, 1), run=RUN)


def test_the_record_carries_its_schema_and_writes_outcomes_as_plain_strings(tmp_path: Path) -> None:
    path = tmp_path / "readiness.json"
    record.write_json(_record(), path)
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA == 1
    assert [(c["id"], c["severity"], c["outcome"]) for c in data["criteria"]] == [
        ("SEC-01", "critical", "failed"),
        ("REL-08", "warning", "passed"),
    ]
    assert [i["outcome"] for i in data["criteria"][0]["instances"]] == ["failed", "error"]
    assert data["rubric"]["severity_weights"] == {"critical": 3, "warning": 2, "acceptable": 1}
    assert record.read_json(path) == data


def test_a_record_of_another_schema_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "readiness.json"
    path.write_text(json.dumps({**_record(), "schema": 2}))
    with pytest.raises(InventoryError, match="schema 2; this golive reads schema 1"):
        record.read_json(path)


def test_a_record_written_before_the_schema_was_recorded_reads_as_schema_1(tmp_path: Path) -> None:
    old = dict(_record())
    del old["schema"]
    path = tmp_path / "readiness.json"
    path.write_text(json.dumps(old))
    assert record.read_json(path)["criteria"][0]["outcome"] == Outcome.FAILED


def test_a_criterion_read_back_names_its_severity_as_the_enum() -> None:
    found = Criterion.from_dict({**Criterion("A-01", "Security", Severity.CRITICAL, "t").to_dict()})
    assert found.severity is Severity.CRITICAL and found.to_dict()["severity"] == "critical"
