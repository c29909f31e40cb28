"""Judges of a host's containers (AVL-02, REL-01..07, REL-10, REL-11, SEC-10): pure functions
from ``ContainerFacts`` (``golive.checks.containers``) and the host's ``containers:`` policy
to a verdict with its comparisons; a container exempt from a criterion shows as exempt, with
its reason."""

from __future__ import annotations

import datetime as dt

from golive.checks.containers import DAY, Container, ContainerFacts, timestamp
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.inventory import ContainerPolicy
from golive.redact import shorten


def _exempt(found: ContainerFacts, container: Container, exempt: dict[str, str]) -> Comparison | None:
    reason = exempt.get(container.name)
    if reason is None:
        return None
    return Comparison(found.target(container), "exempt", "because", reason, True)


def judge_expected(found: ContainerFacts, kind: str, name: str, policy: ContainerPolicy) -> Verdict:
    """AVL-02: the expected container (or every container of the compose project) is running."""
    if kind == "container":
        container = found.named(name)
        if container is None:
            listed = ", ".join(c.name for c in found.containers) or "none"
            return Verdict(False, f"{found.host}/{name} does not exist (containers on {found.host}: {listed})")
        ok = container.is_running
        comparison = Comparison(found.target(container), container.status, "==", "running", ok)
        return Verdict(ok, f"{found.target(container)} is {container.describe()}", [comparison])
    members = [c for c in found.judged(policy) if c.compose_project == name]
    if not members:
        return Verdict(False, f"compose project {name} has no container on {found.host}")
    comparisons = [
        Comparison(found.target(c), c.status, "==", "running", c.is_running)
        for c in members
        if not (c.status == "exited" and c.exit_code == 0)  # a finished one-shot service (migrations)
    ]
    return Verdict.from_comparisons(comparisons, f"containers of compose project {name}")


def judge_health(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-01: no running container is unhealthy."""
    exempt = policy.exemptions("REL-01")
    comparisons = []
    for c in found.judged(policy):
        if not c.is_running or not c.has_healthcheck:
            continue
        subject = f"{found.target(c)} health (last output: {shorten(c.last_health_output, 200) or 'none'!r})"
        comparisons.append(
            _exempt(found, c, exempt) or Comparison(subject, c.health, "!=", "unhealthy", not c.is_unhealthy)
        )
    return Verdict.from_comparisons(comparisons, f"running containers with a healthcheck on {found.host}")


def restart_looping(found: ContainerFacts, policy: ContainerPolicy, window: float) -> list[Container]:
    """The judged, non-exempt containers REL-02 finds looping (whose last log lines are its evidence)."""
    exempt = policy.exemptions("REL-02")
    return [
        c
        for c in found.judged(policy)
        if c.name not in exempt
        and c.is_restart_looping(
            len([t for t in found.deaths.get(c.id, []) if t >= found.now - window]),
            found.now,
            window,
            policy.restarts_per_day,
        )
    ]


def judge_restarts(found: ContainerFacts, policy: ContainerPolicy, window: float) -> Verdict:
    """REL-02: no container restarting, and restarts per day under the limit.

    dockerd keeps no restart history, only its latest 256 events in memory (health
    checks alone can flush them within minutes), so restarts are judged from both:
    the ``die`` events still held within the window, and RestartCount averaged over
    the container's life (at least one window).
    """
    exempt = policy.exemptions("REL-02")
    comparisons = []
    for c in found.judged(policy):
        deaths = sorted(t for t in found.deaths.get(c.id, []) if t >= found.now - window)
        times = ", ".join(dt.datetime.fromtimestamp(t, dt.UTC).strftime("%H:%M:%S") for t in deaths[-5:])
        rate = c.restarts_per_day(found.now, window)
        subject = (
            f"{found.target(c)} {c.status}, RestartCount {c.restart_count} since {c.created[:19] or '?'}, "
            f"{len(deaths)} die event(s) held in the window [{times}]"
        )
        looping = c.is_restart_looping(len(deaths), found.now, window, policy.restarts_per_day)
        measured = "restarting" if c.status == "restarting" else f"{max(rate, len(deaths) * DAY / window):.1f}"
        comparisons.append(
            _exempt(found, c, exempt)
            or Comparison(subject, measured, "<=", f"{policy.restarts_per_day:g}", not looping, " restarts/day")
        )
    return Verdict.from_comparisons(comparisons, f"containers' restarts on {found.host}")


def judge_healthcheck_defined(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-03: every container meant to be up defines a healthcheck, unless exempt; a restart
    loop is judged whether the read finds it running or restarting."""
    exempt = policy.exemptions("REL-03")
    comparisons = [
        _exempt(found, c, exempt)
        or Comparison(
            f"{found.target(c)} healthcheck",
            shorten(" ".join(c.healthcheck or ("none",)), 200),
            "is",
            "defined",
            c.has_healthcheck,
        )
        for c in found.judged(policy)
        if c.is_live
    ]
    return Verdict.from_comparisons(comparisons, f"containers meant to be up on {found.host}")


def judge_healthcheck_runnable(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-04: no healthcheck run failed because its command could not run in the image."""
    exempt = policy.exemptions("REL-04")
    comparisons = []
    for c in found.judged(policy):
        if not c.has_healthcheck or not c.health_log:
            continue
        bad = c.healthcheck_not_runnable()
        shown = (
            f"exit {bad.exit_code}: {shorten(bad.output.strip(), 200)}" if bad else f"exit {c.health_log[-1].exit_code}"
        )
        subject = f"{found.target(c)} healthcheck {shorten(' '.join(c.healthcheck or ()), 120)!r}"
        comparisons.append(_exempt(found, c, exempt) or Comparison(subject, shown, "is", "runnable", bad is None))
    return Verdict.from_comparisons(comparisons, f"healthchecks on {found.host}")


def judge_restart_policy(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-05: every container meant to be up has an allowed restart policy."""
    exempt = policy.exemptions("REL-05")
    allowed = "|".join(policy.restart_policies)
    comparisons = [
        _exempt(found, c, exempt)
        or Comparison(
            f"{found.target(c)} restart policy",
            c.restart_policy,
            "in",
            allowed,
            c.has_restart_policy(policy.restart_policies),
        )
        for c in found.judged(policy)
        if c.is_live
    ]
    return Verdict.from_comparisons(comparisons, f"containers on {found.host}")


def judge_memory_limit(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-06: every container meant to be up has a memory limit."""
    exempt = policy.exemptions("REL-06")
    comparisons = [
        _exempt(found, c, exempt)
        or Comparison(
            f"{found.target(c)} memory limit",
            f"{c.memory_limit // 2**20} MiB" if c.memory_limit else "none",
            "is",
            "set",
            c.memory_limit > 0,
        )
        for c in found.judged(policy)
        if c.is_live
    ]
    return Verdict.from_comparisons(comparisons, f"containers on {found.host}")


def judge_oom(found: ContainerFacts, policy: ContainerPolicy, window: float) -> tuple[Verdict, list[str]]:
    """REL-07: no container OOMKilled within the window, no kernel OOM kill of this host's.

    Kernel lines whose memory cgroup is a container id not on this host are listed
    but not judged: a removed container, or another host sharing the kernel (the
    sandbox's hosts do). A kernel log that cannot be read (neither dmesg nor the
    journal) is an error: the kernel part cannot be judged. Returns the verdict and
    notes for the evidence.
    """
    exempt = policy.exemptions("REL-07")
    since = found.now - window
    comparisons: list[Comparison] = []
    notes: list[str] = []
    absent = found.not_applicable(policy)
    judged = found.judged(policy) if absent is None else []
    for c in judged:
        finished = timestamp(c.finished_at)
        recent = c.oom_killed and (finished is None or finished >= since)
        subject = f"{found.target(c)} State.OOMKilled (finished {c.finished_at or '-'})"
        comparisons.append(_exempt(found, c, exempt) or Comparison(subject, c.oom_killed, "==", False, not recent))
    if absent is not None:
        notes.append(f"container part not applicable: {absent}")
    if not found.kernel_readable:
        raise TargetError(
            f"kernel log not readable on {found.host} ({found.kernel_problem}): kernel OOM kills cannot be judged; "
            "run golive as root or as a member of adm or systemd-journal on a systemd host"
        )
    by_id = {c.id: c for c in found.containers}
    ignored = {c.id for c in found.containers} - {c.id for c in judged}
    recent_kills = [oom for oom in found.kernel_ooms if oom.when >= since]
    elsewhere = 0
    mine = 0
    for oom in recent_kills:
        when = dt.datetime.fromtimestamp(oom.when, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        cid = oom.container_id
        if cid is not None and cid not in by_id:
            elsewhere += 1
            if elsewhere <= 3:
                notes.append(f"kernel OOM kill at {when} in container {cid[:12]}, not on {found.host}: {oom.line}")
            continue
        if cid in ignored:
            continue
        mine += 1
        who = found.target(by_id[cid]) if cid else f"{found.host} (memory cgroup {oom.memcg or '/'})"
        if cid and by_id[cid].name in exempt:
            comparisons.append(Comparison(f"kernel: {who}", "exempt", "because", exempt[by_id[cid].name], True))
            continue
        comparisons.append(Comparison(f"kernel at {when}: {who} task {oom.task} ({oom.constraint})", "OOM kill", "==",
                                      "none", False))  # fmt: skip
    if not mine:
        comparisons.append(
            Comparison(f"{found.host} kernel OOM kills within the window ({found.kernel_source or 'kernel log'})", 0,
                       "==", 0, True)
        )  # fmt: skip
    notes.append(
        f"kernel log read ({found.kernel_source or 'kernel log'}): {len(found.kernel_ooms)} oom-kill line(s), "
        f"{len(recent_kills)} within the window, {elsewhere} of them in containers this host's engine does not list "
        "(removed, or another host sharing the kernel): listed, not judged"
    )
    return Verdict.from_comparisons(comparisons, f"OOM checks on {found.host}"), notes


def judge_build_cache(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-10: docker's build cache is under the limit."""
    if found.build_cache_bytes is None:
        raise TargetError(f"{found.host}: {found.build_cache_problem or 'docker system df listed no build cache'}")
    size = found.build_cache_bytes
    limit = policy.build_cache_max
    comparison = Comparison(f"{found.host} docker build cache", f"{size / 1e6:.1f}", "<=", f"{limit / 1e6:.1f}",
                            size <= limit, " MB")  # fmt: skip
    return Verdict.from_comparisons([comparison], "build cache limits")


def judge_log_rotation(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """REL-11: every container's log driver rotates (json-file with max-size, local, or shipped elsewhere)."""
    exempt = policy.exemptions("REL-11")
    comparisons = []
    for c in found.judged(policy):
        options = ",".join(f"{k}={v}" for k, v in sorted(c.log_options.items())) or "no options"
        subject = f"{found.target(c)} log driver {c.log_driver} ({options})"
        comparisons.append(_exempt(found, c, exempt) or Comparison(subject, c.rotates_logs, "==", True, c.rotates_logs))
    return Verdict.from_comparisons(comparisons, f"containers' log configs on {found.host}")


def judge_privileges(found: ContainerFacts, policy: ContainerPolicy) -> Verdict:
    """SEC-10: no container privileged, with a dangerous added capability, or with a docker socket mounted.

    A docker socket is allowed only to the containers named in ``docker_socket_allow``;
    ``exempt`` excuses a container from all of it, with its reason.
    """
    exempt = policy.exemptions("SEC-10")
    comparisons = []
    for c in found.judged(policy):
        if not c.is_live:
            continue
        shown = _exempt(found, c, exempt)
        if shown is not None:
            comparisons.append(shown)
            continue
        sockets = c.docker_socket_mounts
        allowed = c.name in policy.docker_socket_allow
        problems = (["privileged"] if c.privileged else []) + [f"cap_add {cap}" for cap in c.dangerous_capabilities]
        problems += [f"docker socket {mount}" for mount in sockets if not allowed]
        notes = [f"docker socket {mount} (allowed)" for mount in sockets if allowed]
        measured = ", ".join(problems + notes) or "none"
        comparisons.append(Comparison(f"{found.target(c)} privileges", measured, "is", "none", not problems))
    return Verdict.from_comparisons(comparisons, f"containers' privileges on {found.host}")
