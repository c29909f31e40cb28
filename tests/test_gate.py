"""The pre-go-live gate: a run selected by severity leads with whether its criteria hold."""

from __future__ import annotations

import subprocess
import sys

import pytest

from golive.gate import CLAIM_NOT_JUDGED, severities_of
from golive.outcomes import Severity
from tests.conftest import load_json
from tests.synthetic import run

PARTIAL = "golive: partial grade over the selected criteria, not the fleet's: "


@pytest.mark.parametrize(
    ("expression", "severities"),
    [
        ("critical", (Severity.CRITICAL,)),
        ("critical or warning", (Severity.CRITICAL, Severity.WARNING)),
        ("(warning or critical)", (Severity.CRITICAL, Severity.WARNING)),
        ("not acceptable", (Severity.CRITICAL, Severity.WARNING)),
        ("critical and warning", ()),  # no criterion has two severities: nothing selected
        ("critical and slow", ()),  # another marker: not a selection by severity
        ("criterion", ()),
        ("", ()),
        ("critical or", ()),  # pytest refuses it itself
    ],
)
def test_severities_of_a_marker_expression(expression, severities):
    assert severities_of(expression) == severities


def verdict(result: pytest.RunResult) -> list[str]:
    """The gate's line and the line after it."""
    lines = result.stdout.lines
    [at] = [n for n, line in enumerate(lines) if "gate passed" in line or "gate FAILED" in line]
    return [lines[at].strip("= "), lines[at + 1]]


def test_a_critical_gate_whose_criteria_hold_passes_and_says_so(suite):
    result = run(suite, "-m", "critical", "--gate", "-k", "not test_sec04")
    assert result.ret == 0
    gate_line, grade_line = verdict(result)
    assert gate_line == (
        "golive: critical gate passed: 5 of 5 critical criteria hold on 2 hosts "
        "(selection also narrowed: -k not test_sec04)"
    )
    assert grade_line.startswith(PARTIAL + "62.0/100 C NOT READY — partial run")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["gate"] == {
        "selection": "critical", "severities": ["critical"], "blocking": ["critical"], "criteria": 5, "held": 5,
        "failed": [], "hosts": 2, "not_judged": [], "passed": True,
    }  # fmt: skip
    assert record["partial"] and not record["ready"]
    # the document's claimed grade is the fleet's: a subset's score does not judge it
    acc02 = next(c for c in record["criteria"] if c["id"] == "ACC-02")
    assert {i["target"]: (i["outcome"], i["message"]) for i in acc02["instances"]} == {
        "a": ("skipped", CLAIM_NOT_JUDGED),
        "b": ("passed", ""),
    }


def test_a_critical_gate_with_a_failure_fails_and_names_it(suite):
    result = run(suite, "-m", "critical", "--gate")
    assert result.ret == 1
    gate_line, grade_line = verdict(result)
    assert gate_line == "golive: critical gate FAILED: 1 of 6 critical criteria fail on 2 hosts: SEC-04 (a)"
    assert grade_line.startswith(PARTIAL) and "1 critical failure" in grade_line
    gate = load_json(suite.path / "reports" / "readiness.json")["gate"]
    assert (gate["passed"], gate["criteria"], gate["held"]) == (False, 6, 5)
    assert gate["failed"] == [{"id": "SEC-04", "severity": "critical", "targets": ["a"]}]
    page = (suite.path / "reports" / "readiness.html").read_text()
    shown = 'id="golive-gate" data-passed="false">' + gate_line.removeprefix("golive: ")
    assert shown in page, "the HTML report leads with the gate"
    assert page.index('id="golive-gate"') < page.index('id="golive-partial-grade"') < page.index('id="golive-verdict"')


def test_warnings_in_a_gate_block_only_without_the_critical_only_flag(suite):
    selected = ("-m", "critical or warning", "-k", "not test_sec04")
    result = run(suite, *selected, "--gate")
    assert result.ret == 0
    gate_line, _ = verdict(result)
    assert gate_line == (
        "golive: critical and warning gate passed: 9 of 12 critical and warning criteria hold on 2 hosts; "
        "not blocking: ACC-01 (a), AVL-05 (b), MON-05 (b) (selection also narrowed: -k not test_sec04)"
    )
    result = run(suite, *selected)
    assert result.ret == 1
    gate_line, _ = verdict(result)
    assert gate_line.startswith("golive: critical and warning gate FAILED: 3 of 12")


def test_a_run_not_selected_by_severity_has_no_gate(suite):
    run(suite, "-k", "avl01 or rel01")
    assert "gate" not in load_json(suite.path / "reports" / "readiness.json")


def test_shards_of_a_gate_run_merge_into_the_single_runs_gate(suite):
    run(suite, "-m", "critical", "--gate")
    single = load_json(suite.path / "reports" / "readiness.json")
    for index in (1, 2):
        run(suite, "-m", "critical", "--gate", f"--shard={index}/2", f"--report-dir=shard{index}")
    merged = subprocess.run(
        [sys.executable, "-m", "golive", "merge", "shard1/readiness.json", "shard2/readiness.json", "--gate",
         "--report-dir=merged", "--summary-md=merged/summary.md"],
        cwd=suite.path, capture_output=True, text=True,
    )  # fmt: skip
    assert merged.returncode == 1, merged.stderr
    assert load_json(suite.path / "merged" / "readiness.json")["gate"] == single["gate"]
    summary = (suite.path / "merged" / "summary.md").read_text().splitlines()
    assert summary[2] == "❌ **critical gate FAILED: 1 of 6 critical criteria fail on 2 hosts: SEC-04 (a)**"
    assert merged.stdout.startswith(
        "golive: critical gate FAILED: 1 of 6 critical criteria fail on 2 hosts: SEC-04 (a)\n"
    )
