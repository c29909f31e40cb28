"""The scenarios plant their faults in lanes: one per part of the fleet, the lanes concurrently,
each lane's steps in order, sd started only once the faults it must not see are planted.

Plain threads and events (no root, no sandbox host): what the fleet's scenarios rely on.
"""

from __future__ import annotations

import threading

import pytest

from sandbox import scenarios
from sandbox.process import SandboxError
from sandbox.scenarios import BEFORE_SD, BROKEN_FAULTS, LANES, Expect, Fault


def test_every_fault_names_a_lane_of_the_fleet() -> None:
    assert {fault.lane for fault in BROKEN_FAULTS} == set(LANES)
    assert {fault.id for fault in BROKEN_FAULTS if fault.lane == "h1"} >= set(BEFORE_SD)
    with pytest.raises(SandboxError, match="lane"):
        Fault("nowhere", "a fault of no lane", lambda fleet: None, (Expect("REL-01", "h1"),))


def test_lanes_run_concurrently_and_each_in_order() -> None:
    # Each lane's second step waits for the other lane's first: planted one lane after
    # the other, the barrier would break.
    both = threading.Barrier(2, timeout=10)
    seen: dict[str, list[str]] = {"a": [], "b": []}

    def step(lane: str, name: str, meet: bool = False) -> object:
        def run() -> None:
            if meet:
                both.wait()
            seen[lane].append(name)

        return run

    lanes = [[step("a", "a1"), step("a", "a2", meet=True), step("a", "a3")],
             [step("b", "b1"), step("b", "b2", meet=True)]]  # fmt: skip
    scenarios._in_lanes(lanes, threading.Event())  # type: ignore[arg-type]
    assert seen == {"a": ["a1", "a2", "a3"], "b": ["b1", "b2"]}


def test_a_failing_lane_stops_the_others_and_is_raised() -> None:
    failed = threading.Event()
    started = threading.Event()
    ran: list[str] = []

    def broken() -> None:
        started.wait(10)
        raise SandboxError("h2: planting failed")

    def slow_then_more() -> None:
        started.set()
        failed.wait(10)
        ran.append("first")

    with pytest.raises(SandboxError, match="planting failed"):
        scenarios._in_lanes([[broken], [slow_then_more, lambda: ran.append("second")]], failed)
    assert failed.is_set() and ran == ["first"]


def test_sd_starts_only_after_the_faults_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    monkeypatch.setattr(scenarios.systemd_host, "plant_baseline", lambda fleet: order.append("sd started"))
    planted = threading.Event()
    failed = threading.Event()

    def oom() -> None:
        order.append("oom planted")
        planted.set()

    lanes = [[lambda: scenarios._start_sd(None, [planted], failed)], [lambda: failed.wait(0.3), oom]]  # type: ignore[arg-type]
    scenarios._in_lanes(lanes, failed)
    assert order == ["oom planted", "sd started"]


def test_sd_never_starts_once_a_lane_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(scenarios.systemd_host, "plant_baseline", lambda fleet: started.append("sd"))
    failed = threading.Event()
    failed.set()
    scenarios._start_sd(None, [threading.Event()], failed)  # type: ignore[arg-type]
    assert started == []
