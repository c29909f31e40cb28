"""docs/criteria.md is generated from the criteria themselves and must not drift from them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out


def test_the_committed_reference_is_the_generated_one(tmp_path):
    generated = tmp_path / "criteria.md"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", "tests_infra",
         f"--criteria-reference={generated}", f"--report-dir={tmp_path / 'reports'}"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    committed = (REPO / "docs" / "criteria.md").read_text()
    assert committed == generated.read_text(), (
        "docs/criteria.md is stale: regenerate it with "
        "pytest --collect-only -q tests_infra --criteria-reference=docs/criteria.md"
    )
    assert committed.count("\n| ") >= 50  # every criterion of the catalogue has its row
