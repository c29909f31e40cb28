"""A real nginx serving the sandbox's HTTPS hosts, on loopback only.

It runs with its own config, pid, logs and temp dirs under ``<run_dir>/web``
(never /etc/nginx's site). Every host is a ``*.golive.test`` name chosen by SNI and
the Host header on 127.0.0.1; no resolver knows these names, so a client connects
to 127.0.0.1 and names the host itself::

    httpx.get("https://127.0.0.1:18443/ok", headers={"Host": "ok.golive.test"},
              extensions={"sni_hostname": "ok.golive.test"}, verify=ssl_context_with_ca)
    openssl s_client -connect 127.0.0.1:18443 -servername expired.golive.test

Ports (``WebPorts``): 18443 HTTPS, 18444 HTTPS that also accepts TLS 1.0/1.1
(``legacy.golive.test``), 18080 plain HTTP (``ok.golive.test`` redirects 301 to
HTTPS, ``plain.golive.test`` answers 200 over HTTP: a fault).

Compose: ``Web(run_dir, Certificates(run_dir).up())`` then ``up()`` / ``down()``;
``endpoints()`` lists every URL with its host name and the status it answers.
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sandbox.debian import ensure_installed
from sandbox.nginx_config import location, main_config, plain_server, redirect_server, tls_server
from sandbox.process import Daemon, SandboxError, port_open, wait_for
from sandbox.tls import Minted

PACKAGES = ("nginx", "libnginx-mod-http-echo")
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")
SLOW_SECONDS = 3


@dataclass(frozen=True)
class WebPorts:
    https: int = 18443
    legacy_tls: int = 18444
    http: int = 18080


@dataclass(frozen=True)
class Endpoint:
    """One URL on 127.0.0.1, the host name to send (SNI and Host), what it answers."""

    url: str
    hostname: str
    status: int
    location: str | None = None

    @property
    def named_url(self) -> str:
        """The same URL with the host name, as a user would write it."""
        return self.url.replace("127.0.0.1", self.hostname, 1)


# Paths on the valid host: what each answers. /slow answers 200 after SLOW_SECONDS.
PATHS = {
    "/ok": 200,
    "/unauthorized": 401,
    "/forbidden": 403,
    "/missing": 404,
    "/error": 500,
    "/slow": 200,
    "/admin": 302,
    "/login": 200,
}


class Web:
    """nginx with a virtual host per certificate of ``certs``."""

    name = "web"

    def __init__(self, run_dir: Path, certs: Minted, ports: WebPorts | None = None) -> None:
        self.dir = Path(run_dir) / "web"
        self.certs = certs
        self.ports = ports or WebPorts()
        self.conf = self.dir / "nginx.conf"
        self.daemon = Daemon(
            "nginx",
            [
                "nginx",
                "-p",
                str(self.dir),
                "-e",
                str(self.dir / "error.log"),
                "-c",
                str(self.conf),
                "-g",
                "daemon off;",
            ],
            self.dir,
        )

    def up(self) -> None:
        ensure_installed(PACKAGES)
        if self.daemon.pid() is None:
            _refuse_taken(self.ports)
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        self.conf.write_text(self.config())
        self.daemon.start(self.is_listening, timeout=15)

    def down(self) -> None:
        self.daemon.stop()

    def is_up(self) -> bool:
        return self.daemon.pid() is not None and self.is_listening()

    def is_listening(self) -> bool:
        return all(port_open("127.0.0.1", port)() for port in asdict(self.ports).values())

    @property
    def access_log(self) -> Path:
        """One line per request, with the Authorization header it carried (``authorization="..."``)."""
        return self.dir / "access.log"

    def reload(self) -> None:
        """Re-read nginx.conf (after ``config()`` changes) without dropping connections."""
        pid = self.daemon.pid()
        if pid is None:
            raise SandboxError("web: nginx is not running")
        self.conf.write_text(self.config())
        os.kill(pid, signal.SIGHUP)
        wait_for(self.is_listening, 10, "web: nginx after reload")

    def endpoints(self) -> list[Endpoint]:
        https, legacy, http = self.ports.https, self.ports.legacy_tls, self.ports.http
        ok = self.certs.certs["ok"].hostname
        found = [
            Endpoint(
                f"https://127.0.0.1:{https}{path}",
                ok,
                status,
                f"https://{ok}:{https}/login" if path == "/admin" else None,
            )
            for path, status in PATHS.items()
        ]
        for name, cert in self.certs.certs.items():
            if name not in ("ok", "legacy"):
                found.append(Endpoint(f"https://127.0.0.1:{https}/", cert.hostname, 200))
        found.append(Endpoint(f"https://127.0.0.1:{legacy}/", self.certs.certs["legacy"].hostname, 200))
        found.append(Endpoint(f"http://127.0.0.1:{http}/ok", ok, 301, f"https://{ok}:{https}/ok"))
        found.append(Endpoint(f"http://127.0.0.1:{http}/", self.certs.certs["plain"].hostname, 200))
        return found

    def describe(self) -> dict[str, Any]:
        return {
            "ports": asdict(self.ports),
            "ca_bundle": str(self.certs.ca_bundle),
            "config": str(self.conf),
            "access_log": str(self.access_log),
            "endpoints": [{**asdict(e), "named_url": e.named_url} for e in self.endpoints()],
        }

    def config(self) -> str:
        """nginx.conf: loopback listeners only, every path under our dir."""
        certs, ports = self.certs.certs, self.ports
        servers = [tls_server(ports.https, certs["ok"], *_VALID_HOST_LOCATIONS, default=True)]
        servers += [tls_server(ports.https, cert, _ANY_PATH_OK) for name, cert in certs.items()
                    if name not in ("ok", "legacy")]  # fmt: skip
        servers.append(tls_server(ports.legacy_tls, certs["legacy"], _ANY_PATH_OK, default=True, legacy=True))
        servers.append(
            redirect_server(ports.http, certs["ok"].hostname, f"https://$host:{ports.https}$request_uri", default=True)
        )
        servers.append(plain_server(ports.http, certs["plain"].hostname, _ANY_PATH_OK))
        return main_config(
            self.dir,
            servers,
            written_by="sandbox/web.py; rewritten on every start",
            modules=[ECHO_MODULE],
            # The Authorization header is logged so tests can prove whether a credential arrived.
            access_log_format="""'$remote_addr "$request" $status host=$host authorization="$http_authorization"'""",
            worker_connections=256,
        )


_ANY_PATH_OK = location("/", 'return 200 "ok from $host\\n"')

_VALID_HOST_LOCATIONS = (
    location("= /ok", 'return 200 "ok\\n"'),
    location("= /unauthorized", "add_header WWW-Authenticate 'Basic realm=\"golive sandbox\"' always", "return 401"),
    location("= /forbidden", "return 403"),
    location("= /missing", "return 404"),
    location("= /error", "return 500"),
    location("= /slow", f"echo_sleep {SLOW_SECONDS}", 'echo "slow but ok"'),
    location("= /admin", "return 302 /login"),
    location("= /login", 'return 200 "login page\\n"'),
    location("/", "return 404"),
)


def _refuse_taken(ports: WebPorts) -> None:
    taken = [port for port in asdict(ports).values() if port_open("127.0.0.1", port)()]
    if taken:
        raise SandboxError(f"web: 127.0.0.1 port(s) {taken} already in use by another program")
