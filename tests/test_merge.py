"""--shard K/N runs merged into one record equal to a single run over the same fleet."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from tests.conftest import load_json, parse_report
from tests.synthetic import GRADED_KEYS, SUITE, outcomes, run

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

pytest_plugins = ["tests.test_plugin"]


def instances(record):
    return {
        c["id"]: sorted((i["nodeid"], i["outcome"], i["message"]) for i in c["instances"]) for c in record["criteria"]
    }


def merge(cwd, *args):
    return subprocess.run([sys.executable, "-m", "golive", "merge", *args], cwd=cwd, capture_output=True, text=True)


def test_shards_merge_into_the_single_run(suite):
    (suite.path / "tests_infra" / "test_synthetic.py").write_text(
        (suite.path / "tests_infra" / "test_synthetic.py")
        .read_text()
        .replace('score=60, letter="C"', 'score=95, letter="A+++"')
    )
    run(suite)
    single = load_json(suite.path / "reports" / "readiness.json")
    for index in (1, 2):
        run(suite, f"--shard={index}/2", f"--report-dir=shard{index}")
    first, second = (load_json(suite.path / f"shard{i}" / "readiness.json") for i in (1, 2))
    assert first["partial"] and first["partial_reasons"] == ["--shard 1/2"]
    assert {i["target"] for c in first["criteria"] for i in c["instances"]} == {"a"}
    assert {i["target"] for c in second["criteria"] for i in c["instances"]} == {"b"}

    result = merge(suite.path, "shard1/readiness.json", "shard2/readiness.json", "--report-dir=merged")
    assert result.returncode == 1, result.stderr
    merged = load_json(suite.path / "merged" / "readiness.json")
    for key in GRADED_KEYS:
        assert merged[key] == single[key], key
    assert outcomes(merged) == outcomes(single)
    assert instances(merged) == instances(single)
    assert merged["run"]["shards"] == 2
    assert {(w["criterion"], w["status"]) for w in merged["waivers"]} == {("CHG-01", "active"), ("ACC-01", "expired")}
    page = parse_report(suite.path / "merged" / "readiness.html")
    assert page.verdict["data-score"] == f"{single['score']:.1f}"
    assert "criterion-ACC-02" in page.ids
    assert result.stdout.startswith(f"golive: {single['score']:.1f}/100 {single['grade']} NOT READY")


def test_merge_refuses_an_incomplete_set_of_shards(suite):
    run(suite, "--shard=1/2", "--report-dir=shard1")
    result = merge(suite.path, "shard1/readiness.json")
    assert result.returncode == 4
    assert "need each of shards 1..2 once; missing [2]" in result.stderr
    run(suite, "--report-dir=whole")
    result = merge(suite.path, "shard1/readiness.json", "whole/readiness.json")
    assert result.returncode == 4 and "not a sharded run" in result.stderr


def test_bad_shard_option_is_a_usage_error(suite):
    result = run(suite, "--shard=3/2")
    assert result.ret == 4
    assert "--shard expects K/N with 1 <= K <= N" in result.stderr.str()


def test_a_waived_failed_grade_claim_merges_as_in_the_single_run(suite):
    (suite.path / "tests_infra" / "test_synthetic.py").write_text(
        SUITE.replace('score=60, letter="C"', 'score=95, letter="A+++"')
    )
    hosts = suite.path / "hosts.yaml"
    expires = dt.date.today() + dt.timedelta(days=10)
    waiver = f"{{criterion: ACC-02, target: a, reason: claim under review, owner: qa@example.org, expires: {expires}}}"
    hosts.write_text(f"{hosts.read_text().rstrip()}\n  - {waiver}\n")
    run(suite)
    single = load_json(suite.path / "reports" / "readiness.json")
    assert outcomes(single)["ACC-02"] == "waived"  # the claim fails, and its waiver covers it
    for index in (1, 2):
        run(suite, f"--shard={index}/2", f"--report-dir=shard{index}")
    merge(suite.path, "shard1/readiness.json", "shard2/readiness.json", "--report-dir=merged")
    merged = load_json(suite.path / "merged" / "readiness.json")
    for key in GRADED_KEYS:
        assert merged[key] == single[key], key
    assert outcomes(merged) == outcomes(single)
    assert instances(merged) == instances(single)
    assert merged["waivers"] == single["waivers"]
