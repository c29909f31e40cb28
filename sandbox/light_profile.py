"""What every host of a light fleet holds, and the hosts.yaml that declares it.

A realistic production host, the same on every host:

- 6 containers on the shared engine: 3 healthy services (``web`` with an HTTP health
  check, ``worker``, ``report``), ``queue`` whose health check fails (unhealthy),
  ``uisp`` that exits at once under ``--restart always`` (restart-looping), and
  ``app`` that has logged 10,000 lines (info, warnings, a few errors) before idling;
- 7 HTTPS endpoints on the sandbox nginx: a sound site, a protected admin, a 403, a
  certificate about to expire, an expired one, one accepting TLS 1.0, one served over
  plain HTTP without a redirect;
- /srv as sandbox/files.py plants it (a config repo pushed to its upstream, nightly
  backups, a restore-test log, DR files, documents), plus /srv/log/app/app.log of
  10,000 lines with its logrotate rule.

The first host's /srv is planted for real (git runs inside it); every other host gets
a copy of it, which is what 200 hosts can afford.
"""

from __future__ import annotations

import subprocess
from typing import Any

from sandbox import files
from sandbox.debian import ensure_installed
from sandbox.docker_engine import DockerEngine
from sandbox.images import BUSYBOX_IMAGE
from sandbox.light_fleet import LightFleet, LightHost
from sandbox.log_files import LOG_FILE, RULE
from sandbox.process import wait_for

LOG_LINES = 10_000
# Every 10 s (every 2 s, the containers' checks cost the shared engine a tenth of a core for the
# whole run); the engine here has no --health-start-interval to check sooner while starting.
HEALTH = ("--health-interval", "10s", "--health-retries", "2", "--health-timeout", "2s")
# A check that always fails: unhealthy after its first run, 5 s in.
FAILING = ("--health-interval", "5s", "--health-retries", "1", "--health-timeout", "2s")
GOOD = ("--restart", "unless-stopped", "--memory", "32m", *HEALTH)
APP_LOG = (
    "i=0; while [ $i -lt {n} ]; do i=$((i+1)); "
    'echo "level=info msg=\\"request served\\" path=/api/items/$i status=200 ms=3"; '
    'if [ $((i % 250)) -eq 0 ]; then echo "level=warn msg=\\"slow query\\" ms=850 table=items"; fi; '
    'if [ $((i % 2000)) -eq 0 ]; then echo "level=error msg=\\"upstream timed out\\" upstream=billing"; fi; '
    "done; exec sleep 1000000"
)
# name -> (docker run options, command)
CONTAINERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "web": (
        (*GOOD, "--health-cmd", "wget -q -O /dev/null http://127.0.0.1:8080/passwd"),
        ("httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/etc"),
    ),
    "worker": ((*GOOD, "--health-cmd", "kill -0 1"), ("sleep", "1000000")),
    "report": ((*GOOD, "--health-cmd", "kill -0 1"), ("sleep", "1000000")),
    "queue": (
        ("--restart", "unless-stopped", "--memory", "32m", *FAILING, "--health-cmd", "false"),
        ("sleep", "1000000"),
    ),
    "uisp": (("--restart", "always", "--memory", "32m"), ("sh", "-c", "echo 'uisp: error: migration failed'; exit 1")),
    "app": ((*GOOD, "--health-cmd", "kill -0 1"), ("sh", "-c", APP_LOG.format(n=LOG_LINES))),
}
EXPECTED = ["web", "worker", "report", "queue", "app"]


def plant(fleet: LightFleet) -> None:
    """Containers on the shared engine, then every host's /srv and logrotate rule."""
    plant_containers(fleet.engine)
    template = fleet.hosts[0]
    files.plant_baseline(template)
    log = template.files_dir / "log" / "app" / "app.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(_app_line(index) for index in range(LOG_LINES)))
    ensure_installed(["logrotate"])
    for host in fleet.hosts:
        if host is not template:
            subprocess.run(["cp", "-a", f"{template.files_dir}/.", str(host.files_dir)], check=True)
        _logrotate_rule(host)


def plant_containers(engine: DockerEngine) -> None:
    for name, (options, command) in CONTAINERS.items():
        engine.docker("rm", "--force", name, check=False)
        engine.docker("run", "-d", "--name", name, "--network", "none", *options, BUSYBOX_IMAGE.tag, *command)

    def settled() -> bool:
        states = {name: _health(engine, name) for name in ("web", "worker", "report", "app", "queue")}
        logged = engine.docker("logs", "--tail", "1", "app", check=False).stdout.strip() != b""
        return (
            logged
            and states["queue"] == "unhealthy"
            and all(state == "healthy" for name, state in states.items() if name != "queue")
        )

    wait_for(settled, 60, "light fleet containers settled")


def inventory(fleet: LightFleet) -> dict[str, Any]:
    """hosts.yaml for the fleet: every host declares the same profile."""
    return {"hosts": {host.name: host_declarations(fleet, host) for host in fleet.hosts}}


def host_declarations(fleet: LightFleet, host: LightHost) -> dict[str, Any]:
    return {
        "backend": host.spec,
        "ssh_config": str(fleet.ssh.config),
        "command_timeout": "20s",
        "connect_timeout": "10s",
        "sshd": {"config": str(host.dir / "ssh" / "sshd_config")},
        "disk": {"mounts": ["/srv"]},
        "containers": {"expected": EXPECTED},
        "logs": {"files": [LOG_FILE], "max_lines": LOG_LINES},
        "endpoints": endpoints(fleet),
        **files.declarations(),
    }


def endpoints(fleet: LightFleet) -> list[dict[str, Any]]:
    """The 7 endpoints every host declares (see the module docstring)."""
    web = fleet.web
    https, legacy, http = web.ports.https, web.ports.legacy_tls, web.ports.http
    ca = str(web.certs.ca_bundle)

    def one(name: str, path: str, server: str, port: int = https, **more: Any) -> dict[str, Any]:
        return {
            "name": name,
            "url": f"https://127.0.0.1:{port}{path}",
            "server_name": f"{server}.golive.test",
            "ca_bundle": ca,
            "http_url": f"http://127.0.0.1:{http}{path}",
            **more,
        }

    return [
        one("site", "/ok", "ok"),
        one("admin", "/admin", "ok", protected=True),
        one("mail", "/forbidden", "ok"),
        one("shop", "/", "expiring"),
        one("billing", "/", "expired"),
        one("legacy", "/", "legacy", port=legacy),
        one("blog", "/", "plain"),
    ]


def _app_line(index: int) -> str:
    if index % 2000 == 1999:
        return f"2026-01-01T00:00:{index % 60:02d}Z ERROR app: payment provider timed out after 30s (order {index})\n"
    if index % 250 == 249:
        return f"2026-01-01T00:00:{index % 60:02d}Z WARNING app: retrying connection to cache (attempt {index % 5})\n"
    return f"2026-01-01T00:00:{index % 60:02d}Z INFO app: GET /api/items/{index} 200 3ms\n"


def _health(engine: DockerEngine, name: str) -> str:
    result = engine.docker("inspect", "--format", "{{.State.Health.Status}}", name, check=False)
    return result.stdout.decode().strip()


def _logrotate_rule(host: LightHost) -> None:
    host.adopt_etc("logrotate.conf")
    rules = host.dir / "etc" / "logrotate.d"
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "app").write_text(RULE)
