"""golive against N hosts over real SSH, next to a naive testinfra suite: one table.

For each N, brings up a light sandbox fleet (sandbox/light_fleet.py: N hosts, each a
network namespace with its own sshd and /srv, sharing one Docker engine and one nginx;
the profile is sandbox/light_profile.py's: 6 containers incl. an unhealthy and a
restart-looping one, 7 HTTPS endpoints, a config repo, backups, 10k-line logs), then
runs, one after the other: golive's suite with ``-n 0`` and ``-n 2``, and the naive
baseline (benchmarks/naive/, one SSH command or HTTP request per check) with ``-n 2``.
Needs root.

    .venv/bin/python benchmarks/fleet_ssh.py --hosts 1 10 50
    .venv/bin/python benchmarks/fleet_ssh.py --hosts 200 --modes golive-n2

    .venv/bin/python benchmarks/fleet_ssh.py --hosts 200 50 --modes golive-n2 --markdown

Columns: wall time; runner CPU (the command's whole process tree: controller, workers,
ssh, curl; not the sandbox hosts; see runner_cost.py); CPU ms per test instance; host
CPU (the fleet's sshd sessions and shared engine during the run, fleet_cpu.py); round
trips per host (golive: the record's ``run.round_trips``; naive: commands + requests
counted); batch wait, idle and tail (timeline.py: tests held up asking for facts, gaps
between tests, the last worker's lead over the first); peak RSS of the controller and
of the largest worker; the sizes of readiness.html and readiness.json; "reports s": from the last test's end to the last
report file written (readiness.json, readiness.html, the history's newest file), read
from the files' modification times against the controller's clock of the last test
report (benchmarks/last_test_clock.py); "exit s": from the last test's end to the
command's exit; the load time of readiness.html in headless Chromium
(benchmarks/html_load.py, when present); the 1-minute load average when the run started
(the machine is shared). Under the table, wall(N) / wall(smaller N) for each mode run at
several sizes. ``--markdown`` prints the table as Markdown, to paste into
docs/performance.md; ``--baseline DIR`` runs each golive mode from another checkout
too, on the same fleet, in ``--pairs`` pairs (default 2) whose order alternates: the
baseline first in odd pairs, the change first in even ones. The second run of a pair
costs less (measured on the same code on both sides), so one fixed order would favour
one side; under the table, each mode's mean over its pairs, baseline against change.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import timeline
import yaml
from fleet_cpu import FleetCpu, Spent  # benchmarks/ is sys.path[0] when run as a script
from runner_cost import Cost, measure
from timeline import Summary

REPO = Path(__file__).resolve().parents[1]

MODES = {
    "golive-n0": ("golive", 0),
    "golive-n2": ("golive", 2),
    "golive-n4": ("golive", 4),
    "naive-n2": ("naive", 2),
    "naive-n0": ("naive", 0),
}
DEFAULT_MODES = ("golive-n0", "golive-n2", "naive-n2")
COLUMNS = ("hosts", "mode", "tests", "wall s", "runner CPU s", "CPU ms/test", "host CPU s", "round trips/host",
           "batch wait s", "idle s", "tail s", "controller RSS MB", "worker RSS MB", "HTML MB", "JSON MB",
           "reports s", "exit s", "HTML load s", "load")  # fmt: skip
HTML_LOAD = REPO / "benchmarks" / "html_load.py"
HTML_LOAD_TIMEOUT = 900


@dataclass(frozen=True)
class Reports:
    """What the run wrote and when, against the last test's end (None: not known)."""

    html_mb: float | None = None
    json_mb: float | None = None
    written_after: float | None = None  # the last report file's mtime - the last test's end
    exit_after: float | None = None  # the command's exit - the last test's end
    html_load: float | None = None  # headless Chromium, benchmarks/html_load.py


@dataclass(frozen=True)
class Row:
    hosts: int
    mode: str
    tests: int
    cost: Cost
    round_trips: float
    load: float
    reports: Reports = Reports()
    fleet: Spent | None = None
    timeline: Summary | None = None

    def cells(self) -> list[str]:
        per_test = self.cost.cpu * 1000 / self.tests if self.tests else float("nan")
        worker = f"{self.cost.worker_rss_mb:.0f}" if self.cost.worker_rss_mb else "—"
        r, t = self.reports, self.timeline
        return [str(self.hosts), self.mode, str(self.tests), f"{self.cost.wall:.1f}", f"{self.cost.cpu:.1f}",
                f"{per_test:.1f}", _figure(self.fleet.total if self.fleet else None), f"{self.round_trips:g}",
                _figure(t.batch_wait if t else None), _figure(t.idle if t else None), _figure(t.tail if t else None),
                f"{self.cost.controller_rss_mb:.0f}", worker,
                _figure(r.html_mb), _figure(r.json_mb), _figure(r.written_after), _figure(r.exit_after),
                _figure(r.html_load), f"{self.load:.2f}"]  # fmt: skip


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(rows: Sequence[Row], markdown: bool = True) -> str:
    """The rows as one Markdown table, or as aligned plain text."""
    cells = [list(COLUMNS), *(row.cells() for row in rows)]
    if markdown:
        aligns = ["---" if column == "mode" else "---:" for column in COLUMNS]
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join(aligns) + "|"]
        return "\n".join(lines + ["| " + " | ".join(line) + " |" for line in cells[1:]])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in cells)


def growth(rows: Sequence[Row]) -> list[str]:
    """For each mode run at several sizes: wall(N) / wall(M) against N / M, the linearity goal."""
    lines = []
    for mode in dict.fromkeys(row.mode for row in rows):
        sized = sorted((row for row in rows if row.mode == mode), key=lambda row: row.hosts)
        for small, large in itertools.pairwise(sized):
            if large.hosts > small.hosts and small.cost.wall:
                lines.append(
                    f"{mode}: wall({large.hosts}) / wall({small.hosts}) = {large.cost.wall / small.cost.wall:.2f} "
                    f"for {large.hosts / small.hosts:g}x the hosts (loads {large.load:.2f}, {small.load:.2f})"
                )
    return lines


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 10, 50], help="fleet sizes (1, 10, 50, 200 ...)")
    parser.add_argument("--modes", nargs="+", choices=sorted(MODES), default=list(DEFAULT_MODES))
    parser.add_argument("--prefix", default="gfb", help="prefix of the namespaces (a-z, 0-9, at most 6 characters)")
    parser.add_argument("--keep-reports", type=Path, help="copy each run's readiness.json, .html and timeline here")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown, to paste in the docs")
    parser.add_argument("--no-html-load", action="store_true", help="skip the headless Chromium load of the HTML")
    parser.add_argument("--baseline", type=Path, help="another checkout (with its .venv): each golive mode runs "
                        "from it too, on the same fleet (mode name + '@base')")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=2, help="with --baseline: runs of each side per mode, "
                        "alternating which goes first (default 2)")  # fmt: skip
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.hosts):
        parser.error("--hosts: each size must be at least 1")
    if args.pairs < 1:
        parser.error("--pairs: at least 1")
    return args


def run_golive(
    inventory: Path, workers: int, reports: Path, settle: object, tree: Path = REPO
) -> tuple[Cost, int, float]:
    """golive's suite from ``tree`` (another checkout, with its own .venv: the code before a change)."""
    python = sys.executable if tree == REPO else str(tree / ".venv" / "bin" / "python")
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "last_test_clock",
               "-p", "timeline", "tests_infra", f"--inventory={inventory}", f"--report-dir={reports}",
               "-n", str(workers)]  # fmt: skip
    env = {**_timeline_env(reports), "LAST_TEST_CLOCK": str(reports / "last-test")}
    cost = measure(command, settle, cwd=tree, env=env, stdout=_log(reports), stderr=_log(reports))  # type: ignore[arg-type]
    (reports / "exited").write_text(f"{cost.exited:.6f}\n")
    record = json.loads((reports / "readiness.json").read_text())
    tests = sum(len(criterion["instances"]) for criterion in record["criteria"])
    tally = collections.Counter(i["outcome"] for criterion in record["criteria"] for i in criterion["instances"])
    print(f"fleet_ssh: graded {record['score']} ({record['grade']}): "  # the same fleet must grade the same
          + ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items())), file=sys.stderr)  # fmt: skip
    trips = list(record["run"]["round_trips"].values())
    return cost, tests, statistics.mean(trips) if trips else 0.0


def _timeline_env(reports: Path) -> dict[str, str]:
    """The environment loading benchmarks/ plugins (``-p timeline``), writing into ``reports``.

    Bytecode is written and read as on a user's machine (``PYTHONDONTWRITEBYTECODE`` dropped,
    as runner_cpu.py does): without it every process compiles, and pytest rewrites, each
    plugin module from its source (golive's, anyio's, pytest-html's ...) on every run. The
    caches are warmed before the first measured run (``warm_up``)."""
    (reports / "timeline").mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(REPO / "benchmarks"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "TIMELINE_DIR": str(reports / "timeline")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up(work: Path, inventory: Path, runs: Sequence[tuple[str, Path]]) -> None:
    """One unmeasured run of each suite and checkout on the fleet's first host, so that the
    measured runs find the bytecode a user's second run finds (the first mode would
    otherwise pay every later mode's compilation)."""
    hosts = yaml.safe_load(inventory.read_text())
    first = next(iter(hosts["hosts"]))
    one = work / "warm-up.yaml"
    one.write_text(yaml.safe_dump({**hosts, "hosts": {first: hosts["hosts"][first]}}))
    suites = dict.fromkeys((MODES[_mode_of(mode)][0], tree) for mode, tree in runs)
    for n, (kind, tree) in enumerate(suites):
        reports = work / f"warm-up-{n}"
        if kind == "golive":
            run_golive(one, 0, reports, lambda: None, tree)
        else:
            run_naive(one, 0, reports, lambda: None)


def where_the_wall_went(reports: Path) -> Summary | None:
    """benchmarks/timeline.py's summary of the run, its per-process lines printed."""
    processes = timeline.read(reports / "timeline")
    found = timeline.summary(processes)
    if found is not None:
        for line in found.lines(processes):
            print(f"fleet_ssh: {line}", file=sys.stderr)
    return found


def report_files(reports: Path, html_load: bool) -> Reports:
    """Sizes and timings of what a golive run wrote into ``reports`` (see the module docstring)."""
    html, record = reports / "readiness.html", reports / "readiness.json"
    history = sorted((reports / "history").glob("*.json"), key=lambda path: path.stat().st_mtime)
    written = [path for path in (record, html, *history[-1:]) if path.exists()]
    last_test = _clock(reports / "last-test")
    exited = _clock(reports / "exited")
    after = {path.name: path.stat().st_mtime - last_test for path in written} if last_test else {}
    if after:
        print("fleet_ssh: written after the last test: "
              + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in after.items()), file=sys.stderr)  # fmt: skip
    return Reports(
        html_mb=html.stat().st_size / 1e6 if html.exists() else None,
        json_mb=record.stat().st_size / 1e6 if record.exists() else None,
        written_after=max(after.values()) if after else None,
        exit_after=exited - last_test if last_test and exited else None,
        html_load=load_seconds(html) if html_load and html.exists() else None,
    )


def load_seconds(html: Path) -> float | None:
    """benchmarks/html_load.py's figure for ``html`` (None if the script is absent or failed).

    The interface: ``python benchmarks/html_load.py PATH`` loads PATH in headless Chromium
    and prints a Markdown table with a "loaded and painted s" column: that cell of its
    last row is read. Output without that column: the last number printed.
    """
    if not HTML_LOAD.exists():
        return None
    try:
        done = subprocess.run([sys.executable, str(HTML_LOAD), str(html)], capture_output=True, text=True,
                              timeout=HTML_LOAD_TIMEOUT, cwd=REPO)  # fmt: skip
    except subprocess.TimeoutExpired:
        print(f"fleet_ssh: html_load.py gave no figure in {HTML_LOAD_TIMEOUT} s", file=sys.stderr)
        return None
    figure = _loaded_cell(done.stdout)
    if done.returncode != 0 or figure is None:
        print(f"fleet_ssh: html_load.py failed ({done.returncode}): {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    print(f"fleet_ssh: html_load.py: {done.stdout.strip().splitlines()[-1]}", file=sys.stderr)
    return figure


def _loaded_cell(output: str) -> float | None:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")] for line in output.splitlines() if "|" in line
    ]
    header = next((row for row in rows if any(cell.startswith("loaded") for cell in row)), None)
    if header is not None and rows[-1] is not header:
        column = next(index for index, cell in enumerate(header) if cell.startswith("loaded"))
        try:
            return float(rows[-1][column])
        except (IndexError, ValueError):
            return None
    return None  # no "loaded ..." column: a dash, never a number taken from elsewhere


def _clock(path: Path) -> float | None:
    try:
        return float(path.read_text())
    except (OSError, ValueError):
        return None


def run_naive(inventory: Path, workers: int, reports: Path, settle: object) -> tuple[Cost, int, float]:
    counts = reports / "counts"
    counts.mkdir(parents=True)
    naive = REPO / "benchmarks" / "naive"
    command = [sys.executable, "-m", "pytest", "-q", "-c", str(naive / "pytest.ini"), "-p", "timeline", str(naive),
               "-n", str(workers)]  # fmt: skip
    env = {**_timeline_env(reports), "NAIVE_INVENTORY": str(inventory), "NAIVE_COUNTS": str(counts)}
    cost = measure(command, settle, cwd=naive, env=env, stdout=_log(reports), stderr=_log(reports))  # type: ignore[arg-type]
    tests, trips = 0, []
    for part in counts.glob("*.json"):
        counted = json.loads(part.read_text())
        tests += counted["tests"]
        trips.append(counted["round_trips"])
    hosts = {host for part in trips for host in part}
    per_host = [sum(part.get(host, 0) for part in trips) for host in hosts]
    return cost, tests, statistics.mean(per_host) if per_host else 0.0


def _log(reports: Path) -> object:
    reports.mkdir(parents=True, exist_ok=True)
    return (reports / "output.log").open("ab")


def bench(
    sizes: Sequence[int],
    modes: Sequence[str],
    prefix: str,
    keep: Path | None,
    html_load: bool,
    baseline: Path | None = None,
    pairs: int = 2,
) -> list[Row]:
    sys.path.insert(0, str(REPO))
    from sandbox import light_profile
    from sandbox.light_fleet import light_fleet

    rows = []
    for hosts in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir="/tmp"))
        try:
            started = time.perf_counter()
            with light_fleet(work / "f", hosts, f"{prefix}{hosts}") as fleet, contextlib.ExitStack() as stack:
                light_profile.plant(fleet)
                print(
                    f"fleet_ssh: {hosts} hosts up and planted in {time.perf_counter() - started:.0f} s", file=sys.stderr
                )
                inventory = work / "hosts.yaml"
                inventory.write_text(yaml.safe_dump(light_profile.inventory(fleet)))
                cpu = FleetCpu(fleet)
                stack.callback(cpu.close)
                at_rest = idle_rate(cpu)
                runs = schedule(modes, baseline, pairs)
                warm_up(work, inventory, runs)
                for mode, tree in runs:
                    kind, workers = MODES[_mode_of(mode)]
                    fleet.ssh.close()  # every run opens its own connections
                    load = os.getloadavg()[0]
                    reports = work / f"reports-{mode}"
                    before = cpu.read()
                    if kind == "golive":
                        cost, tests, trips = run_golive(inventory, workers, reports, fleet.ssh.close, tree or REPO)
                    else:
                        cost, tests, trips = run_naive(inventory, workers, reports, fleet.ssh.close)
                    spent = cpu.read() - before
                    print(f"fleet_ssh: fleet CPU during the run: hosts' sshd and sessions {spent.hosts:.1f} s, "
                          f"engine {spent.engine:.1f} s (at rest {at_rest.engine * cost.wall:.1f} s of it), "
                          f"containers {spent.containers:.1f} s (at rest {at_rest.containers * cost.wall:.1f} s)",
                          file=sys.stderr)  # fmt: skip
                    written = report_files(reports, html_load) if kind == "golive" else Reports()
                    row = Row(hosts, mode, tests, cost, trips, load, written, spent if cpu.available else None,
                              where_the_wall_went(reports))  # fmt: skip
                    rows.append(row)
                    print(table([row]).splitlines()[-1], file=sys.stderr, flush=True)
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        for kept in (reports / "readiness.json", reports / "readiness.html"):
                            if kept.exists():
                                shutil.copyfile(kept, keep / f"{kept.stem}-{hosts}-{mode}{kept.suffix}")
                        if (reports / "timeline").is_dir():
                            shutil.copytree(reports / "timeline", keep / f"timeline-{hosts}-{mode}", dirs_exist_ok=True)
        finally:
            _remove(work)
    return rows


def schedule(modes: Sequence[str], baseline: Path | None, pairs: int = 2) -> list[tuple[str, Path]]:
    """The runs in order, each with its checkout: without a baseline, each mode once; with
    one, each golive mode in ``pairs`` pairs with the baseline (``mode@base``), the baseline
    first in odd pairs and last in even ones, labelled ``#k`` from the second pair on."""
    if baseline is None:
        return [(mode, REPO) for mode in modes]
    runs: list[tuple[str, Path]] = []
    for k in range(pairs):
        tag = f"#{k + 1}" if k else ""
        for mode in modes:
            if MODES[mode][0] != "golive":
                runs += [(mode, REPO)] if k == 0 else []
                continue
            pair = [(f"{mode}{tag}@base", baseline), (f"{mode}{tag}", REPO)]
            runs += pair if k % 2 == 0 else pair[::-1]
    return runs


def _mode_of(label: str) -> str:
    """The mode a run's label names (``golive-n2#2@base``: ``golive-n2``)."""
    return label.removesuffix("@base").partition("#")[0]


def paired(rows: Sequence[Row]) -> list[str]:
    """For each size and golive mode run against a baseline: the mean wall and runner CPU
    of each side over its pairs, and the change's difference."""
    sides: dict[tuple[int, str, bool], list[Cost]] = collections.defaultdict(list)
    for row in rows:
        sides[(row.hosts, _mode_of(row.mode), row.mode.endswith("@base"))].append(row.cost)
    lines = []
    for (hosts, mode, base), before in sides.items():
        after = sides.get((hosts, mode, False))
        if not base or not after:
            continue
        wall = [statistics.mean(c.wall for c in side) for side in (before, after)]
        cpu = [statistics.mean(c.cpu for c in side) for side in (before, after)]
        lines.append(
            f"{mode} at {hosts} hosts, mean of {len(before)} baseline and {len(after)} change runs: "
            f"wall {wall[0]:.1f} -> {wall[1]:.1f} s ({wall[1] - wall[0]:+.1f}), "
            f"runner CPU {cpu[0]:.1f} -> {cpu[1]:.1f} s ({cpu[1] - cpu[0]:+.1f})"
        )
    return lines


def idle_rate(cpu: FleetCpu, seconds: float = 5.0) -> Spent:
    """The fleet's CPU per second at rest (health checks, the restart loop), before any run."""
    before = cpu.read()
    time.sleep(seconds)
    spent = cpu.read() - before
    return Spent(spent.hosts / seconds, spent.engine / seconds, spent.containers / seconds)


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if os.geteuid() != 0:
        print("fleet_ssh: needs root (network namespaces, sshd)", file=sys.stderr)
        return 2
    rows = bench(
        args.hosts, args.modes, args.prefix, args.keep_reports, not args.no_html_load, args.baseline, args.pairs
    )
    print(table(rows, markdown=args.markdown))
    for line in [*growth(rows), *paired(rows)]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
