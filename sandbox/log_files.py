"""A declared log file on each sandbox host and the logrotate rule that rotates it (REL-11).

Each host writes ``/srv/log/app/app.log`` (``/srv`` is the host's own) and declares
it in ``logs.files``; its rule lives in the host's own ``/etc/logrotate.d``
(the host's /etc is its own: planted rules never reach the machine's ``/etc``).
logrotate itself is the machine's package; its ``/etc/logrotate.conf`` (which
includes ``/etc/logrotate.d``) is copied into the host's /etc when missing there.
The fault: a package upgrade left h1's rule as ``app.dpkg-old``, a name logrotate
skips, so nothing rotates h1's log any more.
"""

from __future__ import annotations

from typing import Any

from sandbox.debian import ensure_installed
from sandbox.hosts import SandboxHost

LOG_FILE = "/srv/log/app/app.log"
RULE = "/srv/log/app/*.log {\n    weekly\n    rotate 4\n    compress\n    missingok\n    notifempty\n}\n"


def _rules(host: SandboxHost) -> Any:
    return host.dir / "etc" / "logrotate.d"


def plant_baseline(host: SandboxHost) -> None:
    """logrotate installed, the host's log file written, its rule in the host's /etc/logrotate.d."""
    ensure_installed(["logrotate"])
    host.adopt_etc("logrotate.conf")
    log = host.files_dir / "log" / "app" / "app.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"{host.name} app: started, listening on 127.0.0.1:8000\n")
    _rules(host).mkdir(parents=True, exist_ok=True)
    (_rules(host) / "app").write_text(RULE)


def declarations() -> dict[str, Any]:
    return {"logs": {"files": [LOG_FILE]}}


def plant_rule_left_as_dpkg_old(host: SandboxHost) -> None:
    rules = _rules(host)
    (rules / "app").rename(rules / "app.dpkg-old")
