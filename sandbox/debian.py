"""Make sure the Debian packages the sandbox runs are installed.

The sandbox installs what it needs itself (``make test`` on a fresh machine), so a
green run never depends on something installed by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable

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


def ensure_installed(packages: Iterable[str]) -> None:
    """Install absent packages with apt-get; raise SandboxError when we cannot."""
    absent = missing(packages)
    if not absent:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SandboxError(
            f"Debian packages missing and not root to install them: {' '.join(absent)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], env=env, check=False, capture_output=True)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *absent],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SandboxError(f"apt-get install {' '.join(absent)} failed: {result.stderr[-500:]}")
