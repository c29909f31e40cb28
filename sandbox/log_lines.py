"""Containers that print the user's audit log lines (LOG-01..04), for real.

Each is a busybox container (``--network none``) whose command echoes real-looking
lines and then sleeps, so ``docker logs --timestamps`` on the host shows them with
the engine's own timestamps, within any window. ``LOG_FAULTS`` are planted by the
broken scenario; the healthy scenario runs none of them.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from sandbox.hosts import SandboxHost
from sandbox.images import BUSYBOX_IMAGE
from sandbox.process import wait_for

UNMS_LINES = (
    "Starting UNMS 2.4.155 (server_with_migrate)",
    "WARNING: UNMS did not start in time, restarting container",
    "make: *** [Makefile:22: server_with_migrate] Error 1",
)
ODOO_LINES = (
    "2026-02-15 20:34:45,101 1 INFO ? odoo.sql_db: Connection to the database failed",
    "2026-02-15 20:34:45,102 1 ERROR ? odoo.service.server: Worker WorkerCron (36) Exception occurred, exiting...",
    'psycopg2.OperationalError: connection to server at "odoo-db" (172.22.0.2), port 5432 failed: Connection refused',
)
CROWDSEC_LINES = (
    'time="2026-02-15T20:00:01Z" level=info msg="Starting processing data"',
    'time="2026-02-15T20:00:01Z" level=warning msg="sqlite is not using WAL mode, LAPI might become unresponsive '
    'when inserting the community blocklist"',
)
UNKNOWN_LINES = (
    "INFO: invoice export started",
    "ERROR: invoice export job 4711 aborted: ledger at 10.20.0.7:8443 answered 502",
    "ERROR: invoice export job 4712 aborted: ledger at 10.20.0.9:8443 answered 502",
)
RTSP_LINE = '15:04:05.123 WRN [rtsp] error="unsupported method: GET" remote_addr=185.220.101.4:51234'
SSL_LINE = (
    "imap-login: Disconnected: Connection closed: SSL_accept() failed: error:0A000102:SSL routines::unsupported "
    "protocol (no auth attempts in 0 secs): user=<>, rip=45.148.10.1, lip=172.22.1.250"
)
HEALTHY_OPTIONS = ("--restart", "unless-stopped", "--memory", "16m", "--health-cmd", "kill -0 1",
                   "--health-interval", "1s", "--health-retries", "2", "--health-timeout", "2s")  # fmt: skip
QUIET_LINES = ('level=info msg="ready" listen=127.0.0.1:9000', "GET /healthz 200 0.4ms")


def printing(lines: Sequence[str], repeat: int = 1) -> tuple[str, ...]:
    """A container command printing ``lines`` (``repeat`` times each), then sleeping."""
    echo = "; ".join(f"echo {shlex.quote(line)}" for line in lines)
    loop = f"i=0; while [ $i -lt {repeat} ]; do {echo}; i=$((i+1)); done"
    return ("sh", "-c", f"{loop}; exec sleep 1000000")


def start(host: SandboxHost, name: str, command: Sequence[str]) -> None:
    """(Re)create container ``name`` printing its lines; wait until the engine has them."""
    docker = host.engine.docker
    docker("rm", "--force", name, check=False)
    options = HEALTHY_OPTIONS  # a well-kept container: only its logs are at fault
    docker("run", "-d", "--name", name, "--network", "none", *options, BUSYBOX_IMAGE.tag, *command)
    wait_for(lambda: docker("logs", name, check=False).stdout.strip() != b"", 20, f"{host.name}/{name} logged")


def remove(host: SandboxHost, *names: str) -> None:
    host.engine.docker("rm", "--force", *names, check=False)


# host -> container name -> command; what the broken scenario plants
LOG_FAULTS: dict[str, dict[str, tuple[str, ...]]] = {
    "h1": {
        "unms": printing(UNMS_LINES),
        "odoo": printing(ODOO_LINES),
        "frigate": printing([RTSP_LINE], repeat=30),
    },
    "h2": {
        "crowdsec": printing(CROWDSEC_LINES),
        "billing": printing(UNKNOWN_LINES),
        "dovecot": printing([SSL_LINE], repeat=5),
        "exporter": printing(QUIET_LINES),
    },
}


def plant(host: SandboxHost, *names: str) -> None:
    """Start the named containers of ``LOG_FAULTS`` on ``host``."""
    for name in names:
        start(host, name, LOG_FAULTS[host.name][name])
