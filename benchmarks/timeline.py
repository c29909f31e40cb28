"""A pytest plugin for benchmarks: where each process's wall time went, and a summary of it.

Loaded by benchmarks/fleet_ssh.py with ``-p timeline`` (benchmarks/ on PYTHONPATH), in
the controller and in every xdist worker. Each process that runs tests writes, at
session finish, one JSON line per event to ``$TIMELINE_DIR/<pid>.jsonl``:

- ``session``: the process's role (``main`` or the xdist worker id), when pytest
  started, when collection finished and when the session finished;
- ``test``: one per test run in that process (its host, start and end);
- ``batch``: one per host's batched round trip (``RemoteHost._prefetch``): its host,
  when it was sent and answered, how many commands it carried, and whether a test was
  waiting for it (the thread fetching it is the one running tests) or it was fetched ahead;
- ``fetch``: a command fetched in a round trip of its own (``RemoteHost._execute``);
- ``probes``: a host's endpoint probes made together (``Prefetch.host``);
- ``asked``: a test asking a host for a fact (``RemoteHost.fetch``): how long it took,
  which is how long it waited when the host's batch was still being fetched ahead;
- ``quiet``: a latency sample waiting for the batches fetched ahead to be in.

Times are the wall clock (``time.time()``), comparable across processes. ``summary``
reads the files back: per process, the tests' span, the time the tests spent waiting on
batches, the idle gaps between tests, and the tail (how long the last process ran on
after the first one ran out of tests).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

_EVENTS: list[dict[str, Any]] = []
_LOCK = threading.Lock()
_TESTER: list[int] = []  # the ident of the thread running tests
_STARTED = time.time()


def _add(event: dict[str, Any]) -> None:
    with _LOCK:
        _EVENTS.append(event)


def _timed(kind: str, describe: Callable[..., dict[str, Any]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.time()
            try:
                return method(*args, **kwargs)
            finally:
                waited = bool(_TESTER) and threading.get_ident() == _TESTER[0]
                _add({"kind": kind, "start": start, "end": time.time(), "waited": waited, **describe(*args, **kwargs)})

        timed.__wrapped__ = method  # type: ignore[attr-defined]
        return timed

    return wrap


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("TIMELINE_DIR"):
        return
    from golive.checks.prefetch import Prefetch
    from golive.facts.host import RemoteHost

    if not hasattr(RemoteHost._prefetch, "__wrapped__"):
        RemoteHost._prefetch = _timed("batch", lambda remote, *_: {"host": remote.name, "commands": len(remote.batch)})(
            RemoteHost._prefetch
        )
        RemoteHost._execute = _timed("fetch", lambda remote, *_: {"host": remote.name})(RemoteHost._execute)
        Prefetch.host = _timed("probes", lambda _, host: {"host": host.name})(Prefetch.host)
        RemoteHost.fetch = _timed("asked", lambda remote, *_: {"host": remote.name})(RemoteHost.fetch)
        try:
            from golive.facts.lookahead import Lookahead
        except ImportError:  # a checkout without it
            return
        quiet = Lookahead.quiet

        @contextlib.contextmanager
        def timed_quiet(self: Any) -> Iterator[None]:
            start = time.time()
            with quiet(self):
                _add({"kind": "quiet", "start": start, "end": time.time(), "waited": True})
                yield

        Lookahead.quiet = timed_quiet


def pytest_collection_finish(session: pytest.Session) -> None:
    _add({"kind": "collected", "at": time.time()})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if not _TESTER:
        _TESTER.append(threading.get_ident())
    start = time.time()
    try:
        return (yield)
    finally:
        callspec = getattr(item, "callspec", None)
        _add({"kind": "test", "id": item.nodeid, "target": callspec.id if callspec else "", "start": start,
              "end": time.time()})  # fmt: skip


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = os.environ.get("TIMELINE_DIR")
    if not directory:
        return
    workerinput = getattr(session.config, "workerinput", None)
    role = workerinput["workerid"] if workerinput else "main"
    with _LOCK:
        events = [{"kind": "session", "role": role, "start": _STARTED, "end": time.time()}, *_EVENTS]
    path = Path(directory) / f"{os.getpid()}.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))


@dataclass
class Process:
    """One process's timeline, as ``summary`` reads it."""

    role: str
    start: float
    end: float
    collected: float | None = None
    tests: list[tuple[float, float]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    """Tests held up over 5 ms: asking for a fact (the batch, or the one fetched ahead), or quiet."""

    @property
    def first(self) -> float:
        return min(start for start, _ in self.tests)

    @property
    def last(self) -> float:
        return max(end for _, end in self.tests)

    def gaps(self, least: float = 0.0) -> list[float]:
        """The idle gaps between one test's end and the next one's start, of at least ``least`` s."""
        ordered = sorted(self.tests)
        found = [later[0] - earlier[1] for earlier, later in itertools.pairwise(ordered)]
        return [gap for gap in found if gap >= least]

    def waited(self) -> float:
        """Seconds the tests waited for facts (a batch fetched for them, or ahead and still in
        flight) and for quiet; without ``asked`` events (older files), the batches they fetched."""
        if self.held:
            return sum(event["end"] - event["start"] for event in self.held)
        return sum(batch["end"] - batch["start"] for batch in self.batches if batch["waited"])

    def quiet(self) -> float:
        return sum(event["end"] - event["start"] for event in self.held if event["kind"] == "quiet")


def read(directory: Path) -> list[Process]:
    """The processes that ran tests, from the files ``TIMELINE_DIR`` holds."""
    processes = []
    for path in sorted(directory.glob("*.jsonl")):
        events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        head = next(event for event in events if event["kind"] == "session")
        process = Process(head["role"], head["start"], head["end"])
        for event in events:
            if event["kind"] == "collected":
                process.collected = event["at"]
            elif event["kind"] == "test":
                process.tests.append((event["start"], event["end"]))
            elif event["kind"] == "batch":
                process.batches.append(event)
            elif event["kind"] in ("asked", "quiet") and event["waited"] and event["end"] - event["start"] > 0.005:
                process.held.append(event)
        if process.tests:
            processes.append(process)
    return processes


@dataclass(frozen=True)
class Summary:
    """The figures fleet_ssh prints for a run: seconds, summed over the processes running tests."""

    batch_wait: float  # tests waiting on a host's batch
    idle: float  # gaps between tests (waiting for work, or for the controller)
    tail: float  # the last process's last test end - the first process's last test end
    batches: int
    batch_mean: float  # a batch's mean round trip, sent to answered

    def lines(self, processes: list[Process]) -> list[str]:
        origin = min(process.start for process in processes)
        out = []
        for process in sorted(processes, key=lambda p: p.role):
            collected = f"{process.collected - origin:.1f}" if process.collected else "?"
            gaps = process.gaps(0.05)
            out.append(
                f"{process.role}: started {process.start - origin:.1f} s, collected {collected}, tests "
                f"{process.first - origin:.1f}-{process.last - origin:.1f} s ({len(process.tests)}), "
                f"{len(process.batches)} batches {sum(b['end'] - b['start'] for b in process.batches):.1f} s "
                f"(tests waited {process.waited():.1f} s, of which quiet {process.quiet():.1f} s), "
                f"gaps >= 0.05 s: {len(gaps)} of {sum(gaps):.1f} s, "
                f"finished {process.end - origin:.1f} s"
            )
        return out


def summary(processes: list[Process]) -> Summary | None:
    if not processes:
        return None
    batches = [batch for process in processes for batch in process.batches]
    lasts = [process.last for process in processes]
    return Summary(
        batch_wait=sum(process.waited() for process in processes),
        idle=sum(sum(process.gaps()) for process in processes),
        tail=max(lasts) - min(lasts),
        batches=len(batches),
        batch_mean=sum(b["end"] - b["start"] for b in batches) / len(batches) if batches else 0.0,
    )
