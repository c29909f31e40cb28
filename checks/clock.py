"""Host clocks (REL-15) and timestamps dated in the future (every age golive measures).

The host's clock is read (``date +%s.%N``) in its batched first round trip and
bracketed by the runner's wall clock when that round trip was sent and when its
answer came back: the read happened somewhere in between, so the offset is known
to within half that interval (plus the read's resolution), and only what lies
beyond that uncertainty counts against ``clock.max_offset``.

Synchronization is what the first time-sync tool that answers says: ``chronyc
tracking`` (Leap status), ``timedatectl show`` (NTPSynchronized), ``ntpq -p`` (a
selected ``*`` peer). When none answers (no tool installed, no daemon, a container
without systemd) only the offset is judged, and the evidence says so.

Ages are measured against a clock; a timestamp ahead of it by more than
``clock.future_tolerance`` is dated in the future and fails its own criterion: a
backup stamped tomorrow is no proof of a backup today. A date-only record is in the
future only when its date is after the host's local date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from golive import facts as fact_script
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import ClockPolicy, Host
from golive.units import format_duration

FUTURE_TOLERANCE = ClockPolicy().future_tolerance
FUTURE = "dated in the future"

SYNC_TOOLS: tuple[tuple[str, str], ...] = (
    ("chronyc", "chronyc -n tracking"),
    ("timedatectl", "timedatectl show"),
    ("ntpq", "ntpq -pn"),
)
"""In the order they are asked: the first that answers says whether the clock is synchronized.
``-n``: numeric addresses, no name lookups from the host."""
_READING = re.compile(r"^(\d+)(?:\.(\d+|%?N))?$")


# --- timestamps in the future ---------------------------------------------------


def dated_in_future(
    subject: str, when: float, now: float, tolerance: float, clock: str = "the host's clock"
) -> Comparison | None:
    """A failing comparison when ``when`` is ahead of ``now`` by more than ``tolerance``; else None."""
    ahead = when - now
    if ahead <= tolerance:
        return None
    return Comparison(
        subject, f"{FUTURE} ({format_duration(ahead)} ahead of {clock})", "<=", f"{format_duration(tolerance)} ahead",
        False,
    )  # fmt: skip


def day_in_future(subject: str, day: dt.date, today: dt.date) -> Comparison | None:
    """A failing comparison when a date-only record's ``day`` is after the host's local date ``today``."""
    if day <= today:
        return None
    return Comparison(subject, f"{FUTURE} ({day.isoformat()}, the host's date is {today.isoformat()})", "<=",
                      today.isoformat(), False)  # fmt: skip


# --- the host's clock against the runner's ----------------------------------------


@dataclass(frozen=True)
class Reading:
    """The host's clock as read in a round trip the runner sent at ``sent`` and got back at ``received``."""

    host_time: float
    resolution: float
    sent: float
    received: float

    @property
    def offset(self) -> float:
        """Host minus runner, at the middle of both intervals (positive: the host is ahead)."""
        return (self.host_time + self.resolution / 2) - (self.sent + self.received) / 2

    @property
    def uncertainty(self) -> float:
        """Half the round trip plus half the read's resolution: the true offset is within ± this."""
        return (self.received - self.sent + self.resolution) / 2

    @property
    def excess(self) -> float:
        """How far the offset is at least, whatever moment of the round trip the read happened."""
        return max(0.0, abs(self.offset) - self.uncertainty)


@dataclass(frozen=True)
class SyncState:
    """What a time-sync tool said: synchronized or not, and from which source."""

    tool: str
    synchronized: bool
    source: str


@dataclass(frozen=True)
class ClockFacts:
    reading: Reading
    sync: SyncState | None
    asked: tuple[str, ...]


def sections(policy: ClockPolicy) -> list[Section]:
    """The clock read first (the sooner in the round trip, the tighter the bracket), then the tools."""
    found = [Section("clock", "date +%s.%N")]
    if policy.sync:
        for tool, command in SYNC_TOOLS:
            found.append(Section(f"sync:{tool}", f"command -v {tool} >/dev/null 2>&1 || exit 127\n{command}"))
    return found


def command(host: Host) -> str:
    """The host's clock fact command (every host has a clock)."""
    return fact_script.script(sections(host.clock))


fact_command(command, criteria=("REL-15",))


def facts(remote: RemoteHost) -> ClockFacts:
    """The host's clock reading, bracketed by its round trip, and the first sync tool that answered."""
    result = remote.run(fact_script.script(sections(remote.host.clock)))
    if result.sent is None or result.received is None:
        raise TargetError(f"{remote.name}: the round trip carrying the clock read has no send/receive times")
    found = fact_script.parse(result.stdout)
    clock = found.get("clock")
    match = _READING.match(clock.text.strip()) if clock is not None and clock.exit_status == 0 else None
    if match is None:
        shown = clock.text.strip()[-200:] if clock is not None else "no output"
        raise TargetError(f"{remote.name}: cannot read the host's clock (date +%s.%N): {shown}")
    seconds, fraction = match.groups()
    if fraction and fraction.isdigit():
        host_time, resolution = float(f"{seconds}.{fraction}"), 0.0
    else:  # whole seconds only (a date without %N): the true time is within the next second
        host_time, resolution = float(seconds), 1.0
    reading = Reading(host_time, resolution, result.sent, result.received)
    state = None
    asked = []
    for tool, _ in SYNC_TOOLS if remote.host.clock.sync else ():
        output = found.get(f"sync:{tool}")
        if output is None or output.exit_status == 127:
            continue
        asked.append(tool)
        state = parse_sync(tool, output.text) if output.exit_status == 0 else None
        if state is not None:
            break
    return ClockFacts(reading, state, tuple(asked))


def parse_sync(tool: str, text: str) -> SyncState | None:
    """``chronyc tracking`` / ``timedatectl show`` / ``ntpq -p`` output → its state (None: not an answer)."""
    if tool == "chronyc":
        fields = dict(_colon_pair(line) for line in text.splitlines() if ":" in line)
        leap = fields.get("Leap status")
        if leap is None:
            return None
        return SyncState(tool, leap.lower() != "not synchronised", f"Reference ID {fields.get('Reference ID', '?')}")
    if tool == "timedatectl":
        props = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        synced = props.get("NTPSynchronized")
        if synced is None:
            return None
        return SyncState(tool, synced == "yes", f"NTP={props.get('NTP', '?')} NTPSynchronized={synced}")
    if tool == "ntpq":
        if "No association ID" in text:
            return SyncState(tool, False, "no peer")
        peers = [line for line in text.splitlines() if line[:1] in "*o+-#x. " and len(line.split()) >= 10]
        if not peers:
            return None
        selected = next((line for line in peers if line[:1] in "*o"), None)
        if selected is None:
            return SyncState(tool, False, f"none of {len(peers)} peer(s) selected")
        return SyncState(tool, True, f"system peer {selected[1:].split()[0]}")
    raise ValueError(f"unknown time-sync tool {tool!r}")


def _colon_pair(line: str) -> tuple[str, str]:
    key, _, value = line.partition(":")
    return key.strip(), value.strip()


def judge(found: ClockFacts, policy: ClockPolicy, host: str) -> tuple[Verdict, str | None]:
    """REL-15: the offset beyond its uncertainty is within ``max_offset``; the sync tool says synchronized.

    Returns the verdict and a note for the evidence (how the offset was measured, or
    that no time-sync tool answered).
    """
    reading = found.reading
    comparisons = [
        Comparison(
            f"{host}: clock offset from the runner ({reading.offset:+.3f} s ± {reading.uncertainty:.3f} s), "
            "beyond the uncertainty",
            f"{reading.excess:.3f}", "<=", f"{policy.max_offset:g}", reading.excess <= policy.max_offset, " s",
        ),
    ]  # fmt: skip
    note = (
        f"{host}: host clock {reading.host_time:.3f} read in a round trip sent at {reading.sent:.3f} "
        f"and answered at {reading.received:.3f} (runner's clock)"
    )
    if found.sync is not None:
        state = found.sync
        shown = "synchronized" if state.synchronized else "not synchronized"
        comparisons.append(
            Comparison(f"{host}: {state.tool} ({state.source})", shown, "is", "synchronized", state.synchronized)
        )
    elif policy.sync:
        tried = ", ".join(found.asked) or "none installed"
        note += f"; no time-sync tool answered (chronyc, timedatectl, ntpq; asked: {tried}): only the offset is judged"
    else:
        note += "; clock.sync is false: synchronization is judged on the machine, only the offset here"
    return Verdict.from_comparisons(comparisons, "clock checks"), note
