"""Credentials travel only over TLS that verifies, and never on a command line.

Against the sandbox's real nginx (sandbox/web.py), whose access log records the
Authorization header each request carried: a credentialed request to a certificate
that does not verify fails with the reason and nginx never sees the header; with
``ca_bundle`` it verifies and the header arrives. Requests made from the host (here
the ``local://`` backend: the same curl, the same executor as over SSH, which
tests/sandbox/test_credentials_over_ssh.py runs for real) carry the credential on
curl's standard input: no process's command line holds it, read from /proc while the
request runs and from the argv handed to subprocess. A backend that cannot feed
standard input refuses; plain HTTP to another host is refused at load.
"""

from __future__ import annotations

import base64
import itertools
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.errors import InventoryError, TargetError
from golive.facts import Fleet
from golive.inventory import Endpoint, Host, load_inventory
from sandbox.process import wait_for
from tests.conftest import sandbox_web

TOKEN = "tok-7Qm2Zr9Lx4"
PASSWORD = "pw-Vb8Kc3Nd6"
NUMBERS = itertools.count()


@pytest.fixture(scope="module")
def web() -> Iterator[Any]:
    yield from sandbox_web("golive-cred-")


class AccessLog:
    """nginx's access log from the test's start: a line per request, with its Authorization header."""

    def __init__(self, web: Any) -> None:
        self.web = web
        self.start = web.access_log.stat().st_size if web.access_log.exists() else 0

    def _read(self) -> str:
        return self.web.access_log.read_bytes()[self.start :].decode()

    def carrying(self, secret: str) -> list[str]:
        """The lines whose request carried ``secret``, once nginx has logged every request made so far:
        it logs after answering, in order (one worker), so a last request's line is the barrier."""
        tag = f"barrier-{next(NUMBERS)}"
        httpx.get(f"http://127.0.0.1:{self.web.ports.http}/{tag}", headers={"Host": "plain.golive.test"})
        wait_for(lambda: tag in self._read(), 10, "nginx logging the barrier request")
        return [line for line in self._read().splitlines() if secret in line]


@pytest.fixture
def log(web: Any) -> AccessLog:
    return AccessLog(web)


def target(web: Any, name: str, path: str = "/", *, backend: str = "local://", **keys: Any) -> Target:
    host = Host(name="web", backend=backend, http={"timeout": 10})
    keys.setdefault("url", f"https://127.0.0.1:{web.ports.https}{path}")
    keys.setdefault("server_name", f"{name}.golive.test")
    return Target(host, Endpoint(name=f"{name}-{next(NUMBERS)}", samples=1, **keys))


def probe() -> HttpProbe:
    return HttpProbe(Fleet(), {"api": {"token": TOKEN}})


@contextmanager
def command_lines(program: str) -> Iterator[list[str]]:
    """Every command line of a running ``program`` seen in /proc while the block runs."""
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        argv = (entry / "cmdline").read_bytes().split(b"\0")
                    except OSError:
                        continue
                    if argv and argv[0].endswith(program.encode()):
                        seen.append(b" ".join(argv).decode(errors="replace"))
            done.wait(0.005)  # a pass over /proc, then let the request run

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        done.set()
        watcher.join()


@contextmanager
def subprocess_argv(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The argv of every process started (``Popen``: what subprocess.run and testinfra use)."""
    started: list[str] = []
    original = subprocess.Popen

    class Recording(original):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *more: Any, **options: Any) -> None:
            shown = args if isinstance(args, (str, bytes)) else b" ".join(map(_bytes, args))
            started.append(_bytes(shown).decode(errors="replace"))
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    yield started


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


# --- from the runner ------------------------------------------------------------------


@pytest.mark.sandbox
@pytest.mark.root
@pytest.mark.parametrize("name", ["selfsigned", "expired", "wronghost", "ok-without-ca-bundle"])
def test_a_credential_is_not_sent_when_the_certificate_does_not_verify(web, log, name):
    ca = {} if name in ("selfsigned", "ok-without-ca-bundle") else {"ca_bundle": str(web.certs.ca_bundle)}
    server = name.removesuffix("-without-ca-bundle")
    endpoint = target(web, server, "/ok" if server == "ok" else "/", credential="api", **ca)
    http = probe()
    try:
        [exchange] = http.samples(endpoint, 1)
        assert not exchange.answered
        assert "the certificate does not verify, so the credential was not sent" in exchange.error
        assert log.carrying(TOKEN) == []
        # the same endpoint asked without the credential is still answered (SEC-03 judges the certificate)
        [anonymous] = http.samples(endpoint, 1, anonymous=True)
        assert anonymous.status == 200
    finally:
        http.close()


@pytest.mark.sandbox
@pytest.mark.root
def test_with_its_ca_bundle_a_credentialed_request_verifies_and_arrives(web, log):
    endpoint = target(web, "ok", "/ok", credential="api", ca_bundle=str(web.certs.ca_bundle))
    http = probe()
    try:
        [exchange] = http.samples(endpoint, 1)
    finally:
        http.close()
    assert exchange.status == 200
    assert len(log.carrying(f'authorization="Bearer {TOKEN}"')) == 1


# --- from the host (curl through the host's backend) ----------------------------------


@pytest.mark.sandbox
@pytest.mark.root
def test_from_the_host_the_credential_is_on_no_command_line_and_arrives(web, log, monkeypatch):
    ca = str(web.certs.ca_bundle)
    token_endpoint = target(web, "ok", "/slow", internal=True, credential="api", ca_bundle=ca)
    url = f"https://user:{PASSWORD}@127.0.0.1:{web.ports.https}/ok"
    password_endpoint = target(web, "ok", url=url, internal=True, ca_bundle=ca)
    http = probe()
    with subprocess_argv(monkeypatch) as argv, command_lines("curl") as running:
        [slow] = http.samples(token_endpoint, 1)  # /slow: curl runs for seconds, in the process list
        [with_password] = http.samples(password_endpoint, 1)
    assert slow.status == 200 and with_password.status == 200
    running = [line for line in running if f":{web.ports.https}" in line]  # ours, not another test's
    # the secrets were on no command line: not in the argv given to subprocess, not in /proc, not in evidence
    assert argv and any("curl" in a for a in argv)
    assert any("/slow" in line for line in running)  # curl was seen running
    for line in argv + running:
        assert TOKEN not in line and PASSWORD not in line
    assert all(" -q -K - " in line for line in running)  # the config, with the secret, on standard input
    commands = [key for key in http.fleet[token_endpoint.host]._cache]
    assert commands and all(TOKEN not in c and PASSWORD not in c for c in commands)
    # ... and reached nginx
    assert len(log.carrying(f'authorization="Bearer {TOKEN}"')) == 1
    basic = base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    assert len(log.carrying(f'authorization="Basic {basic}"')) == 1


@pytest.mark.sandbox
@pytest.mark.root
def test_from_the_host_quotes_and_backslashes_of_a_token_arrive_intact(web, log):
    token = 'q"uo\\te-' + TOKEN
    http = HttpProbe(Fleet(), {"api": {"token": token}})
    endpoint = target(web, "ok", "/ok", internal=True, credential="api", ca_bundle=str(web.certs.ca_bundle))
    [exchange] = http.samples(endpoint, 1)
    assert exchange.status == 200
    logged = token.replace("\\", "\\x5C").replace('"', "\\x22")  # as nginx escapes them
    assert len(log.carrying(f'authorization="Bearer {logged}"')) == 1


@pytest.mark.sandbox
@pytest.mark.root
def test_from_the_host_a_certificate_that_does_not_verify_keeps_the_credential(web, log):
    http = probe()
    for endpoint in (
        target(web, "selfsigned", internal=True, credential="api"),
        target(web, "expired", internal=True, credential="api", ca_bundle=str(web.certs.ca_bundle)),
    ):
        [exchange] = http.samples(endpoint, 1)
        assert not exchange.answered
        assert "the certificate does not verify, so the credential was not sent" in exchange.error
    assert log.carrying(TOKEN) == []
    # without a credential, the host's request still does not judge the certificate
    [anonymous] = http.samples(target(web, "selfsigned", internal=True), 1)
    assert anonymous.status == 200


@pytest.mark.sandbox
@pytest.mark.root
def test_plain_http_carries_a_credential_to_loopback_only(web, log):
    http = probe()
    loopback = target(web, "plain", url=f"http://127.0.0.1:{web.ports.http}/", internal=True, credential="api")
    [exchange] = http.samples(loopback, 1)
    assert exchange.status == 200
    assert len(log.carrying(f'authorization="Bearer {TOKEN}"')) == 1
    # a name that is not loopback: refused before anything runs or resolves
    far = target(web, "far", url="http://status.example.invalid/health", internal=True, credential="api")
    round_trips = http.fleet[far.host].round_trips
    with pytest.raises(TargetError, match="plain HTTP to a host other than loopback"):
        http.samples(far, 1)
    runner_side = target(web, "far", url="http://status.example.invalid/health", credential="api")
    with pytest.raises(TargetError, match="plain HTTP to a host other than loopback"):
        http.samples(runner_side, 1)
    assert http.fleet[far.host].round_trips == round_trips
    assert http.requests == 0


@pytest.mark.sandbox
@pytest.mark.root
def test_a_backend_without_standard_input_refuses_a_credentialed_request_from_the_host(web):
    http = probe()
    endpoint = target(web, "ok", "/ok", backend="podman://box", internal=True, credential="api")
    with pytest.raises(TargetError, match=r"podman:// backend cannot feed.*not made"):
        http.samples(endpoint, 1)
    assert http.fleet[endpoint.host].round_trips == 0  # nothing ran on the host


# --- the inventory -----------------------------------------------------------------------


def load(tmp_path: Path, text: str) -> Callable[[], Any]:
    path = tmp_path / "hosts.yaml"
    path.write_text("credentials:\n  api: {token_env: API_TOKEN}\n" + text)
    return lambda: load_inventory(path, environ={"API_TOKEN": TOKEN})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'http://x.test/', credential: api}]}}",
         "hosts.web.endpoints[0].url"),
        ("hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'http://u:pw-Vb8Kc3Nd6@10.0.0.5:81/'}]}}",
         "hosts.web.endpoints[0].url"),
        ("monitoring: {prometheus: {url: 'http://prometheus.internal:9090', credential: api}}",
         "monitoring.prometheus.url"),
    ],
)  # fmt: skip
def test_plain_http_to_another_host_cannot_carry_a_credential(tmp_path, text, key):
    with pytest.raises(InventoryError, match=r"plain HTTP to a host other than loopback") as raised:
        load(tmp_path, text)()
    assert f"{key}: http://" in str(raised.value) and PASSWORD not in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        "hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'http://127.0.0.1:8081/', credential: api}]}}",
        "hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'http://localhost/', credential: api}]}}",
        "hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'https://x.test/', credential: api}]}}",
        "hosts: {web: {backend: 'local://', endpoints: [{name: a, url: 'http://x.test/'}]}}",
        "monitoring: {prometheus: {url: 'http://[::1]:9090', credential: api}}",
    ],
)
def test_loopback_https_and_uncredentialed_urls_load(tmp_path, text):
    load(tmp_path, text)()


# --- monitoring APIs ---------------------------------------------------------------------


@pytest.mark.sandbox
@pytest.mark.root
def test_monitoring_requests_follow_the_same_rule(web, log):
    from golive.checks.monitoring import MonitoringClient, System
    from golive.evidence import Evidence
    from golive.inventory import MonitoringApi

    client = MonitoringClient({"api": {"token": TOKEN}})
    try:
        # a certificate that does not verify (the sandbox CA is not in the system store): nothing sent
        untrusted = System("prometheus", MonitoringApi(url=f"https://127.0.0.1:{web.ports.https}", credential="api"))
        with pytest.raises(TargetError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get(untrusted, "/ok", Evidence())
        assert log.carrying(TOKEN) == []
        # plain HTTP to another host: refused before anything connects or resolves
        far = System("alertmanager", MonitoringApi(url="http://alertmanager.example.invalid:9093", credential="api"))
        with pytest.raises(TargetError, match="plain HTTP to a host other than loopback"):
            client.get(far, "/api/v2/status", Evidence())
    finally:
        client.close()
