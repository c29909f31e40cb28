"""Self-tests of the endpoint, TLS and DNS criteria against the sandbox's real nginx.

One nginx (sandbox/web.py) on loopback serves an SNI host per certificate
(sandbox/tls.py): valid, expiring in 3 days, expired, for another name, self-signed,
a port that still accepts TLS 1.0/1.1, a host that answers plain HTTP without
redirecting, status endpoints and a slow one. golive runs for real in a subprocess
against an inventory declaring each of them; every criterion instance must come out
exactly as the planted condition says. Names resolve through a private /etc/hosts
bind-mounted in a mount namespace of golive's own (the machine's is never touched).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, load_json, need, need_root, run_golive, sandbox_web

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

MINE = {"AVL-01", "AVL-03", "AVL-05", "SEC-02", "SEC-03", "SEC-04", "SEC-05", "SEC-06", "SEC-11"}
ENDPOINT_TESTS = ["tests_infra/test_availability.py", "tests_infra/test_security.py"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def web() -> Iterator[object]:
    yield from sandbox_web("golive-ep-")


def outcomes(record: dict) -> dict[tuple[str, str], str]:
    return {
        (criterion["id"], instance["target"]): instance["outcome"]
        for criterion in record["criteria"]
        for instance in criterion["instances"]
        if criterion["id"] in MINE and instance["outcome"] != "skipped"  # others' criteria share the files
    }


def instance_of(record: dict, criterion: str, target: str) -> dict:
    found = next(c for c in record["criteria"] if c["id"] == criterion)
    return next(i for i in found["instances"] if i["target"] == target)


def golive(tmp_path: Path, inventory: dict, *args: str, prefix: list[str] | None = None, env=None) -> dict:
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(inventory))
    reports = tmp_path / "reports"
    result = run_golive(REPO, *args, f"--inventory={path}", f"--report-dir={reports}", prefix=prefix, env=env)
    assert result.returncode in (0, 1), result.stdout[-4000:] + result.stderr[-2000:]
    return load_json(reports / "readiness.json")


@pytest.mark.sandbox
@pytest.mark.root
def test_every_planted_endpoint_fault_fails_its_criterion_and_nothing_else(tmp_path, web):
    https, legacy, plain_port = web.ports.https, web.ports.legacy_tls, web.ports.http
    closed = free_port()  # nothing listens there
    ca = str(web.certs.ca_bundle)

    def tls_endpoint(name: str, path: str, server: str, port: int = https, **more) -> dict:
        return {
            "name": name, "url": f"https://127.0.0.1:{port}{path}", "server_name": f"{server}.golive.test",
            "ca_bundle": ca, "http_url": f"http://127.0.0.1:{plain_port}{path}", **more,
        }  # fmt: skip

    endpoints = [
        tls_endpoint("ok", "/ok", "ok"),
        tls_endpoint("mail", "/forbidden", "ok"),
        tls_endpoint("grafana", "/unauthorized", "ok"),
        tls_endpoint("admin", "/admin", "ok", protected=True),
        tls_endpoint("open-admin", "/ok", "ok", protected=True),
        tls_endpoint("slow", "/slow", "ok", latency_budget="1s", samples=2),
        tls_endpoint("expiring", "/", "expiring"),
        tls_endpoint("expired", "/", "expired"),
        tls_endpoint("wronghost", "/", "wronghost"),
        tls_endpoint("selfsigned", "/", "selfsigned"),
        tls_endpoint("legacy", "/", "legacy", port=legacy),
        tls_endpoint("plain", "/", "plain"),
        {"name": "refused", "url": f"http://127.0.0.1:{closed}/"},
        {"name": "from-host", "url": f"http://127.0.0.1:{plain_port}/", "server_name": "plain.golive.test",
         "internal": True},
        {"name": "from-host-refused", "url": f"http://127.0.0.1:{closed}/health", "internal": True},
    ]  # fmt: skip
    inventory = {"hosts": {"web": {"backend": "local://", "endpoints": endpoints}}}
    record = golive(tmp_path, inventory, *ENDPOINT_TESTS, "-k", "endpoint or certificate or tls or plain_http")

    failing = {
        ("AVL-01", "mail"), ("AVL-01", "grafana"), ("SEC-02", "open-admin"), ("AVL-05", "slow"),
        ("SEC-04", "expiring"), ("SEC-05", "expiring"),
        ("SEC-03", "expired"), ("SEC-04", "expired"), ("SEC-05", "expired"),
        ("SEC-03", "wronghost"), ("SEC-03", "selfsigned"), ("SEC-06", "legacy"), ("SEC-11", "plain"),
        ("AVL-01", "refused"), ("AVL-05", "refused"),
        ("AVL-01", "from-host-refused"), ("AVL-05", "from-host-refused"),
    }  # fmt: skip
    https_names = [e["name"] for e in endpoints if e["url"].startswith("https")]
    expected = {(c, f"web/{e['name']}"): "passed" for e in endpoints for c in ("AVL-01", "AVL-05")}
    expected |= {(c, f"web/{n}"): "passed" for n in https_names for c in ("SEC-03", "SEC-04", "SEC-05", "SEC-06")}
    expected |= {("SEC-11", f"web/{n}"): "passed" for n in https_names}
    expected |= {("SEC-02", "web/admin"): "passed", ("SEC-02", "web/open-admin"): "passed"}
    expected |= {(c, f"web/{n}"): "failed" for c, n in failing}
    assert outcomes(record) == expected

    # the reasons are plain words, and refusals are failures with their reason, not traces
    assert "403" in instance_of(record, "AVL-01", "web/mail")["message"]
    assert "connection refused" in instance_of(record, "AVL-01", "web/refused")["message"]
    assert "cannot connect" in instance_of(record, "AVL-01", "web/from-host-refused")["message"]
    assert "has expired" in instance_of(record, "SEC-03", "web/expired")["message"]
    assert "not valid for this name" in instance_of(record, "SEC-03", "web/wronghost")["message"]
    assert "self-signed" in instance_of(record, "SEC-03", "web/selfsigned")["message"]
    assert "accepts TLS 1.0 and TLS 1.1" in instance_of(record, "SEC-06", "web/legacy")["message"]
    assert "200" in instance_of(record, "SEC-11", "web/plain")["message"]
    assert "served without credentials" in instance_of(record, "SEC-02", "web/open-admin")["message"]
    expiring = instance_of(record, "SEC-04", "web/expiring")
    days = next(e for e in expiring["evidence"] if e["kind"] == "comparison")
    assert 2 < float(days["measured"]) < 4 and days["limit"] == "7"

    # evidence: the request line, status, headers and body; the certificate in full
    admin = instance_of(record, "SEC-02", "web/admin")["evidence"][0]
    assert admin["kind"] == "http" and admin["status"] == 302
    assert admin["request"].startswith(f"GET https://ok.golive.test:{https}/admin (from runner (httpx)")
    assert admin["headers"]["location"].endswith("/login")
    cert_note = instance_of(record, "SEC-03", "web/ok")["evidence"][0]["text"]
    for part in ("subject", "SANs DNS:ok.golive.test", "issuer", "golive sandbox CA", "notAfter", "days left"):
        assert part in cert_note
    slow = [e for e in instance_of(record, "AVL-05", "web/slow")["evidence"] if e["kind"] == "http"]
    assert len(slow) == 2 and all(e["elapsed"] >= 3 for e in slow)
    # an internal endpoint is asked from its host, with curl, all samples in one command
    from_host = instance_of(record, "AVL-05", "web/from-host")["evidence"]
    commands = [e for e in from_host if e["kind"] == "command"]
    assert len(commands) == 1 and "curl" in commands[0]["command"] and commands[0]["command"].count("-o /dev/null") == 3
    assert [e["status"] for e in from_host if e["kind"] == "http"] == [200, 200, 200]


@pytest.mark.sandbox
@pytest.mark.root
def test_certificates_read_once_per_host_port_and_requests_share_one_connection(web):
    """In-process against the same nginx: how many handshakes and connections the checks make."""
    from golive.checks.http import Target
    from golive.checks.http_probe import HttpProbe
    from golive.checks.tls import Certificates
    from golive.facts import Fleet
    from golive.inventory import Endpoint, Host

    host = Host(name="web", backend="local://")
    url = f"https://127.0.0.1:{web.ports.https}"
    ca = str(web.certs.ca_bundle)
    ok = Target(host, Endpoint(name="ok", url=f"{url}/ok", server_name="ok.golive.test", ca_bundle=ca))
    expired = Target(host, Endpoint(name="expired", url=f"{url}/", server_name="expired.golive.test", ca_bundle=ca))

    certificates = Certificates()
    for _ in range(3):  # SEC-03, SEC-04, SEC-05
        assert certificates.certificate(ok).verifies
        assert not certificates.certificate(expired).verifies
    where = f"127.0.0.1:{web.ports.https}"
    assert certificates.handshakes == {where: 3}  # ok: 1 verifying; expired: 1 verifying + 1 reading
    certificates.legacy_protocols(ok)
    certificates.legacy_protocols(ok)
    assert certificates.handshakes == {where: 5}  # SEC-06: TLS 1.0 and 1.1, once

    probe = HttpProbe(Fleet(), {})
    try:
        first = probe.samples(ok, 1)
        assert probe.samples(ok, 5)[0] is first[0]  # AVL-01's request is AVL-05's first sample
        probe.samples(expired, 2)
        assert probe.requests == 7
        # one connection per server name, reused: the pool holds exactly two
        assert len(probe.client._transport._pool.connections) == 2
    finally:
        probe.close()


@pytest.mark.sandbox
@pytest.mark.root
def test_certificate_reads_share_one_context_per_trust(web, monkeypatch, tmp_path):
    """Each endpoint's read against the system store used to parse the whole store again
    (about 30 ms of CPU, twice for a certificate that does not verify there): contexts are
    now made once per trust, and each read still gets its own verdict."""
    import ssl
    import subprocess

    from golive.checks import tls
    from golive.checks.http import Target
    from golive.inventory import Endpoint, Host

    made: list[str | None] = []
    create = ssl.create_default_context

    def counting(*args, cafile=None, **kwargs):
        made.append(cafile)
        return create(*args, cafile=cafile, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    tls._verifying_context.cache_clear()
    tls.unverified_context.cache_clear()
    host = Host(name="web", backend="local://")
    url = f"https://127.0.0.1:{web.ports.https}/"
    ca = str(web.certs.ca_bundle)
    names = ("ok", "expired", "wronghost", "selfsigned")
    certificates = tls.Certificates()
    system = {name: certificates.certificate(Target(host, Endpoint(name=name, url=url,
              server_name=f"{name}.golive.test"))) for name in names}  # fmt: skip
    bundled = {name: certificates.certificate(Target(host, Endpoint(name=f"{name}-ca", url=url,
               server_name=f"{name}.golive.test", ca_bundle=ca))) for name in names}  # fmt: skip
    try:
        # the sandbox's CA is in no system store: every read there reads the certificate unverified
        assert all(isinstance(found, tls.Certificate) and not found.verifies for found in system.values()), system
        assert bundled["ok"].verifies and not any(bundled[name].verifies for name in names[1:]), bundled
        assert "expired" in (bundled["expired"].verify_error or "")
        assert made == [None, None, ca]  # the system store, the unverified read's, the bundle: once each
        assert sum(certificates.handshakes.values()) == 4 * 2 + 1 + 3 * 2
        # a bundle rewritten in place (another CA) is read again, not taken from the first read
        bundle = tmp_path / "ca.pem"
        bundle.write_bytes(web.certs.ca_bundle.read_bytes())
        ok = Target(host, Endpoint(name="ok-tmp", url=url, server_name="ok.golive.test", ca_bundle=str(bundle)))
        assert tls.Certificates().certificate(ok).verifies
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(tmp_path / "other.key"), "-out", str(bundle), "-days", "1",
                        "-subj", "/CN=another CA"], check=True, capture_output=True)  # fmt: skip
        assert not tls.Certificates().certificate(ok).verifies
    finally:
        tls._verifying_context.cache_clear()
        tls.unverified_context.cache_clear()


@pytest.fixture
def private_hosts(tmp_path: Path):
    """Run golive in a mount namespace of its own with this /etc/hosts and a resolver
    that sends nothing anywhere (nameserver on loopback, nothing listening)."""
    need_root()
    need(shutil.which("unshare") is not None, "util-linux unshare is not installed")
    hosts = tmp_path / "etc-hosts"
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")

    def prefix(entries: str) -> list[str]:
        hosts.write_text("127.0.0.1 localhost\n" + entries)
        script = f'mount --bind {hosts} /etc/hosts && mount --bind {resolv} /etc/resolv.conf && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]

    return prefix


@pytest.mark.sandbox
@pytest.mark.root
def test_names_resolve_to_their_declared_address(tmp_path, web, private_hosts):
    https = web.ports.https
    ca = str(web.certs.ca_bundle)

    def named(name: str, host: str, resolve_to: str | None = None) -> dict:
        endpoint = {"name": name, "url": f"https://{host}:{https}/", "ca_bundle": ca}
        return endpoint | ({"resolve_to": resolve_to} if resolve_to else {})

    endpoints = [
        named("ok", "ok.golive.test", "127.0.0.1"),
        named("moved", "expiring.golive.test", "127.0.0.1"),
        named("any-address", "selfsigned.golive.test"),
        named("gone", "gone.golive.test"),
    ]
    inventory = {"hosts": {"web": {"backend": "local://", "endpoints": endpoints}}}
    prefix = private_hosts(
        "127.0.0.1 ok.golive.test\n127.0.0.7 expiring.golive.test\n127.0.0.1 selfsigned.golive.test\n"
    )
    record = golive(tmp_path, inventory, "tests_infra/test_availability.py", "-k", "resolves", prefix=prefix)
    assert outcomes(record) == {
        ("AVL-03", "web/ok"): "passed",
        ("AVL-03", "web/moved"): "failed",
        ("AVL-03", "web/any-address"): "passed",
        ("AVL-03", "web/gone"): "failed",
    }
    assert "127.0.0.7, not the declared 127.0.0.1" in instance_of(record, "AVL-03", "web/moved")["message"]
    assert "does not resolve" in instance_of(record, "AVL-03", "web/gone")["message"]
    # the machine's own /etc/hosts was never changed
    assert "gone.golive.test" not in Path("/etc/hosts").read_text()


def test_endpoint_inventory_keys(tmp_path):
    from golive.errors import InventoryError
    from golive.inventory import load_inventory

    def load(text: str):
        path = tmp_path / "hosts.yaml"
        path.write_text(text)
        return load_inventory(path, environ={"API_TOKEN": "s3cr3t-token-value"})

    host = "hosts:\n  web:\n    backend: local://\n    endpoints:\n"
    found = load(host + "    - {name: a, url: 'https://example.test/', expect_status: 204, latency_budget: 500ms}\n")
    endpoint = found.hosts[0].endpoints[0]
    assert (endpoint.expect_status, endpoint.latency_budget, endpoint.samples) == ((204,), 0.5, 3)
    assert load(host + "    - {name: a, url: 'http://x.test/', expect_status: [200, 302]}\n").hosts[0].endpoints[
        0
    ].expect_status == (200, 302)
    for bad, message in [
        ("{name: a, url: 'ftp://x.test/'}", "url"),
        ("{name: a, url: 'http://x.test/', expect_status: 99}", "expected an HTTP status"),
        ("{name: a, url: 'http://x.test/', resolve_to: somewhere}", "expected an IP address"),
        ("{name: a, url: 'http://x.test/', credential: api}", "'api' is not under credentials:"),
    ]:
        with pytest.raises(InventoryError, match=message):
            load(host + f"    - {bad}\n")
    with pytest.raises(InventoryError, match="used twice"):
        load(host + "    - {name: a, url: 'http://x.test/'}\n    - {name: a, url: 'http://y.test/'}\n")
    with_credential = load(
        "credentials:\n  api: {token_env: API_TOKEN}\n"
        + host
        + "    - {name: a, url: 'https://x.test/', credential: api}\n"
    )
    assert with_credential.secrets == ["s3cr3t-token-value"]


def test_a_ca_bundle_that_cannot_be_read_is_unreadable_not_a_crash(tmp_path: Path):
    """SEC-03..05 read certificates against ``ca_bundle``: a missing file is the reason, not a traceback."""
    from golive.checks.http import Target
    from golive.checks.tls import Certificates, Unreadable
    from golive.inventory import Endpoint, Host

    missing = str(tmp_path / "no-such-ca.pem")
    endpoint = Endpoint(name="ok", url="https://127.0.0.1:9/", server_name="ok.golive.test", ca_bundle=missing)
    target = Target(Host(name="web", backend="local://"), endpoint)
    read = Certificates().certificate(target)
    assert isinstance(read, Unreadable) and f"ca_bundle {missing} cannot be read" in read.reason
