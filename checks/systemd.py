"""systemd units (AVL-06) and scheduled jobs (REL-12), from one batched command per host.

Where systemd is not PID 1 (``/run/systemd/system`` absent, as ``sd_booted`` tests)
the systemd parts are not applicable; cron entries are still judged. Cron keeps no
exit status of a job: a cron job's last success is judged from a ``stamp`` file the
job touches on success, when one is declared.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

from golive import facts as fact_script
from golive.checks import clock
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import Host, ScheduledJob, SystemdPolicy
from golive.redact import shorten

BOOTED = (
    "if [ -d /run/systemd/system ]; then echo systemd; "
    'else echo "PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)"; exit 1; fi'
)
FAILED = "systemctl list-units --all --state=failed --no-legend --plain --no-pager"
UNIT_PROPS = "Id,LoadState,ActiveState,SubState,Result"
TIMER_PROPS = "Id,LoadState,ActiveState,Unit,LastTriggerUSec,NextElapseUSecRealtime"
SERVICE_PROPS = "Id,LoadState,ActiveState,Result,ExecMainStatus,ExecMainExitTimestamp"


def _show(unit: str, props: str) -> str:
    return f"systemctl show --no-pager -p {props} {fact_script.quote(unit)}"


def sections(policy: SystemdPolicy, jobs: Sequence[ScheduledJob]) -> list[Section]:
    """The batch for a host: boot check, failed units, declared units, timers, cron entries, stamps."""
    found = [Section("now", "date +%s"), Section("booted", BOOTED)]
    systemd = [Section("failed", FAILED)] + [Section(f"unit:{u}", _show(u, UNIT_PROPS)) for u in policy.units]
    for job in jobs:
        if job.timer is not None:
            timer = fact_script.quote(job.timer)
            service = f'"$(systemctl show -p Unit --value {timer})"'
            systemd.append(
                Section(
                    f"timer:{job.name}",
                    f"{_show(job.timer, TIMER_PROPS)}; echo; systemctl show --no-pager -p {SERVICE_PROPS} {service}",
                )
            )
        else:
            # unquoted so that globs expand on the host: the inventory admits only CRONTAB_PATH characters
            files = " ".join(job.crontabs)
            found.append(
                Section(f"cron:{job.name}", f"grep -H -F -- {fact_script.quote(job.cron or '')} {files} 2>/dev/null")
            )
            if job.stamp:
                found.append(Section(f"stamp:{job.name}", f"stat -c %Y {fact_script.quote(job.stamp)}"))
    # systemctl only where systemd runs: one guard keeps the batch a single command.
    guarded = [Section(part.key, f"[ -d /run/systemd/system ] || exit 99; {part.command}") for part in systemd]
    return found + guarded


@dataclass
class SystemdFacts:
    host: str
    booted: bool
    pid1: str
    now: float
    failed: list[str] = field(default_factory=list)
    units: dict[str, dict[str, str]] = field(default_factory=dict)
    timers: dict[str, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)
    cron: dict[str, list[str]] = field(default_factory=dict)
    stamps: dict[str, float | None] = field(default_factory=dict)


def _props(text: str) -> list[dict[str, str]]:
    """``systemctl show`` output of one or more units (blank-line separated)."""
    blocks: list[dict[str, str]] = [{}]
    for line in text.splitlines():
        if not line.strip():
            if blocks[-1]:
                blocks.append({})
            continue
        key, _, value = line.partition("=")
        if key in blocks[-1]:
            blocks.append({})
        blocks[-1][key] = value
    return [b for b in blocks if b]


def command(host: Host) -> str:
    return fact_script.script(sections(host.systemd, host.scheduled))


fact_command(command, criteria=("AVL-06", "REL-12"))


def facts(remote: RemoteHost, policy: SystemdPolicy, jobs: Sequence[ScheduledJob]) -> SystemdFacts:
    found = fact_script.run(remote, sections(policy, jobs))
    booted = found.get("booted")
    now = found.get("now")
    result = SystemdFacts(
        remote.name,
        booted is not None and booted.exit_status == 0,
        booted.text.strip() if booted else "unknown",
        float(now.text) if now and now.text.strip().isdigit() else 0.0,
    )
    if result.booted and "failed" in found:
        result.failed = [line.split()[0] for line in found["failed"].lines if line.split()]
    for key, output in found.items():
        kind, _, name = key.partition(":")
        if kind == "unit":
            blocks = _props(output.text)
            result.units[name] = blocks[0] if blocks else {}
        elif kind == "timer":
            blocks = _props(output.text)
            result.timers[name] = (blocks[0] if blocks else {}, blocks[1] if len(blocks) > 1 else {})
        elif kind == "cron":
            result.cron[name] = output.lines
        elif kind == "stamp":
            text = output.text.strip()
            result.stamps[name] = float(text) if output.exit_status == 0 and text.isdigit() else None
    return result


def judge_units(found: SystemdFacts, policy: SystemdPolicy) -> Verdict:
    """AVL-06: declared units are active; no unit failed (except ignored globs)."""
    comparisons = []
    for unit in policy.units:
        props = found.units.get(unit, {})
        state = f"{props.get('ActiveState', '?')}/{props.get('SubState', '?')} (load {props.get('LoadState', '?')})"
        comparisons.append(
            Comparison(f"{found.host} {unit}", state, "is", "active", props.get("ActiveState") == "active")
        )
    failed = [u for u in found.failed if not any(fnmatch.fnmatchcase(u, g) for g in policy.ignore_failed)]
    comparisons.append(Comparison(f"{found.host} failed units", ", ".join(failed) or "none", "==", "none", not failed))
    return Verdict.from_comparisons(comparisons, f"unit checks on {found.host}")


def judge_timer(found: SystemdFacts, job: ScheduledJob) -> Verdict:
    """REL-12 (timer): the timer exists and is active, it has run, and its service's last run succeeded."""
    timer, service = found.timers.get(job.name, ({}, {}))
    exists = timer.get("LoadState") == "loaded"
    comparisons = [
        Comparison(f"{job.timer} load/active", f"{timer.get('LoadState', '?')}/{timer.get('ActiveState', '?')}",
                   "is", "loaded/active", exists and timer.get("ActiveState") == "active"),
    ]  # fmt: skip
    if exists:
        last = timer.get("LastTriggerUSec", "")
        ran = bool(last) and last != "n/a"
        comparisons.append(Comparison(f"{job.timer} last trigger", last or "never", "is", "recorded", ran))
        result = service.get("Result", "?")
        status = service.get("ExecMainStatus", "?")
        ok = ran and result == "success" and status == "0"
        exited = service.get("ExecMainExitTimestamp") or "-"
        subject = f"{service.get('Id', timer.get('Unit', '?'))} last run (exited {exited})"
        comparisons.append(Comparison(subject, f"result={result} status={status}", "==", "result=success status=0", ok))
    return Verdict.from_comparisons(comparisons, f"checks of {found.host}/{job.name}")


def is_comment(line: str) -> bool:
    """Whether a ``grep -H`` line (``file:content``) of a crontab is a comment: cron never runs it."""
    return line.partition(":")[2].lstrip().startswith("#")


def judge_cron(
    found: SystemdFacts, job: ScheduledJob, future_tolerance: float = clock.FUTURE_TOLERANCE
) -> tuple[Verdict, str | None]:
    """REL-12 (cron): the entry is in a crontab, not commented out; with a stamp, the last success is recent
    and not in the future."""
    lines = [line for line in found.cron.get(job.name, []) if not is_comment(line)]
    comparisons = [
        Comparison(f"crontab line containing {job.cron!r}", shorten(lines[0], 300) if lines else "absent", "is",
                   "present", bool(lines)),
    ]  # fmt: skip
    note = None
    if job.stamp:
        stamp = found.stamps.get(job.name)
        if stamp is not None and not found.now:
            raise TargetError(f"{found.host}: cannot read the host's clock (date +%s) to age {job.stamp}")
        subject = f"last success stamp {job.stamp} age"
        future = None if stamp is None else clock.dated_in_future(subject, stamp, found.now, future_tolerance)
        if future is not None:
            comparisons.append(future)
        else:
            age = None if stamp is None else max(0.0, found.now - stamp) / 3600
            measured = "missing" if age is None else f"{age:.1f}"
            comparisons.append(Comparison(subject, measured, "<=", f"{job.max_age / 3600:g}",
                                          age is not None and age <= job.max_age / 3600, " h"))  # fmt: skip
    else:
        note = (
            "cron records no exit status; declare scheduled[].stamp "
            "(a file the job touches on success) to judge its last run"
        )
    return Verdict.from_comparisons(comparisons, f"checks of {found.host}/{job.name}"), note
