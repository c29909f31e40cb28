"""A TLS site inside a sandbox host, configured where ``golive init`` reads it.

nginx runs in the host's network and mount namespaces and listens on the host's own
127.0.0.1:443 (and :80, redirecting to it) with one of the sandbox's certificates (``ok.golive.test`` by default).
Its site is ``/etc/nginx/sites-enabled/golive-site`` in the host's private /etc, and
the sandbox CA is appended to the host's system store
(``/etc/ssl/certs/ca-certificates.crt``), so a client on the host verifies the
certificate as it would one from a public CA. The main config, pid, logs and temp
files live under ``<host dir>/site``; the main config also serves the same certificate
on 127.0.0.1:8443, a port no config init reads names.

The host's /etc is made of hard links to one copy of the machine's: a file changed
here is written anew (unlinked first), never in place.

Compose: ``site = HostSite(host, Certificates(run_dir).minted()); site.up()``, then
``site.down()``; ``site.hostname`` is the name it serves.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sandbox.debian import ensure_installed
from sandbox.hosts import SandboxHost
from sandbox.nginx_config import location, main_config, redirect_server, tls_server
from sandbox.process import Daemon
from sandbox.tls import Minted
from sandbox.web import PACKAGES

PORT = 443
HTTP_PORT = 80
UNNAMED_PORT = 8443
SITE = "etc/nginx/sites-enabled/golive-site"
SYSTEM_STORE = "etc/ssl/certs/ca-certificates.crt"


class HostSite:
    """nginx serving ``leaf`` of ``certs`` on ``host``'s 127.0.0.1:443."""

    def __init__(self, host: SandboxHost, certs: Minted, leaf: str = "ok") -> None:
        self.host = host
        self.certs = certs
        self.cert = certs.certs[leaf]
        self.dir = host.dir / "site"
        self.daemon = Daemon(
            "nginx",
            # in the foreground: a daemonizing nginx leaves the started process to exit, which reads as
            # a start-up failure to the readiness wait and leaves the real master unstopped
            [*host.enter(), "nginx", "-e", "stderr", "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"],
            self.dir,
            own_logs=(self.dir / "error.log",),
        )

    @property
    def hostname(self) -> str:
        return self.cert.hostname

    def up(self) -> None:
        ensure_installed(PACKAGES)
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        (self.dir / "nginx.conf").write_text(self.main_config())
        _replace(self.host.dir / SITE, self.site_config())
        store = self.host.dir / SYSTEM_STORE
        trusted = store.read_text() if store.exists() else ""
        ca = self.certs.ca_bundle.read_text()
        if ca not in trusted:
            _replace(store, trusted.rstrip("\n") + "\n" + ca)
        self.daemon.start(self._listening, timeout=15)

    def down(self) -> None:
        self.daemon.stop()

    def _listening(self) -> bool:
        sockets = subprocess.run([*self.host.enter(), "ss", "-Hltn"], capture_output=True, text=True).stdout
        return f"127.0.0.1:{PORT} " in sockets

    def site_config(self) -> str:
        servers = [
            tls_server(PORT, self.cert, _OK),
            redirect_server(HTTP_PORT, self.hostname, "https://$host$request_uri"),
        ]
        return "# The sandbox's TLS site (sandbox/host_site.py).\n" + "\n".join(servers) + "\n"

    def main_config(self) -> str:
        unnamed = [
            "# On no config init reads: found by the certificate it presents on a listening TLS port.",
            tls_server(UNNAMED_PORT, self.cert, _OK),
        ]
        return main_config(
            self.dir, unnamed, written_by="sandbox/host_site.py; the site is the host's own file", includes=[f"/{SITE}"]
        )


_OK = location("/", 'return 200 "ok\\n"')


def _replace(path: Path, text: str) -> None:
    """Write ``path`` as a new file: never through a hard link shared with other hosts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_text(text)
