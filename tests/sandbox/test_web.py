"""The sandbox nginx answers each endpoint as documented, over real TLS.

A client connects to 127.0.0.1 and names the host by SNI and Host header. httpx
pools connections by address, not by SNI, so each host gets a fresh client:
reusing one would silently present the first host's certificate to the next.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.fleet import free_ports
from sandbox.process import SandboxError
from sandbox.tls import Certificates
from sandbox.web import SLOW_SECONDS, Endpoint, Web, WebPorts
from tests.sandbox.conftest import unavailable

OLD_TLS_CLIENT = ("openssl", "s_client", "-cipher", "DEFAULT@SECLEVEL=0", "-connect")


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    run_dir = Path(tempfile.mkdtemp(prefix="golive-web-", dir="/tmp"))
    web = None
    try:
        web = Web(run_dir, Certificates(run_dir).up(), WebPorts(*free_ports(3)))
        web.up()
        yield web
    except SandboxError as error:
        unavailable(str(error))
    finally:
        if web is not None:
            web.down()
        shutil.rmtree(run_dir, ignore_errors=True)


def get(web: Web, url: str, hostname: str) -> httpx.Response:
    context = ssl.create_default_context(cafile=str(web.certs.ca_bundle))
    with httpx.Client(verify=context, timeout=10) as client:
        return client.get(url, headers={"Host": hostname}, extensions={"sni_hostname": hostname})


def https(web: Web, path: str = "/") -> str:
    return f"https://127.0.0.1:{web.ports.https}{path}"


def test_nginx_listens_only_on_loopback(web: Web) -> None:
    pid = web.daemon.pid()
    listeners = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    ours = [line.split()[3] for line in listeners.splitlines() if f"pid={pid}," in line]
    assert sorted(ours) == sorted(
        f"127.0.0.1:{port}" for port in (web.ports.https, web.ports.legacy_tls, web.ports.http)
    )


def test_every_endpoint_answers_its_documented_status(web: Web) -> None:
    for endpoint in web.endpoints():
        if endpoint.url.endswith("/slow"):
            continue
        response = get(web, endpoint.url, endpoint.hostname) if _verifiable(endpoint) else _unverified(endpoint)
        assert (endpoint.url, response.status_code) == (endpoint.url, endpoint.status)
        assert response.headers.get("location") == endpoint.location


def test_valid_host_endpoints(web: Web) -> None:
    statuses = {path: get(web, https(web, path), "ok.golive.test").status_code for path in ("/ok", "/login")}
    assert statuses == {"/ok": 200, "/login": 200}
    assert get(web, https(web, "/unauthorized"), "ok.golive.test").headers["www-authenticate"].startswith("Basic")
    assert [get(web, https(web, p), "ok.golive.test").status_code for p in ("/forbidden", "/missing", "/error")] == [
        403,
        404,
        500,
    ]


def test_protected_endpoint_redirects_to_login(web: Web) -> None:
    response = get(web, https(web, "/admin"), "ok.golive.test")
    assert response.status_code == 302
    assert response.headers["location"] == f"https://ok.golive.test:{web.ports.https}/login"


def test_slow_endpoint_takes_its_time(web: Web) -> None:
    started = time.monotonic()
    response = get(web, https(web, "/slow"), "ok.golive.test")
    took = time.monotonic() - started
    assert response.status_code == 200
    assert SLOW_SECONDS <= took < SLOW_SECONDS + 2


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("expired", "certificate has expired"),
        ("wronghost", "Hostname mismatch"),
        ("selfsigned", "self-signed certificate"),
    ],
)
def test_faulty_certificates_fail_verification(web: Web, host: str, error: str) -> None:
    with pytest.raises(httpx.ConnectError, match=error):
        get(web, https(web), f"{host}.golive.test")


def test_expiring_host_serves_its_soon_expiring_certificate(web: Web) -> None:
    context = ssl.create_default_context(cafile=str(web.certs.ca_bundle))
    with socket.create_connection(("127.0.0.1", web.ports.https)) as raw:
        with context.wrap_socket(raw, server_hostname="expiring.golive.test") as tls:
            expires = ssl.cert_time_to_seconds(tls.getpeercert()["notAfter"])
    assert 2 * 86400 < expires - time.time() < 4 * 86400


def test_http_redirects_to_https_except_the_plain_host(web: Web) -> None:
    with httpx.Client() as client:
        redirect = client.get(f"http://127.0.0.1:{web.ports.http}/ok", headers={"Host": "ok.golive.test"})
    with httpx.Client() as client:
        plain = client.get(f"http://127.0.0.1:{web.ports.http}/", headers={"Host": "plain.golive.test"})
    assert (redirect.status_code, redirect.headers["location"]) == (
        301,
        https(web, "/ok").replace("127.0.0.1", "ok.golive.test"),
    )
    assert plain.status_code == 200


@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_only_the_legacy_port_accepts_old_tls(web: Web, version: str) -> None:
    def handshake(port: int, hostname: str) -> str:
        return subprocess.run(
            [*OLD_TLS_CLIENT, f"127.0.0.1:{port}", "-servername", hostname, version],
            input="",
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout

    assert "Cipher is (NONE)" not in handshake(web.ports.legacy_tls, "legacy.golive.test")
    assert "Cipher is (NONE)" in handshake(web.ports.https, "ok.golive.test")


def test_up_is_idempotent(web: Web) -> None:
    pid = web.daemon.pid()
    web.up()
    assert web.daemon.pid() == pid


def test_down_stops_nginx_and_frees_its_ports(tmp_path: Path) -> None:
    web = Web(tmp_path, Certificates(tmp_path).up(), WebPorts(*free_ports(3)))
    try:
        web.up()
        workers = subprocess.run(["pgrep", "-P", str(web.daemon.pid())], capture_output=True, text=True).stdout.split()
        assert workers
    finally:
        web.down()
    assert web.daemon.pid() is None and not web.is_up()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _verifiable(endpoint: Endpoint) -> bool:
    return endpoint.url.startswith("https") and endpoint.hostname.split(".")[0] not in (
        "expired",
        "wronghost",
        "selfsigned",
    )


def _unverified(endpoint: Endpoint) -> httpx.Response:
    with httpx.Client(verify=False) as client:
        return client.get(
            endpoint.url, headers={"Host": endpoint.hostname}, extensions={"sni_hostname": endpoint.hostname}
        )
