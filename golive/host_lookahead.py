"""The pytest side of fetching hosts' batches ahead (``golive/facts/lookahead.py``).

Before each test, the process looks at the tests it will run next (the rest of the
session's items alone; with pytest-xdist, the worker's queue) and hands the hosts they
read, in the order they come, to the fleet's ``Lookahead``. A host counts when one of its
coming tests reads a fact of its batch (``reads_batch``); with ``--dist load``
(``golive/host_scheduling.py``) a worker's queue holds the host it judges and the next two.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from golive import sharding
from golive.facts import Fleet
from golive.facts.host import reads_batch
from golive.inventory import Host
from golive.session import CRITERION, RunState

FURTHEST = 256
"""Tests looked at, at most, for the next hosts to fetch."""


class HostLookahead:
    """pytest hooks: hands the hosts this process reads next to the fleet's lookahead."""

    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self._hosts = {host.name: host for host in state.inventory.hosts}
        self._names = list(self._hosts)
        self._facts: dict[str, Host | None] = {}
        self._positions: dict[str, int] | None = None
        self._queue: Any = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        fleet = self.state.fleet
        if not isinstance(fleet, Fleet) or not self._hosts:
            return
        fleet.lookahead.want(self._next_hosts(itertools.islice(self._coming(item), FURTHEST), fleet))

    def _next_hosts(self, items: Iterator[pytest.Item], fleet: Fleet) -> Iterator[Host]:
        seen: set[str] = set()
        for item in items:
            host = self._of(item)
            if host is None or host.name in seen:
                continue
            seen.add(host.name)
            if not fleet.lookahead.started(host):
                yield host
            if len(seen) > 4 * fleet.lookahead.ahead:
                return  # the hosts further on wait for the next test's look

    def _of(self, item: pytest.Item) -> Host | None:
        """The host whose batch the test reads, or None."""
        if item.nodeid not in self._facts:
            criterion = item.stash.get(CRITERION, None)
            name = sharding.host_of(item.nodeid, self._names)
            reads = criterion is not None and name is not None and reads_batch(criterion.id)
            self._facts[item.nodeid] = self._hosts[name] if reads and name else None
        return self._facts[item.nodeid]

    def _coming(self, item: pytest.Item) -> Iterator[pytest.Item]:
        """The items this process runs after ``item``, in order, as far as it knows them."""
        items: Sequence[pytest.Item] = item.session.items
        if self._queue is None:
            self._queue = _worker_queue(self.config) or False
        if self._queue:
            return (items[index] for index in self._queue())
        if self._positions is None:
            self._positions = {each.nodeid: index for index, each in enumerate(items)}
        position = self._positions.get(item.nodeid)
        if position is None:
            return iter(())
        return itertools.islice(items, position + 1, None)


def _worker_queue(config: pytest.Config) -> Any:
    """On an xdist worker, a function returning the indices of the items it will run next (the
    next one, then its queue); None elsewhere, or when xdist keeps them where this cannot see."""
    if not hasattr(config, "workerinput"):
        return None
    interactor = next(
        (plugin for plugin in config.pluginmanager.get_plugins() if type(plugin).__name__ == "WorkerInteractor"), None
    )
    torun = getattr(interactor, "torun", None)
    if torun is None or not hasattr(torun, "lock"):
        return None

    def queued() -> list[int]:
        with torun.lock() as waiting:
            indices = list(waiting)
        ahead = [getattr(interactor, "nextitem_index", None), *indices]
        return [index for index in ahead if isinstance(index, int)]

    return queued
