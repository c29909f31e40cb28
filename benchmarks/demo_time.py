"""Where ``make demo``'s time goes: bring-up, the scenario, the suite, teardown.

Runs the demo's steps (``python -m sandbox demo``: the broken fleet up, the suite with
``-n 2`` against it, the fleet down) with a timer around each piece: the hosts (sshd,
dockerd, images), each service of the fleet, the scenario's baseline and each planted
fault, the suite (and, inside it, the test session from the record), and teardown.
The first run starts from an empty run dir (keys, images, certificates made anew; the
Debian packages are whatever the machine has); each later run reuses it, as a second
``make demo`` does. Needs root.

    .venv/bin/python benchmarks/demo_time.py --runs 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class Timer:
    """Named durations, in the order first seen."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def around(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed


def one_run(run_dir: Path, prefix: str, reports: Path) -> dict[str, float]:
    from sandbox.fleet import Fleet
    from sandbox.scenarios import scenario

    timer = Timer()

    class TimedFleet(Fleet):
        def services(self) -> list[Any]:
            found = super().services()
            for service in found:
                object.__setattr__(service, "up", timer.around(f"  service {service.name}", service.up))
            return found

    fleet = TimedFleet(run_dir, prefix=prefix)
    chosen = scenario("broken")
    chosen.faults = [dataclasses.replace(f, plant=timer.around(f"  fault {f.id}", f.plant)) for f in chosen.faults]
    total = time.perf_counter()
    try:
        timer.around("fleet up", fleet.up)()
        timer.around("scenario (baseline + faults)", chosen.apply)(fleet)
        inventory, _ = chosen.write(fleet, fleet.run_dir / "scenario")
        command = [sys.executable, "-m", "pytest", "tests_infra", "-q", "-n", "2", f"--inventory={inventory}",
                   f"--report-dir={reports}"]  # fmt: skip
        env = {**os.environ, **chosen.environment(fleet)}
        timer.around("suite (-n 2)", subprocess.run)(command, cwd=REPO, env=env, capture_output=True, check=False)
    finally:
        timer.around("fleet down", fleet.down)()
    seconds = {"total": time.perf_counter() - total, **timer.seconds}
    services = sum(value for name, value in seconds.items() if name.startswith("  service"))
    faults = sum(value for name, value in seconds.items() if name.startswith("  fault"))
    seconds["  hosts, engines, images (up − services)"] = seconds["fleet up"] - services
    seconds["  baseline (scenario − faults)"] = seconds["scenario (baseline + faults)"] - faults
    record = json.loads((reports / "readiness.json").read_text())
    seconds["  test session (record)"] = record["run"]["duration_seconds"]
    seconds["  start-up and reports (suite − session)"] = seconds["suite (-n 2)"] - record["run"]["duration_seconds"]
    return seconds


ORDER = ("total", "fleet up", "  hosts", "  service", "scenario", "  baseline", "  fault", "suite", "  test", "  start",
         "fleet down")  # fmt: skip


def table(runs: list[dict[str, float]], labels: list[str]) -> str:
    names = sorted(
        {name for run in runs for name in run}, key=lambda n: ORDER.index(next(o for o in ORDER if n.startswith(o)))
    )
    lines = ["| step | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(runs)]
    for name in names:
        cells = [f"{run[name]:.1f}" if name in run else "—" for run in runs]
        lines.append(
            f"| {name.strip() if not name.startswith('  ') else '· ' + name.strip()} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--prefix", default="gbdemo")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    work = Path(tempfile.mkdtemp(prefix="gbd-", dir="/tmp"))
    runs, labels = [], []
    try:
        for index in range(args.runs):
            load = os.getloadavg()[0]
            runs.append(one_run(work / "run", args.prefix, work / f"reports-{index}"))
            labels.append(f"{'fresh run dir' if index == 0 else 'warm'} (load {load:.1f})")
            print(table(runs[-1:], labels[-1:]), file=sys.stderr, flush=True)
    finally:
        from sandbox.fleet import Fleet

        Fleet(work / "run", prefix=args.prefix).down(purge=True)
        shutil.rmtree(work, ignore_errors=True)
    print(table(runs, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
