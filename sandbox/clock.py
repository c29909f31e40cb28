"""A sandbox host whose clock is skewed, for REL-15: libfaketime in every SSH session.

The host's sshd hands each session ``LD_PRELOAD`` of Debian's libfaketime and
``FAKETIME=+N`` (``SetEnv`` in its sshd_config), so every command golive runs over
SSH (``date``, ``stat``, ``git``, the shell itself) reads a clock N seconds off;
monotonic clocks stay real, so ``timeout`` and sleeps are unaffected. What runs
outside SSH (the Docker engine and its containers, the sandbox's own planting
through ``nsenter``) keeps the machine's clock, like a host whose clock drifted
after its files were written.
"""

from __future__ import annotations

import glob
import subprocess
import time

from sandbox.debian import ensure_installed
from sandbox.fleet import Fleet
from sandbox.hosts import SandboxHost
from sandbox.process import SandboxError, wait_for

PACKAGES = ("faketime",)
LIBRARY_GLOB = "/usr/lib/*/faketime/libfaketime.so.1"
_MARK = "# golive sandbox: skewed clock"
_SETENV = "SetEnv LD_PRELOAD="


def library() -> str:
    """Where Debian's libfaketime is (installing it first)."""
    ensure_installed(PACKAGES)
    found = sorted(glob.glob(LIBRARY_GLOB))
    if not found:
        raise SandboxError(f"faketime is installed but no {LIBRARY_GLOB}")
    return found[0]


def skew(fleet: Fleet, host: SandboxHost, seconds: int) -> None:
    """Make every later SSH session on ``host`` see its clock ``seconds`` ahead (negative: behind).

    sshd is reloaded (SIGHUP) and the fleet's SSH connection masters are ended, so no
    session rides a connection opened before; returns once ``date`` over SSH shows it.
    """
    config = host.dir / "ssh" / "sshd_config"
    kept = [line for line in config.read_text().splitlines() if line != _MARK and not line.startswith(_SETENV)]
    env = f"{library()} FAKETIME={seconds:+d} FAKETIME_DONT_FAKE_MONOTONIC=1"
    config.write_text("\n".join(kept) + f"\n{_MARK}\n{_SETENV}{env}\n")
    pid = host.sshd.pid()
    if pid is None:
        raise SandboxError(f"host {host.name} is not up")
    subprocess.run(["kill", "-HUP", str(pid)], check=True)
    fleet.ssh.close()
    wait_for(lambda: _skew_seen(fleet, host, seconds), 15, f"{host.name}'s clock skewed by {seconds:+d} s over SSH")


def offset_over_ssh(fleet: Fleet, host: SandboxHost) -> float:
    """The host's clock over a fresh SSH session minus the machine's (never a connection master's)."""
    argv = ["ssh", "-F", str(fleet.ssh.config), "-o", "ControlMaster=no", "-o", "ControlPath=none", host.alias]
    before = time.time()
    result = subprocess.run([*argv, "date +%s.%N"], capture_output=True, text=True, timeout=20)
    after = time.time()
    if result.returncode != 0:
        raise SandboxError(f"{host.name}: date over SSH failed: {result.stderr.strip()[-300:]}")
    return float(result.stdout.strip()) - (before + after) / 2


def _skew_seen(fleet: Fleet, host: SandboxHost, seconds: int) -> bool:
    try:
        return abs(offset_over_ssh(fleet, host) - seconds) < max(5, abs(seconds) / 10)
    except (SandboxError, ValueError, subprocess.TimeoutExpired):
        return False
