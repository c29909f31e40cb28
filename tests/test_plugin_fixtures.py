"""golive/plugin.py: golive's fixtures are registered in the processes that collect tests."""

from __future__ import annotations

import pytest

from tests.conftest import load_json
from tests.synthetic import run

SEEN = """
import json, sys

def pytest_sessionfinish(session):
    role = getattr(session.config, "workerinput", {}).get("workerid", "controller")
    loaded = sorted(name for name in sys.modules if name.startswith("golive.fixtures."))
    with open(f"modules-{role}.json", "w") as f:
        json.dump(loaded, f)
"""


@pytest.mark.e2e
def test_xdist_controller_imports_no_fixture_module(suite):
    (suite.path / "conftest.py").write_text(SEEN)
    assert run(suite, "-n", "2").ret == 1
    assert load_json(suite.path / "modules-controller.json") == []
    assert "golive.fixtures.endpoints" in load_json(suite.path / "modules-gw0.json")
    assert load_json(suite.path / "reports" / "readiness.json")["run"]["workers"] == 2


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("listing", "line"),
    [
        ("--fixtures", "*fixtures defined from golive.fixtures.hosts*"),
        ("--fixtures-per-test", "evidence -- *fixtures/inventory.py*"),
        ("--collect-only", "*test_avl01*"),
    ],
)
def test_listings_under_xdist_still_see_the_fixtures(suite, listing, line):
    result = run(suite, "-n", "2", listing)
    assert result.ret == 0
    result.stdout.fnmatch_lines([line])
