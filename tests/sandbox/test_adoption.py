"""golive adopted by an infra repo, end to end and without the network.

The wheel and its dependencies come from the wheelhouse ``make`` builds
(``.wheelhouse/``); each CI example's own commands run in a fresh virtualenv, with
their install step pointed at that wheel, in a scratch directory holding only a
hosts.yaml (the sandbox's hosts) and one criterion of the repo's own.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from sandbox.fleet import Fleet
from tests.conftest import REPO, in_ci, parse_report

WHEELHOUSE = REPO / ".wheelhouse"
# installed as golive/<package>/... from these source directories (pyproject.toml)
PACKAGE_DIRS = {"golive/checks/": "checks/", "golive/fixtures/": "fixtures/", "golive/tests_infra/": "tests_infra/"}
OWN_CRITERION = (
    (REPO / "docs/examples/test_kernel.py").read_text().replace("@pytest.mark.warning", "@pytest.mark.critical")
)


def golive_wheel() -> Path:
    """The wheelhouse's golive wheel, refused when it is not built from the working tree."""
    wheels = sorted(WHEELHOUSE.glob("golive-*.whl"))
    if not wheels:
        message = f"no golive wheel in {WHEELHOUSE}: run `make wheelhouse` (make test does)"
        pytest.fail(message) if in_ci() else pytest.skip(message)
    with zipfile.ZipFile(wheels[-1]) as wheel:
        for name in wheel.namelist():
            if not name.endswith(".py") or ".dist-info/" in name:
                continue
            source = next((src + name[len(pkg) :] for pkg, src in PACKAGE_DIRS.items() if name.startswith(pkg)), name)
            assert (REPO / source).read_bytes() == wheel.read(name), f"stale wheelhouse ({source}): run make wheelhouse"
    return wheels[-1]


def ci_steps(example: str) -> tuple[list[str], list[str], dict[str, str]]:
    """The install commands, the gate command and the variables of a CI example."""
    text = yaml.safe_load((REPO / "docs/ci" / example).read_text())
    if example == "github-actions.yml":
        job = text["jobs"]["golive"]
        runs = [step["run"] for step in job["steps"] if "run" in step]
        variables = dict(job.get("env", {}))
    else:
        job = text["readiness"]
        runs = list(job["script"])
        variables = dict(job.get("variables", {}))
    installs = [run for run in runs if run.strip().startswith("pip install")]
    gates = [run for run in runs if run.strip().startswith("pytest")]
    assert len(installs) == 1 and len(gates) == 1, runs
    return installs, gates, variables


@pytest.fixture(scope="module")
def wheel() -> Path:
    return golive_wheel()


def offline_environment(venv: Path, wheel: Path) -> dict[str, str]:
    """pip with no index and no user config: only the wheelhouse, only this wheel."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    return {
        **environment,
        "PATH": f"{venv / 'bin'}{os.pathsep}{environment.get('PATH', '')}",
        "VIRTUAL_ENV": str(venv),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_NO_BUILD_ISOLATION": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GOLIVE_SOURCE": str(wheel),
    }


def scratch_repo(directory: Path, fleet: Fleet) -> None:
    """An infra repo as a new user has it: hosts.yaml and one criterion of its own."""
    described = fleet.describe()["hosts"]
    hosts = {name: {"backend": h["spec"], "ssh_config": h["ssh_config"]} for name, h in described.items()}
    (directory / "hosts.yaml").write_text(yaml.safe_dump({"hosts": hosts}))
    (directory / "tests_infra").mkdir()
    (directory / "tests_infra" / "test_kernel.py").write_text(OWN_CRITERION)


@pytest.mark.parametrize("example", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_ci_example_grades_an_infra_repo_from_the_wheel(example, wheel, fleet, tmp_path):
    installs, gates, variables = ci_steps(example)
    # the example installs golive from where GOLIVE_SOURCE says (its git repository); here, the wheel
    assert str(variables["GOLIVE_SOURCE"]).startswith("git+")
    assert all('"$GOLIVE_SOURCE"' in install for install in installs)
    venv, repo = tmp_path / "venv", tmp_path / "infra"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    repo.mkdir()
    scratch_repo(repo, fleet)
    environment = offline_environment(venv, wheel)
    for install in installs:
        done = subprocess.run(["bash", "-ec", install], cwd=repo, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    where = subprocess.run(
        [str(venv / "bin/python"), "-c", "import golive, pytest; print(golive.__file__)"],
        cwd=repo, env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv)), where.stdout  # the wheel, not this checkout
    [gate] = gates
    assert shlex.split(gate)[0] == "pytest"
    ran = subprocess.run(["bash", "-ec", gate], cwd=repo, env=environment, capture_output=True, text=True, timeout=900)
    assert ran.returncode in (0, 1), ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "golive:" in ran.stdout and "no tests ran" not in ran.stdout

    record = json.loads((repo / "reports/readiness.json").read_text())
    graded = {c["id"]: c for c in record["criteria"] if c["instances"]}
    assert graded["OPS-01"]["outcome"] == "passed"  # the repo's own criterion, on every host
    assert {i["target"] for i in graded["OPS-01"]["instances"]} == set(fleet.describe()["hosts"])
    shipped = {cid for cid in graded if cid != "OPS-01"}
    assert {"SEC-01", "REL-08"} <= shipped and len(shipped) >= 5  # golive's own critical criteria, from the wheel
    assert all(c["severity"] == "critical" for c in graded.values())  # -m critical
    assert record["partial"] and record["partial_reasons"][0] == "-m critical"
    assert record["run"]["golive_version"] and record["run"]["inventory"].endswith("hosts.yaml")
    assert (repo / "reports/junit.xml").exists()
    report = parse_report(repo / "reports/readiness.html")
    assert report.verdict, "the HTML report carries golive's verdict"
    page = (repo / "reports/readiness.html").read_text()
    assert "OPS-01" in page and "SEC-01" in page
