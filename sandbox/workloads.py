"""Containers, a TCP dependency and a cron job on the sandbox hosts (the container and host criteria).

The baseline is what a well-run host looks like to AVL-02, AVL-04, REL-01..07,
REL-10..12: every container with a healthcheck that works, a restart policy, a
memory limit and rotated logs; the database h2 depends on listening; h2's nightly
backup in its crontab with a fresh success stamp. Each fault changes one thing for
real: containers that are stopped, unhealthy, restart-looping, OOM-killed by the
kernel, without a healthcheck / policy / limit, a healthcheck calling a tool the
image lacks, a build cache left by a real BuildKit build, an engine restarted
without log rotation, the database gone, the backup's last success days old.

Containers use ``--network none`` (loopback only) and the images the sandbox
imports (no registry). Cron lives in ``/srv/cron.d`` of each host (the machine's
``/etc`` is shared by every sandbox host), which the inventory declares.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time
from collections.abc import Sequence
from typing import Any

from sandbox.docker_engine import DEFAULT_CONFIG, DockerEngine
from sandbox.hosts import SandboxHost
from sandbox.images import BUSYBOX_IMAGE, NO_WGET_IMAGE
from sandbox.process import Daemon, SandboxError, wait_for

DB_PORT = 5432
CRONTABS = "/srv/cron.d"
CRON_LINE = "30 2 * * * root /srv/bin/nightly-backup && touch /srv/state/nightly-backup.ok"
STAMP = "/srv/state/nightly-backup.ok"
BUILD_CACHE_LIMIT = "1MB"
HEALTH = ("--health-interval", "1s", "--health-retries", "2", "--health-timeout", "2s")
GOOD = ("--restart", "unless-stopped", "--memory", "32m", *HEALTH)
DAY = 86400
# what the restart-looping uisp prints before each exit: REL-02 shows it, and LOG-01 reads
# it as critical (an error saying the service exits)
CRASH_LINE = "uisp: error: database migration 42 failed, exiting with code 1"

# name -> (docker run options, command); exemptions: name -> (criteria, reason)
BASELINE: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "h1": {
        "web": (
            (*GOOD, "--health-cmd", "wget -q -O /dev/null http://127.0.0.1:8080/passwd"),
            ("httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/etc"),
        ),
        "log-shipper": (("--restart", "unless-stopped", "--memory", "16m"), ("sleep", "1000000")),
    },
    "h2": {
        "worker": ((*GOOD, "--health-cmd", "kill -0 1"), ("sleep", "1000000")),
        "report": ((*GOOD, "--health-cmd", "kill -0 1"), ("sleep", "1000000")),
    },
}
EXPECTED = {"h1": ["web"], "h2": ["worker", "report"]}
EXEMPT = {
    "h1": [{"container": "log-shipper", "criteria": ["REL-03"], "reason": "no API to probe; its upstream alerts"}]
}


def engine(host: SandboxHost) -> DockerEngine:
    return host.engine


def run(host: SandboxHost, name: str, options: Sequence[str], command: Sequence[str], image: str = "") -> None:
    """(Re)create container ``name`` on the host's engine, loopback only."""
    docker = engine(host).docker
    docker("rm", "--force", name, check=False)
    docker("run", "-d", "--name", name, "--network", "none", *options, image or BUSYBOX_IMAGE.tag, *command)


def inspect(host: SandboxHost, name: str) -> dict[str, Any]:
    return json.loads(engine(host).docker("inspect", name).stdout)[0]


def _db(host: SandboxHost) -> Daemon:
    code = (
        "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        f"s.bind(('127.0.0.1', {DB_PORT})); s.listen(); time.sleep(10**7)"
    )
    return Daemon("odoo-db", [*host.enter(), "python3", "-c", code], host.dir)


def _listening(host: SandboxHost) -> bool:
    return host.listens_on(f"127.0.0.1:{DB_PORT}")


def plant_baseline(host: SandboxHost) -> None:
    """The healthy containers, h2's database and h2's nightly backup job."""
    for name, (options, command) in BASELINE.get(host.name, {}).items():
        run(host, name, options, command)
    for name in EXPECTED.get(host.name, []):
        wait_for(lambda name=name: inspect(host, name)["State"].get("Health", {}).get("Status") == "healthy",
                 20, f"{host.name}/{name} healthy")  # fmt: skip
    if host.name == "h2":
        _db(host).start(lambda: _listening(host), timeout=15)
        (host.files_dir / "cron.d").mkdir(parents=True, exist_ok=True)
        (host.files_dir / "cron.d" / "nightly-backup").write_text(f"# nightly backup\n{CRON_LINE}\n")
        stamp = host.files_dir / "state" / "nightly-backup.ok"
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        os.utime(stamp, (time.time() - 6 * 3600,) * 2)


def declarations(name: str) -> dict[str, Any]:
    """The inventory keys for host ``name``: expected containers, exemptions, limits, dependencies, jobs."""
    found: dict[str, Any] = {
        "containers": {"expected": EXPECTED.get(name, []), "exempt": EXEMPT.get(name, []),
                       "build_cache_max": BUILD_CACHE_LIMIT},
    }  # fmt: skip
    if name == "h2":
        found["dependencies"] = [{"name": "odoo-db", "address": "127.0.0.1", "port": DB_PORT}]
        found["scheduled"] = [
            {"name": "nightly-backup", "cron": "/srv/bin/nightly-backup", "crontabs": [f"{CRONTABS}/*"], "stamp": STAMP}
        ]
    return found


# --- faults --------------------------------------------------------------------------


def stop_expected(host: SandboxHost) -> None:
    engine(host).docker("stop", "--time", "1", "report")


def unhealthy(host: SandboxHost) -> None:
    run(host, "api", (*GOOD, "--health-cmd", "test -f /tmp/ready"), ("sleep", "1000000"))
    wait_for(lambda: inspect(host, "api")["State"]["Health"]["Status"] == "unhealthy", 20, "api unhealthy")


def restart_loop(host: SandboxHost) -> None:
    options = ("--restart", "always", "--memory", "32m", *HEALTH, "--health-cmd", "kill -0 1")
    run(host, "uisp", options, ("sh", "-c", f"echo '{CRASH_LINE}'; sleep 0.2; exit 1"))
    wait_for(lambda: inspect(host, "uisp")["RestartCount"] >= 4, 30, "uisp restarted 4 times")


def no_healthcheck(host: SandboxHost) -> None:
    run(host, "sidecar", ("--restart", "unless-stopped", "--memory", "16m"), ("sleep", "1000000"))


def healthcheck_not_runnable(host: SandboxHost) -> None:
    """nginx-like: the healthcheck calls curl, which the image does not have."""
    options = (*GOOD, "--health-cmd", "curl -f http://127.0.0.1:8080/")
    run(host, "nginx", options, ("httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/etc"), NO_WGET_IMAGE.tag)
    wait_for(lambda: inspect(host, "nginx")["State"]["Health"]["Status"] == "unhealthy", 20, "nginx unhealthy")


def no_restart_policy(host: SandboxHost) -> None:
    run(host, "adhoc", ("--memory", "16m", *HEALTH, "--health-cmd", "kill -0 1"), ("sleep", "1000000"))


def no_memory_limit(host: SandboxHost) -> None:
    run(host, "cache", ("--restart", "unless-stopped", *HEALTH, "--health-cmd", "kill -0 1"), ("sleep", "1000000"))


def oom_killed(host: SandboxHost, attempts: int = 3) -> None:
    """A worker over its 8 MiB limit: the kernel's memory cgroup OOM-kills it, for real.

    dockerd 20.10 on cgroup v1 can process the exit before the OOM event and then
    records exit 137 without OOMKilled (seen under load). The kernel's own ``oom-kill:``
    line naming the container is then the evidence (REL-07 judges both); without
    either, the run is repeated.
    """
    options = ("--restart", "on-failure:1", "--memory", "8m", "--memory-swap", "8m")
    state: dict[str, Any] = {}
    for _ in range(attempts):
        run(host, "oom-worker", options, ("tail", "/dev/zero"))

        def stopped() -> bool:
            nonlocal state
            found = inspect(host, "oom-worker")  # RestartCount is beside State, not in it
            state = found["State"]
            return state["Status"] == "exited" and (state["OOMKilled"] or found.get("RestartCount", 0) >= 1)

        try:
            wait_for(stopped, 30, "oom-worker stopped")
        except SandboxError:
            continue
        if state["OOMKilled"] or _kernel_killed(inspect(host, "oom-worker")["Id"]):
            return
    raise SandboxError(f"{host.name}: oom-worker not reported OOM-killed in {attempts} runs: state {state}")


def _kernel_killed(container_id: str) -> bool:
    """Whether the kernel log has an ``oom-kill:`` line for the container's memory cgroup."""
    kernel = subprocess.run(["dmesg"], capture_output=True, text=True, errors="replace").stdout
    return any("oom-kill:" in line and container_id in line for line in kernel.splitlines())


def build_cache(host: SandboxHost) -> None:
    """A real BuildKit build leaves ~3 MB of build cache (over the declared 1 MB)."""
    context = host.dir / "build-context"
    context.mkdir(exist_ok=True)
    (context / "blob").write_bytes(os.urandom(3 * 2**20))
    (context / "Dockerfile").write_text(f"FROM {BUSYBOX_IMAGE.tag}\nCOPY blob /blob\n")
    eng = engine(host)
    env = {**os.environ, "DOCKER_BUILDKIT": "1", "DOCKER_HOST": eng.docker_host}
    result = subprocess.run(["/usr/bin/docker", "build", "-q", "-t", "golive-sandbox/built:1", str(context)],
                            env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    if result.returncode != 0:
        raise SandboxError(f"{host.name}: docker build failed: {result.stderr[-300:]}")


def logs_unrotated(host: SandboxHost) -> None:
    """The engine restarted with a daemon.json that lost its log-opts; a container created since keeps every line."""
    bare = dataclasses.replace(engine(host), config={k: v for k, v in DEFAULT_CONFIG.items() if k != "log-opts"})
    # Only dockerd: DockerEngine.stop() would also end the host's sshd (its root is the host's dir).
    bare.daemon.stop(timeout=20)
    bare.start()
    for name in BASELINE.get(host.name, {}):
        wait_for(lambda name=name: inspect(host, name)["State"]["Status"] == "running", 20, f"{name} back")
    options = (*GOOD, "--health-cmd", "kill -0 1")
    run(host, "legacy-app", options, ("sh", "-c", "while true; do date; sleep 1; done"))


def database_down(host: SandboxHost) -> None:
    _db(host).stop()
    wait_for(lambda: not _listening(host), 10, "odoo-db stopped")


def backup_stale(host: SandboxHost) -> None:
    stamp = host.files_dir / "state" / "nightly-backup.ok"
    os.utime(stamp, (time.time() - 3 * DAY,) * 2)
