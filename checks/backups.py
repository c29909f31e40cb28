"""Backups and disaster recovery (BAK-01..04), from one batched command per host.

A backup location lists backups as files (``path`` + ``glob``: mtime and size) or
as snapshots a read-only command prints (``restic snapshots --json``, ``borg list
--json``, or ``<epoch> <bytes> <name>`` lines). Ages are measured against the
host's own clock, printed by the same command; a time without a zone (borg's, a
record's ``YYYY-MM-DD HH:MM``) is the host's local time. A backup or restore test
dated further ahead than ``clock.future_tolerance`` fails as dated in the future,
a date-only record when its date is after the host's local date.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass

import yaml

from golive import facts as fact_script
from golive.checks import clock
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command, json_value
from golive.inventory import BackupLocation, BackupPolicy, Host, RestoreTest
from golive.redact import shorten
from golive.units import format_duration

_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?\b")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class Backup:
    """One backup file or snapshot: when it was taken and how big it is (when known)."""

    name: str
    time: float
    size: int | None = None


@dataclass(frozen=True)
class BackupFacts:
    """What one host's backup command found: its clock and every declared thing's section."""

    now: float
    sections: dict[str, fact_script.Output]
    today: dt.date | None = None
    """The host's local date (a date-only record is in the future only after it)."""
    utc_offset: float = 0.0
    """The host's local time zone, in seconds east of UTC (for times printed without a zone)."""

    def section(self, key: str) -> fact_script.Output:
        found = self.sections.get(key)
        if found is None:
            raise TargetError(f"the fact command printed no section {key!r}: the command was cut short")
        return found


def _location_command(location: BackupLocation) -> str:
    if location.command is not None:
        return shlex.join(location.argv())
    assert location.path is not None
    return (
        f"cd {fact_script.quote(location.path)} || exit 3\n"
        f'for f in {location.glob}; do [ -f "$f" ] && stat -c \'%Y %s %n\' -- "$f"; done; exit 0'
    )


def _dr_command(path: str) -> str:
    quoted = fact_script.quote(path)
    if path.endswith((".yml", ".yaml")):
        return f"cat -- {quoted}"
    shell = f'case "$(head -n 1 -- {quoted})" in *bash*) bash -n -- {quoted};; *) sh -n -- {quoted};; esac'
    return f"test -f {quoted} || exit 3\n{shell}"


def sections(policy: BackupPolicy) -> list[Section]:
    """The command's sections for everything the policy declares (a playbook's contents private)."""
    found = [Section("now", "date +%s"), Section("local", "date '+%Y-%m-%d %z'")]
    for location in policy.locations:
        found.append(Section(f"location:{location.name}", _location_command(location)))
    for record in policy.restore_tests:
        found.append(
            Section(
                f"restore:{record.name}",
                f"grep -i -E -- {fact_script.quote(record.pattern)} {fact_script.quote(record.path)} | tail -n 200",
            )
        )
    for index, path in enumerate(policy.dr):
        found.append(Section(f"dr:{index}", _dr_command(path), private=path.endswith((".yml", ".yaml"))))
    return found


def command(host: Host) -> str | None:
    """The host's backup fact command (None when it declares nothing to check)."""
    policy = host.backups
    if not (policy.locations or policy.restore_tests or policy.dr):
        return None
    return fact_script.script(sections(policy))


fact_command(command, criteria=("BAK-01", "BAK-02", "BAK-03", "BAK-04"))


def facts(remote: RemoteHost, policy: BackupPolicy) -> BackupFacts:
    """One cached command per host covering every declared location, record and script."""
    found = fact_script.run(remote, sections(policy))
    now = found.get("now")
    if now is None or not now.text.strip().isdigit():
        raise TargetError(f"{remote.name}: cannot read the host's clock (date +%s)")
    today, utc_offset = _local(found.get("local"))
    return BackupFacts(float(now.text.strip()), found, today, utc_offset)


def _local(output: fact_script.Output | None) -> tuple[dt.date | None, float]:
    """``date '+%Y-%m-%d %z'`` → (the host's local date, its offset east of UTC in seconds)."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) ([+-])(\d{2})(\d{2})", output.text.strip()) if output else None
    if match is None:
        return None, 0.0
    day, sign, hours, minutes = match.groups()
    return dt.date.fromisoformat(day), (-1 if sign == "-" else 1) * (int(hours) * 3600 + int(minutes) * 60)


def parse_timestamp(text: str, utc_offset: float = 0.0) -> float:
    """An ISO 8601 time (restic's nanoseconds; borg's naive local time, at ``utc_offset``) as epoch seconds."""
    text = _FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(seconds=utc_offset)))
    return moment.timestamp()


def parse_listing(output: str, kind: str, utc_offset: float = 0.0) -> list[Backup]:
    """Backups from a listing: ``stat`` lines, ``lines``, ``restic`` or ``borg`` JSON; oldest first.

    ``utc_offset``: the host's zone, for borg's times (local, without a zone)."""
    found: list[Backup] = []
    if kind in ("stat", "lines"):
        for line in output.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[0].split(".")[0].isdigit() and parts[1].isdigit():
                found.append(Backup(parts[2], float(parts[0]), int(parts[1])))
    elif kind == "restic":
        for snap in json_value(output) or []:
            summary = snap.get("summary") or {}
            size = summary.get("total_bytes_processed")
            found.append(Backup(snap.get("short_id") or snap["id"][:8], parse_timestamp(snap["time"]), size))
    elif kind == "borg":
        for archive in (json_value(output) or {}).get("archives", []):
            start = archive.get("start") or archive["time"]
            found.append(Backup(archive["name"], parse_timestamp(start, utc_offset)))
    else:
        raise ValueError(f"unknown listing format {kind!r}")
    return sorted(found, key=lambda b: b.time)


def backups(found: BackupFacts, location: BackupLocation) -> list[Backup]:
    """The backups of one location, oldest first; TargetError when it cannot be listed."""
    output = found.section(f"location:{location.name}")
    where = location.path or location.command
    if output.exit_status != 0:
        raise TargetError(
            f"cannot list backups in {where} (exit {output.exit_status}): {shorten(output.text.strip(), 300, end=True)}"
        )
    try:
        return parse_listing(output.text, location.format or "stat", found.utc_offset)
    except (ValueError, KeyError, TypeError) as exc:
        raise TargetError(f"cannot parse the {location.format} listing of {where}: {exc}") from None


def judge_freshness(
    listed: list[Backup], now: float, location: BackupLocation, future_tolerance: float = clock.FUTURE_TOLERANCE
) -> Verdict:
    """BAK-01: the newest backup is younger than the location's max age, and not dated in the future."""
    where = location.path or location.command
    if not listed:
        pattern = f" matching {location.glob}" if location.path else ""
        return Verdict(False, f"no backup{pattern} in {where}")
    newest = listed[-1]
    age = max(0.0, now - newest.time)  # ahead of the clock within the tolerance: taken just now
    subject = f"age of the newest of {len(listed)} backup(s), {newest.name} ({_date(newest.time)})"
    future = clock.dated_in_future(subject, newest.time, now, future_tolerance)
    if future is not None:
        return Verdict.from_comparisons([future], "backup ages")
    comparison = Comparison(
        subject, format_duration(age), "<=", format_duration(location.max_age), age <= location.max_age
    )
    return Verdict.from_comparisons([comparison], "backup ages")


def judge_size(listed: list[Backup], location: BackupLocation) -> Verdict | None:
    """BAK-02: the newest backup is not empty and at least ``min_size_ratio`` of the previous one.

    None when the listing has no sizes (restic before 0.17, borg list).
    """
    if not listed:
        return Verdict(False, f"no backup in {location.path or location.command}")
    newest = listed[-1]
    if newest.size is None:
        return None
    comparisons = [Comparison(f"size of the newest backup {newest.name}", newest.size, ">", 0, newest.size > 0, " B")]
    previous = listed[-2] if len(listed) > 1 else None
    if previous is not None and previous.size is not None:
        floor = round(previous.size * location.min_size_ratio)
        comparisons.append(
            Comparison(
                f"size of {newest.name} vs {location.min_size_ratio:.0%} of the previous "
                f"{previous.name} ({previous.size} B)",
                newest.size,
                ">=",
                floor,
                newest.size >= floor,
                " B",
            )
        )
    return Verdict.from_comparisons(comparisons, "size checks")


def judge_restore_test(
    found: BackupFacts, record: RestoreTest, future_tolerance: float = clock.FUTURE_TOLERANCE
) -> Verdict:
    """BAK-03: the newest dated line matching the pattern is within the record's max age, and not in the future.

    A line dated without a time is in the future only when its date is after the host's local date.
    """
    output = found.section(f"restore:{record.name}")
    if output.exit_status not in (0, 1) or "No such file" in output.text:
        return Verdict(
            False, f"restore-test record {record.path} cannot be read: {shorten(output.text.strip(), 200, end=True)}"
        )
    dates = [(parse_timestamp(_iso(m), found.utc_offset), m) for line in output.lines for m in _ISO_DATE.finditer(line)]
    if not dates:
        return Verdict(False, f"no dated line matching {record.pattern!r} in {record.path}: no restore test recorded")
    newest, match = max(dates, key=lambda dated: dated[0])
    subject = f"age of the last restore test in {record.path} ({_date(newest)})"
    if match.group(2) is None:  # a date without a time: the host's local date decides
        today = found.today or dt.datetime.fromtimestamp(found.now + found.utc_offset, dt.UTC).date()
        future = clock.day_in_future(subject, dt.date.fromisoformat(match.group(1)), today)
    else:
        future = clock.dated_in_future(subject, newest, found.now, future_tolerance)
    if future is not None:
        return Verdict.from_comparisons([future], "restore-test ages")
    age = max(0.0, found.now - newest)
    comparison = Comparison(
        subject,
        format_duration(age), "<=", format_duration(record.max_age), age <= record.max_age,
    )  # fmt: skip
    return Verdict.from_comparisons([comparison], "restore-test ages")


def judge_dr(found: BackupFacts, policy: BackupPolicy) -> Verdict:
    """BAK-04: every declared playbook (YAML, parsed) and script (``sh -n``/``bash -n``) exists and parses."""
    comparisons = []
    for index, path in enumerate(policy.dr):
        output = found.section(f"dr:{index}")
        if output.exit_status != 0:
            problem = "missing" if output.exit_status == 3 or "No such file" in output.text else output.text.strip()
            comparisons.append(
                Comparison(path, shorten(problem, 300, end=True) or f"exit {output.exit_status}", "==", "parses", False)
            )
            continue
        if path.endswith((".yml", ".yaml")):
            try:
                document = yaml.safe_load(output.text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}" if mark else ""
                problem = getattr(exc, "problem", None) or "invalid YAML"
                comparisons.append(Comparison(path, f"YAML error{where}: {problem}", "==", "parses", False))
                continue
            ok = isinstance(document, (list, dict)) and bool(document)
            comparisons.append(Comparison(path, "YAML parsed" if ok else "empty YAML", "==", "parses", ok))
        else:
            comparisons.append(Comparison(path, "shell syntax ok", "==", "parses", True))
    return Verdict.from_comparisons(comparisons, "DR playbooks/scripts")


def _iso(match: re.Match[str]) -> str:
    day, time_of_day, zone = match.groups()
    return f"{day}T{time_of_day or '00:00'}{zone or ''}"


def _date(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
