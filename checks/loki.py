"""Loki (MON-06): the newest log line of a host's streams, and its age.

Read through Loki's documented HTTP API: ``GET /loki/api/v1/query_range`` with a
stream selector for the host's labels, ``direction=backward`` and ``limit=1`` over
the freshness window (nanosecond ``start``/``end``); when nothing is that fresh, a
second query over the run's ``window`` (24h) finds how old the newest line is.
Both reach as far past the runner's clock as back (``end`` in the future): a newest
line dated further ahead than ``clock.future_tolerance`` fails as dated in the future
(a shipper on a skewed clock), instead of hiding beyond ``end``.

Verified only against the sandbox's Loki API stand-in (no Loki binary is
available here), not yet against a live Loki.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from golive.checks import clock
from golive.checks.monitoring import MonitoringClient, System, api_data
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.redact import shorten

NS = 10**9


@dataclass(frozen=True)
class Newest:
    """The newest line of a selector's streams, or None found since ``since_ns``."""

    selector: str
    since_ns: int
    timestamp_ns: int | None
    line: str = ""

    def age(self, now_ns: int) -> float | None:
        return None if self.timestamp_ns is None else (now_ns - self.timestamp_ns) / NS


def selector(labels: Mapping[str, str]) -> str:
    """``{"host": "h1"}`` → ``{host="h1"}`` (values escaped as LogQL strings)."""
    escaped = (f'{name}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
               for name, value in sorted(labels.items()))  # fmt: skip
    return "{" + ", ".join(escaped) + "}"


def newest(
    client: MonitoringClient, system: System, evidence: Evidence, labels: Mapping[str, str], start_ns: int, end_ns: int
) -> Newest:
    """The newest line of the streams matching ``labels`` between ``start_ns`` and ``end_ns``."""
    query = selector(labels)
    params = {"query": query, "start": str(start_ns), "end": str(end_ns), "limit": "1", "direction": "backward"}
    answer = client.get(system, "/loki/api/v1/query_range", evidence, params, excerpt=_excerpt, share=False)
    return parse_newest(api_data(answer, system), query, start_ns)


def parse_newest(data: Any, query: str, since_ns: int) -> Newest:
    """The ``data`` of a ``query_range`` log query (``resultType: streams``) → its newest entry."""
    if not isinstance(data, dict) or data.get("resultType") != "streams":
        raise TargetError(f"loki: {query} did not answer streams: {shorten(data, 200)}")
    entries = [(int(ts), line) for stream in data.get("result", []) for ts, line, *_ in stream.get("values", [])]
    if not entries:
        return Newest(query, since_ns, None)
    ts, line = max(entries)
    return Newest(query, since_ns, ts, line)


def judge_freshness(
    host: str,
    found: Newest,
    freshness: float,
    now_ns: int,
    older: Newest | None = None,
    future_tolerance: float = clock.FUTURE_TOLERANCE,
) -> Verdict:
    """MON-06: the host's newest line is younger than ``freshness`` seconds, and not dated in the future."""
    age = found.age(now_ns)
    subject = f"{host}: age of the newest line of {found.selector}"
    if found.timestamp_ns is not None:
        future = clock.dated_in_future(
            subject, found.timestamp_ns / NS, now_ns / NS, future_tolerance, clock="the runner's clock"
        )
        if future is not None:
            line = shorten(found.line, 200)
            return Verdict(False, f"{host}: newest line of {found.selector} {future.measured}: {line!r}", [future])
    if age is not None:
        age = max(0.0, age)
        comparison = Comparison(subject, round(age), "<=", round(freshness), True, " s")
        return Verdict(True, f"{host}: newest line {round(age)} s old: {shorten(found.line, 200)!r}", [comparison])
    shown = f"{round(freshness)} s"
    if older is not None and older.timestamp_ns is not None:
        measured: object = round(older.age(now_ns) or 0)
        last = f"the newest is {_ago(older.age(now_ns) or 0)} old"
    else:
        measured = "none"
        last = f"none at all since {_ago((now_ns - (older or found).since_ns) / NS)} ago"
    comparison = Comparison(
        f"{host}: age of the newest line of {found.selector}", measured, "<=", round(freshness), False, " s"
    )
    return Verdict(False, f"{host}: no log line in Loki for {found.selector} within {shown}; {last}", [comparison])


def now_ns() -> int:
    return time.time_ns()


def _ago(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def _excerpt(body: Any) -> str:
    try:
        result = body["data"]["result"]
    except (KeyError, TypeError):
        return shorten(body, 1000)
    lines = [
        "{"
        + ", ".join(f'{k}="{v}"' for k, v in sorted(s.get("stream", {}).items()))
        + "} "
        + f"{ts} {shorten(line, 300)!r}"
        for s in result
        for ts, line, *_ in s.get("values", [])
    ]
    return "\n".join(lines) or "(no entry)"
