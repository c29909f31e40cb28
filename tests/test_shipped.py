"""golive's own criteria ship with the package and join a plain ``pytest`` in an infra repo.

Each test runs golive in a subprocess in a fresh directory that holds only what an infra
repo would: a hosts.yaml, perhaps a criterion of its own, perhaps other tests.
"""

from __future__ import annotations

import pytest

from golive import shipped
from golive.shipped import Inclusion, Mode
from tests.conftest import load_json

# no host: every golive criterion is collected and reported as not applicable
EMPTY_FLEET = "hosts: {}\n"
OWN = '''
import pytest

@pytest.mark.warning
@pytest.mark.criterion("OWN-01", category="Reliability")
def test_own():
    """Our own rule holds.

    Why: a rule of this repo.

    Fix: follow it.
    """
'''


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def shipped_ids() -> set[str]:
    from golive import suite

    directory = shipped.criteria_directory()
    assert directory is not None
    return set(suite.declared_criteria([directory]))


@pytest.fixture
def infra_repo(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "hosts.yaml").write_text(EMPTY_FLEET)
    return pytester


def test_the_criteria_are_installed_with_golive():
    ids = shipped_ids()
    assert {"SEC-01", "AVL-01", "REL-01", "CHG-01"} <= ids and len(ids) > 40


def test_plain_pytest_in_an_infra_repo_grades_with_golives_criteria(infra_repo):
    """A directory holding only hosts.yaml: every golive criterion is in the record."""
    result = run(infra_repo)
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert {c["id"] for c in record["criteria"]} == shipped_ids()
    assert (infra_repo.path / "reports" / "readiness.html").exists()
    assert "golive:" in result.stdout.str()


def test_own_criteria_run_together_with_golives(infra_repo):
    infra_repo.mkdir("tests_infra")
    (infra_repo.path / "tests_infra" / "test_own.py").write_text(OWN)
    run(infra_repo)
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert {c["id"] for c in record["criteria"]} == shipped_ids() | {"OWN-01"}
    own = next(c for c in record["criteria"] if c["id"] == "OWN-01")
    assert own["outcome"] == "passed"


def test_a_run_naming_other_paths_grades_nothing(infra_repo):
    """``pytest tests`` runs those tests only: no golive criterion, no readiness record."""
    infra_repo.mkdir("tests")
    (infra_repo.path / "tests" / "test_plain.py").write_text("def test_ok():\n    pass\n")
    result = run(infra_repo, "tests")
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    assert not list(infra_repo.path.glob("reports/readiness.*"))


def test_only_your_own_criteria_is_a_partial_run(infra_repo):
    infra_repo.mkdir("tests_infra")
    (infra_repo.path / "tests_infra" / "test_own.py").write_text(OWN)
    run(infra_repo, "--no-golive-criteria")
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert [c["id"] for c in record["criteria"]] == ["OWN-01"]
    assert record["partial"] and not record["ready"]
    assert set(record["not_run"]) == shipped_ids()


def test_leaving_out_one_of_golives_criteria_is_a_partial_run(infra_repo):
    infra_repo.mkdir("tests_infra")
    (infra_repo.path / "tests_infra" / "test_own.py").write_text(OWN)
    run(infra_repo, "--deselect", "test_security.py::test_no_unexpected_listener_on_all_addresses")
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert record["partial"] and not record["ready"]
    assert any(reason.startswith("--deselect") for reason in record["partial_reasons"])


def test_golive_criteria_option_adds_them_to_named_paths(infra_repo):
    infra_repo.mkdir("tests_infra")
    (infra_repo.path / "tests_infra" / "test_own.py").write_text(OWN)
    run(infra_repo, "--golive-criteria", "tests_infra")
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert {c["id"] for c in record["criteria"]} == shipped_ids() | {"OWN-01"}


def test_a_run_that_finds_no_criterion_still_writes_its_record(infra_repo):
    """Rather than pytest's bare "no tests ran" and no report."""
    result = run(infra_repo, "--no-golive-criteria")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    record = load_json(infra_repo.path / "reports" / "readiness.json")
    assert not record["ready"] and not record["complete"]
    assert any("no criterion found in" in reason for reason in record["incomplete_reasons"])
    assert (infra_repo.path / "reports" / "readiness.html").exists()
    assert "NOT READY" in result.stdout.str() and "no criterion found" in result.stdout.str()


def test_a_bad_golive_criteria_setting_is_a_usage_error(infra_repo):
    infra_repo.makeini("[pytest]\ngolive_criteria = sometimes\n")
    result = run(infra_repo)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*golive_criteria = 'sometimes'*use one of auto, always, never*"])


@pytest.mark.parametrize(
    ("mode", "option", "named", "testpaths", "inventory", "expected"),
    [
        (Mode.AUTO, None, False, False, True, Inclusion(True, True)),  # plain pytest in an infra repo
        (Mode.AUTO, None, True, False, True, Inclusion(False, True)),  # pytest tests: partial if it grades
        (Mode.AUTO, None, False, True, True, Inclusion(False, False)),  # testpaths name the suite
        (Mode.AUTO, None, False, False, False, Inclusion(False, False)),  # not an infra repo
        (Mode.AUTO, False, False, False, True, Inclusion(False, True)),
        (Mode.AUTO, True, True, True, False, Inclusion(True, True)),
        (Mode.ALWAYS, None, False, True, False, Inclusion(True, True)),
        (Mode.NEVER, None, False, False, True, Inclusion(False, False)),
    ],
)
def test_when_golives_criteria_join_a_run(mode, option, named, testpaths, inventory, expected):
    assert shipped.decide(mode, option, named_paths=named, testpaths_set=testpaths, inventory=inventory) == expected
