"""``python -m sandbox up|down|status|demo [--run-dir DIR]``: the sandbox fleet by hand.

``up --scenario healthy|broken|demo`` also sets the fleet up as that scenario says and
writes ``<run_dir>/scenario/hosts.yaml`` and ``answer-key.json``. ``demo`` brings the
demo fleet up (mostly fine, a handful of serious faults; ``--scenario broken`` for every
fault of the answer key), runs the readiness suite against it (reports in ``reports/``)
and tears it down again unless ``--keep``.

The run dir defaults to /tmp/golive-sandbox, short on purpose: dockerd's and
containerd's unix sockets live under it, and a socket path may not pass 107
bytes. ``up`` prints ``Fleet.describe()`` as JSON (also kept in
``<run_dir>/fleet.json``); ``status`` exits 1 unless every part runs; ``down``
removes everything and exits 1 if anything was left behind (``--purge`` also
deletes the run dir; without it keys and imported images stay). Needs root.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sandbox.fleet import DEFAULT_HOSTS, DEFAULT_RUN_DIR, Fleet
from sandbox.process import SandboxError
from sandbox.scenarios import SCENARIOS, scenario

DEMO = "demo"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("up", "down", "status", "demo"))
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), help=f"up: set the fleet up as this scenario; demo: default {DEMO}"
    )
    parser.add_argument("--keep", action="store_true", help="demo: leave the fleet up afterwards")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"), help="demo: where the reports go")
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    parser.add_argument("--hosts", default=",".join(DEFAULT_HOSTS), help="host names, comma-separated")
    parser.add_argument("--purge", action="store_true", help="down: also delete the run dir")
    parser.add_argument("--prefix", default="golive", help="prefix of namespace names and hostnames")
    args = parser.parse_args(argv)
    fleet = Fleet(args.run_dir, [name for name in args.hosts.split(",") if name], args.prefix)
    try:
        return _ACTIONS[args.action](fleet, args)
    except SandboxError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sandbox: interrupted; everything started was torn down", file=sys.stderr)
        return 130


def _up(fleet: Fleet, args: argparse.Namespace) -> int:
    started = time.monotonic()
    description = fleet.up()
    if args.scenario:
        chosen = scenario(args.scenario)
        chosen.apply(fleet)
        inventory, key = chosen.write(fleet, fleet.run_dir / "scenario")
        description["scenario"] = {"name": chosen.name, "inventory": str(inventory), "answer_key": str(key)}
    print(json.dumps(description, indent=2))
    print(f"sandbox: up in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


def _demo(fleet: Fleet, args: argparse.Namespace) -> int:
    """The demo fleet (or --scenario), the whole suite against it, the reports left in --report-dir."""
    started = time.monotonic()
    chosen = scenario(args.scenario or DEMO)
    try:
        fleet.up()
        chosen.apply(fleet)
        inventory, key = chosen.write(fleet, fleet.run_dir / "scenario")
        up = f"sandbox: {chosen.name} fleet up in {time.monotonic() - started:.1f} s; answer key: {key}"
        print(up, file=sys.stderr)
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", *suite_arguments(inventory, args.report_dir)],
            check=False, env={**os.environ, **chosen.environment(fleet)},  # DOCKER_HOST for the systemd host sd
        )  # fmt: skip
    finally:
        if not args.keep:
            fleet.down()
    kept = f"; the fleet is still up (python -m sandbox down --run-dir {fleet.run_dir})" if args.keep else ""
    print(f"sandbox: demo done in {time.monotonic() - started:.1f} s: open {args.report_dir}/readiness.html{kept}")
    return 0 if suite.returncode in (0, 1) else suite.returncode


def suite_arguments(inventory: Path, report_dir: Path) -> list[str]:
    """pytest's arguments for the demo's run of the suite (benchmarks/demo_time.py runs the same).

    Three workers for the scenario's three hosts (h1, h2 and sd), one each: a worker spends
    most of its time waiting on its host's commands, so one host does not wait for another's.
    """
    return ["tests_infra", "-n", "3", f"--inventory={inventory}", f"--report-dir={report_dir}"]


def _down(fleet: Fleet, args: argparse.Namespace) -> int:
    fleet.down(purge=args.purge)
    left = fleet.leftovers()
    for item in left:
        print(f"sandbox: left behind: {item}", file=sys.stderr)
    return 1 if left else 0


def _status(fleet: Fleet, args: argparse.Namespace) -> int:
    report = fleet.status()
    for piece, parts in report.items():
        line = " ".join(f"{part}={'up' if running else 'DOWN'}" for part, running in parts.items())
        print(f"{piece}: {line}")
    return 0 if all(all(parts.values()) for parts in report.values()) else 1


_ACTIONS = {"up": _up, "down": _down, "status": _status, "demo": _demo}

if __name__ == "__main__":
    sys.exit(main())
