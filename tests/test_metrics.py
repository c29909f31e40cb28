"""--metrics-file: the grade in Prometheus text format, checked by Prometheus's own promtool."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import debian_tool
from tests.synthetic import run


@pytest.mark.root
def test_metrics_file_is_valid_prometheus_text(suite):
    tool = debian_tool("promtool", "prometheus")
    run(suite, "--metrics-file=textfile/golive.prom")
    text = (suite.path / "textfile" / "golive.prom").read_text()
    checked = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = text.splitlines()
    assert "golive_score 69" in lines
    assert "golive_ready 0" in lines and "golive_critical_failures 1" in lines
    assert 'golive_category_score{category="Security"} 40' in lines
    assert (
        'golive_criterion_status{criterion="SEC-04",category="Security",severity="critical",outcome="failed"} 1'
        in lines
    )
    assert (
        'golive_criterion_status{criterion="CHG-01",category="Change Control",severity="warning",outcome="waived"} 1'
        in (lines)
    )
    assert not list((suite.path / "textfile").glob(".*"))  # written by rename: no temp file left
