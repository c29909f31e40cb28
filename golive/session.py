"""What one pytest session knows about the golive run, shared by the plugin and the fixtures.

The plugin (``golive.plugin``, on top of the layers) creates a ``RunState`` in
``pytest_configure`` and keeps it in the config's stash; the fixtures
(``golive.fixtures``, below the plugin) read the inventory and the catalogue from it
with ``state_of(config)``. Neither imports the other: both import this module.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

from golive import shipped
from golive.criteria import Criterion
from golive.evidence import Evidence
from golive.inventory import Inventory
from golive.record_schema import Record
from golive.results import Ledger

CRITERION = pytest.StashKey[Criterion]()
"""An item's criterion, set at collection."""
EVIDENCE = pytest.StashKey[Evidence]()
"""An item's evidence, collected during setup, call and teardown."""
_STATE = pytest.StashKey["RunState"]()


class CountsRoundTrips(Protocol):
    """What the run needs of the fleet: remote commands per host (``golive.checks.remote.Fleet``)."""

    def round_trips(self) -> dict[str, int]: ...


@dataclass
class RunState:
    """What one pytest session knows about the golive run."""

    inventory: Inventory
    shard: tuple[int, int] | None = None
    fleet: CountsRoundTrips | None = None
    """The session's connections to hosts, once a criterion asked for them (the ``fleet`` fixture)."""
    ledger: Ledger = field(default_factory=Ledger)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started_monotonic: float = field(default_factory=time.monotonic)
    deselected: int = 0
    html_path: Path | None = None
    html_is_ours: bool = False
    json_path: Path | None = None
    record: Record | None = None
    round_trips: dict[str, int] = field(default_factory=dict)
    catalogue: dict[str, Criterion] = field(default_factory=dict)
    nothing_declared: set[str] = field(default_factory=set)
    collection_errors: list[str] = field(default_factory=list)
    crashed_workers: list[str] = field(default_factory=list)
    previous_sigterm: Any = None
    shipped: shipped.Inclusion = field(default_factory=lambda: shipped.Inclusion(False, False))
    shipped_directory: Path | None = None

    def add_round_trips(self, counts: dict[str, int]) -> None:
        """Remote commands per host, summed over this process and xdist's workers."""
        for host, count in counts.items():
            self.round_trips[host] = self.round_trips.get(host, 0) + count

    def own_round_trips(self) -> dict[str, int]:
        """This process's remote commands per host (none when no criterion reached a host)."""
        return self.fleet.round_trips() if self.fleet is not None else {}


def start(config: pytest.Config, state: RunState) -> None:
    """Keep ``state`` as the run's state for the rest of the session."""
    config.stash[_STATE] = state


def state_of(config: pytest.Config) -> RunState:
    """The run's state (the golive plugin sets it in ``pytest_configure``)."""
    return config.stash[_STATE]


def find_state(config: pytest.Config) -> RunState | None:
    """The run's state, or None when configuring ended before it was set."""
    return config.stash.get(_STATE, None)
