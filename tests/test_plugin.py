"""golive end to end: the synthetic suite (tests/synthetic.py) run in a subprocess."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import load_json, parse_report
from tests.synthetic import CANARY, GRADED_KEYS, SUITE, outcomes, run


def test_grade_json_html_and_exit_status(suite):
    result = run(suite, "--junitxml=reports/junit.xml")
    assert result.ret == 1
    record = load_json(suite.path / "reports" / "readiness.json")
    assert (record["score"], record["uncapped_score"], record["grade"]) == (69.0, 74.2, "C+")
    assert (record["ready"], record["partial"], record["complete"]) == (False, False, True)
    assert record["critical_failures"] == ["SEC-04"]
    assert [(c["name"], c["weight"], c["score"]) for c in record["categories"]] == [
        ("Availability", 20, 60.0), ("Reliability", 10, 100.0), ("Monitoring", 12, 60.0), ("Security", 15, 40.0),
        ("Documentation", 15, 100.0), ("Backup/DR", 10, 100.0), ("Change Control", 8, 100.0), ("Acceptance", 10, 60.0),
    ]  # fmt: skip
    assert outcomes(record) == {
        "AVL-01": "passed", "AVL-05": "failed", "REL-01": "passed", "REL-06": "passed", "MON-01": "passed",
        "MON-05": "failed", "SEC-04": "failed", "SEC-05": "passed", "DOC-03": "passed", "BAK-01": "passed",
        "CHG-01": "waived", "CHG-02": "passed", "ACC-01": "failed", "ACC-02": "passed",
    }  # fmt: skip
    by_id = {c["id"]: c for c in record["criteria"]}
    mon05 = {i["target"]: i for i in by_id["MON-05"]["instances"]}
    assert mon05["b"]["outcome"] == "error"
    assert mon05["b"]["message"] == "alertmanager on b: connection refused"
    assert {i["target"]: i["outcome"] for i in by_id["BAK-01"]["instances"]} == {"a": "passed", "b": "skipped"}
    sec04 = by_id["SEC-04"]
    assert sec04["remediation"] == "renew the certificate (certbot renew)."
    assert sec04["instances"][0]["evidence"][0]["command"] == "cat /etc/app.env"
    assert record["fixes"][0] == {
        "id": "SEC-04", "title": "Certificate expires in more than 7 days.", "severity": "critical", "points": 14.2,
        "remediation": "renew the certificate (certbot renew).",
    }  # fmt: skip
    waivers = {w["criterion"]: w for w in record["waivers"]}
    assert waivers["CHG-01"]["status"] == "active" and waivers["CHG-01"]["days_left"] == 30
    assert waivers["ACC-01"]["status"] == "expired"
    assert record["run"]["inventory_sha256"] and record["run"]["golive_version"]

    result.stdout.fnmatch_lines(["*golive: CRITICAL SEC-04 Certificate expires in more than 7 days.*"])
    last = [line for line in result.stdout.lines if "golive: 69.0/100" in line]
    assert last and "C+ NOT READY — 1 critical failure — reports/readiness.html" in last[0]

    page = parse_report(suite.path / "reports" / "readiness.html")
    assert page.verdict["data-score"] == "69.0" and page.verdict["data-grade"] == "C+"
    assert page.verdict["data-ready"] == "false"
    assert {
        "golive-categories",
        "golive-chart",
        "golive-critical",
        "golive-fixes",
        "golive-waivers",
        "golive-run",
    } <= page.ids
    html_text = (suite.path / "reports" / "readiness.html").read_text()
    assert html_text.index("golive-critical") < html_text.index("golive-fixes")
    # each criterion has its section; a row that passed is one line, its note escaped
    start = html_text.index('id="criterion-AVL-01"')
    avl01 = html_text[start : html_text.index("</section>", start)]
    assert "<tr><td>a</td><td>" in avl01 and "checked &lt;b&gt;a&lt;/b&gt;" in avl01
    assert "<b>a</b>" not in avl01

    junit = ET.parse(suite.path / "reports" / "junit.xml")
    props = {
        case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in junit.iter("testcase")
    }
    assert props["test_sec04[a]"] == {"criterion": "SEC-04", "severity": "critical", "category": "Security"}


def test_secrets_never_reach_any_output(suite):
    result = run(suite, "--junitxml=reports/junit.xml", "-rA")
    outputs = {
        "terminal": result.stdout.str() + result.stderr.str(),
        "json": (suite.path / "reports" / "readiness.json").read_text(),
        "html": (suite.path / "reports" / "readiness.html").read_text(),
        "junit": (suite.path / "reports" / "junit.xml").read_text(),
    }
    for name, text in outputs.items():
        assert CANARY not in text, name
        assert "hunter2hunter2" not in text, name
    assert "[REDACTED]" in outputs["json"] and "[REDACTED]" in outputs["terminal"]


def test_the_one_line_reason_is_the_same_sentence_everywhere(suite):
    result = run(suite, "--junitxml=reports/junit.xml")
    sentence = "median: 3.1 s, must be less than 2 s"
    record = load_json(suite.path / "reports" / "readiness.json")
    [avl05] = [i for c in record["criteria"] if c["id"] == "AVL-05" for i in c["instances"] if i["target"] == "b"]
    assert avl05["message"] == sentence
    assert f"  b: {sentence}" in result.stdout.lines  # the terminal's block of AVL-05
    junit = ET.parse(suite.path / "reports" / "junit.xml")
    [case] = [case for case in junit.iter("testcase") if case.get("name") == "test_avl05[b]"]
    failure = case.find("failure")
    assert failure is not None and sentence in (failure.get("message") or "")
    assert sentence in (suite.path / "reports" / "readiness.html").read_text()


def test_same_grade_under_xdist(suite):
    run(suite)
    single = load_json(suite.path / "reports" / "readiness.json")
    result = run(suite, "-n", "2")
    assert result.ret == 1
    parallel = load_json(suite.path / "reports" / "readiness.json")
    for key in GRADED_KEYS:
        assert parallel[key] == single[key], key
    assert outcomes(parallel) == outcomes(single)
    strip = lambda c: sorted((i["target"], i["outcome"], i["message"]) for i in c["instances"])  # noqa: E731
    assert {c["id"]: strip(c) for c in parallel["criteria"]} == {c["id"]: strip(c) for c in single["criteria"]}
    assert parallel["run"]["workers"] == 2


def test_critical_gate_is_partial_and_never_ready(suite):
    result = run(suite, "-m", "critical")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["partial"] and record["partial_reasons"] == ["-m critical"]
    assert not record["ready"]
    ran = {cid for cid, outcome in outcomes(record).items() if outcome != "not_applicable"}
    assert ran == {"AVL-01", "REL-01", "MON-01", "SEC-04", "BAK-01", "ACC-02"}
    assert outcomes(record)["AVL-05"] == "not_applicable"  # deselected: listed, not scored
    assert result.ret == 1
    assert any("partial run" in line for line in result.stdout.lines)


def test_path_subset_is_partial(suite):
    run(suite, "tests_infra/test_synthetic.py::test_avl01")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["partial"] and record["partial_reasons"] == ["only tests_infra/test_synthetic.py::test_avl01"]


def test_gate_ignores_warnings_but_not_criticals_or_the_threshold(suite):
    assert run(suite, "--gate").ret == 1  # SEC-04 is critical
    no_critical = ("--gate", "-k", "not test_sec04")
    assert run(suite, *no_critical).ret == 0  # only warnings fail
    assert run(suite, *no_critical, "--fail-under", "95").ret == 1
    assert run(suite, "-k", "avl01 or rel01").ret == 0
    assert run(suite, "-k", "avl01 or rel01", "--fail-under", "90").ret == 1


def test_stopped_run_is_incomplete(suite):
    run(suite, "-x")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["complete"] is False and record["ready"] is False


@pytest.mark.parametrize(
    ("inventory", "fragment"),
    [
        (
            "hosts:\n  a: {backend: local://, bakend: x}\n",
            "hosts.yaml: hosts.a: unknown key 'bakend' (valid keys: backend,",
        ),
        (
            "hosts:\n  a: {backend: local://, command_timeout: 24hours}\n",
            "hosts.yaml: hosts.a.command_timeout: expected a duration",
        ),
        ("hosts:\n  a: {backend: 'http//a'}\n", "hosts.yaml: hosts.a.backend: expected a testinfra backend"),
        (
            "credentials:\n  x: {token_env: GOLIVE_SURELY_UNSET}\n",
            "credentials.x.token_env: environment variable GOLIVE_SURELY_UNSET is not set",
        ),
    ],
)
def test_bad_inventory_is_a_one_line_usage_error(suite, inventory, fragment):
    (suite.path / "hosts.yaml").write_text(inventory)
    result = run(suite)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and fragment in errors[0], result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert not (suite.path / "reports").exists()


def test_option_value_taken_for_a_test_path_is_refused(suite, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run(suite, "--report-dir", str(elsewhere))
    assert result.ret == 4
    assert f"write --report-dir={elsewhere} (with '=')" in result.stderr.str()
    assert run(suite, f"--report-dir={elsewhere}").ret == 1
    assert (elsewhere / "readiness.json").exists()


def test_inventory_option_picks_another_file(suite):
    (suite.path / "other.yaml").write_text("hosts:\n  solo: {backend: local://}\n")
    run(suite, "--inventory", "other.yaml", "-k", "avl01")
    record = load_json(suite.path / "reports" / "readiness.json")
    avl01 = next(c for c in record["criteria"] if c["id"] == "AVL-01")
    assert [i["target"] for i in avl01["instances"]] == ["solo"]


def test_a_test_in_the_suite_must_be_a_whole_criterion(suite):
    (suite.path / "tests_infra" / "test_bad.py").write_text(
        "import pytest\n\n"
        "def test_unmarked():\n    pass\n\n"
        "@pytest.mark.critical\n@pytest.mark.warning\n@pytest.mark.criterion('SEC-01', category='Security')\n"
        "def test_two_severities():\n    pass\n\n"
        "@pytest.mark.critical\n@pytest.mark.criterion('SEC-01', category='Safety')\n"
        "def test_bad_category():\n    pass\n"
    )
    result = run(suite)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*tests_infra/test_bad.py::test_unmarked: needs exactly one severity marker*found none",
            "*tests_infra/test_bad.py::test_two_severities: needs exactly one severity marker*found critical, warning",
            "*tests_infra/test_bad.py::test_bad_category: category 'Safety' is not in the rubric*",
        ]
    )


def test_markers_are_documented(suite):
    result = run(suite, "--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.critical: a failure blocks go-live*", "@pytest.mark.criterion(id, category)*"]
    )


def test_rubric_file_changes_the_grade(suite):
    (suite.path / "rubric.yaml").write_text("critical_cap: 50\n")
    run(suite, "--rubric", "rubric.yaml")
    assert load_json(suite.path / "reports" / "readiness.json")["score"] == 50.0


def test_no_criteria_no_readiness_report(pytester: pytest.Pytester):
    pytester.makepyfile(test_plain="def test_ok():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0
    assert not list(pytester.path.glob("reports/readiness.*"))
    assert "golive:" not in result.stdout.str().replace("golive 0", "")


def test_a_grade_claim_above_the_measured_grade_fails(suite):
    (suite.path / "tests_infra" / "test_synthetic.py").write_text(
        SUITE.replace('score=60, letter="C"', 'score=95, letter="A+++"')
    )
    assert run(suite, "--gate", "-k", "not test_sec04").ret == 1  # only the claim is a critical failure
    run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    acc02 = next(c for c in record["criteria"] if c["id"] == "ACC-02")
    instance = next(i for i in acc02["instances"] if i["target"] == "a")
    # measured without ACC-02 itself: Acceptance 0/2 -> 0; 74.2 - 6 = 68.2, capped by SEC-04 at 68.2
    assert instance["outcome"] == "failed"
    assert instance["message"] == (
        "docs/phase-00.md: claimed score 95 > measured 68.2; claimed grade A+++ (from 95) > measured C+ (68.2)"
    )
    assert set(record["critical_failures"]) == {"SEC-04", "ACC-02"}


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_sigterm_still_writes_reports_marked_incomplete(suite, name):
    import signal
    import subprocess
    import sys
    import time

    (suite.path / "tests_infra" / "test_zz_slow.py").write_text(
        "import pathlib, time, pytest\n\n"
        "@pytest.mark.warning\n@pytest.mark.criterion('DOC-09', category='Documentation')\n"
        "def test_slow(fleet_host):\n    pathlib.Path('started').touch()\n    time.sleep(60)\n"
    )
    # a shell without job control starts background commands with SIGINT ignored, and Python
    # then installs no KeyboardInterrupt handler: the run under test gets the default back
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=suite.path,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not (suite.path / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(getattr(signal, name))
    output, _ = process.communicate(timeout=60)
    assert process.returncode == pytest.ExitCode.INTERRUPTED
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["complete"] is False and record["ready"] is False
    assert "INCOMPLETE run" in output
    assert (suite.path / "reports" / "readiness.html").exists()


def test_criteria_catalogue_lists_every_collected_criterion(suite):
    (suite.path / "tests_infra" / "test_zz_catalogue.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.warning\n@pytest.mark.criterion('DOC-02', category='Documentation')\n"
        "def test_catalogue(criteria_catalogue):\n"
        "    '''Every criterion documented.'''\n"
        "    assert criteria_catalogue['SEC-04'].remediation == 'renew the certificate (certbot renew).'\n"
        "    assert criteria_catalogue['AVL-05'].remediation == ''\n"
        "    assert len(criteria_catalogue) == 15\n"
    )
    run(suite, "-m", "warning", "-k", "catalogue")
    record = load_json(suite.path / "reports" / "readiness.json")
    assert [c["outcome"] for c in record["criteria"] if c["instances"]] == ["passed"]


def test_collect_only_lists_criteria_and_writes_the_reference(suite):
    (suite.path / "tests_infra" / "test_zz_nothing.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.warning\n@pytest.mark.criterion('MON-07', category='Monitoring')\n"
        "@pytest.mark.parametrize('dashboard', [])\n"
        "def test_dashboards(dashboard):\n"
        "    '''Dashboards exist.\n\n    Keys: monitoring.grafana.dashboards (none).\n\n    Fix: import them.'''\n"
    )
    result = run(suite, "--collect-only", "--criteria-reference=docs/criteria.md")
    result.stdout.fnmatch_lines(
        [
            "golive: 14 criteria selected of 15 collected",
            "  SEC-04   critical   Security        ×2   Certificate expires*",
        ]
    )
    reference = (suite.path / "docs" / "criteria.md").read_text()
    assert (
        "| MON-07 | warning | Monitoring | Dashboards exist. | monitoring.grafana.dashboards (none). | import them. |"
        in (reference)
    )
    run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    assert outcomes(record)["MON-07"] == "not_applicable"  # nothing declared: not collected, still reported
    assert not record["partial"]
    assert not any("NOTSET" in i["nodeid"] for c in record["criteria"] for i in c["instances"])


def test_a_crashed_xdist_worker_makes_the_run_incomplete(suite):
    (suite.path / "tests_infra" / "test_zz_crash.py").write_text(
        "import os, pytest\n\n"
        "@pytest.mark.warning\n@pytest.mark.criterion('DOC-09', category='Documentation')\n"
        "def test_crash(fleet_host):\n    '''Crashes its worker.'''\n"
        "    if fleet_host.name == 'b':\n        os._exit(3)\n"
    )
    result = run(suite, "-n", "2")
    assert result.ret == 1
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["complete"] is False and record["ready"] is False
    assert any("INCOMPLETE run" in line for line in result.stdout.lines)


MARKED = (
    "import pytest\n\n"
    "@pytest.mark.critical\n@pytest.mark.criterion('DOC-08', category='Documentation')\n"
    "def test_doc08(fleet_host):\n    '''Runbook exists.'''\n\n"
    "@pytest.mark.warning\n@pytest.mark.criterion('DOC-09', category='Documentation')\n"
    "def test_doc09(fleet_host):\n    '''Owners listed.'''\n"
)


def _assert_lists_not_run(suite, result, ids):
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["partial"] is True and record["ready"] is False
    assert record["not_run"] == ids
    assert f"criteria of the suite not run: {', '.join(ids)}" in record["partial_reasons"]
    assert any(f"partial run (not run: {', '.join(ids)})" in line for line in result.stdout.lines)
    html_text = (suite.path / "reports" / "readiness.html").read_text()
    assert f'id="golive-not-run">Criteria of the suite not run: {", ".join(ids)}.' in html_text
    return record


@pytest.mark.parametrize(
    "how", ["--ignore=tests_infra/test_zz_marked.py", "--ignore-glob=*/test_zz_marked.py", "collect_ignore"]
)
def test_suite_criteria_left_out_of_the_run_make_it_partial(suite, how):
    (suite.path / "tests_infra" / "test_zz_marked.py").write_text(MARKED)
    run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["not_run"] == [] and not record["partial"]  # both ran: nothing missing
    if how == "collect_ignore":
        (suite.path / "tests_infra" / "conftest.py").write_text('collect_ignore = ["test_zz_marked.py"]\n')
        result = run(suite)
    else:
        result = run(suite, how)
    record = _assert_lists_not_run(suite, result, ["DOC-08", "DOC-09"])
    assert record["complete"] is True


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_suite_module_that_fails_to_import_makes_the_run_incomplete(suite, workers):
    (suite.path / "tests_infra" / "test_zz_marked.py").write_text("import no_such_module_here\n" + MARKED)
    result = run(suite, "--continue-on-collection-errors", *workers)
    record = _assert_lists_not_run(suite, result, ["DOC-08", "DOC-09"])
    assert record["complete"] is False
    assert record["incomplete_reasons"] == ["collection error in tests_infra/test_zz_marked.py"]
    assert any(
        "INCOMPLETE run (collection error in tests_infra/test_zz_marked.py)" in line for line in result.stdout.lines
    )
    assert (
        'id="golive-incomplete">Incomplete: collection error in'
        in (suite.path / "reports" / "readiness.html").read_text()
    )


@pytest.mark.parametrize(
    ("inventory", "fragment"),
    [
        ("rubric: {max_waiver_days: 3650}\n", "hosts.yaml: rubric.max_waiver_days: 3650 is above the hard limit of 90"),
        (
            "waivers:\n  - {criterion: SEC-04, target: a, reason: '  ', owner: ops, expires: 2000-01-01}\n",
            "hosts.yaml: waivers[0].reason: blank; a waiver names who owns the risk",
        ),
        (
            "waivers:\n  - {criterion: SEC-04, target: a, reason: why, owner: ' ', expires: 2000-01-01}\n",
            "hosts.yaml: waivers[0].owner: blank; a waiver names who owns the risk",
        ),
    ],
)
def test_unbounded_waivers_and_blank_owners_are_refused(suite, inventory, fragment):
    (suite.path / "hosts.yaml").write_text("hosts:\n  a: {backend: local://}\n" + inventory)
    result = run(suite)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and fragment in errors[0], result.stderr.str()


def test_a_rubric_override_is_shown_everywhere(suite):
    hosts = suite.path / "hosts.yaml"
    hosts.write_text(hosts.read_text().rstrip() + "\nrubric: {ready_score: 60, categories: {Acceptance: 0}}\n")
    result = run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    overridden = ["ready_score=60 (default 80)", "categories.Acceptance=0 (default 10)"]
    assert record["rubric_overridden"] == overridden
    assert any(f"rubric overridden: {', '.join(overridden)}" in line for line in result.stdout.lines)
    html_text = (suite.path / "reports" / "readiness.html").read_text()
    assert f'id="golive-rubric-overridden">Rubric overridden: {", ".join(overridden)}.' in html_text


def test_a_score_just_under_a_threshold_is_not_rounded_across_it(suite):
    import datetime as dt

    # SEC-04 waived; only Availability (60) and Reliability (100) weigh: (60*20.05 + 100*19.95) / 40 = 79.95
    hosts = suite.path / "hosts.yaml"
    expires = dt.date.today() + dt.timedelta(days=30)
    others = ("Monitoring", "Security", "Documentation", "Backup/DR", "Change Control", "Acceptance")
    weights = ", ".join(["Availability: 20.05", "Reliability: 19.95", *(f"'{name}': 0" for name in others)])
    hosts.write_text(
        hosts.read_text().rstrip()
        + f"\n  - {{criterion: SEC-04, target: a, reason: renewal booked, owner: ops, expires: {expires}}}\n"
        + f"rubric:\n  categories: {{{weights}}}\n"
    )
    result = run(suite)
    record = load_json(suite.path / "reports" / "readiness.json")
    assert record["critical_failures"] == [] and not record["partial"] and record["complete"]
    assert (record["score"], record["grade"], record["ready"]) == (79.9, "B+", False)
    assert record["score_unrounded"] == 79.95
    assert any("golive: 79.9/100 B+ NOT READY" in line for line in result.stdout.lines)
    page = parse_report(suite.path / "reports" / "readiness.html")
    assert (page.verdict["data-score"], page.verdict["data-grade"], page.verdict["data-ready"]) == (
        "79.9",
        "B+",
        "false",
    )


@pytest.mark.parametrize("workers", [[], ["-n", "1"]])
def test_a_process_leaves_its_objects_uncollected_at_exit(suite, workers):
    """Finalisation would run the cyclic collector over everything a run left alive (about
    1.3 s a process after a fleet's run): each process freezes them at the interpreter's
    exit instead, after its reports are written and the session gave them back
    (tests/test_plugin_reports.py)."""
    suite.makeconftest(
        "import atexit, gc, os, pathlib\n"
        "def _seen():\n"
        "    pathlib.Path(f'frozen-{os.getpid()}').write_text(str(gc.get_freeze_count()))\n"
        "atexit.register(_seen)  # registered before golive's, so it runs after it\n"
    )
    result = run(suite, *workers)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert (suite.path / "reports" / "readiness.json").exists()
    counts = [int(path.read_text()) for path in suite.path.glob("frozen-*")]
    assert len(counts) == (2 if workers else 1)  # the one process, or the controller and its worker
    assert all(count > 1000 for count in counts)
