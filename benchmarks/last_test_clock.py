"""A pytest plugin for benchmarks: writes when the run's last test ended.

Loaded by benchmarks/fleet_ssh.py with ``-p last_test_clock`` (benchmarks/ on
PYTHONPATH). On the controller (the process without ``workerinput``), every test
report's teardown stamps the wall clock; at session finish, before any other plugin's
session-finish hook (golive's report writing among them), the last stamp is written
to the file named by ``LAST_TEST_CLOCK``: seconds since the epoch, the same clock as
file modification times, so the benchmark can tell how long after the last test each
report file was written. The stamp is taken when the controller receives the report,
which with xdist is when the worker's report arrives.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

_LAST = [0.0]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        _LAST[0] = time.time()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("LAST_TEST_CLOCK")
    if target and not hasattr(session.config, "workerinput") and _LAST[0]:
        Path(target).write_text(f"{_LAST[0]:.6f}\n")
