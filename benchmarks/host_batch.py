"""What one host's batched round trip costs the host: CPU ms per fact command, and what it execs.

Brings up a one-host light fleet (sandbox/light_fleet.py, planted as sandbox/light_profile.py
plants it), builds the batch golive sends that host (every registered fact command, the whole
suite selected), then runs over SSH, one session each: an empty session, the whole batch, and
each fact command framed alone and bare (no framing), ``--repeat`` rounds. It prints the host's
CPU (the host's sshd cgroup: the session and everything it runs) and the engine's (dockerd and
containerd answering the CLI), the minimum and median over the rounds (benchmarks/fleet_cpu.py).
``--baseline DIR`` builds the batch with another checkout's code too (its own ``.venv``) and
measures both in turn, round by round, so that the machine's load falls on both alike.
``--strace`` counts the programs each command execs (``strace -f -z -e execve`` on the host's
sshd). Needs root and cgroup v1 ``cpuacct``.

    .venv/bin/python benchmarks/host_batch.py --repeat 7 --baseline ../main --only git containers
    .venv/bin/python benchmarks/host_batch.py --run-dir /tmp/hb --strace   # the fleet stays up
    .venv/bin/python benchmarks/host_batch.py --locale C.UTF-8 --only logs --baseline ../main
    .venv/bin/python benchmarks/host_batch.py --run-dir /tmp/hb --down
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fleet_cpu import FleetCpu  # benchmarks/ is sys.path[0] when run as a script

REPO = Path(__file__).resolve().parents[1]
BUILD = """
import importlib, json, pkgutil, sys
from golive import checks
from golive.facts import host as fact_host, wire
from pathlib import Path
from golive.inventory.loading import load_inventory

for module in pkgutil.iter_modules(checks.__path__):
    importlib.import_module(f"golive.checks.{module.name}")
inventory = load_inventory(Path(sys.argv[1]))
host = inventory.hosts[0]
named = []
for registered in fact_host._FACT_COMMANDS:
    made = fact_host.RemoteHost(host, inventory)._build(registered)
    for command in [made] if isinstance(made, str) else made or ():
        named.append((registered.build.__module__.removeprefix("golive.checks."), command))
named = list(dict.fromkeys(named))
timeout = host.command_timeout
print(json.dumps({
    "whole": wire.script([command for _, command in named], timeout)[0],
    "named": [(name, command, wire.script([command], timeout)[0]) for name, command in named],
}))
"""


@dataclass(frozen=True)
class Batch:
    """One tree's batch for the host: the whole batch framed, each command (module, bare, framed alone)."""

    tree: str
    whole: str
    named: list[tuple[str, str, str]]

    def in_session(self, session: str) -> Batch:
        """The same commands, each run after ``session`` (shell lines setting the session up)."""
        return Batch(self.tree, session + self.whole, [(n, session + c, session + f) for n, c, f in self.named])


def batch(tree: Path, inventory: Path) -> Batch:
    """The batch golive at ``tree`` sends the host, built by that tree's own code and ``.venv``."""
    done = subprocess.run(
        [str(tree / ".venv" / "bin" / "python"), "-c", BUILD, str(inventory)],
        capture_output=True, text=True, check=True, cwd="/", env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    found = json.loads(done.stdout)
    return Batch(tree.resolve().name, found["whole"], [(a, b, c) for a, b, c in found["named"]])


def ssh(fleet: Any, command: str) -> subprocess.CompletedProcess[bytes]:
    """``command`` run by ``sh -s`` on the fleet's host, the script on standard input (as golive
    sends a batch too long for one argument)."""
    argv = ["ssh", "-F", str(fleet.ssh.config), "-o", "ControlMaster=no", fleet.hosts[0].alias, "sh -s"]
    return subprocess.run(argv, input=command.encode(), capture_output=True, timeout=120)


def measure(fleet: Any, cpu: FleetCpu, command: str) -> tuple[float, float]:
    """Host ms and engine ms of one run of ``command`` over SSH."""
    before = cpu.read()
    done = ssh(fleet, command)
    spent = cpu.read() - before
    if done.returncode not in (0, 1):
        print(f"host_batch: exit {done.returncode}: {done.stderr[-300:]!r}", file=sys.stderr)
    return spent.hosts * 1000, spent.engine * 1000


def execs(fleet: Any, command: str) -> collections.Counter[str]:
    """The programs ``command`` execs on the host (strace on the host's sshd, following forks)."""
    with tempfile.NamedTemporaryFile(suffix=".strace") as trace:
        sshd = str(fleet.hosts[0].sshd.pid())
        argv = ["strace", "-f", "-qq", "-z", "-e", "trace=execve", "-o", trace.name, "-p", sshd]
        tracer = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            ssh(fleet, command)
            time.sleep(0.5)
        finally:
            tracer.terminate()
            tracer.wait()
        text = Path(trace.name).read_text(errors="replace")
    return collections.Counter(match.rsplit("/", 1)[-1] for match in re.findall(r'execve\("([^"]+)"', text))


def rows(fleet: Any, cpu: FleetCpu, batches: list[Batch], only: list[str] | None, repeat: int) -> list[str]:
    """Every run in turn, ``repeat`` rounds: (name, host ms, engine ms) per run as table rows."""
    runs: dict[str, str] = {"an empty session (`true`)": "true"}
    for each in batches:
        runs[f"{each.tree}: the whole batch ({len(each.named)} commands)"] = each.whole
        for name, command, framed in each.named:
            if only is None or name in only:
                runs[f"{each.tree}: {name}, framed"] = framed
                runs[f"{each.tree}: {name}, bare"] = command
    hosts: dict[str, list[float]] = collections.defaultdict(list)
    engine: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(repeat):
        for name, command in runs.items():
            spent_host, spent_engine = measure(fleet, cpu, command)
            hosts[name].append(spent_host)
            engine[name].append(spent_engine)
    return [
        f"| {name} | {min(hosts[name]):.0f} | {statistics.median(hosts[name]):.0f} | {min(engine[name]):.0f} | "
        f"{statistics.median(engine[name]):.0f} |"
        for name in runs
    ]


def report(fleet: Any, inventory: Path, args: argparse.Namespace) -> int:
    # --locale: the session's LANG as a host's login sets it (the sandbox's sessions run in the C locale)
    session = f"export LANG={shlex.quote(args.locale)}\n" if args.locale else ""
    batches = [batch(tree, inventory).in_session(session) for tree in [REPO, *args.baseline]]
    cpu = FleetCpu(fleet)
    try:
        ssh(fleet, "true")
        print(f"host_batch: load {os.getloadavg()[0]:.2f} at the start", file=sys.stderr)
        print("| one SSH session each | host ms min | median | engine ms min | median |")
        print("|---|---:|---:|---:|---:|")
        for line in rows(fleet, cpu, batches, args.only, args.repeat):
            print(line, flush=True)
        print(f"host_batch: load {os.getloadavg()[0]:.2f} at the end", file=sys.stderr)
        if args.strace:
            for each in batches:
                whole = execs(fleet, each.whole)
                print(f"{each.tree}: the whole batch execs {sum(whole.values())}: {dict(whole.most_common())}")
                for name, command, _framed in each.named:
                    if args.only is None or name in args.only:
                        bare = execs(fleet, command)
                        print(f"{each.tree}: {name} bare execs {sum(bare.values())}: {dict(bare.most_common())}")
    finally:
        cpu.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--strace", action="store_true", help="also count the programs each command execs")
    parser.add_argument("--only", nargs="*", help="only these fact commands (by module), besides the whole batch")
    parser.add_argument("--baseline", type=Path, nargs="*", default=[], help="other checkouts to measure too")
    parser.add_argument("--prefix", default="ghb")
    parser.add_argument("--locale", help="each session's LANG (C.UTF-8: as on a host whose login sets one)")
    parser.add_argument("--run-dir", type=Path, help="keep the fleet up here and use it again (--down ends it)")
    parser.add_argument("--down", action="store_true", help="take the kept fleet down and remove --run-dir")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from sandbox import light_profile
    from sandbox.light_fleet import LightFleet, light_fleet

    if args.run_dir is not None:
        fleet = LightFleet(args.run_dir / "f", 1, args.prefix)
        if args.down:
            fleet.down(purge=True)
            return 0
        inventory = args.run_dir / "hosts.yaml"
        fleet.up()
        if not inventory.exists():
            light_profile.plant(fleet)
            inventory.write_text(yaml.safe_dump(light_profile.inventory(fleet)))
        return report(fleet, inventory, args)
    work = Path(tempfile.mkdtemp(prefix=f"{args.prefix}-", dir="/tmp"))
    try:
        with light_fleet(work / "f", 1, args.prefix) as fleet:
            light_profile.plant(fleet)
            inventory = work / "hosts.yaml"
            inventory.write_text(yaml.safe_dump(light_profile.inventory(fleet)))
            return report(fleet, inventory, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
