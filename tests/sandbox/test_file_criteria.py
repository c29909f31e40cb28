"""BAK, CHG-01/02, SEC-07/08, DOC-02/03 and ACC on real files over SSH: h1 is set up
healthy (with real restic snapshots as a second backup location), h2 gets every
fault planted for real; each criterion must pass on h1 and fail on h2 with its reason,
and no secret of either host may reach any report."""

from __future__ import annotations

import json
import os
import re
import time

import yaml

from sandbox import deployed, files
from sandbox.debian import ensure_installed
from sandbox.process import SandboxError
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import unavailable

SUITE = [
    "tests_infra/test_backup.py", "tests_infra/test_change_control.py", "tests_infra/test_secrets.py",
    "tests_infra/test_documentation.py", "tests_infra/test_acceptance.py",
]  # fmt: skip
RESTIC = "restic -r /srv/restic --password-file /srv/restic.pass"


def plant_restic(host) -> None:
    """A real restic repository with two snapshots, the newest taken now."""
    files._write(host, "/srv/restic.pass", "sandbox-restic-password\n")
    files.sh(host, f"rm -rf /srv/restic\n{RESTIC} init -q\n{RESTIC} backup -q --time '2020-01-01 00:00:00' /srv/dr\n"
                   f"{RESTIC} backup -q /srv/dr")  # fmt: skip


def plant_faults(host) -> None:
    files.plant_stale_document(host)
    files.plant_stale_backup(host)
    now = time.time()
    files._write(host, "/srv/backups/weekly/w1.tar", os.urandom(8192), now - 2 * files.DAY)
    files._write(host, "/srv/backups/weekly/w2.tar", os.urandom(100), now - files.HOUR)
    files.plant_stale_restore_test(host)
    files.plant_broken_playbook(host)
    files.plant_tracked_env(host)
    files.plant_gitignore_gap(host)
    files._write(host, f"{files.REPO}/{files.ACCEPTANCE_DOC}", files.acceptance_text("A+++ (95/100)", signed_by=None))
    files.commit(host, "acceptance: phase 00 complete")
    files.plant_missing_runbook(host)
    files.plant_unpushed_commit(host)
    files.plant_uncommitted_edit(host)


def test_file_criteria_pass_healthy_and_fail_on_planted_faults(fleet, tmp_path):
    try:
        ensure_installed(["restic"])
    except SandboxError as error:
        unavailable(str(error))
    h1, h2 = fleet.hosts
    for host in (h1, h2):
        files.plant_baseline(host)
        deployed.run_app(host)  # the compose service CHG-03/04 and the documents' claims (DOC-01) expect
    plant_restic(h1)
    # this run measures only five categories, with h2's failures: h1 claims an honest low grade
    files._write(h1, f"{files.REPO}/{files.ACCEPTANCE_DOC}", files.acceptance_text("Failing (0/100)"))
    files.commit(h1, "acceptance: honest grade")
    plant_faults(h2)
    described = fleet.describe()["hosts"]
    hosts = {}
    for host in (h1, h2):
        hosts[host.name] = {"backend": described[host.name]["spec"], "ssh_config": described[host.name]["ssh_config"],
                            **files.declarations()}  # fmt: skip
    hosts["h1"]["backups"]["locations"].append(
        {"name": "restic", "command": f"{RESTIC} snapshots --json --no-lock", "format": "restic"}
    )
    hosts["h2"]["backups"]["locations"].append({"name": "weekly", "path": "/srv/backups/weekly", "glob": "*.tar"})
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": hosts}))
    for host in (h1, h2):
        files.plant_hostile_git_config(host)  # the repo's own programs must not run, nor its index change
    indexes = [files.index_identity(host) for host in (h1, h2)]
    result = run_golive(REPO, *SUITE, f"--inventory={inventory}", f"--report-dir={tmp_path / 'reports'}")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert files.hostile_markers(h1) == files.hostile_markers(h2) == []
    assert [files.index_identity(host) for host in (h1, h2)] == indexes
    record = load_json(tmp_path / "reports" / "readiness.json")
    outcomes = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}
    failed = {key for key, instance in outcomes.items() if instance["outcome"] in ("failed", "error")}
    assert failed == {
        ("BAK-01", "h2/nightly"), ("BAK-02", "h2/weekly"), ("BAK-03", "h2/drill"), ("BAK-04", "h2"),
        ("CHG-01", "h2/infra"), ("CHG-02", "h2/infra"), ("SEC-07", "h2/infra"), ("SEC-08", "h2/infra"),
        ("DOC-02", "h2"), ("DOC-03", "h2/fleet"), ("ACC-01", "h2/phase-00"), ("ACC-02", "h2/phase-00"),
    }  # fmt: skip
    assert outcomes[("BAK-01", "h1/restic")]["outcome"] == "passed"  # restic's own JSON, newest snapshot now
    assert outcomes[("BAK-02", "h1/restic")]["outcome"] == "skipped"  # restic 0.14 lists no sizes
    assert all(
        outcomes[key]["outcome"] == "passed" for key in outcomes if key[1].startswith("h1") and key[0] != "BAK-02"
    )

    def message(criterion: str, target: str) -> str:
        return outcomes[(criterion, target)]["message"]

    assert "3.0d, at most 1.1d" in message("BAK-01", "h2/nightly")
    assert "100 B, at least 4096 B" in message("BAK-02", "h2/weekly")
    # a date-only record 70 days back: 70 days plus the hours of today, shown with one decimal
    assert re.search(r"\b(70\.\d|71\.0)d, at most 30\.0d", message("BAK-03", "h2/drill"))
    assert "/srv/dr/failover.yml: YAML error" in message("BAK-04", "h2")
    assert "?? hotfix.conf" in message("CHG-01", "h2/infra")
    assert "ahead of origin/main: 1, expected 0" in message("CHG-02", "h2/infra")
    assert ".env (env-file)" in message("SEC-07", "h2/infra") and ".env:2 (hardcoded-password)" in message(
        "SEC-07", "h2/infra"
    )
    assert "covers *.key: not for golive-probe.key" in message("SEC-08", "h2/infra")
    assert "REL-08 (/srv/infra/runbooks/disk-full.md)" in message("DOC-02", "h2")
    assert "90.0d, at most 30.0d" in message("DOC-03", "h2/fleet")
    assert message("ACC-01", "h2/phase-00") == "phase-00: no 'Signed off by' line"
    assert "claimed grade A+++ (from 95) > measured" in message("ACC-02", "h2/phase-00")
    verdicts = [e["summary"] for e in outcomes[("ACC-02", "h1/phase-00")]["evidence"] if e["kind"] == "verdict"]
    assert any("claimed 0.0 is not above the measured" in summary for summary in verdicts), verdicts
    # secrets never leave the hosts: not the .env values, not restic's password
    reports = json.dumps(record) + (tmp_path / "reports" / "readiness.html").read_text()
    for secret in ("sandbox-h1-db-secret", "sandbox-h2-db-secret", "sandbox-restic-password"):
        assert secret not in reports
    assert "line(s) of file contents withheld" in json.dumps(outcomes[("SEC-07", "h2/infra")]["evidence"])
    # one round trip per host for all of it (the fact commands join the batched first fetch)
    assert record["run"]["round_trips"] == {"h1": 1, "h2": 1}
