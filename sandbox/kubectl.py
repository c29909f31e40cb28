"""kubectl from Debian's kubernetes-client, unpacked (not installed) for the Kubernetes criteria's tests.

Unpacked under a cache directory, so it never collides with another kubectl on the machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sandbox.process import SandboxError


def debian_kubectl(cache: Path) -> Path:
    """kubectl from Debian's kubernetes-client, downloaded with apt-get and unpacked under ``cache``."""
    binary = cache / "usr" / "bin" / "kubectl"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    download = cache / "deb"
    download.mkdir(exist_ok=True)
    result = subprocess.run(["apt-get", "download", "kubernetes-client"], cwd=download, capture_output=True, text=True)
    if result.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        result = subprocess.run(
            ["apt-get", "download", "kubernetes-client"], cwd=download, capture_output=True, text=True
        )
    debs = list(download.glob("kubernetes-client_*.deb"))
    if result.returncode != 0 or not debs:
        raise SandboxError(f"apt-get download kubernetes-client failed: {result.stderr[-300:]}")
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(cache)], check=True)
    shutil.rmtree(download, ignore_errors=True)
    if not binary.exists():
        raise SandboxError("kubernetes-client's package holds no usr/bin/kubectl")
    return binary
