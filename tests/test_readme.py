"""The README stays a front page: short, its commands the ones CI runs, every link alive."""

from __future__ import annotations

import re

from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_the_readme_is_at_most_12_kb():
    assert len(README.encode()) <= 12 * 1024, "move the detail to a page under docs/ and link it"


def test_ci_runs_the_readme_test_command():
    [commands] = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    [test] = [line.split("#")[0].strip() for line in commands.splitlines() if line.startswith("make test")]
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert any(line == test or line.startswith(f"{test} ") for line in ci_lines), f".ci/run does not call {test!r}"


def test_every_relative_link_of_the_readme_exists():
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    relative = [target for target in targets if "://" not in target]
    assert relative and [target for target in relative if not (REPO / target).exists()] == []
