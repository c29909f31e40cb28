"""What pytest and pytest-xdist cost per test on their own: the floor under golive's runner CPU.

The same shape as a golive run (N hosts, 81 criteria each, one parametrised test per
criterion and host) with empty tests, in golive's environment (the same installed
plugins), with ``-n 0`` and ``-n 2``: CPU seconds of pytest and its workers (``wait4``),
the best of ``--repeat`` runs. Whatever golive's runner costs per test above this floor is
golive's; the floor itself is pytest's and xdist's.

    .venv/bin/python benchmarks/pytest_floor.py --hosts 10 50
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CRITERIA = 81
TESTS = f"""
import os
import pytest

@pytest.fixture(params=range(int(os.environ["FLOOR_HOSTS"])))
def host(request):
    return request.param

@pytest.mark.parametrize("criterion", range({CRITERIA}))
def test_criterion(host, criterion):
    assert host >= 0 and criterion >= 0
"""


def run(directory: Path, hosts: int, workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of pytest and its workers) of one run."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_floor.py", "-n", str(workers)]
    env = {**os.environ, "FLOOR_HOSTS": str(hosts)}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pytest_floor: the empty suite failed with {hosts} hosts, -n {workers}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="golive-floor-") as tmp:
        directory = Path(tmp)
        (directory / "test_floor.py").write_text(TESTS)
        print(f"pytest_floor: load {os.getloadavg()[0]:.2f} at the start")
        print("| hosts | workers | tests | wall s (best) | CPU s (best) | CPU ms/test |")
        print("|---:|---:|---:|---:|---:|---:|")
        for hosts in args.hosts:
            for workers in args.workers:
                runs = [run(directory, hosts, workers) for _ in range(args.repeat)]
                wall = min(r[0] for r in runs)
                cpu = min(r[1] for r in runs)
                tests = hosts * CRITERIA
                print(f"| {hosts} | {workers} | {tests} | {wall:.2f} | {cpu:.2f} | {1000 * cpu / tests:.2f} |")
        print(f"pytest_floor: load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
