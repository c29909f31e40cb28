"""The pytest-xdist worker's own object golive reaches: its ``WorkerInteractor``.

xdist registers it as a plugin of each worker and documents no way to it: golive reads its
queue of tests to come (``golive.host_lookahead``) and sends each test's events through it
(``golive.report_wire``). Found by its class's name, it is None where xdist has none (the
controller, a single process) or names it otherwise; both readers then do without it.
"""

from __future__ import annotations

from typing import Any

import pytest


def interactor(config: pytest.Config) -> Any:
    """The worker's ``WorkerInteractor``, or None."""
    if not hasattr(config, "workerinput"):
        return None
    return next(
        (plugin for plugin in config.pluginmanager.get_plugins() if type(plugin).__name__ == "WorkerInteractor"), None
    )
