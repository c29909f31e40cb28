"""The whole suite against every scenario: healthy has no failure, broken and demo fail
exactly their answer keys — no fault missed, no extra failure — and the demo tells the
story of an audit: mostly fine, graded in the 60s, NOT READY because of its critical failures."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sandbox.fleet import Fleet
from sandbox.hosts import SandboxHost
from sandbox.process import SandboxError
from sandbox.scenarios import scenario
from tests.conftest import load_json
from tests.sandbox.conftest import full_filesystem, prefix_for, short_run_dir, unavailable

REPO = Path(__file__).resolve().parents[2]


def run_suite(inventory: Path, reports: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={inventory}",
         f"--report-dir={reports}", "tests_infra", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return load_json(reports / "readiness.json")


def failures(record: dict) -> set[tuple[str, str]]:
    return {
        (criterion["id"], instance["target"])
        for criterion in record["criteria"]
        for instance in criterion["instances"]
        if instance["outcome"] in ("failed", "error")
    }


@pytest.fixture(params=["healthy", "broken", "demo"])
def scenario_fleet(request, tmp_path):
    if os.geteuid() != 0:
        unavailable("needs root for namespaces and dockerd")
    run_dir = short_run_dir()
    fleet = Fleet(run_dir, prefix=prefix_for(run_dir))
    chosen = scenario(request.param)
    # A filesystem over 90 % full on the machine, outside every sandbox host, while the
    # hosts start: each host's mount namespace takes a copy of it, as of every mount of
    # the machine. Taken off the machine right after, so no other run on it sees it.
    with full_filesystem() as full:
        try:
            fleet.up()
            full.unmount()
            chosen.apply(fleet)
        except (SandboxError, OSError, subprocess.SubprocessError) as error:
            fleet.down(purge=True)
            unavailable(str(error))
        try:
            yield chosen, chosen.write(fleet, tmp_path), fleet, full
        finally:
            fleet.down(purge=True)


# Everything golive reads that is a host's own: its /srv (files, its repos and every
# .git directory, its data disk), its /etc (a copy of the machine's, made with the
# host) and the sshd configuration SEC-09 reads: type, inode, mode, owner, size and
# mtime of every entry, then the content of every regular file. A rewrite in place
# keeps the inode and changes the mtime; a rewrite by rename changes the inode; a
# lock file taken and dropped changes its directory's mtime.
def files(host: SandboxHost) -> str:
    where = f"/srv /etc {shlex.quote(str(host.dir / 'ssh'))}"
    return (
        f"find {where} -printf '%p %y %i %m %U:%G %s %T@\\n' 2>/dev/null | sort; "
        f"find {where} -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum 2>/dev/null"
    )


def containers(host: SandboxHost) -> str:
    return (
        "docker ps -aq | xargs -r docker inspect --format "
        "'{{.Id}} {{.Name}} {{.State.Status}} {{.RestartCount}} {{.State.StartedAt}} {{.State.FinishedAt}}'"
    )


def snapshot(fleet: Fleet, command: Callable[[SandboxHost], str]) -> dict[str, list[str]]:
    """The lines of each sandbox host's ``command``, run inside the host."""
    return {host.name: host.sh(command(host), check=False).stdout.splitlines() for host in fleet.hosts}


def changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """Lines that went (-) or came (+), per host; empty when nothing changed."""
    found = []
    for host, lines in before.items():
        gone, came = set(lines) - set(after[host]), set(after[host]) - set(lines)
        found += [f"{host}: - {line}" for line in sorted(gone)] + [f"{host}: + {line}" for line in sorted(came)]
    return found


def test_suite_fails_exactly_the_answer_key(scenario_fleet, tmp_path):
    chosen, (inventory, key), fleet, full = scenario_fleet
    for host in fleet.hosts:  # the machine's full filesystem is in every host's mount view
        used, mount = host.sh(f"df -P {full.mount} | awk 'NR==2 {{print $5, $6}}'").stdout.split()
        assert mount == str(full.mount) and int(used.rstrip("%")) >= 91, (host.name, used, mount)
    expected = {(e["criterion"], e["target"]) for e in json.loads(key.read_text())["expected_failures"]}
    files_before = snapshot(fleet, files)
    containers_before = snapshot(fleet, containers) if chosen.name == "healthy" else None
    record = run_suite(inventory, tmp_path / "reports", "-n", "2", env=chosen.environment(fleet))
    files_after = snapshot(fleet, files)
    assert failures(record) == expected
    if chosen.name == "healthy":
        assert expected == set()
        assert record["score"] >= 95 and record["ready"], (record["score"], record["categories"])
        outcomes = {(c["id"], i["target"]): i["outcome"] for c in record["criteria"] for i in c["instances"]}
        for host in ("h1", "h2"):  # judged on their own disk, not on the machine's full one
            assert outcomes[("REL-08", host)] == outcomes[("REL-09", host)] == "passed", host
        # no container created, removed, restarted or stopped by the run (the healthy
        # fleet holds still on its own; the broken one has a restart loop)
        assert not changes(containers_before, snapshot(fleet, containers))
    elif chosen.name == "demo":
        # a handful of serious faults in a fleet that is otherwise fine: every category
        # still scores, and the critical failures, named, cap the grade under READY
        assert 60 <= record["score"] < 70 and not record["ready"], (record["score"], record["categories"])
        assert record["critical_failures"] == ["ACC-02", "AVL-02", "BAK-01", "CHG-03", "SEC-03", "SEC-04"]
        assert all(category["score"] > 0 for category in record["categories"]), record["categories"]
    else:
        assert len(expected) >= 4
    # read-only: no entry under the hosts' /srv and /etc created, removed, replaced,
    # written, chmod-ed or chown-ed by the run, on the healthy fleet and the broken one
    for host, lines in files_before.items():
        assert len(lines) > 1000, f"{host}: the snapshot read almost nothing"
        assert any(line.startswith("/srv/infra/.git/index ") for line in lines), f"{host}: no repo in the snapshot"
    changed = changes(files_before, files_after)
    assert not changed, "golive changed files on the hosts:\n" + "\n".join(changed[:40])
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
