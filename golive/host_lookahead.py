"""The pytest side of fetching hosts' batches ahead (``golive/facts/lookahead.py``).

Before each test, the process looks at the tests it will run next (the rest of the
session's items alone; with pytest-xdist, the worker's queue) and hands the hosts they
read, in the order they come, to the fleet's ``Lookahead``. A host counts when one of its
coming tests reads a fact of its batch (``reads_batch``); with ``--dist load``
(``golive/host_scheduling.py``) a worker's queue holds the host it judges and the next two.

A process that runs the whole session's tests itself (no xdist) runs them host by host
(``sharding.by_host``), as a worker is handed them: in pytest's own order (criterion by
criterion) every host's first test would wait for its batch before any host was judged
whole, and the judging would run on alone after the last batch came in, rather than
while the next hosts' batches are being fetched.

Once the process has run a host's last test (none of its tests to come), it forgets what
it derived from that host's batch (``Fleet.forget_derived``): a fleet's run holds one
host's parsed facts at a time, not every host's till its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from golive import sharding, xdist_worker
from golive.facts import Fleet
from golive.facts.host import reads_batch
from golive.inventory import Host
from golive.session import CRITERION, RunState


class HostLookahead:
    """pytest hooks: hands the hosts this process reads next to the fleet's lookahead."""

    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self._hosts = {host.name: host for host in state.inventory.hosts}
        self._names = frozenset(self._hosts)
        self._reads: dict[str, bool] = {}
        """Whether a criterion's tests read their host's batch, by criterion ID."""
        self._named: dict[str, str | None] = {}
        self._last: dict[str, str] | None = None
        """Without xdist: each host's last test (its node id) among the session's items."""
        self._queue: Any = None
        self._order: list[Host] = []
        """The hosts read by the tests to come, the nearest first, as last looked at."""
        self._cursor = 0
        self._looked_at = -1

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Host by host, in a process that runs the tests it collects (an xdist worker runs
        what it is handed, in the scheduler's order)."""
        if self._hosts and not hasattr(config, "workerinput"):
            order = sharding.by_host([item.nodeid for item in items], self._names)
            items[:] = [items[index] for index in order]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        fleet = self.state.fleet
        if not isinstance(fleet, Fleet) or not self._hosts:
            return
        self._look(item)
        lookahead = fleet.lookahead
        while self._cursor < len(self._order) and lookahead.started(self._order[self._cursor]):
            self._cursor += 1
        if self._cursor < len(self._order):
            lookahead.want(self._order[self._cursor :])

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        fleet = self.state.fleet
        if not isinstance(fleet, Fleet) or not self._hosts:
            return
        name = self._name(item)
        if name is None or (nextitem is not None and self._name(nextitem) == name) or self._comes_again(item, name):
            return
        fleet.forget_derived(name)

    def _comes_again(self, item: pytest.Item, name: str) -> bool:
        """Whether a test of the host ``name`` is still to run in this process after ``item``."""
        items: Sequence[pytest.Item] = item.session.items
        queue = self._queued()
        if queue:  # the worker's queue (a host's tests are handed to one worker at once)
            _, indices = queue(-1)
            return any(self._name(items[index]) == name for index in indices or ())
        if self._last is None:
            self._last = {}
            for each in items:
                host = self._name(each)
                if host is not None:
                    self._last[host] = each.nodeid
        return self._last.get(name) != item.nodeid

    def _look(self, item: pytest.Item) -> None:
        """Read again the hosts of the tests to come when they changed: once for the session's
        items alone; with xdist, when more tests came into the worker's queue."""
        items: Sequence[pytest.Item] = item.session.items
        queue = self._queued()
        if not queue:
            if self._looked_at < 0:
                self._looked_at = len(items)
                self._order = self._distinct(items)
            return
        count, indices = queue(self._looked_at)
        if indices is not None:  # more work came in
            self._order = self._distinct(items[index] for index in indices)
            self._cursor = 0
        self._looked_at = count

    def _queued(self) -> Any:
        """The worker's queue (``_worker_queue``), or False without one."""
        if self._queue is None:
            self._queue = _worker_queue(self.config) or False
        return self._queue

    def _distinct(self, items: Iterable[pytest.Item]) -> list[Host]:
        order: dict[str, Host] = {}
        for each in items:
            host = self._of(each)
            if host is not None:
                order.setdefault(host.name, host)
        return list(order.values())

    def _name(self, item: pytest.Item) -> str | None:
        """The inventory host the test is parametrized with, or None."""
        if item.nodeid not in self._named:
            self._named[item.nodeid] = sharding.host_of(item.nodeid, self._names)
        return self._named[item.nodeid]

    def _of(self, item: pytest.Item) -> Host | None:
        """The host whose batch the test reads, or None."""
        criterion = item.stash.get(CRITERION, None)
        name = self._name(item)
        if criterion is None or name is None:
            return None
        if criterion.id not in self._reads:
            self._reads[criterion.id] = reads_batch(criterion.id)
        return self._hosts[name] if self._reads[criterion.id] else None


def _worker_queue(config: pytest.Config) -> Any:
    """On an xdist worker, a function telling how many items it will run next (the next one, then
    its queue) and, only when they are more than the count it is given, their indices; None
    elsewhere, or when xdist keeps them where this cannot see."""
    interactor = xdist_worker.interactor(config)
    torun = getattr(interactor, "torun", None)
    if torun is None or not hasattr(torun, "lock"):
        return None

    def queued(known: int) -> tuple[int, list[int] | None]:
        with torun.lock() as waiting:
            following = [getattr(interactor, "nextitem_index", None)]
            count = len(waiting) + isinstance(following[0], int)
            if count <= known:  # the queue only went down: no copy of it, every test
                return count, None
            following += waiting
        return count, [index for index in following if isinstance(index, int)]

    return queued
