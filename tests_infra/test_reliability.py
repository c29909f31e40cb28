"""Reliability criteria: what keeps services running once they are up."""

from __future__ import annotations

import fnmatch

import pytest

from golive.checks import (
    clock,
    container_judges,
    containers,
    disk,
    logrotate,
    logs,
    service_files,
    service_units,
    services,
    systemd,
)
from golive.checks.log_patterns import knowledge_base
from golive.checks.remote import Fleet, RemoteHost
from golive.errors import TargetError
from golive.evidence import Evidence, Verdict
from golive.fixtures.declared import Declared
from golive.inventory import Host, Inventory


@pytest.mark.critical
@pytest.mark.criterion("REL-08", category="Reliability")
def test_disk_usage_under_critical_limit(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Disk usage is under the critical limit (default 90%) on every filesystem.

    Why: a full filesystem stops databases, log writers and image pulls mid-operation;
    at 90% a busy day's logs or one backup is enough to fill it.

    Keys: hosts.<name>.disk: critical_percent (90), mounts, ignore_mounts, ignore_types.

    Fix: free space (docker system prune, log rotation, old backups) or grow the volume;
    set disk.critical_percent in hosts.yaml only for a volume that is full by design.
    """
    policy = fleet_host.disk
    evidence.conclude(disk.judge_usage(disk.filesystems(remote), policy, policy.critical_percent))


@pytest.mark.warning
@pytest.mark.criterion("REL-09", category="Reliability")
def test_disk_usage_under_warning_limit(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Disk usage is under the warning limit (default 85%) on every filesystem.

    Why: the warning limit leaves time to act before REL-08's critical limit is hit.

    Keys: hosts.<name>.disk: warning_percent (85), mounts, ignore_mounts, ignore_types.

    Fix: plan the cleanup or the resize now; disk.warning_percent in hosts.yaml sets the limit.
    """
    policy = fleet_host.disk
    evidence.conclude(disk.judge_usage(disk.filesystems(remote), policy, policy.warning_percent))


# --- containers: REL-01..07, REL-10, REL-11 -------------------------------
# One instance per host judging every container its engine lists at run time, each
# named host/container in the evidence (golive.fixtures.containers says why).


def _containers(fleet_host: Host, remote: RemoteHost) -> containers.ContainerFacts:
    """The host's container facts; not applicable without a docker CLI, unless containers are declared."""
    found = containers.facts(remote)
    absent = found.not_applicable(fleet_host.containers)
    if absent is not None:
        pytest.skip(f"not applicable: {absent}")
    return found


@pytest.mark.critical
@pytest.mark.criterion("REL-01", category="Reliability")
def test_no_unhealthy_container(fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence) -> None:
    """No running container is unhealthy.

    Why: an unhealthy container still "runs", so nothing restarts it, while its proxy
    or its peers already fail against it.

    Keys: hosts.<name>.containers: ignore, exempt (container, criteria, reason).

    Fix: read the health log's last output (docker inspect --format '{{json .State.Health}}'),
    fix the service or its healthcheck; containers.exempt with a reason excuses one container.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_health(found, fleet_host.containers))


@pytest.mark.critical
@pytest.mark.criterion("REL-02", category="Reliability")
def test_no_restart_loop(fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence) -> None:
    """No restart loop: no container restarting, restarts under the limit (default 3/day).

    Why: a restart loop looks like an up service between crashes; each restart drops
    connections and work in flight (e.g. a network controller restarting 10+ times an hour).

    Keys: hosts.<name>.containers.restarts_per_day (3, scaled to window); window (24h).

    Fix: read the container's last logs (docker logs --tail 50 NAME) and fix the crash;
    containers.restarts_per_day sets the limit (scaled to the window).
    """
    found = _containers(fleet_host, remote)
    verdict = container_judges.judge_restarts(found, fleet_host.containers, inventory.window)
    if not verdict.passed:
        for looping in container_judges.restart_looping(found, fleet_host.containers, inventory.window):
            evidence.note(_last_log_lines(fleet_host, remote, inventory, found.target(looping), looping.name))
    evidence.conclude(verdict)


LAST_LOG_LINES = 10


def _last_log_lines(host: Host, remote: RemoteHost, inventory: Inventory, target: str, name: str) -> str:
    """A looping container's newest log lines, from the host's one log read (LOG-01..04's facts)."""
    if not host.logs.containers or any(fnmatch.fnmatchcase(name, glob) for glob in host.logs.exclude):
        return f"{target} last log lines: not read (logs.containers is false or logs.exclude names it)"
    try:
        facts = logs.classified(remote, host, inventory.window, knowledge_base(inventory.log_patterns)).facts
    except TargetError as error:
        return f"{target} last log lines: unreadable ({error})"
    source = facts.container(name)
    if source is None:
        return f"{target} last log lines: none read ({'; '.join(facts.notes) or 'not listed by docker ps'})"
    shown = [line.raw for line in source.lines[-LAST_LOG_LINES:]]
    return (
        f"{target} last {len(shown)} of its {source.candidates} error-like or known-pattern log line(s) "
        "within the window (the host-side filter of the LOG criteria' one read):\n" + "\n".join(shown)
    )


@pytest.mark.warning
@pytest.mark.criterion("REL-03", category="Reliability")
def test_container_defines_healthcheck(
    fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence
) -> None:
    """Every container meant to be up (running, restarting, paused, or stopped by a
    failure) defines a healthcheck, or is exempted with a reason.

    Why: without a healthcheck a hung service is "running" forever: no restart, no
    unhealthy state for monitoring or for depends_on: condition: service_healthy.

    Keys: hosts.<name>.containers: ignore, exempt.

    Fix: add a HEALTHCHECK (image) or healthcheck: (compose) that exercises the service;
    for a one-shot job, add a containers.exempt entry for REL-03 with the reason.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_healthcheck_defined(found, fleet_host.containers))


@pytest.mark.warning
@pytest.mark.criterion("REL-04", category="Reliability")
def test_healthcheck_command_runs_in_image(
    fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence
) -> None:
    """Every healthcheck's command can actually run in its image (no "not found", exit 126/127).

    Why: a healthcheck calling a tool the image lacks marks a healthy service
    unhealthy forever (e.g. a healthcheck calling wget, absent from nginx:alpine).

    Keys: hosts.<name>.containers: ignore, exempt.

    Fix: use a tool the image has (busybox wget, the service's own binary) or add it
    to the image; the health log shows the failing output.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_healthcheck_runnable(found, fleet_host.containers))


@pytest.mark.warning
@pytest.mark.criterion("REL-05", category="Reliability")
def test_container_has_restart_policy(
    fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence
) -> None:
    """Every container meant to be up has a restart policy (unless-stopped, always or on-failure).

    Why: without one, a crash or a host reboot leaves the service down until someone
    notices.

    Keys: hosts.<name>.containers.restart_policies (unless-stopped, always, on-failure).

    Fix: restart: unless-stopped in compose (docker update --restart unless-stopped NAME
    for a running one); containers.restart_policies sets the allowed list.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_restart_policy(found, fleet_host.containers))


@pytest.mark.acceptable
@pytest.mark.criterion("REL-06", category="Reliability")
def test_container_has_memory_limit(
    fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence
) -> None:
    """Every container meant to be up declares a memory limit.

    Why: one leaking container without a limit pushes the whole host into the
    kernel's OOM killer, which may pick the database.

    Keys: hosts.<name>.containers: ignore, exempt.

    Fix: set mem_limit / deploy.resources.limits.memory (docker update --memory for a
    running one) from the container's observed peak plus headroom.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_memory_limit(found, fleet_host.containers))


@pytest.mark.critical
@pytest.mark.criterion("REL-07", category="Reliability")
def test_no_oom_kill(fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence) -> None:
    """No OOM kill within the window: no container OOMKilled, no kernel oom-kill line of this host.

    Why: an OOM kill is a crash the service's own logs never show; it comes back
    under load, usually at the worst time.

    Keys: window (24h); hosts.<name>.containers: ignore, exempt.

    Fix: raise the container's memory limit or fix the leak; the kernel lines name the
    task and its memory cgroup. A kernel log that cannot be read is said so in the evidence.
    """
    found = containers.facts(remote)
    verdict, notes = container_judges.judge_oom(found, fleet_host.containers, inventory.window)
    for note in notes:
        evidence.note(note)
    evidence.conclude(verdict)


@pytest.mark.warning
@pytest.mark.criterion("REL-10", category="Reliability")
def test_build_cache_under_limit(
    fleet_host: Host, remote: RemoteHost, inventory: Inventory, evidence: Evidence
) -> None:
    """Docker's build cache is under the limit (default 1 GB).

    Why: builds on a production host pile up cache until the disk is full (REL-08).

    Keys: hosts.<name>.containers.build_cache_max (1GB).

    Fix: docker builder prune (or --filter until=168h in a timer); containers.build_cache_max
    sets the limit.
    """
    found = _containers(fleet_host, remote)
    evidence.conclude(container_judges.judge_build_cache(found, fleet_host.containers))


@pytest.mark.warning
@pytest.mark.criterion("REL-11", category="Reliability")
def test_logs_rotate(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Logs rotate: container log drivers (json-file max-size, local, shipped) and logrotate rules for logs.files.

    Why: docker's default json-file driver keeps every line forever, and so does an
    application's log file nobody rotates; one chatty service fills the disk.

    Keys: hosts.<name>.containers (log driver max-size); hosts.<name>.logs.files (each covered by a
    logrotate rule).

    Fix: set "log-opts": {"max-size": "10m", "max-file": "3"} in /etc/docker/daemon.json
    (applies to containers created afterwards: recreate them), or logging: in compose;
    for a file of logs.files, install logrotate and add a rule naming it (or a glob
    matching it) to /etc/logrotate.d/.
    """
    verdicts = []
    found = containers.facts(remote)
    absent = found.not_applicable(fleet_host.containers)
    if absent is None:
        verdicts.append(container_judges.judge_log_rotation(found, fleet_host.containers))
    if fleet_host.logs.files:
        verdicts.append(logrotate.judge(logrotate.facts(remote), fleet_host.logs.files))
    for verdict in verdicts:
        if not verdict.applicable:
            evidence.note(f"not applicable: {verdict.summary}")
    verdicts = [verdict for verdict in verdicts if verdict.applicable]
    if absent is not None:
        evidence.note(f"containers: not applicable ({absent})")
    if not verdicts:
        pytest.skip("not applicable: no container to judge and no logs.files declared" + f" ({absent})" * bool(absent))
    failing = [v.summary for v in verdicts if not v.passed]
    comparisons = [c for v in verdicts for c in v.comparisons]
    evidence.conclude(Verdict(not failing, "; ".join(failing or [v.summary for v in verdicts]), comparisons))


# --- scheduled jobs: REL-12 -----------------------------------------------


@pytest.mark.warning
@pytest.mark.criterion("REL-12", category="Reliability")
def test_scheduled_job_last_run_succeeded(scheduled_job: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared scheduled job exists and its last run succeeded (systemd timer, or cron entry with a stamp).

    Why: a timer or cron job that stopped or keeps failing is silent until the thing
    it maintains (backups, certificates, cleanup) runs out (a fleet easily has dozens of timers and cron jobs).

    A stamp dated further ahead of the host's clock than clock.future_tolerance fails
    as dated in the future.

    Keys: hosts.<name>.scheduled[]: name, timer or cron (+ crontabs, stamp), max_age (26h);
    hosts.<name>.clock.future_tolerance (5m).

    Fix: systemctl status NAME.timer and journalctl -u the service; for cron, check the
    crontab line and the job's log. A declared timer where systemd is not PID 1 is an error.
    """
    host, job = scheduled_job.host, scheduled_job.item
    found = systemd.facts(scheduled_job.remote(fleet), host.systemd, host.scheduled)
    if job.timer is not None:
        if not found.booted:
            raise TargetError(f"systemd is not PID 1 on {host.name} ({found.pid1}), but {job.timer} is declared")
        evidence.conclude(systemd.judge_timer(found, job))
        return
    verdict, note = systemd.judge_cron(found, job, host.clock.future_tolerance)
    if note:
        evidence.note(note)
    evidence.conclude(verdict)


# --- clocks: REL-15 ---------------------------------------------------------------


@pytest.mark.warning
@pytest.mark.criterion("REL-15", category="Reliability")
def test_host_clock_synchronized(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """The host's clock is synchronized and within 2 s of the runner's.

    The host's clock is read (``date +%s.%N``) in its batched first round trip and
    bracketed by the runner's clock when that round trip was sent and answered: only
    the offset beyond that uncertainty counts. Synchronization is what the first of
    ``chronyc tracking`` (Leap status), ``timedatectl show`` (NTPSynchronized) and
    ``ntpq -p`` (a selected ``*`` peer) that answers says; when none answers (no tool,
    no daemon, no systemd), only the offset is judged and the evidence says so.
    Timestamps dated in the future (backups, restore records, commits, cron stamps,
    the newest Loki line) fail their own criteria, never pass as age 0.

    Synchronization cannot be produced for real where golive is developed: chronyc's
    output is parsed as verified against its captured real output (synchronized and
    not), ntpq's and timedatectl's against their documented formats; the offset is
    verified live, on a sandbox host whose SSH sessions see a skewed clock.

    Why: a skewed clock makes every age golive and its operators read wrong (backups
    look fresh, logs arrive "from the future"), breaks TLS and token validity and
    scrambles the order of events across hosts in an incident.

    Keys: hosts.<name>.clock: max_offset (2s), sync (true; false for a container,
    whose clock is its machine's), future_tolerance (5m, for the other criteria).

    Fix: run a time-sync daemon (chrony, systemd-timesyncd or ntpd) with reachable
    servers and check it (chronyc tracking, timedatectl timesync-status).
    """
    verdict, note = clock.judge(clock.facts(remote), fleet_host.clock, fleet_host.name)
    if note:
        evidence.note(note)
    evidence.conclude(verdict)


# --- services deployed as systemd units: REL-13, REL-14 ----------------------------------


@pytest.mark.warning
@pytest.mark.criterion("REL-13", category="Reliability")
def test_service_enabled_and_restarting(service: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared service is enabled at boot, restarts on failure and has not hit its start limit.

    Why: a service started by hand but never enabled is gone after the next reboot, and
    one with Restart=no stays down after its first crash; a unit that hit its start
    limit is not restarted again until someone notices.

    Keys: hosts.<name>.services[]: unit. Judged from systemctl show: UnitFileState must
    be enabled, or static/indirect with an enabled unit (or an active target) pulling it
    in; Restart= on-failure or always; Result not start-limit-hit.

    Fix: systemctl enable UNIT; set Restart=on-failure (with RestartSec=) in the unit or
    a drop-in (systemctl edit UNIT); after fixing the cause, systemctl reset-failed UNIT.
    """
    index, declared = service.item
    found = services.facts(service.remote(fleet), service.host)
    evidence.conclude(service_units.judge_boot_and_restart(found, index, declared))


@pytest.mark.critical
@pytest.mark.criterion("REL-14", category="Reliability")
def test_service_configuration_complete(service: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared service's config and environment files exist, parse and define the required keys.

    Why: a deployment that fails for days on a missing config file, a YAML file broken by
    a hand edit or an environment variable nobody set is found by reading the files, not
    by waiting for the service to crash on the code path that needs them.

    Keys: hosts.<name>.services[]: config[] (path, format yaml/json/toml/ini/env,
    required_keys, dotted for nested keys), env_files[] (path, required_keys, optional);
    the unit's own EnvironmentFile= lines are always judged (EnvironmentFile=-PATH may be
    absent). Key names only reach the report: the files' contents are withheld from the
    evidence and their values redacted everywhere.

    Fix: restore the file from the deployment's source, fix the syntax at the line the
    finding names, add the missing keys; then restart the service.
    """
    index, declared = service.item
    found = services.facts(service.remote(fleet), service.host)
    files = service_files.configs_of(found, index, declared)
    if not files:
        if not found.booted:
            raise TargetError(f"{found.host}: systemd is not PID 1 there ({found.pid1}): the unit cannot be read")
        pytest.skip(f"not applicable: {declared.unit} declares no config file and has no EnvironmentFile=")
    evidence.conclude(service_files.judge_configuration(found, files, f"config checks of {service.id}"))
