"""Combine the JSON records of ``--shard K/N`` runs into the record of the whole fleet.

Each shard ran every criterion on its own hosts; the merge takes the union of the
instances, undoes the shards' waivers and grades them with the same ``finalize`` a
single run uses (grade claims judged against the whole fleet's grade, which a shard
could not, then the waivers), so the result equals a single run over the same fleet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from golive import evidence_store, gate
from golive.criteria import Criterion
from golive.errors import InventoryError
from golive.inventory import Waiver
from golive.record import NOT_RUN, finalize, read_json
from golive.record_schema import Record, RubricEntry, RunMetadata
from golive.results import CriterionResult, Instance
from golive.rubric import MAX_WAIVER_DAYS, RubricConfig


def load_records(paths: list[Path]) -> list[Record]:
    return [read_json(path) for path in paths]


def merge(records: list[Record], paths: list[str], today: dt.date | None = None) -> Record:
    """The record of the whole fleet from the records of all its shards."""
    _check_shards(records, paths)
    results: dict[str, CriterionResult] = {}
    seen: set[str] = set()
    for shard in records:
        for criterion in shard["criteria"]:
            result = results.setdefault(criterion["id"], CriterionResult(Criterion.from_dict(criterion)))
            for instance in criterion["instances"]:
                if instance["nodeid"] not in seen:
                    seen.add(instance["nodeid"])
                    result.instances.append(Instance.from_dict(instance).unwaived())
    selection = {r for shard in records for r in shard["partial_reasons"] if not r.startswith(("--shard", NOT_RUN))}
    # a suite criterion is missing from the whole fleet only when no shard ran it
    not_run = set.intersection(*(set(shard["not_run"]) for shard in records))
    return finalize(
        list(results.values()),
        _rubric(records[0]["rubric"]),
        _waivers(records),
        today or dt.date.today(),
        run=_run(records),
        selection=sorted(selection),
        not_run=not_run,
        incomplete=sorted({reason for shard in records for reason in shard["incomplete_reasons"]}),
        facts=evidence_store.Store.of(records),
        severity_gate=gate.Selection.of_record(records[0]["gate"]) if "gate" in records[0] else None,
    )


def _check_shards(records: list[Record], paths: list[str]) -> None:
    shards = [tuple(r["run"].get("shard") or ()) for r in records]
    for path, shard in zip(paths, shards, strict=True):
        if len(shard) != 2:
            raise InventoryError(path, "run.shard", "not a sharded run; merge the records of --shard K/N runs")
    totals = {total for _, total in shards}
    if len(totals) != 1:
        raise InventoryError(
            paths[0], "run.shard", f"shards of different splits {sorted(totals)}; merge one K/N series"
        )
    total = totals.pop()
    missing = sorted(set(range(1, total + 1)) - {index for index, _ in shards})
    if missing or len(shards) != total:
        raise InventoryError(paths[0], "run.shard", f"need each of shards 1..{total} once; missing {missing or 'none'}")
    for key, values in (
        ("inventory_sha256", {r["run"].get("inventory_sha256") for r in records}),
        ("suite_commit", {r["run"].get("suite_commit") for r in records}),
    ):
        if len(values) != 1:
            raise InventoryError(paths[0], f"run.{key}", "shards ran different inventories or suites; rerun them alike")
    if any(r["rubric"] != records[0]["rubric"] for r in records):
        raise InventoryError(paths[0], "rubric", "shards graded with different rubrics; rerun them alike")


def _rubric(data: RubricEntry) -> RubricConfig:
    return RubricConfig(
        categories=data["categories"],
        severity_weights=data["severity_weights"],
        grades=data["grades"],
        ready_score=data["ready_score"],
        critical_cap=data["critical_cap"],
        max_waiver_days=data.get("max_waiver_days", MAX_WAIVER_DAYS),
    )


def _waivers(records: list[Record]) -> list[Waiver]:
    """The inventory's waivers, as every shard recorded them (same inventory, same list)."""
    return [
        Waiver(
            criterion=w["criterion"], target=w["target"], reason=w["reason"], owner=w["owner"],
            expires=dt.date.fromisoformat(w["expires"]),
        )
        for w in records[0]["waivers"]
    ]  # fmt: skip


def _run(records: list[Record]) -> RunMetadata:
    runs = [r["run"] for r in records]
    round_trips: dict[str, int] = {}
    for run in runs:
        for host, count in (run.get("round_trips") or {}).items():
            round_trips[host] = round_trips.get(host, 0) + count
    first = runs[0]
    return {
        "golive_version": first["golive_version"],
        "suite_commit": first["suite_commit"],
        "inventory": first["inventory"],
        "inventory_sha256": first["inventory_sha256"],
        "hosts": first["hosts"],
        "started": min(run["started"] for run in runs),
        "finished": max(run["finished"] for run in runs),
        "duration_seconds": round(sum(run["duration_seconds"] for run in runs), 2),
        "runner": ", ".join(sorted({run["runner"] for run in runs})),
        "python": first["python"],
        "pytest": first["pytest"],
        "workers": sum(run["workers"] or 1 for run in runs),
        "args": f"merged from {len(runs)} shards",
        "round_trips": dict(sorted(round_trips.items())),
        "shard": None,
        "shards": len(runs),
    }
