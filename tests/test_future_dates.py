"""Timestamps dated in the future fail their own criteria, on real files through the local backend.

Each thing golive ages (a backup file, a restore-test record, a cron job's success
stamp, a document's last commit) is made for real in a temporary directory with a
date two days ahead (``touch -d``, ``GIT_COMMITTER_DATE``, a record line) and must
fail with "dated in the future" instead of passing as age 0. A date-only record
dated the host's own local date is not in the future, whatever the time of day
in UTC: the golive run's TZ is set 14 hours east of UTC.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, load_json, run_golive

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

SUITE = ("tests_infra/test_backup.py", "tests_infra/test_documentation.py", "tests_infra/test_reliability.py")
AHEAD = dt.timedelta(days=2)
EAST = dt.timezone(dt.timedelta(hours=14))
ZONE = {"TZ": "Etc/GMT-14"}  # POSIX sign: 14 hours east of UTC


def golive(tmp_path: Path, host: dict, *selection: str) -> dict[tuple[str, str], dict]:
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": {"me": {"backend": "local://", **host}}}))
    reports = tmp_path / "reports"
    result = run_golive(REPO, *selection, f"--inventory={inventory}", f"--report-dir={reports}", env=ZONE)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-2000:]
    record = load_json(reports / "readiness.json")
    return {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}


def touch(path: Path, when: dt.datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["touch", "-d", when.isoformat(), str(path)], check=True)


def git(repo: Path, *args: str, when: dt.datetime | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(repo)}  # fmt: skip
    if when is not None:
        env |= {"GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def failed_in_future(outcome: dict) -> bool:
    return outcome["outcome"] == "failed" and "dated in the future" in outcome["message"]


def test_future_dated_backup_restore_record_stamp_and_commit_fail(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    future = now + AHEAD
    touch(tmp_path / "backups" / "old.tar", now - dt.timedelta(hours=30))
    touch(tmp_path / "backups" / "tomorrow.tar", future)  # newest: taken "in two days"
    record = tmp_path / "restore.log"
    record.write_text(
        f"{(now - dt.timedelta(days=3)):%Y-%m-%d %H:%M} restore test ok\n"
        f"{future.astimezone(EAST):%Y-%m-%d %H:%M} restore test ok\n"  # local time of the host (TZ east 14 h)
    )
    dated_only = tmp_path / "restore-dated.log"
    dated_only.write_text(
        f"{(now - dt.timedelta(days=3)):%Y-%m-%d} restore ok\n{future.astimezone(EAST):%Y-%m-%d} restore ok\n"
    )
    crontab = tmp_path / "crontab"
    crontab.write_text("15 3 * * * root /usr/local/bin/nightly-backup\n")
    touch(tmp_path / "stamp", future)
    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "fleet.md").write_text("# fleet\n")
    git(repo, "add", "fleet.md")
    git(repo, "commit", "-q", "-m", "fleet: written in the future", when=future)
    host = {
        "backups": {
            "locations": [{"name": "nightly", "path": str(tmp_path / "backups"), "glob": "*.tar"}],
            "restore_tests": [{"name": "drill", "path": str(record)}, {"name": "dated", "path": str(dated_only)}],
        },
        "scheduled": [
            {"name": "nightly", "cron": "nightly-backup", "crontabs": [str(crontab)], "stamp": str(tmp_path / "stamp")}
        ],
        "documents": [{"name": "fleet", "path": str(repo / "fleet.md")}],
    }
    outcomes = golive(tmp_path, host, *SUITE, "-k", "fresh or restore or scheduled or documents_exist")
    for key in [("BAK-01", "me/nightly"), ("BAK-03", "me/drill"), ("BAK-03", "me/dated"), ("REL-12", "me/nightly"),
                ("DOC-03", "me/fleet")]:  # fmt: skip
        assert failed_in_future(outcomes[key]), (key, outcomes[key]["outcome"], outcomes[key]["message"])
    assert "2.0d ahead of the host's clock" in outcomes[("BAK-01", "me/nightly")]["message"]


def test_within_tolerance_and_date_only_today_are_not_in_the_future(tmp_path: Path) -> None:
    """A date-only record dated the host's local date passes (it may be after the UTC date), and
    so does a record of the host's local time without a zone; a backup and a stamp a minute
    ahead are within the default 5 minutes."""
    now = dt.datetime.now(dt.UTC)
    touch(tmp_path / "backups" / "now.tar", now + dt.timedelta(minutes=1))
    record = tmp_path / "restore.log"
    record.write_text(f"{now.astimezone(EAST):%Y-%m-%d} restore test ok\n")
    timed = tmp_path / "restore-timed.log"  # the host's local time, 14 h ahead of UTC's wall clock
    timed.write_text(f"{now.astimezone(EAST):%Y-%m-%d %H:%M} restore test ok\n")
    crontab = tmp_path / "crontab"
    crontab.write_text("15 3 * * * root /usr/local/bin/nightly-backup\n")
    touch(tmp_path / "stamp", now + dt.timedelta(minutes=1))
    host = {
        "backups": {
            "locations": [{"name": "nightly", "path": str(tmp_path / "backups"), "glob": "*.tar"}],
            "restore_tests": [{"name": "drill", "path": str(record)}, {"name": "timed", "path": str(timed)}],
        },
        "scheduled": [
            {"name": "nightly", "cron": "nightly-backup", "crontabs": [str(crontab)], "stamp": str(tmp_path / "stamp")}
        ],
    }
    outcomes = golive(tmp_path, host, *SUITE, "-k", "fresh or restore or scheduled")
    for key in [("BAK-01", "me/nightly"), ("BAK-03", "me/drill"), ("BAK-03", "me/timed"), ("REL-12", "me/nightly")]:
        assert outcomes[key]["outcome"] == "passed", (key, outcomes[key]["message"])
