"""Scenarios: what the sandbox fleet looks like, and which criteria must fail on it.

``healthy`` is the fleet set up the way golive wants it; ``broken`` is the same fleet
with every fault of a real audit planted; ``demo`` (what ``python -m sandbox demo``
shows) has only a handful of them, the serious ones: a fleet mostly fine, NOT READY
because of its critical failures. Every fault names the criteria it must fail and on
which target: that list is the answer key, and the self-test holds golive to it
exactly (no fault missed, no extra failure).

A criterion issue adds its faults here: a ``Fault`` with a ``plant`` function that
changes the running fleet for real, and its ``expect``ed failures. What a baseline
or a fault starts lives under the fleet's run dir and goes away with ``down()``.
"""

from __future__ import annotations

import functools
import json
import shlex
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox import clock, deployed, endpoints, files, log_files, monitored, notes_service, systemd_host, workloads
from sandbox.fleet import Fleet
from sandbox.hosts import SandboxHost
from sandbox.log_lines import plant as plant_log_lines
from sandbox.process import Daemon, SandboxError, wait_for

CLOCK_SKEW = -240
# Each host's own disk, and the only filesystem its inventory declares for REL-08/09:
# a host's mount namespace also holds copies of whatever the machine has mounted
# (its root, other runs' volumes), whose usage is not the host's to judge.
DATA_MOUNT = "/srv/data"
DATA_SIZE_MIB = 16


@dataclass(frozen=True)
class Expect:
    """A criterion that must fail, on a target (a host name, or host/container ...)."""

    criterion: str
    target: str


# The parts of the fleet a fault changes, one lane each: a host (its namespaces and engine),
# the systemd host sd (a container on h1's engine, changed only through systemd inside it),
# the monitoring stack and the web server. Lanes share nothing, so they are planted
# concurrently; within a lane, faults are planted in the order they are listed (BEFORE_SD first).
LANES = ("h1", "h2", systemd_host.NAME, "monitoring", "web")
# Faults planted before sd starts, first in their lane after its baseline: h1's engine misses
# the OOM kill while sd (systemd on that engine, in the machine's cgroup namespace) runs,
# seen as exit 137 with neither OOMKilled nor a kernel oom-kill line, three runs in a row.
BEFORE_SD = ("oom-killed",)


@dataclass(frozen=True)
class Fault:
    """One planted fault: what it is, how it is planted, what must fail, and the lane it changes.

    ``lane`` defaults to the host a ``_on`` / ``_on_fleet`` plant names.
    """

    id: str
    description: str
    plant: Callable[[Fleet], None]
    expect: tuple[Expect, ...]
    lane: str = ""

    def __post_init__(self) -> None:
        if not self.lane:
            object.__setattr__(self, "lane", getattr(self.plant, "lane", ""))
        if self.lane not in LANES:
            raise SandboxError(f"fault {self.id}: lane {self.lane!r} is none of {', '.join(LANES)}")


@dataclass
class Scenario:
    """A baseline every scenario shares, plus this scenario's faults."""

    name: str
    faults: list[Fault] = field(default_factory=list)

    def apply(self, fleet: Fleet) -> None:
        """Set the running fleet up as this scenario says (idempotent per fresh fleet).

        Each lane's baseline, then its faults in order; the lanes concurrently. The
        systemd host sd is started first thing in its lane (booting it and deploying
        notes.service is the longest single step), whether or not a fault is planted on
        it, as soon as the ``BEFORE_SD`` faults (planted right after their lane's
        baseline) are in place.
        """
        before_sd = [fault for fault in self.faults if fault.id in BEFORE_SD]
        planted = [threading.Event() for _ in before_sd]
        failed = threading.Event()
        lanes: dict[str, list[Callable[[], None]]] = {lane: [] for lane in LANES}
        for host in fleet.hosts:
            lanes.setdefault(host.name, []).append(functools.partial(_host_baseline, fleet, host))
        lanes["monitoring"].append(functools.partial(monitored.plant_baseline, fleet, [f.id for f in self.faults]))
        for fault, done in zip(before_sd, planted, strict=True):
            lanes[fault.lane] += [functools.partial(fault.plant, fleet), done.set]
        lanes[systemd_host.NAME].append(functools.partial(_start_sd, fleet, planted, failed))
        for fault in self.faults:
            if fault not in before_sd:
                lanes[fault.lane].append(functools.partial(fault.plant, fleet))
        _in_lanes(list(lanes.values()), failed)

    def answer_key(self) -> list[dict[str, str]]:
        """Fault → criterion → target, machine-readable."""
        return [
            {"fault": fault.id, "criterion": e.criterion, "target": e.target, "description": fault.description}
            for fault in self.faults
            for e in fault.expect
        ]

    def inventory(self, fleet: Fleet) -> dict[str, Any]:
        """The hosts.yaml that points golive at this fleet."""
        described = fleet.describe()
        hosts = {}
        for name, host in described["hosts"].items():
            sandbox_host = fleet.host(name)
            hosts[name] = {
                "backend": host["spec"],
                "ssh_config": host["ssh_config"],
                "command_timeout": "20s",
                "connect_timeout": "10s",
                "sshd": {"config": str(sandbox_host.dir / "ssh" / "sshd_config")},
                # REL-08/09 judge the host's own disk, never what the machine has mounted
                "disk": {"mounts": [DATA_MOUNT]},
                **files.declarations(),
                **endpoints.declarations(fleet, name, [fault.id for fault in self.faults]),
                **workloads.declarations(name),
                **log_files.declarations(),
            }
            hosts[name]["containers"].update(deployed.declarations(name))
        # the systemd host sd is a container on h1: one of h1's containers, and a host of its own
        engine_containers = hosts[systemd_host.ENGINE_HOST]["containers"]
        engine_containers["exempt"] = [*engine_containers.get("exempt", []), systemd_host.EXEMPT]
        hosts[systemd_host.NAME] = systemd_host.declarations(fleet)
        return {"hosts": hosts, "monitoring": monitored.inventory(fleet)}

    def environment(self, fleet: Fleet) -> dict[str, str]:
        """What golive's process environment needs for this inventory (DOCKER_HOST for sd)."""
        return systemd_host.environment(fleet)

    def write(self, fleet: Fleet, directory: Path) -> tuple[Path, Path]:
        """Write hosts.yaml and answer-key.json for this scenario into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        inventory = directory / "hosts.yaml"
        inventory.write_text(
            f"# generated by the sandbox: scenario {self.name}\n" + yaml.safe_dump(self.inventory(fleet))
        )
        key = directory / "answer-key.json"
        key.write_text(json.dumps({"scenario": self.name, "expected_failures": self.answer_key()}, indent=2) + "\n")
        return inventory, key


def _host_baseline(fleet: Fleet, host: SandboxHost) -> None:
    _data_volume(fleet, host)
    files.plant_baseline(host)
    endpoints.plant_baseline(fleet, host)
    workloads.plant_baseline(host)
    deployed.plant_baseline(host)
    log_files.plant_baseline(host)


def _start_sd(fleet: Fleet, planted: list[threading.Event], failed: threading.Event) -> None:
    """sd's baseline, once every ``BEFORE_SD`` fault is planted (not at all once a lane failed)."""
    while not all(done.is_set() for done in planted):
        if failed.wait(0.05):
            return
    systemd_host.plant_baseline(fleet)


def _in_lanes(lanes: list[list[Callable[[], None]]], failed: threading.Event) -> None:
    """Run each lane's steps in order, the lanes concurrently. The first error sets ``failed``,
    which stops every lane before its next step; it is raised once all have stopped."""

    def run(steps: list[Callable[[], None]]) -> None:
        try:
            for step in steps:
                if failed.is_set():
                    return
                step()
        except BaseException:
            failed.set()
            raise

    busy = [steps for steps in lanes if steps]
    with ThreadPoolExecutor(max_workers=max(1, len(busy)), thread_name_prefix="lane") as pool:
        running = [pool.submit(run, steps) for steps in busy]
        errors = [error for future in running if (error := future.exception()) is not None]
    if errors:
        raise errors[0]


def _data_volume(fleet: Fleet, host: SandboxHost) -> None:
    """A small loop-mounted ext4 at /srv/data: a real filesystem a fault can fill."""
    image = host.dir / "data.img"
    if not image.exists():
        subprocess.run(["truncate", "-s", f"{DATA_SIZE_MIB}M", str(image)], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], check=True, capture_output=True)
    mounted = host.sh(f"mountpoint -q {DATA_MOUNT}", check=False).returncode == 0
    if not mounted:
        host.sh(f"mkdir -p {DATA_MOUNT} && mount -o loop {shlex.quote(str(image))} {DATA_MOUNT}")


def _fill_data_volume(fleet: Fleet) -> None:
    host = fleet.host("h2")
    host.sh(f"dd if=/dev/zero of={DATA_MOUNT}/ballast bs=1M count={DATA_SIZE_MIB - 1} 2>/dev/null; sync", check=False)
    used = host.sh(f"df -P {DATA_MOUNT} | awk 'NR==2 {{print $5}}'").stdout.strip()
    if int(used.rstrip("%")) < 91:
        raise SandboxError(f"h2: {DATA_MOUNT} only {used} full after filling")


def _listen_on_all_addresses(fleet: Fleet) -> None:
    host = fleet.host("h1")
    code = "import socket,time; s=socket.socket(); s.bind(('0.0.0.0', 5432)); s.listen(); time.sleep(10**7)"
    daemon = Daemon("fault-port-5432", [*host.enter(), "python3", "-c", code], host.dir)
    daemon.start(lambda: host.listens_on("0.0.0.0:5432"))


def _sshd_accepts_passwords(fleet: Fleet) -> None:
    host = fleet.host("h2")
    config = host.dir / "ssh" / "sshd_config"
    text = config.read_text().replace("PasswordAuthentication no", "PasswordAuthentication yes")
    text = text.replace("PermitRootLogin prohibit-password", "PermitRootLogin yes")
    config.write_text(text)
    pid = host.sshd.pid()
    if pid is not None:
        subprocess.run(["kill", "-HUP", str(pid)], check=False)
    wait_for(
        lambda: "passwordauthentication yes" in host.sh(f"sshd -T -f {config}", check=False).stdout,
        10,
        "sshd reload",
    )


BROKEN_FAULTS = [
    Fault(
        "disk-over-90-percent",
        "h2's /srv/data (a 16 MiB loop-mounted ext4) filled past 90%",
        _fill_data_volume,
        (Expect("REL-08", "h2"), Expect("REL-09", "h2")),
        "h2",
    ),
    Fault(
        "port-on-all-addresses",
        "h1 has a service listening on 0.0.0.0:5432 (PostgreSQL's port)",
        _listen_on_all_addresses,
        (Expect("SEC-01", "h1"),),
        "h1",
    ),
    Fault(
        "sshd-password-login",
        "h2's sshd accepts password authentication and root password login",
        _sshd_accepts_passwords,
        (Expect("SEC-09", "h2"),),
        "h2",
    ),
]


@dataclass(frozen=True)
class _On:
    """A fault planted on one host (its lane) by a function of the host, or of the fleet and the host."""

    lane: str
    plant: Callable[[SandboxHost], None] | None = None
    plant_with_fleet: Callable[[Fleet, SandboxHost], None] | None = None

    def __call__(self, fleet: Fleet) -> None:
        host = fleet.host(self.lane)
        if self.plant_with_fleet is not None:
            self.plant_with_fleet(fleet, host)
        elif self.plant is not None:
            self.plant(host)


def _on(name: str, plant: Callable[[SandboxHost], None]) -> Callable[[Fleet], None]:
    """A fault planted by a sandbox.files function on one host."""
    return _On(name, plant=plant)


def _on_fleet(name: str, plant: Callable[[Fleet, SandboxHost], None]) -> Callable[[Fleet], None]:
    """A fault planted on one host by a function that also needs the fleet (its SSH access)."""
    return _On(name, plant_with_fleet=plant)


# Backups, change control, documentation, acceptance. Order matters within a
# host: history rewrites first, commits next, the unpushed commit and the untracked
# file last (a later commit with git add -A would push or commit them).
FILE_FAULTS = [
    Fault("stale-backup", "h1's nightly backups stopped 3 days ago", _on("h1", files.plant_stale_backup),
          (Expect("BAK-01", "h1/nightly"),)),
    Fault("shrunk-backup", "h2's newest nightly archive is 64 B after 4096 B", _on("h2", files.plant_shrunk_backup),
          (Expect("BAK-02", "h2/nightly"),)),
    Fault("stale-restore-test", "h2's last recorded restore test is 70 days old",
          _on("h2", files.plant_stale_restore_test), (Expect("BAK-03", "h2/drill"),)),
    Fault("broken-dr-playbook", "h1's failover playbook is invalid YAML", _on("h1", files.plant_broken_playbook),
          (Expect("BAK-04", "h1"),)),
    Fault("stale-document", "h2's fleet document was last changed 90 days ago",
          _on("h2", files.plant_stale_document), (Expect("DOC-03", "h2/fleet"),)),
    Fault("tracked-env", "h1's config repo tracks its .env with the database password (committed and pushed)",
          _on("h1", files.plant_tracked_env), (Expect("SEC-07", "h1/infra"),)),
    Fault("gitignore-gap", "h2's .gitignore no longer covers *.key and *.pem", _on("h2", files.plant_gitignore_gap),
          (Expect("SEC-08", "h2/infra"),)),
    Fault("inflated-grade", "h1's phase 00 acceptance document claims A+++ (95/100)",
          _on("h1", files.plant_inflated_grade), (Expect("ACC-02", "h1/phase-00"),)),
    Fault("unsigned-acceptance", "h2's phase 00 acceptance document has no sign-off name and no grade",
          _on("h2", files.plant_unsigned_acceptance), (Expect("ACC-01", "h2/phase-00"),)),
    Fault("missing-runbook", "the runbook h2 declares for REL-08 was deleted", _on("h2", files.plant_missing_runbook),
          (Expect("DOC-02", "h2"),)),
    Fault("inflated-claims", "h1's fleet document claims 83 containers (the docs claimed 83, reality was 62)",
          _on("h1", deployed.inflated_claims), (Expect("DOC-01", "h1"),)),
    Fault("unpushed-commit", "h1's config repo has a commit that was never pushed",
          _on("h1", files.plant_unpushed_commit), (Expect("CHG-02", "h1/infra"),)),
    Fault("uncommitted-edit", "h2's config repo has a hotfix file edited in place, never committed",
          _on("h2", files.plant_uncommitted_edit), (Expect("CHG-01", "h2/infra"),)),
]  # fmt: skip
BROKEN_FAULTS += FILE_FAULTS

# Endpoints, TLS and DNS: see sandbox/endpoints.py for what each endpoint is.
ENDPOINT_FAULTS = [
    Fault("probe-403-mail", "h1's mail endpoint answers 403 (a blackbox probe answering 403 on mail.*)",
          endpoints.served_as_is, (Expect("AVL-01", "h1/mail"),), "web"),
    Fault("probe-401", "h1's grafana endpoint answers 401 to the probe (a probe answering 401)",
          endpoints.served_as_is, (Expect("AVL-01", "h1/grafana"),), "web"),
    Fault("slow-endpoint", "h1's report endpoint takes 3 s to answer (budget 2 s)",
          endpoints.served_as_is, (Expect("AVL-05", "h1/report"),), "web"),
    Fault("certificate-expiring", "h1's shop serves a certificate that expires in 3 days",
          endpoints.served_as_is, (Expect("SEC-04", "h1/shop"), Expect("SEC-05", "h1/shop")), "web"),
    Fault("certificate-expired", "h1's billing serves a certificate that expired 2 days ago",
          endpoints.served_as_is, (Expect("SEC-03", "h1/billing"), Expect("SEC-04", "h1/billing"),
                               Expect("SEC-05", "h1/billing")), "web"),
    Fault("tls-1.0-accepted", "h1's legacy vhost still accepts TLS 1.0 and 1.1",
          endpoints.served_as_is, (Expect("SEC-06", "h1/legacy"),), "web"),
    Fault("http-not-redirected", "h1's blog answers 200 over plain HTTP instead of redirecting to HTTPS",
          endpoints.served_as_is, (Expect("SEC-11", "h1/blog"),), "web"),
    Fault("admin-open", "nginx reloaded with h1's protected /admin served without login (200)",
          endpoints.plant_admin_open, (Expect("SEC-02", "h1/admin"),), "web"),
    Fault("stale-dns-record", f"h2 resolves {endpoints.API_NAME} to a stale {endpoints.STALE_ADDRESS}: "
          "the name points where nothing serves", endpoints.plant_stale_dns,
          (Expect("AVL-03", "h2/api"), Expect("AVL-01", "h2/api"), Expect("AVL-05", "h2/api")), "h2"),
]  # fmt: skip
BROKEN_FAULTS += ENDPOINT_FAULTS

# Containers and hosts. On h2 the engine restart comes first: containers
# created after it are the ones without log rotation.
WORKLOAD_FAULTS = [
    Fault("logs-unrotated", "h2's dockerd restarted with a daemon.json without log-opts; legacy-app logs grow forever",
          _on("h2", workloads.logs_unrotated), (Expect("REL-11", "h2"),)),
    Fault("container-stopped", "h2's expected container report is stopped",
          _on("h2", workloads.stop_expected), (Expect("AVL-02", "h2/report"),)),
    Fault("container-unhealthy", "h1's api fails its healthcheck (test -f /tmp/ready)",
          _on("h1", workloads.unhealthy), (Expect("REL-01", "h1"),)),
    Fault("restart-loop", "h2's uisp exits 1 and restarts for ever (a network controller restarting 10+ times an hour)",
          _on("h2", workloads.restart_loop), (Expect("REL-02", "h2"), Expect("LOG-01", "h2"))),
    Fault("no-healthcheck", "h1's sidecar runs without a healthcheck and no exemption",
          _on("h1", workloads.no_healthcheck), (Expect("REL-03", "h1"),)),
    Fault("healthcheck-tool-missing", "h2's nginx healthcheck calls curl, absent from its image: unhealthy for ever",
          _on("h2", workloads.healthcheck_not_runnable), (Expect("REL-04", "h2"), Expect("REL-01", "h2"))),
    Fault("no-restart-policy", "h1's adhoc container has restart policy no",
          _on("h1", workloads.no_restart_policy), (Expect("REL-05", "h1"),)),
    Fault("no-memory-limit", "h2's cache container has no memory limit",
          _on("h2", workloads.no_memory_limit), (Expect("REL-06", "h2"),)),
    Fault("oom-killed", "h1's oom-worker went past its 8 MiB limit and was OOM-killed by the kernel (twice)",
          _on("h1", workloads.oom_killed), (Expect("REL-07", "h1"),)),
    Fault("build-cache", "a BuildKit build on h1 left 3 MB of build cache (limit 1 MB)",
          _on("h1", workloads.build_cache), (Expect("REL-10", "h1"),)),
    Fault("database-down", "the database h2 depends on (127.0.0.1:5432) stopped: connection refused",
          _on("h2", workloads.database_down), (Expect("AVL-04", "h2/odoo-db"),)),
    Fault("backup-job-stale", "h2's nightly-backup cron job last succeeded 3 days ago",
          _on("h2", workloads.backup_stale), (Expect("REL-12", "h2/nightly-backup"),)),
]  # fmt: skip
BROKEN_FAULTS += WORKLOAD_FAULTS

# systemd units and timers, on the systemd host sd (sandbox/systemd_host.py).
SD = systemd_host.NAME
SYSTEMD_FAULTS = [
    Fault("unit-failed", "sd's flaky.service (ExecStart=/bin/false) is in the failed state; its journal "
          "says so in lines no known pattern explains (read through journald by LOG-01..04)",
          systemd_host.plant_failed_unit, (Expect("AVL-06", "sd"), Expect("LOG-03", "sd")), SD),
    Fault("timer-run-failed", "sd's rotate.timer last ran rotate.service, which exited 3 (and so is failed too)",
          systemd_host.plant_timer_failing, (Expect("REL-12", "sd/rotate"), Expect("AVL-06", "sd")), SD),
]  # fmt: skip
BROKEN_FAULTS += SYSTEMD_FAULTS

# A Python web service deployed by hand as a systemd unit on sd (sandbox/notes_service.py).
NOTES = f"{systemd_host.NAME}/notes"
SERVICE_FAULTS = [
    Fault("service-env-file-readable", f"sd's {notes_service.ENV_FILE} (the database password) is 0644 and owned "
          "by nobody", systemd_host.service_fault(notes_service.env_file_world_readable),
          (Expect("SEC-13", systemd_host.NAME),), SD),
    Fault("service-config-key-missing", "storage.max_note_kib was removed from sd's notes config.yaml",
          systemd_host.service_fault(notes_service.config_key_missing), (Expect("REL-14", NOTES),), SD),
    Fault("service-config-broken", "sd's notes limits.toml was edited into something TOML does not parse",
          systemd_host.service_fault(notes_service.config_broken), (Expect("REL-14", NOTES),), SD),
    Fault("service-as-root", "notes.service lost User= and every sandboxing setting: root, exposure 9.6",
          systemd_host.service_fault(notes_service.unit_as_root_unconfined), (Expect("SEC-12", NOTES),), SD),
    Fault("service-restart-no", "notes.service has Restart=no", systemd_host.service_fault(notes_service.restart_no),
          (Expect("REL-13", NOTES),), SD),
    Fault("service-package-missing", "python3-venv, a declared package of notes, was removed with dpkg",
          systemd_host.service_fault(notes_service.package_removed), (Expect("CHG-05", NOTES),), SD),
    Fault("service-venv-pin-differs", f"notes' requirements pin {notes_service.DRIFTED}; its venv has 6.0",
          systemd_host.service_fault(notes_service.requirements_drifted), (Expect("CHG-05", NOTES),), SD),
    Fault("service-data-dir-not-writable", f"sd's {notes_service.DATA} belongs to root (0755): notes cannot write",
          systemd_host.service_fault(notes_service.data_dir_not_writable), (Expect("CHG-06", NOTES),), SD),
]  # fmt: skip
BROKEN_FAULTS += SERVICE_FAULTS
BROKEN_FAULTS.append(
    Fault("logrotate-rule-disabled", "an upgrade left h1's logrotate rule for /srv/log/app/*.log as app.dpkg-old, "
          "which logrotate skips: h1's app.log is rotated by no rule", _on("h1", log_files.plant_rule_left_as_dpkg_old),
          (Expect("REL-11", "h1"),))
)  # fmt: skip

# The monitoring stack: each fault changes the running Prometheus, blackbox
# exporter, Alertmanager or a host's exporter, or what reached Loki (sandbox/monitored.py).
MONITORING_FAULTS = [
    Fault("exporter-down-h2", "h2's node exporter stopped: its Prometheus target is down and h2 has no other",
          monitored.plant_exporter_down, (Expect("MON-01", "prometheus"), Expect("MON-03", "h2")), "monitoring"),
    Fault("blackbox-probe-403", "the blackbox exporter probes h1's mail endpoint, which answers 403",
          monitored.plant_probe_403, (Expect("MON-02", "prometheus"),), "monitoring"),
    Fault("critical-alert-firing", "a critical alert is firing and a recording rule fails every evaluation",
          monitored.plant_critical_alert, (Expect("MON-04", "prometheus"),), "monitoring"),
    Fault("null-receiver", "Alertmanager reloaded with a single receiver that sends nowhere (null)",
          monitored.plant_null_receiver, (Expect("MON-05", "alertmanager"),), "monitoring"),
    Fault(monitored.LOGS_STOPPED, "h2's log shipper stopped 2 hours ago: Loki has nothing newer from h2",
          monitored.logs_stopped, (Expect("MON-06", "h2"),), "monitoring"),
]  # fmt: skip
BROKEN_FAULTS += MONITORING_FAULTS

# Log evidence: containers printing the audit's log lines (sandbox/log_lines.py).
LOG_FAULTS = [
    Fault("log-restart-loop-and-db-refused", "h1's unms logs 'did not start in time, restarting container' and "
          "odoo logs psycopg2 OperationalError ... Connection refused",
          _on("h1", lambda host: plant_log_lines(host, "unms", "odoo")), (Expect("LOG-01", "h1"),)),
    Fault("log-scanner-flood", "h1's frigate logs 30 RTSP scanner probes at once (tolerated: 20/h)",
          _on("h1", lambda host: plant_log_lines(host, "frigate")), (Expect("LOG-04", "h1"),)),
    Fault("log-sqlite-no-wal", "h2's crowdsec warns 'sqlite is not using WAL mode'",
          _on("h2", lambda host: plant_log_lines(host, "crowdsec")), (Expect("LOG-02", "h2"),)),
    Fault("log-unknown-error", "h2's billing logs an error no known pattern explains (dovecot's 5 SSL_accept "
          "failures and exporter's info lines pass)",
          _on("h2", lambda host: plant_log_lines(host, "billing", "dovecot", "exporter")), (Expect("LOG-03", "h2"),)),
]  # fmt: skip
BROKEN_FAULTS += LOG_FAULTS

# What the config repo deploys (sandbox/deployed.py): SEC-10, CHG-03, CHG-04.
DEPLOY_FAULTS = [
    Fault("docker-socket-mounted", "h1's portainer mounts the engine's docker socket and runs with SYS_ADMIN",
          _on("h1", deployed.socket_and_sys_admin), (Expect("SEC-10", "h1"),)),
    Fault("image-drift", f"h2's app still runs {deployed.DRIFTED_IMAGE}; the repo declares {files.APP_IMAGE}",
          _on("h2", deployed.image_drift), (Expect("CHG-03", "h2/infra"),)),
    Fault("env-changed-by-hand", "h1's app was recreated by hand with APP_MODE changed and DEBUG_SQL added",
          _on("h1", deployed.env_changed_by_hand), (Expect("CHG-04", "h1/infra"),)),
]  # fmt: skip
BROKEN_FAULTS += DEPLOY_FAULTS

# REL-15: h1's clock runs 4 minutes behind in every SSH session (sandbox/clock.py), and only
# there: its Docker engine keeps the machine's clock. Behind, not ahead: a shell clock ahead of
# dockerd's makes ``docker events --until "$(date +%s)"`` wait for that future moment (REL-02's
# facts time out). 4 minutes: far beyond a loaded batch's uncertainty (±17 s seen), far inside
# every age limit (hours, days), and under clock.future_tolerance (5m), so what the sandbox
# wrote a moment ago is at most 4 minutes "ahead" and no other criterion on h1 notices.
# Planted last: faults planted over SSH after it would carry skewed dates.
BROKEN_FAULTS.append(
    Fault("clock-skew", f"h1's clock is {-CLOCK_SKEW // 60} minutes behind the runner's (no time sync)",
          _on_fleet("h1", lambda fleet, host: clock.skew(fleet, host, CLOCK_SKEW)), (Expect("REL-15", "h1"),))
)  # fmt: skip

# The demo: a fleet that is mostly fine, with the handful of serious faults a real audit
# found. Every category but one still scores; what keeps the fleet from going live is its
# critical failures: an expired certificate, an expected container down, the app on an
# older image than the repo declares, backups stopped three days ago, and an acceptance
# document claiming A+++. Its score is capped under the READY line by those criticals
# (tests/sandbox/test_scenarios.py holds it to 60-69).
DEMO_FAULTS = ("stale-backup", "inflated-grade", "certificate-expired", "container-stopped", "image-drift")


def _picked(ids: tuple[str, ...]) -> list[Fault]:
    """The broken scenario's faults of these ids, in its planting order."""
    known = {fault.id for fault in BROKEN_FAULTS}
    unknown = sorted(set(ids) - known)
    if unknown:
        raise SandboxError(f"no broken fault {', '.join(unknown)}")
    return [fault for fault in BROKEN_FAULTS if fault.id in ids]


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "healthy": lambda: Scenario("healthy"),
    "broken": lambda: Scenario("broken", list(BROKEN_FAULTS)),
    "demo": lambda: Scenario("demo", _picked(DEMO_FAULTS)),
}


def scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]()
    except KeyError:
        raise SandboxError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})") from None
