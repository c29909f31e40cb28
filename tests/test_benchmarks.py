"""benchmarks/fleet_ssh.py's own parts: its arguments, its table, and runner_cost's measurement.

The benchmark itself needs root and a sandbox fleet (tests/sandbox/test_light_fleet.py
covers the fleet); these need neither.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def fleet_ssh() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import fleet_ssh

        yield fleet_ssh
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_arguments_default_to_the_small_fleets(fleet_ssh: ModuleType) -> None:
    args = fleet_ssh.parse([])
    assert args.hosts == [1, 10, 50]
    assert args.modes == ["golive-n0", "golive-n2", "naive-n2"]
    assert fleet_ssh.parse(["--hosts", "200", "--modes", "golive-n2"]).hosts == [200]


def test_a_fleet_of_no_hosts_is_refused(fleet_ssh: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        fleet_ssh.parse(["--hosts", "0"])
    assert exit.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_table_has_one_row_per_run_under_the_columns(fleet_ssh: ModuleType) -> None:
    from runner_cost import Cost

    rows = [
        fleet_ssh.Row(10, "golive-n2", 900, Cost(19.25, 16.9, 111.4, 98.0, 1, "cgroup"), 2, 1.5, 2.34),
        fleet_ssh.Row(10, "naive-n2", 1020, Cost(120.0, 40.0, 42.0, 0.0, 1, "cgroup"), 102.0, 2.25),
    ]
    lines = fleet_ssh.table(rows).splitlines()
    assert lines[0].count("|") == len(fleet_ssh.COLUMNS) + 1
    assert lines[2] == "| 10 | golive-n2 | 900 | 19.2 | 16.9 | 18.8 | 2 | 111 | 98 | 2.3 | 1.50 |"
    assert lines[3] == "| 10 | naive-n2 | 1020 | 120.0 | 40.0 | 39.2 | 102 | 42 | — | — | 2.25 |"


def test_runner_cost_counts_the_child_processes_of_a_command(fleet_ssh: ModuleType) -> None:
    from runner_cost import measure

    settled = []
    spin = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'sum(range(3_000_000))'], check=True)"
    cost = measure([sys.executable, "-c", spin], lambda: settled.append(True))
    assert cost.returncode == 0
    assert cost.cpu > 0 and cost.wall > 0
    assert settled == [True]
