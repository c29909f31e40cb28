"""A hung remote command is killed at its timeout and fails its criterion with the reason."""

from __future__ import annotations

import pytest

from tests.conftest import criteria_project, load_json

HUNG = '''
import pytest


@pytest.mark.warning
@pytest.mark.criterion("OPS-02", category="Reliability")
def test_hangs(fleet_host, remote):
    """A command that never returns."""
    remote.run("sleep 600")


@pytest.mark.warning
@pytest.mark.criterion("OPS-03", category="Reliability")
def test_after(fleet_host, remote):
    """The next check on the same host still runs."""
    assert remote.run("echo alive").stdout == "alive\\n"
'''


def test_hung_command_times_out_with_its_reason(pytester: pytest.Pytester):
    folder = criteria_project(pytester, "hosts:\n  box: {backend: 'local://', command_timeout: 2s}\n")
    (folder / "test_hung.py").write_text(HUNG)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    assert result.ret == 1
    criteria = {c["id"]: c for c in load_json(pytester.path / "reports" / "readiness.json")["criteria"]}
    [hung] = criteria["OPS-02"]["instances"]
    assert hung["outcome"] == "error"
    assert hung["message"] == "box: timed out after 2 s: sleep 600"
    assert criteria["OPS-03"]["outcome"] == "passed"
