"""The whole suite against both scenarios: healthy has no failure, broken fails
exactly its answer key — no fault missed, no extra failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sandbox.fleet import Fleet
from sandbox.process import SandboxError
from sandbox.scenarios import in_host, scenario
from tests.sandbox.conftest import prefix_for, short_run_dir, unavailable

REPO = Path(__file__).resolve().parents[2]


def run_suite(inventory: Path, reports: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={inventory}",
         f"--report-dir={reports}", "tests_infra", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((reports / "readiness.json").read_text())


def failures(record: dict) -> set[tuple[str, str]]:
    return {
        (criterion["id"], instance["target"])
        for criterion in record["criteria"]
        for instance in criterion["instances"]
        if instance["outcome"] in ("failed", "error")
    }


@pytest.fixture(params=["healthy", "broken"])
def scenario_fleet(request, tmp_path):
    if os.geteuid() != 0:
        unavailable("needs root for namespaces and dockerd")
    run_dir = short_run_dir()
    fleet = Fleet(run_dir, prefix=prefix_for(run_dir))
    chosen = scenario(request.param)
    try:
        fleet.up()
        chosen.apply(fleet)
    except (SandboxError, OSError, subprocess.SubprocessError) as error:
        fleet.down(purge=True)
        unavailable(str(error))
    try:
        yield chosen, chosen.write(fleet, tmp_path), fleet
    finally:
        fleet.down(purge=True)


SNAPSHOT = (
    "find /srv /etc -type f -readable -print0 2>/dev/null | sort -z | xargs -0 sha256sum 2>/dev/null; "
    "docker ps -aq | xargs -r docker inspect --format "
    "'{{.Id}} {{.Name}} {{.State.Status}} {{.RestartCount}} {{.State.StartedAt}} {{.State.FinishedAt}}'"
)


def snapshot(fleet: Fleet) -> dict[str, str]:
    """What golive must leave as it was: files under /srv and /etc, and every container's state."""
    return {host.name: in_host(host, SNAPSHOT, check=False).stdout for host in fleet.hosts}


def test_suite_fails_exactly_the_answer_key(scenario_fleet, tmp_path):
    chosen, (inventory, key), fleet = scenario_fleet
    expected = {(e["criterion"], e["target"]) for e in json.loads(key.read_text())["expected_failures"]}
    before = snapshot(fleet) if chosen.name == "healthy" else None
    record = run_suite(inventory, tmp_path / "reports", "-n", "2", env=chosen.environment(fleet))
    assert failures(record) == expected
    if chosen.name == "healthy":
        assert expected == set()
        assert record["score"] >= 95 and record["ready"], (record["score"], record["categories"])
        # read-only: no file changed under the hosts' /srv and /etc, no container created,
        # removed, restarted or stopped by the run (the healthy fleet holds still on its own)
        after = snapshot(fleet)
        for host, state in before.items():
            assert state.count("\n") > 100, f"{host}: the snapshot read almost nothing"
            assert after[host] == state, f"{host} changed during a golive run"
    else:
        assert len(expected) >= 4
    assert record["complete"] and not record["partial"]
    # facts are gathered once per host, registered fact commands in one batched round trip,
    # and -n 2 keeps each host's tests on one worker: no command ever ran twice on a host
    hosts = yaml.safe_load(inventory.read_text())["hosts"]
    assert {"h1", "h2", "sd"} <= set(hosts)  # sd: the systemd host (a docker:// backend)
    batched: dict[str, set[str]] = {host: set() for host in hosts}
    alone: dict[str, set[str]] = {host: set() for host in hosts}
    for criterion in record["criteria"]:
        for instance in criterion["instances"]:
            for entry in instance["evidence"]:
                if entry["kind"] == "command":
                    (batched if entry["batched"] else alone)[entry["host"]].add(entry["command"])
    expected = {host: int(bool(batched[host])) + len(alone[host]) for host in batched}
    assert record["run"]["round_trips"] == expected
    for host in hosts:
        assert len(batched[host]) >= 3, host  # df (REL-08/09), ss (SEC-01), systemd (AVL-06, REL-12), ...
