"""The real sandbox fleet, brought up once per session and always torn down.

When the sandbox cannot start (not root, no namespaces, no dockerd), the tests
that need it are skipped with the reason, except under CI (``tests.conftest.in_ci``),
where that is a failure: CI must prove the sandbox works.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import testinfra
from testinfra.host import Host

from sandbox.fleet import BareFleet, Fleet
from sandbox.process import SandboxError
from tests.conftest import in_ci


def unavailable(reason: str) -> None:
    """Fail under CI, skip loudly elsewhere."""
    message = f"SANDBOX UNAVAILABLE: {reason}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def short_run_dir() -> Path:
    """A fresh run dir under /tmp: containerd's socket paths must stay short."""
    return Path(tempfile.mkdtemp(prefix="golive-test-", dir="/tmp"))


def prefix_for(run_dir: Path) -> str:
    """Namespace names of its own, so concurrent test runs (and a developer's
    `python -m sandbox up`, prefix "golive") never share a host."""
    return "gt" + hashlib.sha1(run_dir.name.encode()).hexdigest()[:6]


__all__ = ["BareFleet", "FullFilesystem", "full_filesystem", "running_fleet", "unavailable"]

FULL_SIZE_MIB = 8


class FullFilesystem:
    """A real ext4 (a loop-mounted image) filled past 90 %, mounted on the machine.

    A sandbox host started while it is mounted holds a copy of the mount in its
    mount namespace, as it does of every other filesystem of the machine;
    ``unmount()`` takes it off the machine again (the hosts' copies stay until
    the hosts go), so other runs on the machine do not see it.
    """

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.mount = directory / "mnt"
        self.image = directory / "disk.img"

    def fill(self) -> str:
        """Mount the image and fill it; return df's Use% (at least 91 %)."""
        self.mount.mkdir()
        _run(["truncate", "-s", f"{FULL_SIZE_MIB}M", str(self.image)])
        _run(["mkfs.ext4", "-q", "-F", "-m", "0", str(self.image)])
        _run(["mount", "-o", "loop", str(self.image), str(self.mount)])
        subprocess.run(["dd", "if=/dev/zero", f"of={self.mount / 'ballast'}", "bs=1M", f"count={FULL_SIZE_MIB}"],
                       capture_output=True)  # fmt: skip  # stops at ENOSPC: full is the point
        used = self.used()
        if int(used.rstrip("%")) < 91:
            raise SandboxError(f"{self.mount} only {used} full after filling")
        return used

    def used(self) -> str:
        return _run(["df", "-P", str(self.mount)]).splitlines()[-1].split()[4]

    def is_mounted(self) -> bool:
        return subprocess.run(["mountpoint", "-q", str(self.mount)]).returncode == 0

    def unmount(self) -> None:
        if self.mount.is_dir() and self.is_mounted():
            _run(["umount", str(self.mount)])


@contextlib.contextmanager
def full_filesystem() -> Iterator[FullFilesystem]:
    """A >90 % full filesystem on the machine, outside any sandbox host, for the
    duration; unmounted and removed afterwards (unavailable when it cannot be made)."""
    planted = FullFilesystem(Path(tempfile.mkdtemp(prefix="golive-full-", dir="/tmp")))
    try:
        try:
            planted.fill()
        except (SandboxError, OSError) as error:
            unavailable(f"cannot plant a full filesystem: {error}")
        yield planted
    finally:
        planted.unmount()
        shutil.rmtree(planted.dir, ignore_errors=True)


def _run(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise SandboxError(f"{' '.join(argv)} failed: {result.stderr.strip()[-300:]}")
    return result.stdout


def running_fleet(kind: type[Fleet] = Fleet, plant: Callable[[Fleet], None] | None = None) -> Iterator[Fleet]:
    """A fleet of its own, up (and planted) for the fixture's scope, always torn down;
    unavailable (skip, or fail under CI) when it cannot start."""
    if os.geteuid() != 0:
        unavailable("needs root for namespaces and dockerd")
    run_dir = short_run_dir()
    fleet = kind(run_dir, prefix=prefix_for(run_dir))
    try:
        fleet.up()
        if plant is not None:
            plant(fleet)
    except (SandboxError, OSError, subprocess.SubprocessError) as error:
        fleet.down(purge=True)
        unavailable(str(error))
    try:
        yield fleet
    finally:
        fleet.down(purge=True)


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    yield from running_fleet()


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """A short run dir for a throwaway fleet, removed afterwards."""
    path = short_run_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def remote(fleet: Fleet) -> dict[str, Host]:
    """A testinfra host per sandbox host name, reached over SSH."""
    description = fleet.describe()["hosts"]
    return {name: testinfra.get_host(host["spec"], ssh_config=host["ssh_config"]) for name, host in description.items()}
