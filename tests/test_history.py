"""History: each whole run is kept; the report shows the trend and what changed."""

from __future__ import annotations

import json

from tests.conftest import load_json, parse_report
from tests.synthetic import SUITE, outcomes, run


def test_changes_since_the_previous_run_and_the_trend(suite):
    run(suite)
    first = load_json(suite.path / "reports" / "readiness.json")
    assert "changes" not in first and len(first["history"]) == 1
    # fix SEC-04 and break SEC-05
    fixed = SUITE.replace('assert fleet_host.name != "a", f"cert', 'assert True, f"cert').replace(
        '"""Certificate expires in more than 21 days."""',
        '"""Certificate expires in more than 21 days."""\n    assert False',
    )
    (suite.path / "tests_infra" / "test_synthetic.py").write_text(fixed)
    run(suite)
    second = load_json(suite.path / "reports" / "readiness.json")
    changes = second["changes"]
    assert changes["since"] == "the previous run" and changes["since_score"] == first["score"]
    assert changes["fixed"] == ["SEC-04"]
    assert changes["newly_failing"] == ["SEC-05"]
    assert changes["still_failing"] == ["ACC-01", "AVL-05", "MON-05"]
    assert [point["score"] for point in second["history"]] == [first["score"], second["score"]]
    assert len(list((suite.path / "reports" / "history").glob("*.json"))) == 2
    page = parse_report(suite.path / "reports" / "readiness.html")
    assert {"golive-changes", "golive-history"} <= page.ids

    run(suite, "-m", "critical")  # a partial run is compared but not kept
    assert len(list((suite.path / "reports" / "history").glob("*.json"))) == 2

    (suite.path / "accepted.json").write_text(
        (suite.path / "reports" / "history").glob("*.json").__next__().read_text()
    )
    run(suite, "--baseline=accepted.json")
    third = load_json(suite.path / "reports" / "readiness.json")
    assert third["changes"]["since"] == "baseline accepted.json"


def test_runs_of_another_inventory_are_not_compared(suite):
    run(suite)
    (suite.path / "other.yaml").write_text((suite.path / "hosts.yaml").read_text())
    run(suite, "--inventory=other.yaml")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert "changes" not in record and len(record["history"]) == 1


def test_the_history_keeps_what_runs_are_compared_by_not_the_evidence(suite):
    run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    [kept] = (suite.path / "reports" / "history").glob("*.json")
    data = json.loads(kept.read_text())
    assert "facts" not in data and all("instances" not in c for c in data["criteria"])
    assert outcomes(data) == outcomes(record) and data["score"] == record["score"]
    assert data["run"]["finished"] == record["run"]["finished"]
