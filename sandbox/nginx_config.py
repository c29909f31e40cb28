"""nginx configuration text for the sandbox's two nginx: the shared web (sandbox/web.py)
and a host's own TLS site (sandbox/host_site.py).

``main_config`` is a complete nginx.conf whose pid, logs and temp files live under
one directory, with the given ``server`` blocks inside ``http``; ``tls_server``,
``plain_server`` and ``redirect_server`` are those blocks. Every listener is on
127.0.0.1 only. The text is indented for a reader; nginx ignores indentation.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from sandbox.tls import Cert

MODERN_TLS = "ssl_protocols TLSv1.2 TLSv1.3;"
# OpenSSL 3 refuses TLS < 1.2 unless the security level is 0.
LEGACY_TLS = "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\nssl_ciphers DEFAULT@SECLEVEL=0;"


def location(match: str, *directives: str) -> str:
    """``location MATCH { DIRECTIVE; ... }``."""
    body = "".join(f"    {directive};\n" for directive in directives)
    return f"location {match} {{\n{body}}}"


def tls_server(port: int, cert: Cert, *blocks: str, default: bool = False, legacy: bool = False) -> str:
    """An HTTPS server for ``cert``'s host name on 127.0.0.1:``port``."""
    head = [
        f"listen 127.0.0.1:{port} ssl{' default_server' if default else ''};",
        f"server_name {cert.hostname};",
        f"ssl_certificate {cert.cert};",
        f"ssl_certificate_key {cert.key};",
        LEGACY_TLS if legacy else MODERN_TLS,
    ]
    return _server([*head, *blocks])


def plain_server(port: int, hostname: str, *blocks: str, default: bool = False) -> str:
    """A plain-HTTP server for ``hostname`` on 127.0.0.1:``port``."""
    return _server([f"listen 127.0.0.1:{port}{' default_server' if default else ''};", f"server_name {hostname};",
                    *blocks])  # fmt: skip


def redirect_server(port: int, hostname: str, target: str, default: bool = False) -> str:
    """A plain-HTTP server for ``hostname`` answering 301 to ``target`` (nginx variables allowed)."""
    return plain_server(port, hostname, f"return 301 {target};", default=default)


def main_config(
    directory: Path,
    servers: Sequence[str],
    *,
    written_by: str,
    modules: Sequence[Path] = (),
    access_log_format: str = "",
    worker_connections: int = 64,
    includes: Sequence[str] = (),
) -> str:
    """nginx.conf with its pid, error and access logs and temp files under ``directory``.

    ``access_log_format``, if given, is a ``log_format`` named ``golive`` used by the
    access log; ``includes`` are files included inside ``http`` before ``servers``.
    """
    tmp = directory / "tmp"
    http = []
    if access_log_format:
        http += [f"log_format golive {access_log_format};", f"access_log {directory / 'access.log'} golive;"]
    else:
        http += [f"access_log {directory / 'access.log'};"]
    http += [f"{kind}_temp_path {tmp}/{name};" for kind, name in _TEMP_PATHS]
    http += ["default_type text/plain;", "server_tokens off;", MODERN_TLS]
    http += [f"include {path};" for path in includes]
    http += list(servers)
    lines = [
        f"# Written by golive's sandbox ({written_by}).",
        *(f"load_module {module};" for module in modules),
        f"pid {directory / 'nginx-master.pid'};",
        f"error_log {directory / 'error.log'} warn;",
        "worker_processes 1;",
        f"events {{\n    worker_connections {worker_connections};\n}}",
        "http {\n" + textwrap.indent("\n".join(http), "    ") + "\n}",
    ]
    return "\n".join(lines) + "\n"


_TEMP_PATHS = (("client_body", "client"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"),
               ("scgi", "scgi"))  # fmt: skip


def _server(lines: Sequence[str]) -> str:
    return "server {\n" + textwrap.indent("\n".join(lines), "    ") + "\n}"
