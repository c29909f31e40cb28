"""The standard suite costs one round trip per host, over real SSH.

Each host of a bare sandbox fleet declares a log file (and keeps container logs on),
internal endpoints (over http and https, one protected, one named so its name is
looked up through the host's resolver) and nothing else. Every fact the criteria read,
the log read and every request made from the host included, comes in the host's one
batched round trip: ``round_trips`` in the run's record is 1 for each host.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from sandbox.fleet import BareFleet, Fleet
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import running_fleet

ENDPOINTS = [
    {"name": "app", "url": "http://localhost:9/", "internal": True, "samples": 2},
    {"name": "admin", "url": "http://127.0.0.1:9/admin", "internal": True, "protected": True},
    {"name": "secure", "url": "https://localhost:9/", "internal": True},
]
FROM_THE_HOST = ("LOG-01", "LOG-03", "AVL-01", "AVL-03", "AVL-05", "SEC-02", "SEC-03", "SEC-11")


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    yield from running_fleet(BareFleet)


def test_the_standard_suite_costs_one_round_trip_per_host(fleet: Fleet, tmp_path):
    described = fleet.describe()["hosts"]
    hosts = {
        name: {"backend": h["spec"], "ssh_config": h["ssh_config"], "logs": {"files": ["/etc/os-release"]},
               "endpoints": ENDPOINTS}
        for name, h in described.items()
    }  # fmt: skip
    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump({"hosts": hosts}))
    result = run_golive(REPO, f"--inventory={tmp_path / 'hosts.yaml'}", f"--report-dir={tmp_path / 'r'}")
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    record = load_json(tmp_path / "r" / "readiness.json")
    assert record["complete"], record["run"]
    commands: dict[tuple[str, str], list[dict]] = {}
    for criterion in record["criteria"]:
        for instance in criterion["instances"]:
            for entry in instance["evidence"]:
                if entry["kind"] == "command":
                    commands.setdefault((criterion["id"], entry["host"]), []).append(entry)
    for host in hosts:
        for criterion in FROM_THE_HOST:  # each read something on the host ...
            assert commands.get((criterion, host)), (criterion, host)
        # ... and all of it came in the host's one batch
        alone = {e["command"][:80] for (_, h), entries in commands.items() if h == host for e in entries
                 if not e["batched"]}  # fmt: skip
        assert not alone, (host, alone)
    assert record["run"]["round_trips"] == dict.fromkeys(hosts, 1)
