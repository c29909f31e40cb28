"""Backup/DR criteria: whether the data could be brought back after a loss."""

from __future__ import annotations

import pytest

from golive.checks import backups
from golive.checks.remote import Fleet
from golive.evidence import Evidence
from golive.fixtures.declared import Declared


@pytest.mark.critical
@pytest.mark.criterion("BAK-01", category="Backup/DR")
def test_newest_backup_is_fresh(backup_location: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """The newest backup in each declared location is younger than its max age (default 26 h).

    Why: a backup job that silently stopped is found on the day of the restore; a
    nightly job that ran a day late still passes 26 h, one that missed a night does not.

    A newest backup dated further ahead of the host's clock than clock.future_tolerance
    fails as dated in the future: it proves nothing about last night.

    Keys: hosts.<name>.backups.locations[]: name, path + glob or command + format (restic, borg,
    lines), max_age (26h); hosts.<name>.clock.future_tolerance (5m).

    Fix: look at the backup job's timer or cron entry and its last log; run it by hand
    once; backups.locations[].max_age in hosts.yaml sets the limit per location.
    """
    host = backup_location.host
    found = backups.facts(backup_location.remote(fleet), host.backups)
    listed = backups.backups(found, backup_location.item)
    tolerance = host.clock.future_tolerance
    evidence.conclude(backups.judge_freshness(listed, found.now, backup_location.item, tolerance))


@pytest.mark.warning
@pytest.mark.criterion("BAK-02", category="Backup/DR")
def test_newest_backup_is_not_shrunk(backup_location: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """The newest backup is not empty and not much smaller than the previous one (default: at least 50% of it).

    Why: a backup that suddenly halves usually lost a volume or a database dump,
    and an empty archive restores nothing; both look like success to the job.

    Keys: hosts.<name>.backups.locations[].min_size_ratio (0.5).

    Fix: compare the two backups' contents, check the dump step's exit status and
    mounts; backups.locations[].min_size_ratio sets the ratio.
    """
    host = backup_location.host
    found = backups.facts(backup_location.remote(fleet), host.backups)
    verdict = backups.judge_size(backups.backups(found, backup_location.item), backup_location.item)
    if verdict is None:
        pytest.skip(f"the {backup_location.item.format} listing of {backup_location.id} carries no sizes")
    evidence.conclude(verdict)


@pytest.mark.warning
@pytest.mark.criterion("BAK-03", category="Backup/DR")
def test_restore_test_recorded_recently(restore_test: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """A restore test is recorded within its limit (default 30 days).

    Why: a backup that was never restored is a hope, not a backup: wrong paths,
    missing keys and unreadable archives show up only when restoring.

    The newest matching dated line counts; one dated further ahead of the host's clock
    than clock.future_tolerance (a date without a time: after the host's local date)
    fails as dated in the future. A time without a zone is the host's local time.

    Keys: hosts.<name>.backups.restore_tests[]: name, path, pattern (restor), max_age (30d);
    hosts.<name>.clock.future_tolerance (5m).

    Fix: restore the latest backup to a scratch place, check the data, and append a
    dated line (e.g. "2026-02-15 restore test ok") to the declared record file.
    """
    found = backups.facts(restore_test.remote(fleet), restore_test.host.backups)
    tolerance = restore_test.host.clock.future_tolerance
    evidence.conclude(backups.judge_restore_test(found, restore_test.item, tolerance))


@pytest.mark.warning
@pytest.mark.criterion("BAK-04", category="Backup/DR")
def test_dr_playbooks_exist_and_parse(dr_plan: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared DR playbooks and scripts exist and parse (YAML parsed, shell checked with sh -n / bash -n on the host).

    Why: a recovery playbook is run under stress, on the worst day; a syntax error
    or a moved file then costs the hours the playbook was meant to save.

    Keys: hosts.<name>.backups.dr (playbook and script paths).

    Fix: restore the file or fix its syntax (yamllint, bash -n); keep backups.dr in
    hosts.yaml pointing at the playbooks actually used.
    """
    found = backups.facts(dr_plan.remote(fleet), dr_plan.item)
    evidence.conclude(backups.judge_dr(found, dr_plan.item))
