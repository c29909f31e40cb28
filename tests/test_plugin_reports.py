"""Failure reports golive makes itself (``golive.plugin``) read as pytest's own."""

from __future__ import annotations

import pytest

from tests.conftest import criteria_project

FAILING = """
import pytest


def _judge(text):
    __tracebackhide__ = True
    pytest.fail(text, pytrace=False)


def _deeper(text):
    _judge(text)


def test_verdict_from_a_helper():
    _deeper("2 of 3 checks failed:\\nfirst; second")


def test_verdict_in_the_test():
    pytest.fail("expected 3, found 4", pytrace=False)


def test_verdict_while_handling_another_error():
    try:
        {}["missing"]
    except KeyError:
        _judge("no such key")


@pytest.fixture
def broken():
    pytest.fail("the fixture failed", pytrace=False)


def test_verdict_in_a_fixture(broken):
    pass
"""


def _failures(pytester: pytest.Pytester, *args: str) -> list[str]:
    """The run's output from its failures on, without the timing of its last line."""
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", *args)
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "FAILURES" in line or "short test summary" in line)
    return [line for line in lines[start:] if " in " not in line or "failed" not in line]


@pytest.mark.parametrize("style", ["auto", "short", "line", "native", "no"])
def test_message_only_failures_read_as_pytest_writes_them(pytester: pytest.Pytester, style: str) -> None:
    """golive makes the reports of ``pytrace=False`` failures from the test function's frame
    on: text, location and summary lines are pytest's own, in every traceback style."""
    pytester.makepyfile(test_failing=FAILING)
    args = (f"--tb={style}", "-rfE")
    with_golive = _failures(pytester, *args)
    without = _failures(pytester, "-p", "no:golive", *args)
    assert with_golive == without
    assert any("2 of 3 checks" in line for line in with_golive)


def test_message_only_failures_in_junit_xml(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_failing=FAILING)
    outputs = []
    for plugin in ([], ["-p", "no:golive"]):
        xml = pytester.path / f"junit{len(outputs)}.xml"
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", *plugin, f"--junitxml={xml}")
        outputs.append(xml.read_text().split("<testcase", 1)[1].rsplit("</testsuite>", 1)[0])
    # times differ; everything else (messages, failure text) is the same
    import re

    same = [re.sub(r'time="[0-9.]+"', "", text) for text in outputs]
    assert same[0] == same[1]


def test_objects_of_the_collection_are_out_of_the_collectors_reach_during_the_run_only(pytester: pytest.Pytester):
    """What is alive when the tests start is frozen for the run (the collector's full passes
    walk only what the tests make) and given back when the session ends: what the process
    does after the session (here an ``atexit`` handler registered after golive's, which
    runs before it) has it back. (At the interpreter's exit it is frozen again:
    tests/test_plugin.py.)"""
    pytester.makeconftest(
        """
        import atexit, gc

        def pytest_unconfigure(config):
            atexit.register(lambda: open("after.txt", "w").write(str(gc.get_freeze_count())))
        """
    )
    pytester.makepyfile(
        """
        import gc

        def test_frozen():
            assert gc.get_freeze_count() > 0
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "after.txt").read_text() == "0"


@pytest.mark.parametrize("workers", ["0", "2"])
def test_pytest_html_rows_show_the_facts_of_their_reports(pytester: pytest.Pytester, workers: str):
    """Under --html each row shows its evidence, a fact read by two criteria in both rows,
    whether the fact came on the report (xdist) or was stored in the process's own ledger."""
    folder = criteria_project(pytester, 'hosts:\n  a: {backend: "local://"}\n')
    (folder / "test_rows.py").write_text(
        '''
import pytest


@pytest.mark.critical
@pytest.mark.criterion("AVL-01", category="Availability")
def test_first(fleet_host, remote):
    """Reads the fact first."""
    remote.run("echo row-canary-$((6 * 7))")


@pytest.mark.warning
@pytest.mark.criterion("AVL-05", category="Availability")
def test_second(fleet_host, remote):
    """Reads it again."""
    remote.run("echo row-canary-$((6 * 7))")
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", workers, "--html=page.html")
    result.assert_outcomes(passed=2)
    page = (pytester.path / "page.html").read_text()
    assert page.count("&lt;pre&gt;row-canary-42&lt;/pre&gt;") == 2  # each row's fact output


def test_xdist_workers_print_no_report_sections_the_controller_prints_them(pytester: pytest.Pytester):
    """A worker's terminal is the null device: its summary reads no report (pytest's search
    of each failure's teardown there grew as failures times tests); the controller's summary
    still shows every failure, -rfE lines included."""
    pytester.makefile(".yaml", hosts='hosts:\n  a: {backend: "local://"}\n  b: {backend: "local://"}\n')
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["tests_infra", "plain"]\n')
    pytester.mkdir("tests_infra")
    (pytester.path / "tests_infra" / "test_fails.py").write_text(
        '''
import pytest


@pytest.mark.critical
@pytest.mark.criterion("AVL-01", category="Availability")
def test_fails(fleet_host):
    """Fails on every host."""
    pytest.fail(f"{fleet_host.name}: down", pytrace=False)
'''
    )
    pytester.mkdir("plain")
    (pytester.path / "plain" / "test_plain.py").write_text("def test_plain_failure():\n    assert 1 == 2\n")
    pytester.makeconftest(
        """
import pytest


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):
        seen = sum(len(terminalreporter.stats.get(which, [])) for which in ("failed", "passed", ""))
        (config.rootpath / f"seen-{config.workerinput['workerid']}.txt").write_text(str(seen))
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", "-n", "2", "-rfE")
    result.assert_outcomes(failed=3)
    seen = [path.read_text() for path in pytester.path.glob("seen-gw*.txt")]
    assert seen and set(seen) == {"0"}
    result.stdout.fnmatch_lines(["*golive: 1 failing criterion*", "  a: a: down"])
    result.stdout.fnmatch_lines(["*golive: 1 failing criterion*", "  b: b: down"])
    result.stdout.fnmatch_lines(["*= FAILURES =*", "*test_plain_failure*", "*assert 1 == 2*"])
    result.stdout.fnmatch_lines(["FAILED plain/test_plain.py::test_plain_failure*"])
