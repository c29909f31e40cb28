"""Hosts that cannot be checked fail with their reason, within their timeouts, while
the rest of the fleet is checked: a connection that never answers, a refused login."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.fleet import BareFleet, Fleet
from tests.sandbox.conftest import full_filesystem, running_fleet

REPO = Path(__file__).resolve().parents[2]
DISK = "/srv/data"


@pytest.fixture(scope="module")
def fleet_beside_a_full_disk() -> Iterator[Fleet]:
    """A fleet whose hosts started while the machine had a >90 % full filesystem
    mounted (they keep a copy of it), h1 with a disk of its own at /srv/data."""

    def plant(fleet: Fleet) -> None:
        full.unmount()
        fleet.hosts[0].sh(f"mkdir -p {DISK} && mount -t tmpfs -o size=16m golive-disk {DISK}")

    with full_filesystem() as full:
        yield from running_fleet(BareFleet, plant)


def test_silent_and_refusing_hosts_fail_alone(fleet_beside_a_full_disk: Fleet, tmp_path: Path):
    fleet = fleet_beside_a_full_disk
    described = fleet.describe()
    good = described["hosts"]["h1"]
    wrong_key = tmp_path / "wrong_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(wrong_key)], check=True)
    config = tmp_path / "ssh_config"
    config.write_text(
        "Host silent\n  ProxyCommand sleep 600\n"
        f"Host refusing\n  ProxyCommand ip netns exec {good['netns']} nc 127.0.0.1 22\n"
        f"  IdentityFile {wrong_key}\n  IdentitiesOnly yes\n"
        "Host *\n  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n  LogLevel ERROR\n"
    )
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        "defaults: {connect_timeout: 3s, command_timeout: 5s}\n"
        "hosts:\n"
        f"  h1: {{backend: '{good['spec']}', ssh_config: '{good['ssh_config']}', disk: {{mounts: ['{DISK}']}}}}\n"
        f"  silent: {{backend: 'ssh://root@silent', ssh_config: '{config}'}}\n"
        f"  refusing: {{backend: 'ssh://root@refusing', ssh_config: '{config}'}}\n"
    )
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests_infra/test_reliability.py",
         "-k", "disk", f"--inventory={inventory}", f"--report-dir={reports}"],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    record = json.loads((reports / "readiness.json").read_text())
    outcome = {(c["id"], i["target"]): (i["outcome"], i["message"]) for c in record["criteria"] for i in c["instances"]}
    assert outcome[("REL-08", "h1")][0] == "passed" and outcome[("REL-09", "h1")][0] == "passed"
    for criterion in ("REL-08", "REL-09"):
        state, message = outcome[(criterion, "silent")]
        assert state == "error" and message.startswith("silent: ")
        assert "timed out" in message or "no answer within" in message, message
        state, message = outcome[(criterion, "refusing")]
        assert state == "error" and "Permission denied" in message, message
    # the second criterion of a dead host fails at once, with the first one's reason
    assert outcome[("REL-09", "silent")][1] == outcome[("REL-08", "silent")][1]
