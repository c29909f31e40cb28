"""Parsers and judges of the file criteria (BAK, CHG-01/02, SEC-07/08, DOC, ACC) on real output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from golive import facts as sections
from golive.checks import backups, documents, git
from golive.errors import TargetError
from golive.inventory import BackupLocation, Host, Repo

# `restic snapshots --json` of restic 0.14 (Debian bookworm), captured on the sandbox
RESTIC = (
    '[{"time":"2026-11-23T08:57:23.458464264Z","tree":"8fad","paths":["/tmp/rrdata"],"hostname":"vm",'
    '"username":"root","id":"e89168fe09bd60a93ce1d93bf5badc2e4ddbec371d02da72489e76146a6d7573","short_id":"e89168fe"},'
    '{"time":"2020-01-01T00:00:00+01:00","tree":"8fad","paths":["/tmp/rrdata"],"hostname":"vm","id":"aa11","short_id":"aa11"}]'
)
BORG = (
    '{"archives": [{"archive": "n-1", "name": "n-1", "start": "2026-11-22T01:00:00.000000",'
    ' "time": "2026-11-22T01:00:00.000000"}]}'
)


def test_sections_round_trip_through_a_real_shell():
    parts = [
        sections.Section("a", "echo one; echo two >&2"), sections.Section("b", "exit 3"),
        sections.Section("secret", "echo hunter2", private=True),
    ]  # fmt: skip
    command = sections.script(parts)
    stdout = subprocess.run(["sh", "-c", command], capture_output=True, text=True).stdout
    found = sections.parse(stdout)
    assert found["a"] == sections.Output("one\ntwo", 0)
    assert found["b"].exit_status == 3 and found["secret"].text == "hunter2"
    shown = sections.withheld(stdout, parts)
    assert "hunter2" not in shown and "[1 line(s) of file contents withheld]" in shown and "one" in shown


def test_restic_and_borg_listings_oldest_first():
    restic = backups.parse_listing("warning on stderr\n" + RESTIC, "restic")
    assert [b.name for b in restic] == ["aa11", "e89168fe"] and restic[-1].size is None
    assert restic[0].time == 1577833200.0
    borg = backups.parse_listing(BORG, "borg")
    assert borg[0].name == "n-1" and borg[0].time == backups.parse_timestamp("2026-11-22T01:00:00Z")


def test_freshness_and_size_judges():
    location = BackupLocation(name="n", path="/b", glob="*.tar")
    listed = backups.parse_listing("1000 4096 /b/a.tar\n2000 100 /b/b.tar\n", "stat")
    assert backups.judge_freshness(listed, 2000 + 26 * 3600, location).passed
    assert not backups.judge_freshness(listed, 2001 + 26 * 3600, location).passed
    verdict = backups.judge_size(listed, location)
    assert verdict is not None and not verdict.passed and "100 B, at least 2048 B" in verdict.summary
    assert not backups.judge_freshness([], 0, location).passed


def test_secret_rules_report_path_line_and_rule_only():
    tracked = [".env", ".env.example", "certs/site.pem", "keys/id_ed25519", "keys/id_ed25519.pub", "app.py"]
    assert [str(f) for f in git.secrets_by_name(tracked)] == [
        ".env (env-file)", "certs/site.pem (private-key-file)", "keys/id_ed25519 (ssh-private-key)",
    ]  # fmt: skip
    found = git.secrets_by_content(sections.Output("aws-access-key-id conf/app.ini:12\n", 0))
    assert [str(f) for f in found] == ["conf/app.ini:12 (aws-access-key-id)"]
    assert git.probes("*.key") == ["golive-probe.key", "golive-probe-dir/golive-probe.key"]


def test_content_rules_match_real_secrets_with_git_grep(tmp_path):
    repo = tmp_path / "r"
    samples = {
        "key.txt": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n",
        "gh.txt": "token ghp_" + "a" * 36 + "\n",
        "aws.txt": "id AKIA" + "B" * 16 + "\n",
        "compose.yml": "DB_PASSWORD: ${DB_PASSWORD}\nAPI_TOKEN: s3cr3tvalue99\n",
    }
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name, text in samples.items():
        (repo / name).write_text(text)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(f"cd {repo} && git add -A && git commit -qm x", shell=True, check=True, env=env)
    command = {s.key: s.command for s in git._sections(git.Repo(name="r", path=str(repo)))}["r:content"]
    output = subprocess.run(["sh", "-c", command], capture_output=True, text=True).stdout
    assert sorted(str(f) for f in git.secrets_by_content(sections.Output(output, 0))) == [
        "aws.txt:1 (aws-access-key-id)", "compose.yml:2 (hardcoded-password)", "gh.txt:1 (github-token)",
        "key.txt:1 (private-key-block)",
    ]  # fmt: skip
    assert "s3cr3tvalue99" not in output and "ghp_" not in output


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin",
}  # fmt: skip


def commit_all(repo: Path, message: str) -> str:
    subprocess.run(f"cd {repo} && git add -A && git commit -qm '{message}'", shell=True, check=True, env=GIT_ENV)
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def repo_facts(repo: Repo) -> tuple[git.RepoFacts, str]:
    """The repo's sections, run by a real shell, as the host would; the sections alone (each
    asking git for the top directory and HEAD itself) must print what they print after the
    script's shared part asked once."""
    stdout = subprocess.run(
        ["sh", "-c", sections.script(git._sections(repo), git._shared((repo,)))], capture_output=True, text=True
    ).stdout
    alone = subprocess.run(["sh", "-c", sections.script(git._sections(repo))], capture_output=True, text=True).stdout
    assert sections.parse(stdout) == sections.parse(alone)
    return git.RepoFacts(repo, sections.parse(stdout)), stdout


def test_secrets_in_paths_with_colons_and_in_history_are_found_and_never_shown(tmp_path):
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=GIT_ENV)
    (repo / "conf").mkdir()
    (repo / "conf" / "db:primary.ini").write_text("key AKIA" + "C" * 16 + "\n")
    (repo / "deploy.sh").write_text("export API_TOKEN=t0ps3cr3tvalue\n")
    added = commit_all(repo, "import")
    (repo / "deploy.sh").write_text("export API_TOKEN=${API_TOKEN}\n")
    commit_all(repo, "token from the environment")
    found, stdout = repo_facts(Repo(name="r", path=str(repo)))
    verdict = git.judge_secrets(found)
    assert not verdict.passed
    assert "conf/db:primary.ini:1 (aws-access-key-id)" in verdict.summary
    assert f"deploy.sh (hardcoded-password, added in commit {added[:12]})" in verdict.summary
    assert "conf/db:primary.ini (aws" not in verdict.summary  # the file still holds it: reported once, at HEAD
    assert "t0ps3cr3tvalue" not in stdout and "AKIA" not in stdout
    head_only, _ = repo_facts(Repo(name="r", path=str(repo), history_commits=1))
    assert "deploy.sh" not in git.judge_secrets(head_only).summary


def repo_facts_through_git_shim(tmp_path: Path, repo: Repo, fail_hashing_many: bool) -> tuple[git.RepoFacts, list[str]]:
    """The repo's facts, git called through a stand-in logging each call (and failing ``hash-object``
    given more than one path, with ``fail_hashing_many``)."""
    calls = tmp_path / "calls"
    calls.write_text("")
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    refuse = 'case "$*" in *"hash-object --no-filters -- "*" "*) exit 128 ;; esac\n' if fail_hashing_many else ""
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n{refuse}exec /usr/bin/git "$@"\n')
    (shim / "git").chmod(0o755)
    script = sections.script(git._sections(repo), git._shared((repo,)))
    env = {"PATH": f"{shim}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    stdout = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env).stdout
    return git.RepoFacts(repo, sections.parse(stdout)), calls.read_text().splitlines()


def test_one_git_grep_and_one_git_log_scan_every_rule(tmp_path):
    """The content scan greps HEAD once for every rule and sorts the matches by rule on the host:
    a line matching two rules is found by both, a line whose text looks like a match line
    (``12:...``) or holds bytes that are not UTF-8 is read as text (at HEAD and in history), and a
    repo read once for its top directory and HEAD, by the script's shared part."""
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=GIT_ENV)
    (repo / "both.env.txt").write_text("aws_token = AKIA" + "D" * 16 + "\n")
    (repo / "numbered.txt").write_text("12:34: nothing here\n7:gh ghp_" + "b" * 36 + "\n")
    (repo / "latin1.txt").write_bytes(b"password=secret1value caf\xe9\n")
    (repo / "clean.txt").write_text("nothing\n")
    (repo / "gone.txt").write_bytes(b"api_key: removedvalue9 \xe9\n")
    added = commit_all(repo, "import")
    (repo / "gone.txt").unlink()
    removed = commit_all(repo, "removed")
    found, made = repo_facts_through_git_shim(tmp_path, Repo(name="r", path=str(repo)), False)
    stdout = "\n".join(output.text for output in found.sections.values())
    assert sorted(str(f) for f in git.secrets_by_content(found.checked("content"))) == [
        "both.env.txt:1 (aws-access-key-id)", "both.env.txt:1 (hardcoded-password)",
        "latin1.txt:1 (hardcoded-password)", "numbered.txt:2 (github-token)",
    ]  # fmt: skip
    history = {(f.path, f.rule, f.commit) for f in git.secrets_in_history(found.checked("history"))}
    assert ("numbered.txt", "github-token", added) in history and ("gone.txt", "hardcoded-password", added) in history
    assert removed not in {commit for _, _, commit in history}
    assert "AKIA" not in stdout and "ghp_" not in stdout and "secret1" not in stdout and "removedvalue9" not in stdout
    assert sum(" grep " in call for call in made) == 1 and sum(" log " in call for call in made) == 1
    assert (
        sum("--show-toplevel" in call for call in made) == 1
        and sum(call.endswith("--verify HEAD") for call in made) == 1
        and not any(call.endswith("HEAD^{tree}") for call in made)  # the staged diff reads the shared HEAD
    )


def test_working_tree_changes_agree_with_git_status(tmp_path):
    """CHG-01 hashes files itself; on a repo without filters it must say what git status says."""
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=GIT_ENV)
    names = ["same.txt", "edited.txt", "gone.txt", "mode.sh", "link", "to-link.txt", "hidden.txt", "staged.txt",
             "sub dir/a:b c.txt", "ünïcode.txt", 'quote"d.txt']  # fmt: skip
    for name in names:
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(f"{name}\n")
    (repo / "link").unlink()
    (repo / "link").symlink_to("same.txt")
    commit_all(repo, "import")
    (repo / "edited.txt").write_text("edited, same size?\n")
    (repo / "gone.txt").unlink()
    (repo / "mode.sh").chmod(0o755)
    (repo / "to-link.txt").unlink()
    (repo / "to-link.txt").symlink_to("same.txt")
    (repo / "hidden.txt").write_text("changed under skip-worktree\n")
    (repo / "staged.txt").write_text("staged\n")
    (repo / "sub dir" / "a:b c.txt").write_text("changed\n")
    (repo / "ünïcode.txt").write_text("changed\n")
    (repo / 'quote"d.txt').write_text("changed\n")
    (repo / "new dir").mkdir()
    (repo / "new dir" / "x").write_text("x\n")
    (repo / "same.txt").touch()
    subprocess.run(f"cd {repo} && git update-index --skip-worktree hidden.txt && git add staged.txt && "
                   "echo again >> staged.txt", shell=True, check=True, env=GIT_ENV)  # fmt: skip
    found, _ = repo_facts(Repo(name="r", path=str(repo)))
    status = subprocess.run(
        ["git", "-c", "core.quotepath=off", "status", "--porcelain"], cwd=repo, capture_output=True, text=True
    ).stdout.splitlines()
    assert sorted(git.changes(found)) == sorted(status)
    assert " T to-link.txt" in status and "MM staged.txt" in status  # the cases are really there
    # the regular files are hashed by one git call; when it fails (a file gone meanwhile), one by one
    for fail, hashes in ((False, 1), (True, 1 + 7)):
        found, calls = repo_facts_through_git_shim(tmp_path, Repo(name="r", path=str(repo)), fail)
        assert sorted(git.changes(found)) == sorted(status)
        assert sum("hash-object --no-filters" in call for call in calls) == hashes
    subprocess.run(["git", "-C", str(repo), "config", "core.filemode", "false"], check=True)
    found, _ = repo_facts(Repo(name="r", path=str(repo)))
    assert " M mode.sh" not in git.changes(found)


def test_a_failing_secret_scan_is_an_error_not_a_pass(tmp_path):
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=GIT_ENV)
    (repo / "app.conf").write_text("mode = production\n")
    commit_all(repo, "import")
    blob = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD:app.conf"], capture_output=True, text=True)
    digest = blob.stdout.strip()
    (repo / ".git" / "objects" / digest[:2] / digest[2:]).unlink()  # the committed file can no longer be read
    found, _ = repo_facts(Repo(name="r", path=str(repo), history_commits=0))
    with pytest.raises(TargetError, match="git content failed"):
        git.judge_secrets(found)


def test_grades_and_sign_off_labels():
    assert documents.parse_grade("A+++ (95/100)") == documents.Grade("A+++", 95.0, "A+++ (95/100)")
    assert documents.parse_grade("**B**") == documents.Grade("B", None, "B")
    assert documents.parse_grade("72/100") == documents.Grade(None, 72.0, "72/100")
    assert documents.parse_grade("Failing (40/100)").letter is None
    assert documents.parse_grade("pending") is None
    assert documents._field_of("**Assessed By") == "who" and documents._field_of("Signed-off-by") == "who"
    assert documents._field_of("signed_off_by") == "who" and documents._field_of("Status") is None


def test_front_matter_giving_a_key_twice_is_an_error_naming_its_lines(tmp_path):
    doc = tmp_path / "acceptance.md"
    doc.write_text("---\ngrade: A (95/100)\nwho: ops\ngrade: C (60/100)\n---\n# Acceptance\n")
    readme = tmp_path / "README.md"
    readme.write_text("---\nclaims:\n  containers: 3\n  containers: 4\n---\nbody\n")
    host = Host(
        name="h",
        backend="local://",
        acceptance=[{"phase": "p1", "path": str(doc)}],
        documents=[{"name": "readme", "path": str(readme)}],
    )
    stdout = subprocess.run(["sh", "-c", sections.script(documents.sections(host))], capture_output=True, text=True)
    found = sections.parse(stdout.stdout)
    with pytest.raises(TargetError, match=r"front matter of p1 gives grade twice, at lines 2 and 4 of the file"):
        documents.judge_sign_off(found, host.acceptance[0])
    with pytest.raises(TargetError, match=r"front matter of readme gives claims\.containers twice, at lines 3 and 4"):
        documents.documented_claims(found, host)
