"""A config repo owned by another user, configured to run programs: golive runs none of them.

Whoever can write a repo's ``.git`` decides which programs git runs (fsmonitor, hooks,
pagers, diff and filter drivers, credential helpers, gpg, through includes too), and
golive reads repos as root. The repo here belongs to a real unix user created for the
test; every such setting points at a program that leaves a marker file. golive runs
CHG-01/02, SEC-07/08 and DOC-03 over it through the local backend: the criteria must
reach their verdicts from the repo (so git really ran), no marker may exist afterwards,
and the repo's index must be the same file as before (git did not rewrite it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, load_json, need, need_root, run_golive

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

SUITE = ["tests_infra/test_change_control.py", "tests_infra/test_secrets.py", "tests_infra/test_documentation.py"]
HOOKS = (
    "applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit prepare-commit-msg commit-msg"
    " post-commit pre-rebase post-checkout post-merge pre-push pre-receive update proc-receive post-receive"
    " post-update reference-transaction push-to-checkout pre-auto-gc post-rewrite sendemail-validate"
    " fsmonitor-watchman post-index-change"
).split()
SECRET = "hunter2-golive-history-secret"
IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@golive.invalid", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> str:
    """The test's own git, with no config but its arguments."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    return subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def deploy_user() -> Iterator[str]:
    """A real unix user of its own, removed afterwards."""
    need_root()
    need(shutil.which("useradd") is not None, "useradd (Debian's passwd) is not installed")
    name = f"golive-deploy-{os.getpid() % 100000}"
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", name], check=True)
    yield name
    subprocess.run(["userdel", name], check=False)


@pytest.fixture
def base() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="golive-hostile-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def hostile_config(evil: Path, hooks: Path, base: Path) -> str:
    """Every repo setting that names a program, each pointing at ``evil NAME``."""

    def run(name: str) -> str:
        return f'"{evil} {name}"'

    included = base / "included.conf"
    included.write_text(f'[filter "incl"]\n\tclean = {run("include.filter.clean")}\n'
                        f'[core]\n\tfsmonitor = {run("include.fsmonitor")}\n')  # fmt: skip
    conditional = base / "conditional.conf"
    conditional.write_text(f'[diff "incd"]\n\ttextconv = {run("includeIf.textconv")}\n'
                           f'[core]\n\tpager = {run("includeIf.pager")}\n')  # fmt: skip
    return f"""
[core]
\tfsmonitor = {run("core.fsmonitor")}
\thooksPath = {hooks}
\tpager = {run("core.pager")}
\tsshCommand = {run("core.sshCommand")}
\talternateRefsCommand = {run("core.alternateRefsCommand")}
\taskPass = {run("core.askPass")}
\teditor = {run("core.editor")}
\tgitProxy = {run("core.gitProxy")}
[pager]
\tstatus = {run("pager.status")}
\tlog = {run("pager.log")}
\tgrep = {run("pager.grep")}
[diff]
\texternal = {run("diff.external")}
[diff "evil"]
\ttextconv = {run("diff.evil.textconv")}
\tcommand = {run("diff.evil.command")}
[filter "evil"]
\tclean = {run("filter.evil.clean")}
\tsmudge = {run("filter.evil.smudge")}
[filter "evilproc"]
\tprocess = {run("filter.evilproc.process")}
[credential]
\thelper = !{evil} credential.helper
[gpg]
\tprogram = {evil}
[log]
\tshowSignature = true
[sequence]
\teditor = {run("sequence.editor")}
[remote "origin"]
\tuploadpack = {run("remote.uploadpack")}
\treceivepack = {run("remote.receivepack")}
[include]
\tpath = {included}
[includeIf "gitdir:/"]
\tpath = {conditional}
"""


def signed_head(repo: Path) -> None:
    """Make HEAD a commit carrying a (fake) signature, so that showing signatures runs gpg."""
    commit = git(repo, "cat-file", "commit", "HEAD")
    header, _, message = commit.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    signed = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=repo, input=f"{header}\n{signature}\n\n{message}",
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    git(repo, "update-ref", "HEAD", signed)


def plant(base: Path, user: str, hostile: bool = True) -> Path:
    """A pushed repo with a secret in its history, then (if ``hostile``) hostile config, attributes and hooks;
    a changed, a touched and an untracked file; all of it owned by ``user``."""
    markers = base / "markers"
    markers.mkdir()
    markers.chmod(0o1777)
    evil = base / "evil"
    evil.write_text(f'#!/bin/sh\n: > "{markers}/$1"\n')
    evil.chmod(0o755)
    hooks = base / "hooks"
    hooks.mkdir()
    repo = base / "repo"
    repo.mkdir()
    git(base, "init", "-q", "--bare", "upstream.git")
    git(repo, "init", "-q")
    git(repo, "remote", "add", "origin", str(base / "upstream.git"))
    (repo / "old.conf").write_text(f"password={SECRET}\n")
    (repo / "changed.txt").write_text("one\n")
    (repo / "touched.conf").write_text("same\n")
    (repo / "docs").mkdir()
    (repo / "docs" / "runbook.md").write_text("# Runbook\n")
    if hostile:
        (repo / ".gitattributes").write_text("* filter=evil diff=evil merge=evil\n*.conf filter=incl diff=incd\n")
    (repo / ".gitignore").write_text(".env\n*.key\n*.pem\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "import")
    git(repo, "rm", "-q", "old.conf")
    git(repo, "commit", "-q", "-m", "drop the password")
    signed_head(repo)
    git(repo, "push", "-q", "-u", "origin", "main")
    # from here on, no git runs in the repo before golive does
    if hostile:
        (repo / ".git" / "info").mkdir(exist_ok=True)
        (repo / ".git" / "info" / "attributes").write_text("*.md filter=evilproc diff=evil\n")
        for hook in HOOKS:
            for directory in (hooks, repo / ".git" / "hooks"):
                (directory / hook).write_text(f"#!/bin/sh\nexec {evil} hook.{directory.name}.{hook}\n")
                (directory / hook).chmod(0o755)
        with (repo / ".git" / "config").open("a") as config:
            config.write(hostile_config(evil, hooks, base))
    (repo / "changed.txt").write_text("two\n")  # a real change, of another size
    stamp = (repo / "touched.conf").stat().st_mtime + 7
    os.utime(repo / "touched.conf", (stamp, stamp))  # same content, new mtime: git status would re-read it
    os.utime(repo / ".git" / "index", (stamp - 1, stamp - 1))  # and the index looks older than it: racy
    (repo / "new.txt").write_text("untracked\n")
    subprocess.run(["chown", "-R", f"{user}:{user}", str(repo), str(base / "upstream.git"), str(hooks)], check=True)
    return repo


def index_identity(repo: Path) -> tuple[int, int, int, int]:
    stat = (repo / ".git" / "index").stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_uid, stat.st_size


def golive(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        f"hosts:\n  box:\n    backend: local://\n"
        f"    repos:\n      - {{name: infra, path: {repo}}}\n"
        f"    documents:\n      - {{name: runbook, path: {repo}/docs/runbook.md, max_age: 30d}}\n"
    )
    return run_golive(REPO, *SUITE, f"--inventory={inventory}", f"--report-dir={tmp_path / 'reports'}")


@pytest.mark.root
def test_reading_a_repo_leaves_its_index_as_it_was(base, deploy_user, tmp_path):
    """git status would refresh the touched file's stat data and write the index anew, as root."""
    repo = plant(base, deploy_user, hostile=False)
    before = index_identity(repo)
    result = golive(repo, tmp_path)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert index_identity(repo) == before
    assert (repo / ".git" / "index").stat().st_uid != os.geteuid()
    record = load_json(tmp_path / "reports" / "readiness.json")
    chg01 = next(c for c in record["criteria"] if c["id"] == "CHG-01")["instances"][0]
    assert " M changed.txt" in chg01["message"] and "touched.conf" not in chg01["message"], chg01["message"]


@pytest.mark.root
def test_a_hostile_repo_of_another_user_runs_nothing_and_changes_nothing(base, deploy_user, tmp_path):
    repo = plant(base, deploy_user)
    assert (repo / ".git" / "config").stat().st_uid != os.geteuid()
    before = index_identity(repo)
    result = golive(repo, tmp_path)
    ran = sorted(path.name for path in (base / "markers").iterdir())
    assert ran == [], f"the repo's programs ran: {ran}"
    assert index_identity(repo) == before
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-2000:]
    record = load_json(tmp_path / "reports" / "readiness.json")
    outcomes = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}
    chg01 = outcomes[("CHG-01", "box/infra")]
    assert chg01["outcome"] == "failed", chg01["message"]
    assert " M changed.txt" in chg01["message"] and "?? new.txt" in chg01["message"]
    assert "touched.conf" not in chg01["message"]  # same bytes: not a change, whatever its mtime
    assert outcomes[("CHG-02", "box/infra")]["outcome"] == "passed", outcomes[("CHG-02", "box/infra")]["message"]
    sec07 = outcomes[("SEC-07", "box/infra")]
    assert sec07["outcome"] == "failed" and "old.conf (hardcoded-password, added in commit" in sec07["message"]
    assert outcomes[("SEC-08", "box/infra")]["outcome"] == "passed"
    assert outcomes[("DOC-03", "box/runbook")]["outcome"] == "passed", outcomes[("DOC-03", "box/runbook")]["message"]
    reports = (tmp_path / "reports" / "readiness.json").read_text() + (
        tmp_path / "reports" / "readiness.html"
    ).read_text()
    assert SECRET not in reports
