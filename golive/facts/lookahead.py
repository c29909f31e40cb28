"""Hosts' batches fetched ahead of their tests, a few at a time, in the background.

A host's batch (``RemoteHost.prefetch``) is one round trip that mostly waits: on ssh,
and on the host running its commands. Fetched when its first test asks, the process
waits for each host in turn; fetched while the tests of the hosts before it run, the
wait overlaps the judging. ``Lookahead.want`` is told the hosts a process will read
next, in order, and keeps the first ``ahead`` of them fetching on as many threads;
nothing else changes: the same one round trip per host, the same commands, the same
cache the tests then read (a host's tests that find its batch still in flight wait
for it, as they would for their own).

A measurement that must not share the process with golive's own work (AVL-05's latency
samples) runs ``quiet``: it waits until no batch is being built or read in this process
(``working``: the parts of a batch that run Python, not its wait on the host), and none
starts being built or read until it ends. The batches' round trips go on meanwhile: they
wait in other processes (ssh, the host), as the other workers' tests run on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

from golive.inventory import Host

AHEAD = 2
"""Batches in flight at most (and hosts fetched ahead of the one being judged)."""

Gate = Callable[[], AbstractContextManager[None]]


class Lookahead:
    """Fetches the batches of the hosts a process reads next, at most ``ahead`` at once;
    ``fetch(host, gate)``: the host's batch, its Python work inside ``gate()``
    (``RemoteHost.prefetch``, which raises nothing)."""

    def __init__(self, fetch: Callable[[Host, Gate], None], ahead: int = AHEAD) -> None:
        self.fetch = fetch
        self.ahead = ahead
        self._pool = ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="golive-lookahead")
        self._started: set[str] = set()
        self._in_flight = 0
        self._working = 0
        self._quiet = 0
        self._changed = threading.Condition()

    def want(self, hosts: Iterable[Host]) -> None:
        """``hosts``: the hosts this process reads next, the nearest first; the first ``ahead``
        of them not fetched yet start fetching."""
        with self._changed:
            for host in hosts:
                if self._in_flight >= self.ahead:
                    return
                if host.name in self._started:
                    continue
                self._started.add(host.name)
                self._in_flight += 1
                self._pool.submit(self._fetch, host)

    def started(self, host: Host) -> bool:
        """Whether ``host``'s batch was fetched (or is being fetched) ahead."""
        with self._changed:
            return host.name in self._started

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """A measurement with no batch being built or read in this process meanwhile."""
        with self._changed:
            self._quiet += 1
            self._changed.wait_for(lambda: self._working == 0)
        try:
            yield
        finally:
            with self._changed:
                self._quiet -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """A batch's Python work (building it, reading its answer): never during a quiet measurement."""
        with self._changed:
            self._changed.wait_for(lambda: self._quiet == 0)
            self._working += 1
        try:
            yield
        finally:
            with self._changed:
                self._working -= 1
                self._changed.notify_all()

    def settle(self) -> None:
        """Wait until every batch started is in."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight == 0)

    def close(self) -> None:
        """Wait for the batches in flight (their round trips count in the run's record)."""
        self._pool.shutdown(wait=True)

    def _fetch(self, host: Host) -> None:
        try:
            self.fetch(host, self.working)
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()
