"""In the terminal, failures grouped by criterion: one block per failing criterion, not one section per instance."""

from __future__ import annotations

from tests.synthetic import run

HOSTS = 30

SUITE = '''
import pytest


@pytest.mark.critical
@pytest.mark.criterion("SEC-09", category="Security")
def test_sec09(fleet_host):
    """A few hosts fail."""
    assert fleet_host.name not in ("h03", "h07", "h11"), f"port 23 open on {fleet_host.name}"


@pytest.mark.warning
@pytest.mark.criterion("REL-09", category="Reliability")
def test_rel09(fleet_host):
    """Every host fails."""
    assert False, f"no memory limit on {fleet_host.name}"
'''


def test_many_failing_instances_print_one_block_per_criterion(suite):
    hosts = "".join(f'  h{n:02d}: {{backend: "local://"}}\n' for n in range(HOSTS))
    (suite.path / "hosts.yaml").write_text(f"hosts:\n{hosts}")
    (suite.path / "tests_infra" / "test_synthetic.py").write_text(SUITE)
    (suite.path / "plain").mkdir()
    (suite.path / "plain" / "test_plain.py").write_text("def test_plain():\n    assert 1 == 2, 'not a criterion'\n")
    result = run(suite, "tests_infra", "plain")
    assert result.ret == 1
    out = result.stdout.str()
    lines = result.stdout.lines
    # the longest list first, each failing target named up to 20, then a count
    rel, sec = (next(n for n, line in enumerate(lines) if f" {cid} (" in line) for cid in ("REL-09", "SEC-09"))
    assert rel < sec
    assert lines[rel].strip("_ ") == "REL-09 (warning) Every host fails. — fails on 30 of 30 targets"
    assert lines[rel + 1 : rel + 21] == [f"  h{n:02d}: no memory limit on h{n:02d}" for n in range(20)]
    assert lines[rel + 21] == "  … and 10 more"
    assert lines[sec].strip("_ ") == "SEC-09 (critical) A few hosts fail. — fails on 3 of 30 targets"
    assert lines[sec + 1 : sec + 4] == [
        "  h03: port 23 open on h03",
        "  h07: port 23 open on h07",
        "  h11: port 23 open on h11",
    ]
    assert "golive: 2 failing criteria" in out
    # no pytest failure section or short-summary line per criterion instance ...
    assert "test_rel09[" not in out and "test_sec09[" not in out
    # ... but a test that is not a criterion fails as pytest shows it
    assert "_ test_plain _" in out and "AssertionError: not a criterion" in out
    assert "FAILED plain/test_plain.py::test_plain" in out
    assert "34 failed" in out  # pytest's own count is untouched


def test_an_explicit_traceback_style_prints_pytests_sections_too(suite):
    result = run(suite, "--tb=short")
    out = result.stdout.str()
    assert "_ test_sec04[a] _" in out and "FAILED tests_infra/test_synthetic.py::test_sec04[a]" in out
    assert "SEC-04 (critical) Certificate expires in more than 7 days. — fails on 1 of 2 targets" in out
    assert "golive: 4 failing criteria (1 waived instance not shown)" in out
