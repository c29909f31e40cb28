"""The scenarios' systemd host ``sd``: a real systemd as PID 1, for AVL-06, REL-12's timers and services.

The namespace hosts h1 and h2 have no init of their own (their systemd criteria say
not applicable). ``sd`` is a container of ``sandbox.systemd_image`` on h1's engine,
declared in the inventory as a host of its own with the ``docker://sd`` backend:
testinfra runs ``docker exec`` on the runner, which reaches h1's engine through
``DOCKER_HOST`` (``environment()``: the runner's process environment, since
testinfra's docker backend takes no per-host environment; the SSH hosts ignore it).

Healthy: ``good.service`` (declared) is active, no unit failed, the declared
``rotate.timer`` fired and ``rotate.service`` exited 0. Broken: ``flaky.service``
(``ExecStart=/bin/false``) failed, and ``rotate.service`` got a drop-in that exits
3, its timer re-armed: its last run failed.

``notes.service`` (``sandbox.notes_service``), a Python web service deployed by hand,
is declared under ``services`` (REL-13/14, SEC-12/13, CHG-05/06); its faults are
planted by ``service_fault``. sd is a minimal Debian: no curl, no iproute2.

On h1 the container is one of its containers like any other (healthcheck, restart
policy, memory limit), exempted from SEC-10 only, with the reason: systemd as PID 1
in a container needs CAP_SYS_ADMIN (``--privileged`` is refused here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox import notes_service, systemd_image
from sandbox.fleet import Fleet
from sandbox.hosts import SandboxHost
from sandbox.process import shell_wait_for

NAME = "sd"
ENGINE_HOST = "h1"
CONTAINER = "sd"
# sd's own disk (a tmpfs): the one filesystem its REL-08/09 judge. Docker's /etc/hosts
# and /etc/resolv.conf binds come from the engine's data root on the machine's disk.
DISK = "/srv/data"
# SYSLOG: root reads the kernel log (REL-07) as root on a machine does; a container
# lacks the capability by default, and the journal in a container holds no kernel line.
OPTIONS = ("--restart", "unless-stopped", "--memory", "256m", "--health-cmd", "kill -0 1",
           "--health-interval", "1s", "--health-retries", "2", "--health-timeout", "2s",
           "--tmpfs", f"{DISK}:size=16m", "--cap-add", "SYSLOG")  # fmt: skip
UNITS = {
    "good.service": "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n",
    "rotate.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    "rotate.timer": "[Timer]\nOnActiveSec=1\nAccuracySec=1\n",
    "flaky.service": "[Service]\nType=oneshot\nExecStart=/bin/false\n",
}
FAILING_DROP_IN = "[Service]\nExecStart=\nExecStart=/bin/sh -c 'echo rotate: disk full >&2; exit 3'\n"
EXEMPT = {"container": CONTAINER, "criteria": ["SEC-10"],
          "reason": "sandbox host sd: systemd as PID 1 in a container needs CAP_SYS_ADMIN"}  # fmt: skip


def engine_host(fleet: Fleet) -> SandboxHost:
    return fleet.host(ENGINE_HOST)


def environment(fleet: Fleet) -> dict[str, str]:
    """What golive's process needs to reach ``sd`` through the docker:// backend."""
    return {"DOCKER_HOST": engine_host(fleet).engine.docker_host}


def sh(fleet: Fleet, command: str) -> str:
    return systemd_image.exec_in(engine_host(fleet).engine, CONTAINER, command)


def _write(path: str, text: str) -> str:
    """Shell lines writing ``text`` to ``path`` (a quoted here-document: no expansion)."""
    return f"cat > {path} <<'UNIT'\n{text}UNIT\n"


def _shown(unit: str, prop: str) -> str:
    return f'"$(systemctl show --no-pager --value -p {prop} {unit})"'


def _ran(unit: str, result: str, timeout: float, what: str) -> str:
    """A shell loop, run in sd, waiting until ``unit`` has run and ended with ``result``."""
    ran = f"[ {_shown(unit, 'ExecMainExitTimestampMonotonic')} != 0 ] && [ {_shown(unit, 'Result')} = {result} ]"
    return shell_wait_for(ran, timeout, what)


def plant_baseline(fleet: Fleet) -> None:
    """Start ``sd`` on h1's engine (once): good.service active, rotate.timer fired and succeeded.

    The scenarios start it first thing, beside the other hosts' baselines and faults
    (its boot and notes' deployment are the longest step); the systemd faults start it
    themselves too. h1's OOM-kill fault runs meanwhile: when h1's engine misses the
    OOM event (seen while sd ran, systemd sharing the machine's cgroup namespace), the
    kernel's oom-kill line is the evidence (``workloads.oom_killed``).
    """
    engine = engine_host(fleet).engine
    if engine.docker("inspect", CONTAINER, check=False).returncode == 0:
        return
    systemd_image.run(engine_host(fleet).engine, CONTAINER, options=OPTIONS)
    files = "".join(_write(f"/etc/systemd/system/{unit}", text) for unit, text in UNITS.items())
    started = "systemctl daemon-reload && systemctl start good.service rotate.timer\n"
    sh(fleet, files + started + _ran("rotate.service", "success", 15, "sd: rotate.timer's first run"))
    notes_service.deploy(lambda command: sh(fleet, command))


def service_fault(plant: Callable[[Callable[[str], str]], None]) -> Callable[[Fleet], None]:
    """A fault of notes.service (``sandbox.notes_service``): sd up with notes deployed, then ``plant``."""

    def planted(fleet: Fleet) -> None:
        plant_baseline(fleet)
        plant(lambda command: sh(fleet, command))

    return planted


def plant_failed_unit(fleet: Fleet) -> None:
    """flaky.service runs /bin/false: a unit in the failed state."""
    plant_baseline(fleet)
    failed = shell_wait_for(f"[ {_shown('flaky.service', 'ActiveState')} = failed ]", 10, "sd: flaky.service failed")
    sh(fleet, f"systemctl start flaky.service || true\n{failed}")


def plant_timer_failing(fleet: Fleet) -> None:
    """rotate.service now exits 3; the re-armed timer runs it: the timer's last run failed."""
    plant_baseline(fleet)
    drop_in = _write("/etc/systemd/system/rotate.service.d/fail.conf", FAILING_DROP_IN)
    sh(fleet, f"mkdir -p /etc/systemd/system/rotate.service.d\n{drop_in}"
       "systemctl daemon-reload && systemctl restart rotate.timer\n"
       + _ran("rotate.service", "exit-code", 15, "sd: rotate.service's failed run"))  # fmt: skip


def declarations(fleet: Fleet) -> dict[str, Any]:
    """The inventory host ``sd``.

    ``monitoring``: sd is a container on h1, so its machine's metrics and logs are
    h1's node exporter and log shipper (the sandbox runs no exporter inside it).
    """
    return {
        "backend": f"docker://{CONTAINER}",
        "command_timeout": "20s",
        "connect_timeout": "10s",
        "systemd": {"units": ["good.service", notes_service.UNIT]},
        "services": notes_service.declarations(),
        "disk": {"mounts": [DISK]},
        # LOG-01..04 read these units' journal (no Docker engine inside sd)
        "logs": {"containers": False, "units": ["good.service", "flaky.service"]},
        "scheduled": [{"name": "rotate", "timer": "rotate.timer"}],
        # a container's clock is its machine's: REL-15 judges the offset here, the sync on the machine
        "clock": {"sync": False},
        "monitoring": {"labels": {"host": ENGINE_HOST}, "log_labels": {"host": ENGINE_HOST}},
    }
