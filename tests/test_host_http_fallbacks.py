"""Requests from a host without curl: python3, else wget (checks/host_http.py).

Against the sandbox's real nginx (tests/test_credentials_tls.py's fixtures), from the
``local://`` backend with a PATH that holds only the tools such a host has: the same
command golive sends over SSH. With python3 and no curl, a credentialed request
verifies the certificate, carries the token on standard input (no command line holds
it) and arrives; one to a certificate that does not verify keeps it. With busybox's
wget only, a request without a credential is made (the first answer kept: wget
follows redirects) or its failure reported, and a credentialed one is refused naming what is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.checks.http_probe import HttpProbe
from golive.errors import TargetError
from golive.facts import Fleet
from sandbox.fleet import free_ports
from tests.conftest import need
from tests.test_credentials_tls import TOKEN, command_lines, log, probe, target, web  # noqa: F401 (fixtures)

BASICS = ("sh", "timeout", "head", "cut", "awk", "cat")


def _path_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tools: dict[str, str]) -> None:
    """PATH = a directory holding only ``tools`` (name → the binary it runs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in BASICS:
        found = shutil.which(name)
        need(found is not None, f"{name} is not installed here")
        (bin_dir / name).symlink_to(found)
    for name, binary in tools.items():
        (bin_dir / name).symlink_to(binary)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("curl", path=os.environ["PATH"]) is None


@pytest.fixture
def without_curl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    python = shutil.which("python3", path="/usr/bin:/bin")  # the system's, as on a Debian host
    need(python is not None, "the system's python3 is not installed here")
    _path_with(tmp_path, monkeypatch, {"python3": str(python)})
    yield


@pytest.fixture
def busybox_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    busybox = shutil.which("busybox")
    need(busybox is not None, "busybox is not installed here")
    _path_with(tmp_path, monkeypatch, {"wget": str(busybox)})
    yield


def test_python3_carries_the_credential_on_standard_input_and_verifies(web, log, without_curl):  # noqa: F811
    ca = str(web.certs.ca_bundle)
    http = probe()
    with command_lines("python3") as running:
        [slow] = http.samples(target(web, "ok", "/slow", internal=True, credential="api", ca_bundle=ca), 1)
    assert slow.status == 200 and slow.via == "web (python3)"
    running = [line for line in running if f":{web.ports.https}" in line]
    assert running and all(TOKEN not in line for line in running)  # seen running, the token on no command line
    assert len(log.carrying(f'authorization="Bearer {TOKEN}"')) == 1
    [refused] = http.samples(target(web, "selfsigned", internal=True, credential="api"), 1)
    assert not refused.answered
    assert "the certificate does not verify, so the credential was not sent" in refused.error
    assert len(log.carrying(TOKEN)) == 1  # only the verified request's


def test_python3_without_a_credential_connects_a_server_name_elsewhere(web, without_curl):  # noqa: F811
    http = HttpProbe(Fleet(), {})
    [exchange] = http.samples(target(web, "selfsigned", "/x", internal=True), 1)
    assert exchange.status == 200 and exchange.via == "web (python3)"  # SEC-03 judges that certificate


def test_wget_alone_answers_requests_without_credentials_only(web, busybox_only):  # noqa: F811
    http = HttpProbe(Fleet(), {"api": {"token": TOKEN}})
    plain = target(web, "ok", url=f"http://127.0.0.1:{web.ports.http}/x", server_name=None, internal=True)
    [redirect] = http.samples(plain, 1)
    assert redirect.via == "web (wget)"
    assert redirect.status == 301 and redirect.location.startswith("https://")  # the first answer, not followed
    [closed_port] = free_ports(1)
    closed = target(web, "ok", url=f"http://127.0.0.1:{closed_port}/", server_name=None, internal=True)
    [refused] = http.samples(closed, 1)
    assert not refused.answered and "Connection refused" in refused.error
    credentialed = target(web, "ok", "/ok", server_name=None, internal=True, credential="api",
                          ca_bundle=str(web.certs.ca_bundle))  # fmt: skip
    with pytest.raises(TargetError, match=r"none of curl, python3 is installed \(wget is not used"):
        http.samples(credentialed, 1)
