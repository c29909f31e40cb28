"""How a test's reports travel from a pytest-xdist worker to the controller: in marshal blobs.

xdist sends each report as the dictionary ``pytest_report_to_serializable`` makes, through
execnet's serialiser, which is Python: about ten calls for every key, string and number
of the report (its keywords, location, user properties, golive's payload), on the worker
and again on the controller, three reports per test. A golive worker sends the
dictionary as one ``marshal`` blob instead (``packed``), written and read in C; marshal
keeps the builtin types exactly (a tuple stays a tuple, a dictionary keeps its order),
and the controller reads the blob back (``unpacked``) before pytest rebuilds the report,
so every plugin there sees the report it would have seen::

    {"$report_type": "TestReport", "nodeid": ..., "location": (...), "keywords": {...}, ...}
    → {"$report_type": "TestReport", "golive_wire": b"..."}   (then xdist adds its item_index, ...)

marshal's format belongs to the interpreter: the controller names its own in each
worker's input (``WORKER_INPUT``), and a worker on another interpreter sends its reports
as xdist does. So does a report marshal cannot write (an object of another type in it,
which execnet refuses too).

A test is also five messages besides its completion (its start, three reports, its end),
each framed and serialised by execnet on both sides. A golive worker holds them
(``TestEvents``) and sends them with the completion as one message, one blob; the
controller reads the blob back into the same events, in the same order, each handled as
xdist handles it (``read_test_events``). Any other message goes out at once, after what
is held, so the order is xdist's.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Callable
from typing import Any

import pytest

from golive import xdist_worker

KEY = "golive_wire"
"""The key of the blob in the dictionary xdist sends."""
WORKER_INPUT = "golive_wire"
"""The key of the controller's interpreter (``interpreter()``) in each worker's input."""


def interpreter() -> str:
    """What must be the same on both sides for a blob to read back as it was written."""
    return f"{sys.implementation.cache_tag} marshal {marshal.version}"


def packed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a serialised report) as one blob, or ``data`` itself when marshal cannot write it."""
    if "$report_type" not in data:
        return data
    try:
        blob = marshal.dumps(data)
    except ValueError:
        return data
    return {"$report_type": data["$report_type"], KEY: blob}


def unpacked(data: dict[str, Any]) -> None:
    """Put back in ``data`` the report ``packed`` made, in place, before the keys added to it
    on the way (xdist's ``item_index``, ``worker_id``, ...), as xdist would have sent them."""
    blob = data.get(KEY)
    if not isinstance(blob, bytes):
        return
    report: dict[str, Any] = marshal.loads(blob)
    report.update((key, value) for key, value in data.items() if key != KEY)
    data.clear()
    data.update(report)


EVENTS = "golive_events"
"""The name of the message carrying a test's events as one blob."""
HELD = frozenset({"logstart", "testreport", "logfinish"})
"""The events a worker holds until its test completes."""

Event = tuple[str, dict[str, Any]]


class TestEvents:
    """A worker's ``sendevent``: a test's events held, then sent with its completion as one blob."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, send: Callable[[Event], None], log: Callable[..., None]) -> None:
        self._send = send
        self._log = log
        self._held: list[Event] = []

    def __call__(self, name: str, **kwargs: Any) -> None:
        self._log("sending", name, kwargs)
        self._held.append((name, kwargs))
        if name in HELD:
            return
        held, self._held = self._held, []
        if len(held) > 1:
            try:
                self._send((EVENTS, {"blob": marshal.dumps(held)}))
                return
            except ValueError:  # an object marshal cannot write: as xdist sends them
                pass
        for event in held:
            self._send(event)


def send_test_events(config: pytest.Config) -> bool:
    """On a worker, send each test's events as one blob (``TestEvents``); False where xdist's
    worker is not as expected (its events then go as xdist sends them)."""
    interactor = xdist_worker.interactor(config)
    channel = getattr(interactor, "channel", None)
    if interactor is None or not callable(getattr(channel, "send", None)) or not callable(interactor.sendevent):
        return False
    interactor.sendevent = TestEvents(channel.send, getattr(interactor, "log", lambda *args: None))  # type: ignore[union-attr]
    return True


def read_test_events(node: Any) -> None:
    """On the controller, before ``node`` starts: its blobs of events read back, each event handled
    in order as xdist handles it."""
    process = node.process_from_remote

    def process_from_remote(eventcall: Any) -> None:
        if type(eventcall) is tuple and len(eventcall) == 2 and eventcall[0] == EVENTS:
            for event in marshal.loads(eventcall[1]["blob"]):
                process(event)
        else:
            process(eventcall)

    node.process_from_remote = process_from_remote
