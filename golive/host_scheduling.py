"""pytest-xdist scheduling that keeps every test of one host on one worker.

A host's connection and its cached facts are then made once per run, not once per
worker, while different hosts still spread over the workers. Used for ``-n N`` with
xdist's default ``--dist load``; any other ``--dist`` the user chooses is respected.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from xdist.scheduler import LoadScopeScheduling

from golive.sharding import host_of


class HostScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no type information
    """xdist's load-scope scheduling with the host as the scope."""

    def __init__(self, config: pytest.Config, log: object, hosts: Sequence[str]) -> None:
        super().__init__(config, log)
        self.hosts = tuple(hosts)

    def _split_scope(self, nodeid: str) -> str:
        host = host_of(nodeid, self.hosts)
        return f"host:{host}" if host is not None else super()._split_scope(nodeid)
