"""pytest-xdist scheduling that keeps every test of one host on one worker.

A host's connection and its cached facts are then made once per run, not once per
worker, while different hosts still spread over the workers. Used for ``-n N`` with
xdist's default ``--dist load``; any other ``--dist`` the user chooses is respected.

Each worker holds the host it judges and the next two, so that it can fetch their
batches while it judges this one (``golive/host_lookahead.py``); once fewer hosts
wait than there are workers, a worker gets a host only when it has none left, so that
no worker ends with a host queued while another has nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from golive.sharding import host_of

HELD = 3
"""Hosts a worker holds while enough wait for every worker: the one it judges and the next two."""


class HostScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no type information
    """xdist's load-scope scheduling with the host as the scope."""

    def __init__(self, config: pytest.Config, log: object, hosts: Sequence[str]) -> None:
        super().__init__(config, log)
        self.hosts = frozenset(hosts)
        self._scopes: dict[str, str] = {}
        self._positions: dict[Any, dict[str, int]] = {}
        # the tests still to run of each scope a worker was given, kept as they finish
        self._left: dict[tuple[Any, str], int] = {}

    def _split_scope(self, nodeid: str) -> str:
        scope = self._scopes.get(nodeid)
        if scope is None:
            host = host_of(nodeid, self.hosts)
            scope = self._scopes[nodeid] = f"host:{host}" if host is not None else super()._split_scope(nodeid)
        return scope

    def _assign_work_unit(self, node: Any) -> None:
        """xdist's, with each test's index in the worker's collection looked up, not searched for."""
        scope, work_unit = self.workqueue.popitem(last=False)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        positions = self._positions.get(node)
        if positions is None:
            positions = self._positions[node] = {n: i for i, n in enumerate(self.registered_collections[node])}
        indices = [positions[nodeid] for nodeid, completed in work_unit.items() if not completed]
        self._left[(node, scope)] = len(indices)
        node.send_runtest_some(indices)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        """xdist's, with the tests left in the scope counted down."""
        nodeid = self.registered_collections[node][item_index]
        scope = self._split_scope(nodeid)
        if not self.assigned_work[node][scope][nodeid]:
            self._left[(node, scope)] -= 1
        super().mark_test_complete(node, item_index, duration)

    @property
    def tests_finished(self) -> bool:
        """xdist's, from the counts: asked before every event the controller handles, it summed
        every assigned test of every worker once no host was left to hand out."""
        if not self.collection_is_completed or self.workqueue:
            return False
        return all(sum(self._left[(node, scope)] for scope in work) < 2 for node, work in self.assigned_work.items())

    def _reschedule(self, node: Any) -> None:
        """Give ``node`` hosts until it holds ``HELD`` with tests to run (one, near the end), and
        more than two tests."""
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        while self.workqueue:
            held, pending = self._held(node)
            # a worker runs a test once it has the next one (or is told to stop): it must never
            # be left with its last two tests and nothing more, as xdist's own scheduling ensures
            if held >= (HELD if len(self.workqueue) >= len(self.nodes) else 1) and pending > 2:
                return
            self._assign_work_unit(node)

    def _held(self, node: Any) -> tuple[int, int]:
        """The scopes assigned to ``node`` that still have a test to run, and those tests (a worker
        runs its scopes in order: counted from the newest back to the first one done)."""
        held = pending = 0
        for scope in reversed(self.assigned_work.get(node, {})):
            left = self._left[(node, scope)]
            if not left:
                break
            held, pending = held + 1, pending + left
        return held, pending
