"""The real sandbox fleet, brought up once per session and always torn down.

When the sandbox cannot start (not root, no namespaces, no dockerd), the tests
that need it are skipped with the reason, except under CI (``tests.conftest.in_ci``),
where that is a failure: CI must prove the sandbox works.
"""

from __future__ import annotations

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


__all__ = ["BareFleet", "running_fleet", "unavailable"]


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
