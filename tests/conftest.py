"""Shared helpers for golive's own tests.

End-to-end tests run golive in a subprocess (pytester) against the repo's real
criteria in tests_infra/, with inventories and conditions each test plants itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from golive import evidence_store

REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that runs pytest itself (through ``pytester``) is marked ``e2e``:
    it runs golive end to end, seconds each. ``make test-fast`` leaves them out."""
    for item in items:
        if "pytester" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


def in_ci() -> bool:
    """Whether this run is CI, where a self-test that cannot run is a failure, not a skip.

    The one rule for every test: ``CI`` set to ``1``, ``true`` or ``yes`` (any case).
    """
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip loudly when the machine can't host a real planted fault; under CI, fail instead."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI machine cannot run this self-test: {reason}")
    pytest.skip(f"SELF-TEST NOT RUN: {reason}")


def debian_tool(command: str, package: str) -> str:
    """The path of ``command``, installing Debian's ``package`` first when it is missing."""
    if shutil.which(command) is None:
        try:
            from sandbox.debian import ensure_installed

            ensure_installed([package])
        except Exception as exc:  # SandboxError: not root, apt failed
            need(False, f"{command} (Debian's {package}) unavailable: {exc}")
    path = shutil.which(command)
    need(path is not None, f"{command} not found after installing {package}")
    return str(path)


def need_root() -> None:
    need(os.geteuid() == 0, "needs root (mounts, network namespaces, sshd -T)")


def criteria_project(pytester: pytest.Pytester, inventory: str) -> Path:
    """A project of golive criteria for pytester to run: ``hosts.yaml`` holding ``inventory`` and
    pytest pointed at ``tests_infra``, the folder returned for the criteria's files."""
    pytester.makefile(".yaml", hosts=inventory)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["tests_infra"]\n')
    return Path(pytester.mkdir("tests_infra"))


def write_inventory(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def run_sh(command: str, **options: Any) -> subprocess.CompletedProcess[Any]:
    """``sh`` running ``command`` read from a file, as a host's shell reads a batch too long
    for one argument (the log command, its filter), with ``subprocess.run``'s ``options``."""
    with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
        script.write(command)
        script.flush()
        return subprocess.run(["sh", script.name], **options)


def load_json(path: Path) -> dict[str, Any]:
    """A JSON file; a run record with each instance's evidence whole (``evidence_store.expand``)."""
    data = json.loads(path.read_text())
    if isinstance(data, dict) and "criteria" in data and "facts" in data:
        return evidence_store.expand(data)
    return data


def run_golive(
    cwd: Path, *args: str, prefix: list[str] | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run golive (pytest with the installed plugin) in a subprocess, as a user would."""
    command = [*(prefix or []), sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


class SummaryParser(HTMLParser):
    """Pulls golive's verdict attributes and the section ids out of the HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.verdict: dict[str, str] = {}
        self.ids: set[str] = set()
        self.json_blob: str | None = None
        self.scripts_inline = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if attributes.get("id") == "golive-verdict":
            self.verdict = attributes
        if "data-jsonblob" in attributes:
            self.json_blob = attributes["data-jsonblob"]


def parse_report(path: Path) -> SummaryParser:
    parser = SummaryParser()
    parser.feed(path.read_text())
    return parser


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def netns(request: pytest.FixtureRequest) -> str:
    """A fresh, empty network namespace: a host with its own socket table."""
    need_root()
    need(shutil.which("ip") is not None, "iproute2 (ip) is not installed")
    name = f"golive-t{os.getpid()}-{abs(hash(request.node.nodeid)) % 10**6}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
    yield name
    subprocess.run(["ip", "netns", "pids", name], capture_output=True)
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
    for pid in pids:
        subprocess.run(["kill", "-9", pid], check=False)
    subprocess.run(["ip", "netns", "del", name], check=False)


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """The synthetic suite of tests/synthetic.py, ready to run in a pytester dir."""
    from tests.synthetic import make_suite

    return make_suite(pytester)


def sandbox_web(prefix: str) -> Iterator[Any]:
    """The sandbox's real nginx with its certificates on free loopback ports, for a module's
    fixture; the test is unavailable (skipped, or failed under CI) when it cannot start."""
    need_root()
    from sandbox.fleet import free_ports
    from sandbox.process import SandboxError
    from sandbox.tls import Certificates
    from sandbox.web import Web, WebPorts

    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    server = None
    try:
        server = Web(run_dir, Certificates(run_dir).up(), WebPorts(*free_ports(3)))
        server.up()
    except SandboxError as error:
        need(False, f"sandbox nginx unavailable: {error}")
    try:
        yield server
    finally:
        if server is not None:
            server.down()
        shutil.rmtree(run_dir, ignore_errors=True)
