"""The guide's complete example runs for real: collected, graded, failing and passing."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO, criteria_project, load_json


@pytest.mark.parametrize(("minimum", "outcome"), [("2.6", "passed"), ("999.0", "failed")])
def test_the_example_criterion(pytester: pytest.Pytester, minimum, outcome):
    folder = criteria_project(
        pytester, f"hosts:\n  box:\n    backend: local://\n    custom: {{min_kernel: '{minimum}'}}\n"
    )
    shutil.copy(REPO / "docs" / "examples" / "test_kernel.py", folder / "test_kernel.py")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == (0 if outcome == "passed" else 1)
    [criterion] = load_json(pytester.path / "reports" / "readiness.json")["criteria"]
    assert (criterion["id"], criterion["category"], criterion["severity"]) == ("OPS-01", "Reliability", "warning")
    assert criterion["outcome"] == outcome
    assert criterion["keys"] == "hosts.<name>.custom.min_kernel (5.10)."
    [instance] = criterion["instances"]
    assert instance["evidence"][0]["command"] == "uname -r"
    if outcome == "failed":
        assert instance["message"].startswith("kernel: ") and instance["message"].endswith(", at least 999.0")
