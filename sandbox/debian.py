"""Make sure the Debian packages the sandbox runs are installed.

The sandbox installs what it needs itself (``make test`` on a fresh machine), so a
green run never depends on something installed by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sandbox.process import SandboxError


def missing(packages: Iterable[str]) -> list[str]:
    """The packages of ``packages`` that dpkg does not report as installed."""
    absent = []
    for package in packages:
        status = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
        )
        if "install ok installed" not in status.stdout:
            absent.append(package)
    return absent


# One apt-get at a time: the sandbox brings hosts up and plants faults in threads, and
# apt-get takes dpkg's lock for itself.
_APT = threading.Lock()


def ensure_installed(packages: Iterable[str]) -> None:
    """Install absent packages with apt-get; raise SandboxError when we cannot."""
    with _APT:
        _install(list(packages))


def _install(packages: list[str]) -> None:
    absent = missing(packages)
    if not absent:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SandboxError(f"Debian packages missing and not root to install them: {' '.join(absent)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], env=env, check=False, capture_output=True)
    with _no_service_starts():
        result = subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *absent],
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise SandboxError(f"apt-get install {' '.join(absent)} failed: {result.stderr[-500:]}")


POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


@contextmanager
def _no_service_starts() -> Iterator[None]:
    """Keep maintainer scripts from starting the packaged services (a system dockerd
    with its 172.17/16 bridge, sshd on 0.0.0.0:22): the sandbox runs its own instances."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\n# written by golive's sandbox during apt-get install\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)
