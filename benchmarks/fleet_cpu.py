"""What the sandbox fleet's own processes cost the machine while a run reads it: CPU seconds.

The runner's CPU is benchmarks/runner_cost.py's; this is the other side of the wire,
which shares the same cores: every host's sshd with what it runs for a session (the
batch's ``sh``, ``docker`` CLI calls, ``grep``, ``awk``, ``git`` ...), and the shared
engine (dockerd and containerd, which answer those CLI calls; a container it restarts
meanwhile gets its cgroup inside the engine's group, and counts there). Each is moved into a
cgroup v1 ``cpuacct`` group of its own before the run (the processes an sshd forks
later start in its group), so their CPU is read as a difference around the run. The
containers' own processes (health checks, the restart-looping container) run in the
engine's cgroup parent and are read there: they cost the same whether golive runs or
not, and are shown apart.

    cpu = FleetCpu(fleet)       # after fleet.up(); needs root and cgroup v1 cpuacct
    before = cpu.read()
    ...                          # the run
    spent = cpu.read() - before  # .hosts, .engine, .containers
    cpu.close()
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CPUACCT = Path("/sys/fs/cgroup/cpuacct")


@dataclass(frozen=True)
class Spent:
    """CPU seconds: the hosts' sshd and their sessions, the engine, the containers."""

    hosts: float
    engine: float
    containers: float

    @property
    def total(self) -> float:
        """What golive's reads cost the hosts: sshd's sessions and the engine answering them."""
        return self.hosts + self.engine

    def __sub__(self, other: Spent) -> Spent:
        return Spent(self.hosts - other.hosts, self.engine - other.engine, self.containers - other.containers)


class _Group:
    def __init__(self, name: str) -> None:
        self.path = CPUACCT / name
        self.path.mkdir(exist_ok=True)

    def adopt(self, pids: Iterable[int]) -> None:
        for pid in pids:
            with contextlib.suppress(OSError):  # gone meanwhile
                (self.path / "cgroup.procs").write_text(str(pid))

    def seconds(self) -> float:
        return _usage(self.path)

    def remove(self) -> None:
        """Give what is left back to the root group, then remove the group and the groups made
        in it (a container the engine restarts gets its cgroup under the engine's group)."""
        for group in [*sorted(self.path.rglob("*/"), key=lambda path: len(path.parts), reverse=True), self.path]:
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (CPUACCT / "cgroup.procs").write_text(pid)
            for _ in range(20):
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


def _usage(path: Path) -> float:
    try:
        return int((path / "cpuacct.usage").read_text()) / 1e9
    except (OSError, ValueError):
        return 0.0


class FleetCpu:
    """The CPU of a light fleet's (``sandbox.light_fleet.LightFleet``) hosts and engine."""

    def __init__(self, fleet: Any) -> None:
        from sandbox.docker_engine import processes_mentioning

        self.available = (CPUACCT / "cpuacct.usage").exists() and os.geteuid() == 0
        self._containers = CPUACCT / fleet.engine.cgroup_parent
        if not self.available:
            return
        own = f"golive-bench-{os.getpid()}-{fleet.prefix}"
        self._hosts = _Group(f"{own}-hosts")
        self._engine = _Group(f"{own}-engine")
        self._hosts.adopt(pid for host in fleet.hosts if (pid := host.sshd.pid()) is not None)
        engine = [fleet.engine.daemon.pid(), *processes_mentioning(fleet.engine.root)]
        self._engine.adopt(pid for pid in engine if pid is not None)

    def read(self) -> Spent:
        if not self.available:
            return Spent(0.0, 0.0, 0.0)
        return Spent(self._hosts.seconds(), self._engine.seconds(), _usage(self._containers))

    def close(self) -> None:
        if self.available:
            self._hosts.remove()
            self._engine.remove()
