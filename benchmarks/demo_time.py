"""Where ``make demo``'s time goes: bring-up, the scenario, the suite, teardown.

Runs the demo's steps (``python -m sandbox demo``: the fleet up, the scenario planted,
the suite against it as the demo runs it, the fleet down) with a timer around each
piece: the hosts (sshd, dockerd, images), each service of the fleet, each lane's
baseline and each planted fault (the lanes run concurrently: each lane's sum is
given), the suite (and, inside it, the test session from the record), and teardown.
The first run starts from an empty run dir (keys, images, certificates made anew; the
Debian packages are whatever the machine has); each later run reuses it, as a second
``make demo`` does. ``--scenario broken`` (the default) plants every fault, ``demo``
is what a plain ``make demo`` shows. Needs root.

    .venv/bin/python benchmarks/demo_time.py --runs 2
    .venv/bin/python benchmarks/demo_time.py --runs 2 --scenario demo
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

    def around(self, name: str, call: Callable[..., Any], first: bool = False) -> Callable[..., Any]:
        """``call`` timed under ``name`` (summed over calls; ``first``: its first call only)."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                if not (first and name in self.seconds):
                    self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed


_ORIGINALS: dict[tuple[Any, str], Any] = {}


def _time_function(timer: Timer, module: Any, attribute: str, name: Callable[..., str]) -> None:
    """Time ``module.attribute``'s first call with the same ``name(*args)`` (the module looks the
    function up when it runs it)."""
    original = _ORIGINALS.setdefault((module, attribute), getattr(module, attribute))

    def timed(*args: Any) -> Any:
        return timer.around(name(*args), original, first=True)(*args)

    setattr(module, attribute, timed)


def one_run(run_dir: Path, prefix: str, reports: Path, name: str) -> dict[str, float]:
    from sandbox import __main__ as demo
    from sandbox import monitored, scenarios, systemd_host
    from sandbox.fleet import Fleet
    from sandbox.scenarios import scenario

    timer = Timer()
    # each lane's baseline: sd's is its boot and notes' deployment (its faults call it again: a no-op)
    _time_function(timer, scenarios, "_host_baseline", lambda fleet, host: f"  baseline {host.name}")
    _time_function(timer, systemd_host, "plant_baseline", lambda fleet: "  baseline sd (boot, notes deployed)")
    _time_function(timer, monitored, "plant_baseline", lambda fleet, ids: "  baseline monitoring")

    class TimedFleet(Fleet):
        def services(self) -> list[Any]:
            found = super().services()
            for service in found:
                object.__setattr__(service, "up", timer.around(f"  service {service.name}", service.up))
            return found

    fleet = TimedFleet(run_dir, prefix=prefix)
    chosen = scenario(name)
    chosen.faults = [dataclasses.replace(f, plant=timer.around(f"  fault {f.id}", f.plant)) for f in chosen.faults]
    total = time.perf_counter()
    try:
        timer.around("fleet up", fleet.up)()
        timer.around("scenario (lanes concurrently)", chosen.apply)(fleet)
        inventory, _ = chosen.write(fleet, fleet.run_dir / "scenario")
        command = [sys.executable, "-m", "pytest", *demo.suite_arguments(inventory, reports)]
        env = {**os.environ, **chosen.environment(fleet)}
        timer.around("suite", subprocess.run)(command, cwd=REPO, env=env, capture_output=True, check=False)
    finally:
        timer.around("fleet down", fleet.down)()
    seconds = {"total": time.perf_counter() - total, **timer.seconds}
    services = sum(value for name, value in seconds.items() if name.startswith("  service"))
    seconds["  hosts, engines, images (up − services)"] = seconds["fleet up"] - services
    for lane in scenarios.LANES:
        planted = [seconds.get(f"  fault {fault.id}", 0.0) for fault in chosen.faults if fault.lane == lane]
        base = sum(value for key, value in seconds.items() if key.startswith(f"  baseline {lane}"))
        seconds[f"  lane {lane}: baseline + {len(planted)} faults"] = base + sum(planted)
    record = json.loads((reports / "readiness.json").read_text())
    _check_answer_key(chosen, record)
    seconds["  test session (record)"] = record["run"]["duration_seconds"]
    seconds["  start-up and reports (suite − session)"] = seconds["suite"] - record["run"]["duration_seconds"]
    return seconds


def _check_answer_key(chosen: Any, record: dict[str, Any]) -> None:
    """A faster demo that grades differently is no faster demo: say whether the failures are the answer key's."""
    expected = {(row["criterion"], row["target"]) for row in chosen.answer_key()}
    failed = {(c["id"], i["target"]) for c in record["criteria"] for i in c["instances"]
              if i["outcome"] in ("failed", "error")}  # fmt: skip
    if failed != expected:
        messages = [f"{c['id']} {i['target']}: {i.get('message', '')}" for c in record["criteria"]
                    for i in c["instances"] if (c["id"], i["target"]) in failed ^ expected]  # fmt: skip
        print(
            f"ANSWER KEY NOT MET: missed {sorted(expected - failed)}; extra failures {sorted(failed - expected)}\n"
            + "\n".join(messages),
            file=sys.stderr,
        )
    else:
        print(f"answer key: exact ({len(expected)} failures); score {record['score']}", file=sys.stderr)


ORDER = ("total", "fleet up", "  hosts", "  service", "scenario", "  lane", "  baseline", "  fault", "suite", "  test",
         "  start", "fleet down")  # fmt: skip


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
    parser.add_argument("--scenario", default="broken", help="broken (every fault) or demo (make demo's)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    work = Path(tempfile.mkdtemp(prefix="gbd-", dir="/tmp"))
    runs, labels = [], []
    try:
        for index in range(args.runs):
            load = os.getloadavg()[0]
            runs.append(one_run(work / "run", args.prefix, work / f"reports-{index}", args.scenario))
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
