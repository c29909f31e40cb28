"""Change Control criteria: what runs is what the config repo says, and the repo is pushed."""

from __future__ import annotations

import pytest

from golive.checks import compose, containers, git, packages, service_files, services
from golive.checks.remote import Fleet
from golive.errors import TargetError
from golive.evidence import Evidence, Verdict
from golive.fixtures.declared import Declared


@pytest.mark.warning
@pytest.mark.criterion("CHG-01", category="Change Control")
def test_config_repo_working_tree_clean(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared config repos on hosts have a clean working tree: nothing staged, modified or untracked.

    Why: an edit made in place on the server is lost on the next deploy and exists
    in no review; the next person to change the file cannot know it is there.

    Keys: hosts.<name>.repos[]: name, path. Tracked files are hashed byte for byte and
    compared with the index: no filter, fsmonitor or hook the repo configures runs, and
    the index is not rewritten; a file git converts on commit (filter, eol attributes)
    that differs is marked so.

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

    Keys: hosts.<name>.repos[]: name, path (the branch's upstream).

    Fix: git push (or set an upstream with git push -u origin BRANCH).
    """
    evidence.conclude(git.judge_pushed(git.facts(repo.remote(fleet), repo.host.repos, repo.item)))


def _deployed(repo: Declared, fleet: Fleet) -> tuple[git.RepoFacts, containers.ContainerFacts]:
    """The repo's facts and its host's containers; not applicable without compose files."""
    if not repo.item.compose:
        pytest.skip(f"not applicable: {repo.id} declares no compose file")
    remote = repo.remote(fleet)
    running = containers.facts(remote)
    if running.engine_problem is not None:
        raise TargetError(f"{running.engine_problem} ({repo.id} declares compose files)")
    return git.facts(remote, repo.host.repos, repo.item), running


@pytest.mark.critical
@pytest.mark.criterion("CHG-03", category="Change Control")
def test_running_images_match_compose(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Every service of the repo's compose files runs, from the image (tag included) the file declares.

    Why: a config repo that says one image while the host runs another is a lie the next
    deploy acts on (the old image still deployed after the config was updated).

    Keys: repos[].compose (files, relative to path), repos[].env_file (.env, for
    ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR), repos[].project (default: the file's
    name:, COMPOSE_PROJECT_NAME, or its directory's name). Containers are matched by the
    labels compose sets (com.docker.compose.project/.service); an untagged image is :latest.

    Fix: redeploy from the repo (docker compose pull && docker compose up -d), or commit
    the image the host runs if that is the intended one.
    """
    found, running = _deployed(repo, fleet)
    evidence.conclude(compose.judge_images(found, running))


@pytest.mark.warning
@pytest.mark.criterion("CHG-04", category="Change Control")
def test_running_environment_matches_compose(repo: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Every running service's environment equals what its compose file declares (keys named, values never).

    Why: a variable set by hand on the host (docker run -e, a docker-compose.override.yml
    outside git, such as kubectl set env) is lost on the next deploy and reviewed by no one.

    Keys: repos[].compose, repos[].env_file, repos[].project (as CHG-03). Values are
    compared as SHA-256 digests in memory; the evidence names differing, missing and
    runtime-only keys. Keys the image itself sets are not runtime-only; keys from an
    env_file other than the repo's .env are not read (said in the evidence).

    Fix: put the change in the compose file or .env, commit it and redeploy; or
    recreate the container from the repo (docker compose up -d --force-recreate).
    """
    found, running = _deployed(repo, fleet)
    verdict, notes = compose.judge_environment(found, running)
    for note in notes:
        evidence.note(note)
    evidence.conclude(verdict)


@pytest.mark.warning
@pytest.mark.criterion("CHG-05", category="Change Control")
def test_service_packages_and_virtualenv(service: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared service's packages are installed at the wanted versions and its virtualenv is consistent.

    Why: a service deployed by hand runs on whatever the host happens to have; a package
    missing or a dependency at another version than the one tested is found at the first
    request that needs it.

    Keys: hosts.<name>.services[]: packages[] (name and optional constraint, e.g.
    "python3-yaml >= 6.0", compared by the host's dpkg, rpm or apk ordering), venv (path,
    requirements: a requirements file on the host or a list of PEP 440 specifiers).
    The venv is judged from its dist-info metadata read on the host: declared
    requirements installed at matching versions, and every distribution in the venv
    has its Requires-Dist met. golive never runs the venv's python or pip.

    Fix: apt install PACKAGE (or dnf/apk); in the venv, install the pinned versions from
    the requirements file (VENV/bin/pip install -r requirements.txt) and run pip check.
    """
    index, declared = service.item
    found = services.facts(service.remote(fleet), service.host)
    comparisons = packages.package_comparisons(found, declared) + packages.venv_comparisons(found, index, declared)
    if not comparisons:
        pytest.skip(f"not applicable: {service.id} declares no package and no virtualenv")
    evidence.conclude(Verdict.from_comparisons(comparisons, f"package checks of {service.id}"))


@pytest.mark.warning
@pytest.mark.criterion("CHG-06", category="Change Control")
def test_service_paths_as_declared(service: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared service's paths exist with the declared type, owner, group and mode (data dirs writable).

    Why: a data directory the service user cannot write fails at the first upload; an
    install directory it can write lets a compromised service rewrite its own code.

    Keys: hosts.<name>.services[].paths[]: path, type (file/directory/symlink), owner,
    group, mode (octal, e.g. "0750"), writable_by, not_writable_by (user names; judged
    from the mode bits, owner, group and the user's groups, never by writing).

    Fix: create the missing paths, then chown/chmod them as declared (e.g. chown
    notes:notes /var/lib/notes; chmod 0750 /var/lib/notes).
    """
    _, declared = service.item
    if not declared.paths:
        pytest.skip(f"not applicable: {service.id} declares no paths")
    found = services.facts(service.remote(fleet), service.host)
    evidence.conclude(service_files.judge_paths(found, declared))
