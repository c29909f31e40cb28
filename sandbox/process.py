"""Start, find and stop the sandbox's background programs idempotently.

Each program is identified by a pidfile under the sandbox's run directory, so a
second ``start`` finds the running one instead of starting another, and ``stop``
works from a fresh process (``make demo`` tears down what an earlier run left).
"""

from __future__ import annotations

import math
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from golive.errors import GoliveError


class SandboxError(GoliveError, RuntimeError):
    """A sandbox piece could not be started; the message says which and why."""


@dataclass(frozen=True)
class Daemon:
    """One background program: its name, command line and pidfile."""

    name: str
    argv: Sequence[str]
    run_dir: Path
    env: dict[str, str] | None = None
    cwd: Path | None = None
    # logs the program writes itself once started (nginx's error_log): their tails join its own
    # in a start-up failure, which may be told only there
    own_logs: tuple[Path, ...] = ()

    @property
    def pidfile(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def logfile(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid of the running program, or None when it is not running."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        if has_exited(pid):
            return None
        return pid

    def start(self, ready: Callable[[], bool] | None = None, timeout: float = 30.0) -> int:
        """Start unless already running; wait until ``ready()`` holds."""
        pid = self.pid()
        if pid is None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            with self.logfile.open("ab") as log:
                process = subprocess.Popen(
                    list(self.argv),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **(self.env or {})},
                    cwd=self.cwd,
                    start_new_session=True,
                )
            pid = process.pid
            self.pidfile.write_text(f"{pid}\n")
        if ready is not None:
            try:
                wait_for(ready, timeout, f"{self.name} (log: {self.logfile})", alive=self.pid)
            except SandboxError as error:
                said = [f"{path} ends: {tail}" for path in (self.logfile, *self.own_logs) if (tail := _tail(path))]
                raise SandboxError("; ".join([str(error), *said])) from None
        return pid

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the program and its process group; a no-op when not running."""
        pid = self.pid()
        if pid is not None:
            _signal_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while self.pid() is not None and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.pid() is not None:
                _signal_group(pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
                while self.pid() is not None and time.monotonic() < deadline:
                    time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)


def wait_for(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], int | None] | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail early if the program died.

    Between two polls it sleeps 50 ms, or as long as the last poll took when that was
    longer: a poll that runs a program (``docker exec``, ``ssh``) then takes at most half
    of a CPU while it waits, leaving the rest to the work it waits for.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        polled = time.monotonic()
        if condition():
            return
        if alive is not None and alive() is None:
            raise SandboxError(f"{what} exited before it was ready")
        time.sleep(max(0.05, time.monotonic() - polled))
    raise SandboxError(f"{what} not ready after {timeout:g} s")


def shell_wait_for(condition: str, timeout: float, what: str) -> str:
    """A POSIX shell loop that polls ``condition`` (a shell command) every 0.2 s until it succeeds,
    failing with a message after ``timeout`` seconds: one command run on a host or in a container
    (one ``docker exec``) instead of one per poll."""
    message = shlex.quote(f"{what} not ready after {timeout:g} s")
    return (
        f"end=$(($(date +%s) + {math.ceil(timeout)}))\n"
        f"until {condition}; do\n"
        f"  [ $(date +%s) -lt $end ] || {{ echo {message} >&2; exit 1; }}\n"
        "  sleep 0.2\n"
        "done\n"
    )


def port_open(host: str, port: int) -> Callable[[], bool]:
    """A readiness probe: a TCP connect to a loopback address succeeds."""

    def probe() -> bool:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    return probe


def _tail(path: Path, size: int = 600) -> str:
    """The last ``size`` bytes of a log as text; empty when there is none."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - size))
            return log.read().decode(errors="replace").strip()
    except OSError:
        return ""


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def has_exited(pid: int) -> bool:
    """Whether the process has exited, all its threads too: a multithreaded program's main
    thread shows as a zombie while its other threads still exit, holding the open files (a
    listening socket among them) until the last one is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:  # gone, or exiting while read (ESRCH)
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z" and threads <= 1
