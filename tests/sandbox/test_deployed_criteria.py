"""SEC-10, CHG-03, CHG-04 and DOC-01 on real sandbox hosts over SSH.

Each host gets the config repo (``sandbox.files``) and runs its compose service
``app`` as compose would (``sandbox.deployed``); h1 also runs a proxy allowed the
docker socket. Healthy: the four criteria pass. Then, for real: h1 gets a container
holding the engine's socket with SYS_ADMIN, its ``app`` recreated by hand with a
changed and an added variable, and its fleet document claiming 83 containers; h2's
``app`` runs an older tag. Each criterion fails naming exactly that, and the .env
values never reach a report.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import deployed, files
from sandbox.fleet import Fleet
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import BareFleet, running_fleet

NODES = ["tests_infra/test_security.py", "tests_infra/test_change_control.py", "tests_infra/test_documentation.py",
         "-k", "privileged or running_images or running_environment or documented_claims"]  # fmt: skip


def _plant(fleet: Fleet) -> None:
    for host in fleet.hosts:
        files.plant_baseline(host)
        deployed.plant_baseline(host)


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    yield from running_fleet(BareFleet, _plant)


def run(fleet: Fleet, tmp_path) -> tuple[dict, dict]:
    import yaml

    tmp_path.mkdir(parents=True, exist_ok=True)
    described = fleet.describe()["hosts"]
    hosts = {}
    for name, h in described.items():
        hosts[name] = {"backend": h["spec"], "ssh_config": h["ssh_config"], **files.declarations(),
                       "containers": deployed.declarations(name), "claims": {"hosts": ["h1", "h2"]}}  # fmt: skip
    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump({"hosts": hosts}))
    result = run_golive(REPO, f"--inventory={tmp_path / 'hosts.yaml'}", f"--report-dir={tmp_path / 'r'}", *NODES)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    record = load_json(tmp_path / "r" / "readiness.json")
    return record, {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}


def test_deployed_criteria_pass_healthy_and_fail_on_planted_faults(fleet, tmp_path):
    _, healthy = run(fleet, tmp_path / "healthy")
    expected = {(c, t) for c in ("SEC-10", "DOC-01") for t in ("h1", "h2")} | {
        (c, f"{t}/infra") for c in ("CHG-03", "CHG-04") for t in ("h1", "h2")
    }
    assert set(healthy) == expected
    for key, instance in healthy.items():
        assert instance["outcome"] == "passed", (key, instance["message"])
    assert "docker socket" in healthy[("SEC-10", "h1")]["message"] or "(allowed)" in str(
        healthy[("SEC-10", "h1")]["evidence"]
    )

    h1, h2 = fleet.hosts
    deployed.socket_and_sys_admin(h1)
    deployed.env_changed_by_hand(h1)
    deployed.inflated_claims(h1)
    deployed.image_drift(h2)
    record, broken = run(fleet, tmp_path / "broken")
    failed = {key for key, i in broken.items() if i["outcome"] in ("failed", "error")}
    assert failed == {("SEC-10", "h1"), ("CHG-04", "h1/infra"), ("DOC-01", "h1"), ("CHG-03", "h2/infra")}, {
        k: broken[k]["message"] for k in failed
    }

    def message(criterion: str, target: str) -> str:
        return broken[(criterion, target)]["message"]

    assert "h1/portainer privileges: cap_add SYS_ADMIN, docker socket" in message("SEC-10", "h1")
    assert "h1/proxy" not in message("SEC-10", "h1")
    assert f"running {deployed.DRIFTED_IMAGE}, compose declares {files.APP_IMAGE}" in message("CHG-03", "h2/infra")
    assert "value differs: APP_MODE; set at runtime only: DEBUG_SQL" in message("CHG-04", "h1/infra")
    assert "claimed containers 83 vs measured running: 3, expected 83" in message("DOC-01", "h1")
    reports = (tmp_path / "broken" / "r" / "readiness.json").read_text()
    for secret in ("sandbox-h1-db-secret", "sandbox-h2-db-secret", "debug"):
        assert secret not in reports
    assert record["run"]["round_trips"] == {"h1": 1, "h2": 1}
