"""benchmarks/fleet_ssh.py's own parts: its arguments, its table, and runner_cost's measurement.

The benchmark itself needs root and a sandbox fleet (tests/sandbox/test_light_fleet.py
covers the fleet); these need neither.
"""

from __future__ import annotations

import os
import sys
import time
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
    from fleet_cpu import Spent
    from runner_cost import Cost
    from timeline import Summary

    written = fleet_ssh.Reports(html_mb=2.34, json_mb=1.25, written_after=0.44, exit_after=3.05, html_load=1.5)
    fleet, waited = Spent(4.0, 1.25, 0.5), Summary(batch_wait=3.5, idle=0.25, tail=1.0, batches=10, batch_mean=0.7)
    rows = [
        fleet_ssh.Row(
            10, "golive-n2", 900, Cost(19.25, 16.9, 111.4, 98.0, 1, "cgroup"), 2, 1.5, written, fleet, waited
        ),
        fleet_ssh.Row(10, "naive-n2", 1020, Cost(120.0, 40.0, 42.0, 0.0, 1, "cgroup"), 102.0, 2.25),
    ]
    lines = fleet_ssh.table(rows).splitlines()
    assert lines[0].count("|") == len(fleet_ssh.COLUMNS) + 1
    assert lines[2] == (
        "| 10 | golive-n2 | 900 | 19.2 | 16.9 | 18.8 | 5.2 | 2 | 3.5 | 0.2 | 1.0 | 111 | 98 | 2.3 | 1.2 | 0.4 | 3.0 "
        "| 1.5 | 1.50 |"
    )
    assert lines[3] == (
        "| 10 | naive-n2 | 1020 | 120.0 | 40.0 | 39.2 | — | 102 | — | — | — | 42 | — | — | — | — | — | — | 2.25 |"
    )
    plain = fleet_ssh.table(rows, markdown=False).splitlines()
    assert len(plain) == 3 and "|" not in "".join(plain)
    assert plain[1].split() == lines[2].strip("| ").split(" | ")


def test_growth_compares_each_mode_across_sizes(fleet_ssh: ModuleType) -> None:
    from runner_cost import Cost

    def row(hosts: int, mode: str, wall: float) -> object:
        return fleet_ssh.Row(hosts, mode, hosts * 90, Cost(wall, 1.0, 1.0, 0.0, 0, "cgroup"), 1, 5.0)

    rows = [row(200, "golive-n2", 900.0), row(50, "golive-n2", 200.0), row(50, "naive-n2", 1000.0)]
    assert fleet_ssh.growth(rows) == ["golive-n2: wall(200) / wall(50) = 4.50 for 4x the hosts (loads 5.00, 5.00)"]


def test_a_baseline_runs_in_pairs_whose_order_alternates(fleet_ssh: ModuleType, tmp_path: Path) -> None:
    modes = ["golive-n0", "naive-n2", "golive-n2"]
    assert [mode for mode, _ in fleet_ssh.schedule(modes, None)] == modes
    runs = fleet_ssh.schedule(modes, tmp_path, pairs=3)
    assert [mode for mode, _ in runs] == [
        "golive-n0@base", "golive-n0", "naive-n2", "golive-n2@base", "golive-n2",
        "golive-n0#2", "golive-n0#2@base", "golive-n2#2", "golive-n2#2@base",
        "golive-n0#3@base", "golive-n0#3", "golive-n2#3@base", "golive-n2#3",
    ]  # fmt: skip
    assert all((tree == tmp_path) == mode.endswith("@base") for mode, tree in runs)


def test_paired_runs_are_compared_by_their_means(fleet_ssh: ModuleType) -> None:
    from runner_cost import Cost

    def row(mode: str, wall: float, cpu: float) -> object:
        return fleet_ssh.Row(50, mode, 5000, Cost(wall, cpu, 1.0, 0.0, 0, "cgroup"), 1, 2.0)

    rows = [row("golive-n2@base", 30.0, 28.0), row("golive-n2", 29.0, 26.0), row("naive-n2", 140.0, 100.0),
            row("golive-n2#2", 27.0, 24.0), row("golive-n2#2@base", 28.0, 25.0)]  # fmt: skip
    assert fleet_ssh.paired(rows) == [
        "golive-n2 at 50 hosts, mean of 2 baseline and 2 change runs: "
        "wall 29.0 -> 28.0 s (-1.0), runner CPU 26.5 -> 25.0 s (-1.5)"
    ]
    assert fleet_ssh.paired(rows[:3]) == [
        "golive-n2 at 50 hosts, mean of 1 baseline and 1 change runs: wall 30.0 -> 29.0 s (-1.0), "
        "runner CPU 28.0 -> 26.0 s (-2.0)"
    ]


def test_report_timings_are_read_against_the_last_test(fleet_ssh: ModuleType, tmp_path: Path) -> None:
    last = 1_700_000_000.0
    (tmp_path / "last-test").write_text(f"{last}\n")
    (tmp_path / "exited").write_text(f"{last + 9.5}\n")
    (tmp_path / "history").mkdir()
    for name, size, after in (("readiness.json", 2_000_000, 1.0), ("readiness.html", 3_000_000, 2.5),
                              ("history/1.json", 10, 0.5), ("history/2.json", 10, 4.0)):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(b"x" * size)
        os.utime(path, (last + after, last + after))
    written = fleet_ssh.report_files(tmp_path, html_load=False)
    assert (written.html_mb, written.json_mb) == (3.0, 2.0)
    assert written.written_after == pytest.approx(4.0, abs=0.01)
    assert written.exit_after == pytest.approx(9.5)
    assert written.html_load is None


def test_report_timings_are_unknown_without_the_clock(fleet_ssh: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "readiness.json").write_text("{}")
    written = fleet_ssh.report_files(tmp_path, html_load=True)
    assert written.written_after is None and written.exit_after is None
    assert written.html_mb is None and written.html_load is None


def test_html_load_time_is_read_from_its_column_only(
    fleet_ssh: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = tmp_path / "readiness.html"
    html.write_text("<html></html>")
    script = tmp_path / "html_load.py"
    monkeypatch.setattr(fleet_ssh, "HTML_LOAD", script)
    assert fleet_ssh.load_seconds(html) is None  # not there: the column shows a dash
    script.write_text("import sys; print(f'{sys.argv[1]}: loaded in 1.25 s')\n")
    assert fleet_ssh.load_seconds(html) is None  # no column to read: a dash, not a guess
    table = ["| page MB | run | loaded and painted s | Chromium CPU s | load |", "|---:|---:|---:|---:|---:|",
             "| 0.1 | 1 | 2.50 | 1.10 | 7.25 |"]  # fmt: skip
    script.write_text(f"print({chr(10).join(table)!r})\n")
    assert fleet_ssh.load_seconds(html) == 2.5  # the loaded column, not the load average
    script.write_text("import sys; sys.exit('no chromium')\n")
    assert fleet_ssh.load_seconds(html) is None


def test_last_test_clock_stamps_the_last_test_on_the_controller(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one(): pass\ndef test_two(): pass\n")
    stamp = pytester.path / "last-test"
    pytester.syspathinsert(BENCHMARKS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAST_TEST_CLOCK", str(stamp))
        patch.setenv("PYTHONPATH", str(BENCHMARKS))
        before = time.time()
        result = pytester.runpytest_subprocess("-p", "last_test_clock", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert before <= float(stamp.read_text()) <= time.time()


def test_runner_cost_counts_the_child_processes_of_a_command(fleet_ssh: ModuleType) -> None:
    from runner_cost import measure

    settled = []
    spin = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'sum(range(3_000_000))'], check=True)"
    cost = measure([sys.executable, "-c", spin], lambda: settled.append(True))
    assert cost.returncode == 0
    assert cost.cpu > 0 and cost.wall > 0
    assert settled == [True]


def test_runner_cost_takes_a_fork_of_the_controller_for_no_worker(fleet_ssh: ModuleType) -> None:
    from runner_cost import measure

    # a fork still running the controller's command line shows the controller's memory
    fork = "import os, time; pid = os.fork()\nif pid == 0: time.sleep(0.8); os._exit(0)\nos.waitpid(pid, 0)"
    assert measure([sys.executable, "-c", fork], lambda: None).worker_rss_mb == 0.0
    child = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.8)'], check=True)"
    assert measure([sys.executable, "-c", child], lambda: None).worker_rss_mb > 0.0


def test_the_timeline_tells_batch_waits_gaps_and_the_tail(fleet_ssh: ModuleType, tmp_path: Path) -> None:
    import json

    import timeline

    def write(pid: int, role: str, events: list[dict[str, object]]) -> None:
        head = {"kind": "session", "role": role, "start": 100.0, "end": 130.0}
        (tmp_path / f"{pid}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in [head, *events]))

    write(
        1,
        "gw0",
        [
            {"kind": "test", "start": 102.0, "end": 103.0},
            {"kind": "test", "start": 103.5, "end": 110.0},
            {"kind": "batch", "host": "a", "start": 102.0, "end": 102.8, "waited": True, "commands": 9},
            {"kind": "batch", "host": "b", "start": 103.0, "end": 104.0, "waited": False, "commands": 9},
        ],
    )
    write(2, "gw1", [{"kind": "test", "start": 102.0, "end": 107.0}])
    processes = timeline.read(tmp_path)
    found = timeline.summary(processes)
    assert found is not None
    assert (found.batch_wait, found.idle, found.tail, found.batches, found.batch_mean) == pytest.approx(
        (0.8, 0.5, 3.0, 2, 0.9)
    )
    assert [line.split(":")[0] for line in found.lines(processes)] == ["gw0", "gw1"]
