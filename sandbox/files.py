"""Backups, a config repo with a real upstream, documents and runbooks on each sandbox host.

Everything lives in the host's own ``/srv`` (``host.files_dir`` from the runner):
nightly backup archives with real mtimes, a restore-test log, DR scripts, and
``/srv/infra``, a git working tree whose upstream is a bare repo on the same host
(``/srv/git/infra.git``), holding a compose file, ``.gitignore``, documents and
runbooks. ``plant_baseline`` sets a host up healthy; the ``plant_*`` functions are
the faults the broken scenario (and tests) plant on top, each for real: files
written, commits made and pushed (or not).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from sandbox.hosts import SandboxHost
from sandbox.process import SandboxError

REPO = "/srv/infra"
UPSTREAM = "/srv/git/infra.git"
NIGHTLY = "/srv/backups/nightly"
RESTORE_LOG = "/srv/backups/restore-tests.log"
DR_SCRIPT = "/srv/dr/restore.sh"
DR_PLAYBOOK = "/srv/dr/failover.yml"
FLEET_DOC = "docs/fleet.md"
ACCEPTANCE_DOC = "docs/acceptance-phase-00.md"
RUNBOOK = "runbooks/disk-full.md"
HOUR = 3600
DAY = 86400
APP_IMAGE = "golive-sandbox/busybox:1"
"""What the compose file's ``app`` service runs (from the repo's .env)."""
HOSTILE = "/srv/hostile"
"""A program that leaves a marker named after its first argument, and the markers (see plant_hostile_git_config)."""
DEPLOY_UID = 4242
"""The owner plant_hostile_git_config hands the repo to: a deploy user, not the one golive connects as."""
GIT = "git -c user.name=sandbox -c user.email=sandbox@golive.invalid -c init.defaultBranch=main"

COMPOSE = """\
services:
  app:
    image: ${APP_IMAGE:-golive-sandbox/busybox:1}
    environment:
      APP_MODE: production
      DB_PASSWORD: ${DB_PASSWORD}
"""
DR_SCRIPT_TEXT = """\
#!/bin/bash
set -euo pipefail
snapshot="${1:-latest}"
for dir in /srv/restore/db /srv/restore/files; do
  mkdir -p "$dir"
done
echo "restoring $snapshot"
"""
DR_PLAYBOOK_TEXT = """\
- name: fail over the database
  hosts: db
  tasks:
    - name: promote the replica
      command: pg_ctl promote
"""


def app_environment(host_name: str) -> dict[str, str]:
    """The environment the compose file declares for ``app`` once .env is interpolated."""
    return {"APP_MODE": "production", "DB_PASSWORD": f"sandbox-{host_name}-db-secret"}


def sh(host: SandboxHost, script: str) -> str:
    """Run a shell script inside the host (its mounts: its own /srv); raise on failure."""
    result = subprocess.run([*host.enter(), "sh", "-ec", script], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SandboxError(f"{host.name}: {script!r} failed: {result.stderr.strip()}")
    return result.stdout


def _path(host: SandboxHost, inside: str) -> Path:
    """A path under the host's /srv, as the runner sees it."""
    return host.files_dir / Path(inside).relative_to("/srv")


def _write(host: SandboxHost, inside: str, text: str | bytes, mtime: float | None = None) -> None:
    path = _path(host, inside)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def _day(offset_days: float) -> str:
    return dt.datetime.fromtimestamp(time.time() + offset_days * DAY, dt.UTC).strftime("%Y-%m-%d")


def commit(host: SandboxHost, message: str, *, push: bool = True, age_days: float = 0, paths: str = "-A") -> None:
    """Commit what changed in the repo (dated ``age_days`` ago) and push it unless told not to."""
    stamp = dt.datetime.fromtimestamp(time.time() - age_days * DAY, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    dates = f"GIT_AUTHOR_DATE='{stamp}' GIT_COMMITTER_DATE='{stamp}'"
    sh(
        host,
        f"cd {REPO}\n{GIT} add {paths}\n{dates} {GIT} commit -q -m '{message}'" + ("\ngit push -q" if push else ""),
    )


def acceptance_text(grade: str | None, signed_by: str | None = "Sandbox Operator") -> str:
    lines = ["# Phase 00 acceptance", ""]
    if signed_by:
        lines.append(f"**Signed off by:** {signed_by}")
    lines.append(f"**Date:** {_day(0)}")
    if grade:
        lines.append(f"**Grade:** {grade}")
    lines += ["", "All phase 00 criteria measured by golive."]
    return "\n".join(lines) + "\n"


def plant_baseline(host: SandboxHost) -> None:
    """A healthy host: fresh backups, a recent restore test, parsing DR files, a clean pushed repo."""
    now = time.time()
    sh(host, f"rm -rf /srv/infra /srv/git /srv/backups /srv/dr {HOSTILE}\nmkdir -p /srv/git {NIGHTLY} /srv/dr")
    _write(host, f"{NIGHTLY}/db-{_day(-1)}.tar.gz", os.urandom(4096), now - 25 * HOUR)
    _write(host, f"{NIGHTLY}/db-{_day(0)}.tar.gz", os.urandom(4200), now - 1 * HOUR)
    _write(host, RESTORE_LOG, f"{_day(-40)} restore test of nightly ok\n{_day(-3)} restore test of nightly ok\n")
    _write(host, DR_SCRIPT, DR_SCRIPT_TEXT)
    _write(host, DR_PLAYBOOK, DR_PLAYBOOK_TEXT)
    _write(host, f"{REPO}/.gitignore", ".env\n*.key\n*.pem\n")
    _write(host, f"{REPO}/docker-compose.yml", COMPOSE)
    _write(host, f"{REPO}/.env", f"APP_IMAGE={APP_IMAGE}\nDB_PASSWORD={app_environment(host.name)['DB_PASSWORD']}\n")
    _write(host, f"{REPO}/{RUNBOOK}", "# Disk full\n\n1. docker system prune\n2. rotate logs\n")
    _write(host, f"{REPO}/{ACCEPTANCE_DOC}", acceptance_text("C (60/100)"))
    _write(host, f"{REPO}/{FLEET_DOC}", f"---\nclaims:\n  services: [app]\n---\n# {host.name}\n\nDraft.\n")
    sh(host, f"{GIT} init -q --bare {UPSTREAM}\ncd {REPO}\n{GIT} init -q\ngit remote add origin {UPSTREAM}")
    commit(host, "infra: initial import", push=False, age_days=90)
    sh(host, f"cd {REPO}\ngit push -q -u origin main")
    _write(host, f"{REPO}/{FLEET_DOC}", f"---\nclaims:\n  services: [app]\n---\n# {host.name}\n\nReviewed.\n")
    commit(host, "docs: fleet reviewed")


def declarations() -> dict[str, Any]:
    """What hosts.yaml declares for the files planted above (same on every host)."""
    return {
        "backups": {
            "locations": [{"name": "nightly", "path": NIGHTLY, "glob": "*.tar.gz"}],
            "restore_tests": [{"name": "drill", "path": RESTORE_LOG}],
            "dr": [DR_SCRIPT, DR_PLAYBOOK],
        },
        "repos": [{"name": "infra", "path": REPO, "compose": ["docker-compose.yml"]}],
        "documents": [{"name": "fleet", "path": f"{REPO}/{FLEET_DOC}"}],
        "acceptance": [{"phase": "phase-00", "path": f"{REPO}/{ACCEPTANCE_DOC}"}],
        "runbooks": {"REL-08": f"{REPO}/{RUNBOOK}"},
    }


# Faults: each one changes a host set up by plant_baseline, for real.


def plant_stale_backup(host: SandboxHost) -> None:
    """The nightly job stopped three days ago: no archive newer than that."""
    for path in _path(host, NIGHTLY).glob("*.tar.gz"):
        path.unlink()
    now = time.time()
    _write(host, f"{NIGHTLY}/db-{_day(-4)}.tar.gz", os.urandom(4096), now - 4 * DAY)
    _write(host, f"{NIGHTLY}/db-{_day(-3)}.tar.gz", os.urandom(4200), now - 3 * DAY)


def plant_shrunk_backup(host: SandboxHost) -> None:
    """Last night's archive is a fraction of the one before (a dump step failed)."""
    _write(host, f"{NIGHTLY}/db-{_day(0)}.tar.gz", os.urandom(64), time.time() - HOUR)


def plant_stale_restore_test(host: SandboxHost) -> None:
    """The last restore test was 70 days ago."""
    _write(host, RESTORE_LOG, f"{_day(-100)} restore test of nightly ok\n{_day(-70)} restore test of nightly ok\n")


def plant_broken_playbook(host: SandboxHost) -> None:
    """The failover playbook was edited into invalid YAML."""
    _write(host, DR_PLAYBOOK, DR_PLAYBOOK_TEXT.replace("  tasks:", "  tasks: [\n"))


def plant_tracked_env(host: SandboxHost) -> None:
    """The repo's .env (with its database password) was force-added, committed and pushed."""
    sh(host, f"cd {REPO}\n{GIT} add -f .env")
    commit(host, "add env for the new server", paths=".env")


def plant_gitignore_gap(host: SandboxHost) -> None:
    """.gitignore lost *.key and *.pem."""
    _write(host, f"{REPO}/.gitignore", ".env\n")
    commit(host, "gitignore: simplify")


def plant_uncommitted_edit(host: SandboxHost) -> None:
    """A hotfix file created in place on the server, never committed."""
    _write(host, f"{REPO}/hotfix.conf", "max_connections = 500\n")


def plant_unpushed_commit(host: SandboxHost) -> None:
    """A change committed on the server but never pushed."""
    _write(host, f"{REPO}/tuning.conf", "workers = 8\n")
    commit(host, "tuning: more workers", push=False)


def plant_stale_document(host: SandboxHost) -> None:
    """The fleet document's last review is undone: its last change is 90 days old."""
    sh(host, f"cd {REPO}\ngit reset -q --hard HEAD~1\ngit push -q -f origin main")


def plant_unsigned_acceptance(host: SandboxHost) -> None:
    """The phase acceptance document has neither a sign-off name nor a grade (a draft)."""
    _write(host, f"{REPO}/{ACCEPTANCE_DOC}", acceptance_text(None, signed_by=None))
    commit(host, "acceptance: draft")


def plant_inflated_grade(host: SandboxHost) -> None:
    """The phase acceptance document claims A+++ (95/100), as the audits did."""
    _write(host, f"{REPO}/{ACCEPTANCE_DOC}", acceptance_text("A+++ (95/100)"))
    commit(host, "acceptance: phase 00 complete")


def plant_missing_runbook(host: SandboxHost) -> None:
    """The runbook hosts.yaml points REL-08 at was deleted."""
    sh(host, f"cd {REPO}\ngit rm -q {RUNBOOK}")
    commit(host, "runbooks: cleanup")


def plant_hostile_git_config(host: SandboxHost) -> None:
    """The repo handed to a deploy user whose config, attributes and hooks run a marker program
    (fsmonitor, filter and diff drivers, external diff, hooks, gpg, some through include.path);
    a tracked file touched (same bytes, new mtime) so that ``git status`` would re-read it
    through the filter. Plant it last: no git may run in the repo afterwards but golive's."""
    evil = f"{HOSTILE}/evil"
    _write(host, evil, f'#!/bin/sh\n: > {HOSTILE}/markers/"$1"\n')
    run = {name: f'"{evil} {name}"' for name in ("fsmonitor", "clean", "smudge", "process", "textconv", "external")}
    _write(host, f"{HOSTILE}/included.conf", f'[filter "incl"]\n\tclean = {run["clean"]}\n')
    _write(host, f"{REPO}/.git/info/attributes", "* filter=evil diff=evil\n*.md filter=incl\n")
    config = _path(host, f"{REPO}/.git/config")
    config.write_text(
        config.read_text() + f"[core]\n\tfsmonitor = {run['fsmonitor']}\n\thooksPath = {HOSTILE}/hooks\n"
        f'[filter "evil"]\n\tclean = {run["clean"]}\n\tsmudge = {run["smudge"]}\n\tprocess = {run["process"]}\n'
        f'[diff "evil"]\n\ttextconv = {run["textconv"]}\n[diff]\n\texternal = {run["external"]}\n'
        f"[gpg]\n\tprogram = {evil}\n[log]\n\tshowSignature = true\n[include]\n\tpath = {HOSTILE}/included.conf\n"
    )
    for hook in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction"):
        for directory in (f"{HOSTILE}/hooks", f"{REPO}/.git/hooks"):
            _write(host, f"{directory}/{hook}", f"#!/bin/sh\nexec {evil} hook.{hook}\n")
    touched = _path(host, f"{REPO}/{FLEET_DOC}")
    stamp = touched.stat().st_mtime + 5
    os.utime(touched, (stamp, stamp))
    sh(host, f"chmod -R a+rX {HOSTILE}\nchmod 755 {evil} {HOSTILE}/hooks/* {REPO}/.git/hooks/*\n"
             f"mkdir -m 1777 {HOSTILE}/markers\nchown -R {DEPLOY_UID}:{DEPLOY_UID} {REPO}")  # fmt: skip


def hostile_markers(host: SandboxHost) -> list[str]:
    """What the repo's programs left: empty when none of them ran."""
    return sorted(path.name for path in _path(host, f"{HOSTILE}/markers").iterdir())


def index_identity(host: SandboxHost) -> str:
    """The repo index's inode, mtime and owner, as the host sees them."""
    return sh(host, f"stat -c '%i %Y %u' {REPO}/.git/index").strip()
