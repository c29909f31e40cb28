"""What one remote command costs over real SSH (the sandbox's hosts), and what batching saves.

Brings a one-host sandbox fleet up (root), then times through testinfra's ssh backend:
one command, ten separate commands, and the same ten batched into one invocation.

    .venv/bin/python benchmarks/ssh_round_trip.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds

from sandbox.fleet import Fleet

COMMANDS = ["df -P -T -k", "ss -H -tulpn", "uptime", "hostname", "id", "uname -a", "cat /proc/loadavg",
            "ls /srv", "date", "true"]  # fmt: skip


def main() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="golive-bench-", dir="/tmp"))
    fleet = Fleet(run_dir, names=("b1",), prefix="gbench")
    try:
        host = fleet.up()["hosts"]["b1"]
        remote = testinfra.get_host(host["spec"], ssh_config=host["ssh_config"])
        remote.run("true")  # open the ControlMaster connection
        one = median_seconds(lambda: remote.run("true"))
        separate = median_seconds(lambda: [remote.run(command) for command in COMMANDS])
        batched = median_seconds(lambda: remote.run("; ".join(f"echo ==; {c}" for c in COMMANDS)))
        local = testinfra.get_host("local://")
        local_one = median_seconds(lambda: local.run("true"))
        print("| what | median |")
        print("|---|---:|")
        print(f"| one command over SSH (open connection) | {one * 1000:.0f} ms |")
        print(f"| {len(COMMANDS)} commands, one round trip each | {separate * 1000:.0f} ms |")
        print(f"| the same {len(COMMANDS)} batched into one invocation | {batched * 1000:.0f} ms |")
        print(f"| one command through local:// | {local_one * 1000:.1f} ms |")
    finally:
        fleet.down(purge=True)


if __name__ == "__main__":
    main()
