"""Change Control criteria: what runs is what the config repo says, and the repo is pushed."""

from __future__ import annotations

import pytest

from golive.checks import git
from golive.checks.remote import Fleet
from golive.evidence import Evidence
from golive.fixtures.declared import Declared


@pytest.mark.warning
@pytest.mark.criterion("CHG-01", category="Change Control")
def test_config_repo_working_tree_clean(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared config repos on hosts have a clean working tree (git status --porcelain prints nothing).

    Why: an edit made in place on the server is lost on the next deploy and exists
    in no review; the next person to change the file cannot know it is there.

    Fix: commit the change (or revert it with git checkout) and push it; add
    generated files to .gitignore.
    """
    evidence.conclude(git.judge_clean(git.facts(repo.remote(fleet), repo.host.repos, repo.item)))


@pytest.mark.warning
@pytest.mark.criterion("CHG-02", category="Change Control")
def test_config_repo_has_no_unpushed_commits(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared config repos have an upstream and no commit ahead of it.

    Why: a commit only on the server dies with the server's disk, and the next
    deploy from the upstream silently reverts it.

    Fix: git push (or set an upstream with git push -u origin BRANCH).
    """
    evidence.conclude(git.judge_pushed(git.facts(repo.remote(fleet), repo.host.repos, repo.item)))
