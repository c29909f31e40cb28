"""golive against N hosts over real SSH, next to a naive testinfra suite: one table.

For each N, brings up a light sandbox fleet (sandbox/light_fleet.py: N hosts, each a
network namespace with its own sshd and /srv, sharing one Docker engine and one nginx;
the profile is sandbox/light_profile.py's: 6 containers incl. an unhealthy and a
restart-looping one, 7 HTTPS endpoints, a config repo, backups, 10k-line logs), then
runs, one after the other: golive's suite with ``-n 0`` and ``-n 2``, and the naive
baseline (benchmarks/naive/, one SSH command or HTTP request per check) with ``-n 2``.
Needs root.

    .venv/bin/python benchmarks/fleet_ssh.py --hosts 1 10 50
    .venv/bin/python benchmarks/fleet_ssh.py --hosts 200 --modes golive-n2

Columns: wall time; runner CPU (the command's whole process tree: controller, workers,
ssh, curl; not the sandbox hosts; see runner_cost.py); CPU ms per test instance; round
trips per host (golive: the record's ``run.round_trips``; naive: commands + requests
counted); peak RSS of the controller and of the largest worker; the size of
readiness.html; the 1-minute load average when the run started (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from runner_cost import Cost, measure  # benchmarks/ is sys.path[0] when run as a script

REPO = Path(__file__).resolve().parents[1]

MODES = {
    "golive-n0": ("golive", 0),
    "golive-n2": ("golive", 2),
    "golive-n4": ("golive", 4),
    "naive-n2": ("naive", 2),
    "naive-n0": ("naive", 0),
}
DEFAULT_MODES = ("golive-n0", "golive-n2", "naive-n2")
COLUMNS = ("hosts", "mode", "tests", "wall s", "runner CPU s", "CPU ms/test", "round trips/host",
           "controller RSS MB", "worker RSS MB", "HTML MB", "load")  # fmt: skip


@dataclass(frozen=True)
class Row:
    hosts: int
    mode: str
    tests: int
    cost: Cost
    round_trips: float
    load: float
    html_mb: float = 0.0

    def cells(self) -> list[str]:
        per_test = self.cost.cpu * 1000 / self.tests if self.tests else float("nan")
        worker = f"{self.cost.worker_rss_mb:.0f}" if self.cost.worker_rss_mb else "—"
        return [str(self.hosts), self.mode, str(self.tests), f"{self.cost.wall:.1f}", f"{self.cost.cpu:.1f}",
                f"{per_test:.1f}", f"{self.round_trips:g}", f"{self.cost.controller_rss_mb:.0f}", worker,
                f"{self.html_mb:.1f}" if self.html_mb else "—", f"{self.load:.2f}"]  # fmt: skip


def table(rows: Sequence[Row]) -> str:
    """The rows as one Markdown table."""
    aligns = ["---" if column == "mode" else "---:" for column in COLUMNS]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 10, 50], help="fleet sizes (1, 10, 50, 200 ...)")
    parser.add_argument("--modes", nargs="+", choices=sorted(MODES), default=list(DEFAULT_MODES))
    parser.add_argument("--prefix", default="gfb", help="prefix of the namespaces (a-z, 0-9, at most 6 characters)")
    parser.add_argument("--keep-reports", type=Path, help="copy each run's readiness.json here")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.hosts):
        parser.error("--hosts: each size must be at least 1")
    return args


def run_golive(inventory: Path, workers: int, reports: Path, settle: object) -> tuple[Cost, int, float]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests_infra",
               f"--inventory={inventory}", f"--report-dir={reports}", "-n", str(workers)]  # fmt: skip
    cost = measure(command, settle, cwd=REPO, stdout=_log(reports), stderr=_log(reports))  # type: ignore[arg-type]
    record = json.loads((reports / "readiness.json").read_text())
    tests = sum(len(criterion["instances"]) for criterion in record["criteria"])
    trips = list(record["run"]["round_trips"].values())
    return cost, tests, statistics.mean(trips) if trips else 0.0


def run_naive(inventory: Path, workers: int, reports: Path, settle: object) -> tuple[Cost, int, float]:
    counts = reports / "counts"
    counts.mkdir(parents=True)
    naive = REPO / "benchmarks" / "naive"
    command = [sys.executable, "-m", "pytest", "-q", "-c", str(naive / "pytest.ini"), str(naive), "-n", str(workers)]
    env = {**os.environ, "NAIVE_INVENTORY": str(inventory), "NAIVE_COUNTS": str(counts)}
    cost = measure(command, settle, cwd=naive, env=env, stdout=_log(reports), stderr=_log(reports))  # type: ignore[arg-type]
    tests, trips = 0, []
    for part in counts.glob("*.json"):
        counted = json.loads(part.read_text())
        tests += counted["tests"]
        trips.append(counted["round_trips"])
    hosts = {host for part in trips for host in part}
    per_host = [sum(part.get(host, 0) for part in trips) for host in hosts]
    return cost, tests, statistics.mean(per_host) if per_host else 0.0


def _log(reports: Path) -> object:
    reports.mkdir(parents=True, exist_ok=True)
    return (reports / "output.log").open("ab")


def bench(sizes: Sequence[int], modes: Sequence[str], prefix: str, keep: Path | None) -> list[Row]:
    sys.path.insert(0, str(REPO))
    from sandbox import light_profile
    from sandbox.light_fleet import light_fleet

    rows = []
    for hosts in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir="/tmp"))
        try:
            started = time.perf_counter()
            with light_fleet(work / "f", hosts, f"{prefix}{hosts}") as fleet:
                light_profile.plant(fleet)
                print(
                    f"fleet_ssh: {hosts} hosts up and planted in {time.perf_counter() - started:.0f} s", file=sys.stderr
                )
                inventory = work / "hosts.yaml"
                inventory.write_text(yaml.safe_dump(light_profile.inventory(fleet)))
                for mode in modes:
                    kind, workers = MODES[mode]
                    fleet.ssh.close()  # every run opens its own connections
                    load = os.getloadavg()[0]
                    reports = work / f"reports-{mode}"
                    runner = run_golive if kind == "golive" else run_naive
                    cost, tests, trips = runner(inventory, workers, reports, fleet.ssh.close)
                    html = reports / "readiness.html"
                    row = Row(
                        hosts, mode, tests, cost, trips, load, html.stat().st_size / 1e6 if html.exists() else 0.0
                    )
                    rows.append(row)
                    print(table([row]).splitlines()[-1], file=sys.stderr, flush=True)
                    if keep is not None and (reports / "readiness.json").exists():
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / f"readiness-{hosts}-{mode}.json").write_bytes((reports / "readiness.json").read_bytes())
        finally:
            _remove(work)
    return rows


def _remove(directory: Path) -> None:
    import shutil

    shutil.rmtree(directory, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if os.geteuid() != 0:
        print("fleet_ssh: needs root (network namespaces, sshd)", file=sys.stderr)
        return 2
    rows = bench(args.hosts, args.modes, args.prefix, args.keep_reports)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
