"""checks/clock.py: the offset bracketed by its round trip, the sync tools' output, future dates.

The tools' output under clock_outputs/ was captured from the real tools, since this
machine cannot synchronize its own clock: ``chronyc -n tracking`` of Debian's chrony
4.3 against a ``chronyd -x`` (never touching the clock) in a private network and
mount namespace, without sources (not synchronised) and with ``local stratum 10``
(synchronized), and with no daemon at all; ``ntpq -pn`` of Debian's ntpsec 1.2.2
with no ntpd and with one that does not answer (exit 0 both times, an error line).
The ntpq peer tables and the ``timedatectl show`` properties below are written in
the tools' documented formats, not captured: no ntpd could be brought to select a
peer here, and ``timedatectl`` needs systemd as PID 1 and its D-Bus services.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from golive.checks import backups, clock, loki
from golive.inventory import ClockPolicy

OUTPUTS = Path(__file__).parent / "clock_outputs"


def captured(name: str) -> str:
    return (OUTPUTS / name).read_text()


def test_chronyc_synchronized_and_not() -> None:
    """Captured real ``chronyc tracking`` output: Leap status Normal vs Not synchronised."""
    synced = clock.parse_sync("chronyc", captured("chronyc-tracking-synchronized.txt"))
    assert synced == clock.SyncState("chronyc", True, "Reference ID 7F7F0101 ()")
    unsynced = clock.parse_sync("chronyc", captured("chronyc-tracking-not-synchronized.txt"))
    assert unsynced is not None and not unsynced.synchronized
    assert clock.parse_sync("chronyc", captured("chronyc-tracking-no-daemon.txt")) is None


@pytest.mark.parametrize("name", ["ntpq-p-no-daemon.txt", "ntpq-p-no-answer.txt"])
def test_ntpq_error_lines_are_no_answer(name: str) -> None:
    """Captured real ``ntpq -pn`` output without a reachable ntpd: exit 0, but no answer."""
    assert clock.parse_sync("ntpq", captured(name)) is None


def test_ntpq_peer_table() -> None:
    """``ntpq -p``'s billboard (documented format, not captured): a ``*`` tally code marks the
    system peer; none selected is not synchronized."""
    header = "     remote           refid      st t when poll reach   delay   offset   jitter\n" + "=" * 79 + "\n"
    selected = header + "*127.0.0.2       .LOCL.          10 u   12   16  377   0.0412   0.0023   0.0110\n"
    candidate = header + " 127.0.0.2       .LOCL.          10 u    3   16    1   0.0412   0.0023   0.0110\n"
    assert clock.parse_sync("ntpq", selected) == clock.SyncState("ntpq", True, "system peer 127.0.0.2")
    unselected = clock.parse_sync("ntpq", candidate)
    assert unselected is not None and not unselected.synchronized
    assert clock.parse_sync("ntpq", "No association IDs returned\n") == clock.SyncState("ntpq", False, "no peer")


def test_timedatectl_show() -> None:
    """``timedatectl show`` prints KEY=VALUE properties (documented format, not captured); NTPSynchronized says it."""
    synced = clock.parse_sync(
        "timedatectl", "Timezone=Etc/UTC\nLocalRTC=no\nCanNTP=yes\nNTP=yes\nNTPSynchronized=yes\n"
    )
    assert synced is not None and synced.synchronized
    unsynced = clock.parse_sync("timedatectl", "Timezone=Etc/UTC\nNTP=no\nNTPSynchronized=no\n")
    assert unsynced is not None and not unsynced.synchronized
    assert clock.parse_sync("timedatectl", "System has not been booted with systemd as init system (PID 1).") is None


def test_offset_counts_only_beyond_the_round_trip() -> None:
    # read at 1000.0 on the host, sent at 990 and answered at 994 by the runner: between 6 and 10 s ahead
    reading = clock.Reading(1000.0, 0.0, 990.0, 994.0)
    assert reading.offset == 8.0 and reading.uncertainty == 2.0 and reading.excess == 6.0
    # a slow round trip hides a 3 s offset: it cannot be told from a read made at its end
    assert clock.Reading(1000.0, 0.0, 990.0, 1000.0).excess == 0.0
    # whole seconds only: the true time is within the next second
    assert clock.Reading(1000.0, 1.0, 1000.0, 1000.0).uncertainty == 0.5


def test_judge_fails_on_offset_and_on_an_unsynchronized_tool() -> None:
    policy = ClockPolicy()
    skewed = clock.ClockFacts(clock.Reading(1600.0, 0.0, 999.0, 1001.0), None, ())
    verdict, note = clock.judge(skewed, policy, "h1")
    assert not verdict.passed and "beyond the uncertainty: 599.000 s, at most 2 s" in verdict.summary
    assert note is not None and "no time-sync tool answered" in note
    unsynced = clock.parse_sync("chronyc", captured("chronyc-tracking-not-synchronized.txt"))
    facts = clock.ClockFacts(clock.Reading(1000.0, 0.0, 999.9, 1000.1), unsynced, ("chronyc",))
    verdict, _ = clock.judge(facts, policy, "h1")
    assert not verdict.passed and "not synchronized" in verdict.summary
    synced = clock.parse_sync("chronyc", captured("chronyc-tracking-synchronized.txt"))
    verdict, _ = clock.judge(clock.ClockFacts(facts.reading, synced, ("chronyc",)), policy, "h1")
    assert verdict.passed and len(verdict.comparisons) == 2


def test_dated_in_future_beyond_tolerance_only() -> None:
    assert clock.dated_in_future("x", 1300.0, 1000.0, 300.0) is None
    found = clock.dated_in_future("x", 1301.0, 1000.0, 300.0)
    assert found is not None and not found.passed and "dated in the future" in str(found)
    today = dt.date(2026, 3, 1)
    assert clock.day_in_future("x", today, today) is None
    assert clock.day_in_future("x", dt.date(2026, 3, 2), today) is not None


def test_loki_newest_line_dated_in_the_future_fails() -> None:
    now = 1_000_000 * loki.NS
    ahead = loki.Newest('{host="h1"}', now - 900 * loki.NS, now + 3600 * loki.NS, "from a skewed shipper")
    verdict = loki.judge_freshness("h1", ahead, 900.0, now)
    assert not verdict.passed and "dated in the future (1.0h ahead of the runner's clock)" in verdict.summary
    within = loki.Newest('{host="h1"}', now - 900 * loki.NS, now + 60 * loki.NS, "a minute ahead")
    passed = loki.judge_freshness("h1", within, 900.0, now)
    assert passed.passed and passed.comparisons[0].measured == 0


def test_times_without_a_zone_are_the_hosts_local_time() -> None:
    """borg prints local times without a zone: at UTC+1, 10:00 is 09:00 UTC (not 10:00, an hour "ahead")."""
    listing = '{"archives": [{"name": "a", "start": "2026-03-01T10:00:00.000000"}]}'
    (archive,) = backups.parse_listing(listing, "borg", utc_offset=3600)
    assert archive.time == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC).timestamp()
