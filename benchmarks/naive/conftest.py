"""The naive baseline's wiring, as a typical testinfra suite has it: one testinfra host per
inventory host, and one remote command or HTTP request per check.

The hosts come from the light fleet's hosts.yaml (``NAIVE_INVENTORY``). Every SSH command
and HTTP request is counted per host; each process writes its counts to
``NAIVE_COUNTS/<pid>.json`` when it ends, for benchmarks/fleet_ssh.py to add up.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import testinfra
import yaml

INVENTORY: dict[str, Any] = yaml.safe_load(Path(os.environ["NAIVE_INVENTORY"]).read_text())["hosts"]
HOSTS = sorted(INVENTORY)
ROUND_TRIPS: collections.Counter[str] = collections.Counter()
TESTS = [0]
_HOSTS: dict[str, Any] = {}


def on(name: str) -> Any:
    """The testinfra host for inventory host ``name`` (one per process, as testinfra caches them)."""
    if name not in _HOSTS:
        declared = INVENTORY[name]
        _HOSTS[name] = testinfra.get_host(declared["backend"], ssh_config=declared["ssh_config"])
    return _HOSTS[name]


def run(name: str, command: str) -> Any:
    """One remote command: one round trip."""
    ROUND_TRIPS[name] += 1
    return on(name).run(command)


def local(name: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """One request from the runner (curl, openssl) on behalf of ``name``: one round trip."""
    ROUND_TRIPS[name] += 1
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


@pytest.fixture(autouse=True)
def _counted() -> None:
    TESTS[0] += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = os.environ.get("NAIVE_COUNTS")
    if directory and TESTS[0]:
        Path(directory, f"{os.getpid()}.json").write_text(json.dumps({"tests": TESTS[0], "round_trips": ROUND_TRIPS}))
