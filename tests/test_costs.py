"""Tests by cost: the ``root``, ``sandbox`` and ``e2e`` markers, which ``make test-fast`` leaves out."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

# make test-fast's marker expression, read from the Makefile
FAST = next(line for line in (REPO / "Makefile").read_text().splitlines() if "not root and not sandbox" in line)
FAST = FAST.split('-m "', 1)[1].split('"', 1)[0]
pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

NEEDS_ROOT = [
    ("tests/sandbox/test_sandbox_hosts.py", "test_each_host_answers_over_ssh"),
    ("tests/test_hostile_repo.py", "test_reading_a_repo_leaves_its_index_as_it_was"),
    ("tests/test_criteria_local.py", "test_disk_usage_limits"),
    ("tests/test_hostile_inventory.py", "test_no_inventory_string_reaches_a_shell_as_syntax"),
    ("tests/test_criteria_monitoring.py", "test_healthy_stack_passes_and_unprobed_hosts_are_blind"),
]


def collected(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-p", "pytester", "-p", "no:html", "-p", "no:cacheprovider",
         "--collect-only", "-q", "--strict-markers", *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_fast_selection_leaves_out_every_test_that_needs_root_or_the_sandbox() -> None:
    fast = collected("-m", FAST)
    assert fast, "the fast selection is empty"
    assert not [t for t in fast if t.startswith("tests/sandbox/")]
    for path, name in NEEDS_ROOT:
        assert f"def {name}(" in (REPO / path).read_text(), f"{path} {name}: renamed? update this list"
        assert not [t for t in fast if t.startswith(f"{path}::{name}")], f"{path}::{name} is in the fast selection"
    assert "tests/test_rubric.py::" in "\n".join(fast)


def test_the_fast_selection_runs_no_golive_end_to_end() -> None:
    fast = "\n".join(collected("-m", FAST))
    assert "not e2e" in FAST
    for module in ("tests/test_plugin.py::", "tests/test_merge.py::", "tests/test_criteria_local.py::"):
        assert module not in fast, f"{module} runs golive end to end but is in the fast selection"
    assert "tests/test_inventory.py::" in fast
