"""The CI examples in docs/ci parse, do what docs/ci.md says they do, and are shown there as they are."""

from __future__ import annotations

import os
import shlex

import yaml

from tests.conftest import REPO


def commands(steps: list[str]) -> list[list[str]]:
    return [shlex.split(step) for step in steps if step.strip().startswith("pytest")]


def gate_checks(argv: list[str]) -> None:
    assert argv[:3] == ["pytest", "-m", "critical"] and "--gate" in argv
    assert "--junitxml=reports/junit.xml" in argv and "--report-dir=reports" in argv


def test_github_actions_runs_the_gate_and_keeps_the_evidence():
    workflow = yaml.safe_load((REPO / "docs/ci/github-actions.yml").read_text())
    assert {"pull_request", "push"} <= set(workflow[True])  # YAML 1.1 reads the key "on" as True
    steps = workflow["jobs"]["golive"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    [gate] = commands(runs)
    gate_checks(gate)
    assert "--summary-md=$GITHUB_STEP_SUMMARY" in gate  # the job's summary page
    uploads = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["if"] == "always()" and "reports/readiness.html" in uploads[0]["with"]["path"]
    junit = [step for step in steps if "junit" in step.get("uses", "")]
    assert junit and junit[0]["with"]["report_paths"] == "reports/junit.xml"


def test_gitlab_ci_runs_the_gate_and_keeps_the_evidence():
    job = yaml.safe_load((REPO / "docs/ci/gitlab-ci.yml").read_text())["readiness"]
    [gate] = commands(job["script"])
    gate_checks(gate)
    assert job["artifacts"]["when"] == "always"
    assert "reports/readiness.html" in job["artifacts"]["paths"]
    assert "--summary-md=reports/summary.md" in gate and "reports/summary.md" in job["artifacts"]["paths"]
    [note] = job["after_script"]  # the summary as a merge-request comment
    assert '"body@reports/summary.md"' in note and "/merge_requests/$CI_MERGE_REQUEST_IID/notes" in note
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert any("merge_request_event" in rule["if"] for rule in job["rules"])


def test_the_gate_command_is_one_golive_accepts(suite):
    """The exact command line of the examples runs against the synthetic suite."""
    workflow = yaml.safe_load((REPO / "docs/ci/gitlab-ci.yml").read_text())["readiness"]
    [gate] = commands(workflow["script"])
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", *gate[1:])
    assert result.ret == 1  # the synthetic suite has a critical failure (SEC-04)
    assert (suite.path / "reports" / "junit.xml").exists() and (suite.path / "reports" / "readiness.html").exists()
    summary = (suite.path / "reports" / "summary.md").read_text()
    assert "**critical gate FAILED: 1 of 6 critical criteria fail on 2 hosts: SEC-04 (a)**" in summary


def test_the_github_gate_writes_the_job_summary(suite):
    """GitHub's command line, with the step summary file GitHub sets in the environment."""
    steps = yaml.safe_load((REPO / "docs/ci/github-actions.yml").read_text())["jobs"]["golive"]["steps"]
    [gate] = commands([step["run"] for step in steps if "run" in step])
    step_summary = suite.path / "step_summary.md"
    suite._monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", *(os.path.expandvars(arg) for arg in gate[1:]))
    assert result.ret == 1
    assert step_summary.read_text().startswith("## golive readiness\n\n❌ **critical gate FAILED: 1 of 6")


def test_the_ci_page_shows_each_example_as_it_is():
    page = (REPO / "docs/ci.md").read_text()
    for example in ("github-actions.yml", "gitlab-ci.yml"):
        assert f"```yaml\n{(REPO / 'docs/ci' / example).read_text().rstrip()}\n```" in page, example
