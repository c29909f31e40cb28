"""Endpoints of the sandbox fleet: the web service's URLs as the inventory declares them,
an internal API on h2, and the faults planted on them.

h1 "serves" the sandbox nginx (sandbox/web.py, on the runner's loopback): its endpoints
are requested from the runner. h2 runs a small HTTP API on its own loopback
(127.0.0.1:8081, in its network namespace), declared ``internal`` and named
``api.golive.test`` through h2's own /etc/hosts (bind-mounted inside h2's mount
namespace, never the machine's): golive asks for it, and resolves it, from h2.

``declarations`` gives the healthy endpoints plus those a scenario's faults concern
(an endpoint on a vhost whose defect is the fault: a certificate expiring in 3 days,
TLS 1.0 accepted, plain HTTP served); ``plant_*`` change the running fleet.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from typing import Any

import httpx

from sandbox.fleet import Fleet
from sandbox.hosts import SandboxHost
from sandbox.process import Daemon, SandboxError, wait_for
from sandbox.web import Web

API_NAME = "api.golive.test"
API_PORT = 8081
STALE_ADDRESS = "127.0.0.9"
API_CODE = (
    "import http.server as h\n"
    "class A(h.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        self.send_response(200); self.send_header('Content-Length', '3'); self.end_headers()\n"
    "        self.wfile.write(b'ok\\n')\n"
    "    def log_message(self, *args): pass\n"
    f"h.HTTPServer(('127.0.0.1', {API_PORT}), A).serve_forever()\n"
)


def web(fleet: Fleet) -> Web:
    return next(service for service in fleet.services() if isinstance(service, Web))


def _https(fleet: Fleet, name: str, path: str, server: str, *, legacy: bool = False, **more: Any) -> dict[str, Any]:
    ports = web(fleet).ports
    port = ports.legacy_tls if legacy else ports.https
    return {
        "name": name,
        "url": f"https://127.0.0.1:{port}{path}",
        "server_name": f"{server}.golive.test",
        "ca_bundle": str(web(fleet).certs.ca_bundle),
        "http_url": f"http://127.0.0.1:{ports.http}{path}",
        **more,
    }


def healthy_endpoints(fleet: Fleet) -> dict[str, list[dict[str, Any]]]:
    ports = web(fleet).ports
    site = _https(fleet, "site", "/ok", "ok", resolve_to="127.0.0.1")
    site["url"] = f"https://localhost:{ports.https}/ok"  # a name the runner resolves (AVL-03)
    return {
        "h1": [site, _https(fleet, "admin", "/admin", "ok", protected=True)],
        "h2": [
            {
                "name": "api",
                "url": f"http://{API_NAME}:{API_PORT}/health",
                "internal": True,
                "resolve_to": "127.0.0.1",
            }
        ],
    }


def fault_endpoints(fleet: Fleet) -> dict[str, tuple[str, dict[str, Any]]]:
    """Fault id → (host, endpoint) for faults that are an endpoint on a defective vhost."""
    return {
        "probe-403-mail": ("h1", _https(fleet, "mail", "/forbidden", "ok")),
        "probe-401": ("h1", _https(fleet, "grafana", "/unauthorized", "ok")),
        "slow-endpoint": ("h1", _https(fleet, "report", "/slow", "ok", samples=2)),
        "certificate-expiring": ("h1", _https(fleet, "shop", "/", "expiring")),
        "certificate-expired": ("h1", _https(fleet, "billing", "/", "expired")),
        "tls-1.0-accepted": ("h1", _https(fleet, "legacy", "/", "legacy", legacy=True)),
        "http-not-redirected": ("h1", _https(fleet, "blog", "/", "plain")),
    }


def declarations(fleet: Fleet, host: str, fault_ids: Iterable[str]) -> dict[str, Any]:
    """The ``endpoints:`` of ``host`` in a scenario with these faults."""
    declared = list(healthy_endpoints(fleet).get(host, []))
    extra = fault_endpoints(fleet)
    declared += [endpoint for fault in fault_ids if fault in extra for h, endpoint in [extra[fault]] if h == host]
    return {"endpoints": declared} if declared else {}


def plant_baseline(fleet: Fleet, host: SandboxHost) -> None:
    """h2: its API on its own loopback and its own /etc/hosts naming it."""
    if host.name != "h2":
        return
    _hosts_file(host, "127.0.0.1")
    daemon = Daemon("api-8081", [*host.enter(), "python3", "-c", API_CODE], host.dir)
    if daemon.pid() is None:
        daemon.start(lambda: host.listens_on(f"127.0.0.1:{API_PORT}"))


def served_as_is(fleet: Fleet) -> None:
    """The defect is the vhost's own (sandbox/web.py serves it from the start); the fault is
    that the fleet declares an endpoint on it. Only check that nginx is there to serve it."""
    if not web(fleet).is_up():
        raise SandboxError("web: nginx is not up, the endpoint faults cannot be served")


def plant_stale_dns(fleet: Fleet) -> None:
    """h2's resolver now answers a stale address for api.golive.test (nothing serves there)."""
    _hosts_file(fleet.host("h2"), STALE_ADDRESS)


def plant_admin_open(fleet: Fleet) -> None:
    """nginx serves /admin (declared protected) without any login: 200 instead of 302."""
    server = web(fleet)
    text = server.conf.read_text()
    protected = "location = /admin {\n            return 302 /login;"
    if protected not in text:
        raise SandboxError("web: nginx.conf has no protected /admin to open")
    server.conf.write_text(text.replace(protected, 'location = /admin {\n            return 200 "admin panel\\n";'))
    pid = server.daemon.pid()
    if pid is None:
        raise SandboxError("web: nginx is not running")
    os.kill(pid, signal.SIGHUP)

    def served() -> bool:
        with httpx.Client(verify=False, trust_env=False) as client:
            url = f"https://127.0.0.1:{server.ports.https}/admin"
            return client.get(url, headers={"Host": "ok.golive.test"}).status_code == 200

    wait_for(served, 10, "nginx serving /admin openly after reload")


def _hosts_file(host: SandboxHost, address: str) -> None:
    """The host's own /etc/hosts: a file under its dir, bind-mounted in its mount namespace."""
    own = host.dir / "etc-hosts"
    own.write_text(f"127.0.0.1 localhost\n::1 localhost\n{address} {API_NAME}\n")
    mounted = host.sh(f"grep -q {API_NAME} /etc/hosts", check=False).returncode == 0
    if not mounted:
        host.sh(f"mount --bind {own} /etc/hosts")
    answer = host.sh(f"getent ahosts {API_NAME}", check=False).stdout
    if not answer.startswith(address):
        raise SandboxError(f"{host.name}: {API_NAME} resolves to {answer.split()[:1]}, wanted {address}")
