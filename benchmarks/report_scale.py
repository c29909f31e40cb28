"""The reports of a large fleet without the fleet: a real run's record replicated to N hosts.

The report writing at the end of a run depends only on the record, so a fleet of 200
hosts need not be brought up to measure it: take the readiness.json of a real run over
a few hosts, e.g. the light SSH fleet's (``benchmarks/fleet_ssh.py --hosts 2 --modes
golive-n0 --keep-reports DIR``), and copy its hosts until there are N. Each new host
is a copy of one of the record's hosts (in turn), its name changed wherever the name
appears (targets, node ids, reasons, evidence, facts); the digits of its facts' output
are changed too (the same digits alike within a host), so that no two hosts' facts are
byte for byte the same, as on a real fleet where times, sizes and ids differ: the
report gets no compression or deduplication a real fleet would not give it.

Then it writes the reports from that record as a run's controller does at its end,
timing each step in CPU seconds (the wall time too): grading (``finalize``), the history (read, compare, keep),
readiness.json, the Markdown summary, readiness.html; and prints their sizes.

    .venv/bin/python benchmarks/report_scale.py RECORD --hosts 200
    .venv/bin/python benchmarks/report_scale.py RECORD --hosts 200 --save r200.json   # keep the record
    .venv/bin/python benchmarks/report_scale.py r200.json --hosts 0 --out /tmp/r200  # and the reports
    .venv/bin/python benchmarks/html_load.py /tmp/r200/readiness.html                 # then load the page
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from golive import evidence_store, history, html_report, markdown_summary, record  # noqa: E402
from golive.criteria import Criterion  # noqa: E402
from golive.record_schema import Record  # noqa: E402
from golive.results import CriterionResult, Instance  # noqa: E402
from golive.rubric import RubricConfig  # noqa: E402

_DIGITS = re.compile(r"\d+")


def hosts_of(source: Record) -> list[str]:
    """The record's hosts, in the order of its round trips (else of its facts)."""
    found = list(source["run"].get("round_trips") or {})
    found += [str(f.get("host")) for f in source["facts"].values() if f.get("host") and f.get("host") not in found]
    return found


def _vary(text: str, salt: str) -> str:
    def one(match: re.Match[str]) -> str:
        digits = match.group(0)
        mixed = int(hashlib.blake2b((salt + digits).encode(), digest_size=8).hexdigest(), 16)
        return str(mixed % 10 ** len(digits)).zfill(len(digits))

    return _DIGITS.sub(one, text)


def replicate(source: Record, hosts: int, vary: bool = True) -> Record:
    """``source`` with ``hosts`` hosts: each a renamed copy of one of its hosts, in turn."""
    names = hosts_of(source)
    if not names:
        raise SystemExit("report_scale: the record names no host")
    whole = evidence_store.expand(dict(source))
    store = evidence_store.Store()
    by_id = {c["id"]: c for c in whole["criteria"]}
    criteria: dict[str, list[dict[str, Any]]] = {cid: [] for cid in by_id}
    for cid, criterion in by_id.items():  # instances of no host (the fleet's) are kept once
        for instance in criterion["instances"]:
            if _host(instance, names) is None:
                entries = [{k: v for k, v in e.items() if k not in ("fact", "script")} for e in instance["evidence"]]
                criteria[cid].append({**instance, "evidence": store.intern(entries)})
    for index in range(hosts):
        original = names[index % len(names)]
        name = f"host{index:04d}"
        pattern = re.compile(rf"\b{re.escape(original)}\b")
        for cid, criterion in by_id.items():
            for instance in criterion["instances"]:
                if _host(instance, names) != original:
                    continue
                text = pattern.sub(name, json.dumps(instance))
                copied = json.loads(text)
                for entry in copied["evidence"]:
                    if entry.get("kind") == "command":
                        entry.pop("fact", None)  # a new host's fact gets its own id
                        entry.pop("script", None)
                        if vary:
                            entry["stdout"] = _vary(entry["stdout"], name)
                copied["evidence"] = store.intern(copied["evidence"])
                criteria[cid].append(copied)
    built: dict[str, Any] = {k: v for k, v in whole.items() if k not in ("criteria", "facts", "scripts")}
    built["criteria"] = [{**by_id[cid], "instances": criteria[cid]} for cid in by_id]
    used = store.referenced(built["criteria"])
    built["facts"], built["scripts"] = used.facts, used.scripts
    built["run"] = {**whole["run"], "hosts": hosts, "round_trips": {f"host{i:04d}": 1 for i in range(hosts)}}
    return built  # type: ignore[return-value]


def _host(instance: dict[str, Any], names: list[str]) -> str | None:
    first = str(instance["target"]).split("/", 1)[0]
    return first if first in names else None


def regrade(built: Record) -> Record:
    """The record graded again from its instances, as the controller grades a run."""
    results = [
        CriterionResult(Criterion.from_dict(c), [Instance.from_dict(i).unwaived() for i in c["instances"]])
        for c in built["criteria"]
    ]
    rubric = built["rubric"]
    config = RubricConfig(categories=rubric["categories"], severity_weights=rubric["severity_weights"],
                          grades=rubric["grades"], ready_score=rubric["ready_score"],
                          critical_cap=rubric["critical_cap"], max_waiver_days=rubric["max_waiver_days"])  # fmt: skip
    return record.finalize(results, config, [], dt.date.today(), run=built["run"],
                           selection=built["partial_reasons"], not_run=built["not_run"],
                           incomplete=built["incomplete_reasons"],
                           facts=evidence_store.Store.of([built]))  # fmt: skip


def timed(steps: dict[str, float], name: str, call: Callable[[], Any]) -> Any:
    """``call()``, its CPU seconds kept in ``steps`` (on a shared machine wall time says little)."""
    started = time.process_time()
    result = call()
    steps[name] = time.process_time() - started
    return result


def write_reports(built: Record, out: Path) -> dict[str, float]:
    """The controller's report writing, step by step: CPU seconds per step."""
    steps: dict[str, float] = {}
    graded: Record = timed(steps, "grading", lambda: regrade(built))
    directory = out / "history"

    def keep_history() -> None:
        past = history.load(directory)
        if past:
            graded["changes"] = history.changes(past[-1], graded, "the previous run")
        graded["history"] = history.trend(past, graded)
        history.save(directory, graded)

    timed(steps, "history", keep_history)
    timed(steps, "readiness.json", lambda: record.write_json(graded, out / "readiness.json"))
    summary = out / "summary.md"
    timed(steps, "summary.md", lambda: record.write_atomically(summary, markdown_summary.render(graded, "r.html")))
    page = out / "readiness.html"
    timed(steps, "readiness.html", lambda: record.write_atomically(page, html_report.page(graded)))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path, help="readiness.json of a real run over a few hosts")
    parser.add_argument("--hosts", type=int, default=200, help="hosts to replicate to (0: the record as it is)")
    parser.add_argument("--save", type=Path, help="keep the replicated record here (to pass it again with --hosts 0)")
    parser.add_argument("--same-digits", action="store_true", help="copy facts' output unchanged (only renamed)")
    parser.add_argument("--out", type=Path, help="write the reports here (default: a temporary directory)")
    parser.add_argument("--runs", type=int, default=1, help="write the reports this many times (history grows)")
    args = parser.parse_args(argv)
    source = record.read_json(args.record)
    started = time.perf_counter()
    built = replicate(source, args.hosts, vary=not args.same_digits) if args.hosts else source
    made = time.perf_counter() - started
    if args.save:
        record.write_json(built, args.save)
    instances = sum(len(c["instances"]) for c in built["criteria"])
    print(f"report_scale: {built['run']['hosts']} hosts, {instances} instances, {len(built['facts'])} facts "
          f"(replicated in {made:.1f} s); load {os.getloadavg()[0]:.2f}", file=sys.stderr)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="golive-report-scale-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        hosts = built["run"]["hosts"]
        print("| hosts | instances | run | grading | history | JSON | summary.md | HTML | total CPU s | wall s "
              "| JSON MB | HTML MB | peak RSS MB | load |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in range(1, args.runs + 1):
            load = os.getloadavg()[0]
            wall = time.perf_counter()
            steps = write_reports(built, out)
            wall = time.perf_counter() - wall
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            sizes = [(out / name).stat().st_size / 1e6 for name in ("readiness.json", "readiness.html")]
            print(f"| {hosts} | {instances} | {run} | {steps['grading']:.2f} | {steps['history']:.2f} "
                  f"| {steps['readiness.json']:.2f} | {steps['summary.md']:.2f} | {steps['readiness.html']:.2f} "
                  f"| {sum(steps.values()):.2f} | {wall:.2f} | {sizes[0]:.1f} | {sizes[1]:.1f} | {rss:.0f} "
                  f"| {load:.2f} |",
                  flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
