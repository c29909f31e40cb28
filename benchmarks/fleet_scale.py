"""How golive's wall time grows with the fleet: N hosts × the suite, serial and -n 2.

Every host is ``local://``, so a command costs ~1 ms and what is measured is golive's
own overhead per host and per test (collection, parametrization, evidence, grading,
reports). Remote cost is round trips × latency on top: see ``ssh_round_trip.py``.

    .venv/bin/python benchmarks/fleet_scale.py 1 50 200
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(hosts: int, workers: int, directory: Path) -> tuple[float, dict]:
    inventory = directory / f"hosts-{hosts}.yaml"
    lines = ["defaults:", "  listeners: {allow: ['2024']}", "hosts:"]
    lines += [f"  host{index:04d}: {{backend: 'local://'}}" for index in range(hosts)]
    inventory.write_text("\n".join(lines) + "\n")
    reports = directory / f"reports-{hosts}-{workers}"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests_infra",
               f"--inventory={inventory}", f"--report-dir={reports}", "-n", str(workers)]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads((reports / "readiness.json").read_text())


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print("| hosts | tests | -n 0 (s) | -n 2 (s) | round trips per host |")
        print("|---:|---:|---:|---:|---:|")
        for hosts in sizes:
            serial, record = run(hosts, 0, Path(tmp))
            parallel, _ = run(hosts, 2, Path(tmp))
            tests = sum(len(c["instances"]) for c in record["criteria"])
            trips = set(record["run"]["round_trips"].values())
            print(f"| {hosts} | {tests} | {serial:.1f} | {parallel:.1f} | {', '.join(map(str, sorted(trips)))} |")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 50, 200])
