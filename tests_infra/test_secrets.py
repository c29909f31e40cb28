"""Security criteria about secrets in config repos."""

from __future__ import annotations

import pytest

from golive.checks import git
from golive.checks.remote import Fleet
from golive.evidence import Evidence
from golive.fixtures.declared import Declared


@pytest.mark.critical
@pytest.mark.criterion("SEC-07", category="Security")
def test_no_secrets_tracked_in_config_repos(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """No secrets in declared git repos (.env, *.key, *.pem, id_rsa, private keys, tokens), now or added recently.

    Why: whatever a repo tracks is copied to every clone, CI runner and backup, and
    stays in its history after the file is deleted.

    Keys: hosts.<name>.repos[]: name, path, history_commits (how many commits back
    from HEAD the added lines are scanned; default 200, 0: HEAD only). The scan runs
    on the host, without textconv or external diff drivers.

    Fix: git rm --cached the file, add it to .gitignore, rotate the secret (it is
    compromised), and purge it from history (git filter-repo) before the repo is shared.
    The report names path, line (or the commit that added it) and rule only.
    """
    evidence.conclude(git.judge_secrets(git.facts(repo.remote(fleet), repo.host.repos, repo.item)))


@pytest.mark.warning
@pytest.mark.criterion("SEC-08", category="Security")
def test_gitignore_covers_secret_files(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """The .gitignore of each declared repo covers .env, *.key and *.pem (as git check-ignore answers).

    Why: without the ignore rule, the next git add -A commits the secret.

    Keys: hosts.<name>.repos[].ignored (.env, *.key, *.pem).

    Fix: add .env, *.key and *.pem to the repo's .gitignore (repos[].ignored lists
    the patterns required).
    """
    evidence.conclude(git.judge_ignores(git.facts(repo.remote(fleet), repo.host.repos, repo.item)))
