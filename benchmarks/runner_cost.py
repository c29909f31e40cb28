"""What a run costs the runner: wall time, CPU seconds of its whole process tree, peak RSS.

The command runs in a cgroup of its own (cgroup v1 ``cpuacct`` or the v2 hierarchy), so
its CPU counts every process it starts: pytest's controller, xdist workers, ssh, curl,
and the ssh connection masters that outlive the command until ``settle()`` ends them;
never the sandbox hosts' sshd and dockerd, which are not its descendants. Without a
writable cgroup it falls back to ``getrusage(RUSAGE_CHILDREN)``, which misses the
detached connection masters. Peak RSS is each process's VmHWM, sampled while it runs:
the controller (the command itself) and the largest of its Python children (workers). A
child whose command line is still the controller's is a fork about to exec (ssh, curl): it
shows the controller's memory, not a worker's, and is not counted.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpuacct")
V2 = Path("/sys/fs/cgroup/unified")


@dataclass(frozen=True)
class Cost:
    wall: float
    cpu: float
    controller_rss_mb: float
    worker_rss_mb: float
    returncode: int
    accounting: str  # "cgroup" or "rusage"
    exited: float = 0.0  # the clock (time.time) when the command exited, before ``settle``


class _Group:
    """A fresh cgroup counting CPU time, or None when none can be made here."""

    def __init__(self, name: str) -> None:
        self.path: Path | None = None
        for root, counter in ((V1, "cpuacct.usage"), (V2, "cpu.stat")):
            try:
                path = root / name
                path.mkdir()
            except OSError:
                continue
            if (path / counter).exists():
                self.path, self.counter = path, counter
                return
            path.rmdir()

    def join(self) -> None:
        """Called in the child before exec."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def cpu_seconds(self) -> float:
        assert self.path is not None
        text = (self.path / self.counter).read_text()
        if self.counter == "cpuacct.usage":
            return int(text) / 1e9
        usage = dict(line.split() for line in text.splitlines())
        return int(usage["usage_usec"]) / 1e6

    def pids(self) -> list[int]:
        if self.path is None:
            return []
        return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]

    def remove(self) -> None:
        if self.path is None:
            return
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def measure(argv: Sequence[str], settle: Callable[[], None], **popen: object) -> Cost:
    """Run ``argv`` to its end; ``settle()`` then ends what it left running (ssh masters)."""
    group = _Group(f"golive-bench-{os.getpid()}-{time.monotonic_ns()}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peaks: dict[str, float] = {"controller": 0.0, "worker": 0.0}
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), preexec_fn=group.join, **popen)  # type: ignore[call-overload]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, group, peaks, done), daemon=True)
    sampler.start()
    returncode = process.wait()
    wall = time.perf_counter() - started
    exited = time.time()
    done.set()
    sampler.join()
    settle()
    if group.path is not None:
        time.sleep(0.5)  # the masters' exit
        cpu, accounting = group.cpu_seconds(), "cgroup"
        group.remove()
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        accounting = "rusage"
    return Cost(wall, cpu, peaks["controller"], peaks["worker"], returncode, accounting, exited)


def _sample(controller: int, group: _Group, peaks: dict[str, float], done: threading.Event) -> None:
    own = _cmdline(controller)
    while not done.wait(0.2):
        for pid in group.pids() or _children_of(controller):
            role = "controller" if pid == controller else "worker" if _is_worker(pid, own) else ""
            if role:
                peaks[role] = max(peaks[role], _peak_rss_mb(pid))


def _children_of(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(int(child) for child in children)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _is_worker(pid: int, controller: bytes) -> bool:
    """A Python process of its own (an xdist worker), not a fork of the controller before its exec."""
    command = _cmdline(pid)
    return b"python" in command.split(b"\0")[0] and command != controller


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
