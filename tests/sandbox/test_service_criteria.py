"""Services deployed as systemd units, on a real systemd host: REL-13/14, SEC-12/13, CHG-05/06.

A debootstrapped Debian root with systemd as PID 1 (``sandbox.systemd_image``: minbase,
no curl, no iproute2) runs in h1's engine, reached through testinfra's ``docker://``
backend. ``notes.service`` (``sandbox.notes_service``) is deployed as a volunteer
would: its own user, a virtualenv, an EnvironmentFile, a YAML config, a TOML limits
file, a data directory, a hardened unit. Healthy: every criterion passes, and so do
SEC-01 (from /proc/net: no ss there) and the internal endpoint's AVL-01/05 (through
python3: no curl there). Then each fault is planted for real and fails exactly its
criterion, naming the offence; the env file's secret value appears in no output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox import notes_service, systemd_image
from sandbox.fleet import BareFleet
from sandbox.process import SandboxError
from tests.conftest import REPO, run_golive
from tests.sandbox.conftest import prefix_for, short_run_dir, unavailable

NAME = "sd-notes"
MINE = ("REL-13", "REL-14", "SEC-12", "SEC-13", "CHG-05", "CHG-06", "SEC-01", "AVL-01", "AVL-05", "AVL-06")
NODES = ["tests_infra", "-k", "service_ or secret_files or unexpected_listener or endpoint_answers "
         "or latency or systemd_units"]  # fmt: skip


class Sd:
    """The systemd container and a shell in it."""

    def __init__(self, fleet: BareFleet, name: str) -> None:
        self.fleet = fleet
        self.engine = fleet.hosts[0].engine
        self.name = name

    def sh(self, command: str) -> str:
        return systemd_image.exec_in(self.engine, self.name, command)

    def inventory(self) -> dict[str, Any]:
        return {"hosts": {"sd": {
            "backend": f"docker://{self.name}", "command_timeout": "20s",
            "services": notes_service.declarations(),
            "systemd": {"units": [notes_service.UNIT]},
            "endpoints": [{"name": "notes", "url": f"http://127.0.0.1:{notes_service.PORT}/health", "internal": True,
                           "latency_budget": "2s", "samples": 2}],
        }}}  # fmt: skip

    def golive(self, tmp_path: Path) -> tuple[dict[tuple[str, str], dict], str]:
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "hosts.yaml"
        path.write_text(yaml.safe_dump(self.inventory()))
        reports = tmp_path / "reports"
        result = run_golive(REPO, f"--inventory={path}", f"--report-dir={reports}", "-rA",
                            f"--junitxml={reports / 'junit.xml'}", *NODES,
                            env={"DOCKER_HOST": self.engine.docker_host})  # fmt: skip
        assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
        record = json.loads((reports / "readiness.json").read_text())
        outputs = result.stdout + result.stderr + "".join(p.read_text() for p in reports.iterdir() if p.is_file())
        found = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}
        return found, outputs


@pytest.fixture(scope="module")
def sd() -> Iterator[Sd]:
    run_dir = short_run_dir()
    fleet = BareFleet(run_dir, names=("h1",), prefix=prefix_for(run_dir))
    try:
        fleet.up()
        host = Sd(fleet, systemd_image.run(fleet.hosts[0].engine, NAME))
        notes_service.deploy(host.sh)
    except (SandboxError, OSError) as error:
        fleet.down(purge=True)
        unavailable(str(error))
    try:
        yield host
    finally:
        fleet.down(purge=True)


def _message(found: dict[tuple[str, str], dict], key: tuple[str, str]) -> str:
    return found[key]["message"]


def test_healthy_then_every_fault(sd: Sd, tmp_path: Path) -> None:
    assert sd.sh("command -v curl ss netstat || true").strip() == ""  # a minimal host, as deployed by hand
    healthy, outputs = sd.golive(tmp_path / "healthy")
    for criterion in MINE:
        ran = {target: i for (cid, target), i in healthy.items() if cid == criterion}
        assert ran and all(i["outcome"] == "passed" for i in ran.values()), (criterion, ran)
    assert "(python3)" in json.dumps(healthy[("AVL-01", "sd/notes")])
    assert notes_service.ENV_CANARY not in outputs

    notes_service.env_file_world_readable(sd.sh)
    notes_service.config_key_missing(sd.sh)
    notes_service.config_broken(sd.sh)
    notes_service.unit_as_root_unconfined(sd.sh)
    notes_service.restart_no(sd.sh)
    notes_service.package_removed(sd.sh)
    notes_service.requirements_drifted(sd.sh)
    notes_service.data_dir_not_writable(sd.sh)
    broken, outputs = sd.golive(tmp_path / "broken")
    failed = {key for key, i in broken.items() if i["outcome"] != "passed"}
    target = "sd/notes"
    assert failed == {("REL-13", target), ("REL-14", target), ("SEC-12", target), ("SEC-13", "sd"),
                      ("CHG-05", target), ("CHG-06", target)}  # fmt: skip
    assert all(broken[key]["outcome"] == "failed" for key in failed)  # failures, not errors
    rel13 = _message(broken, ("REL-13", target))
    assert "Restart=: no, expected one of on-failure/always" in rel13
    rel14 = _message(broken, ("REL-14", target))
    assert "missing storage.max_note_kib" in rel14 and "not valid TOML" in rel14
    sec12 = _message(broken, ("SEC-12", target))
    assert "(unset: root)" in sec12 and "worst settings:" in sec12
    sec13 = _message(broken, ("SEC-13", "sd"))
    assert f"{notes_service.ENV_FILE} mode: 0644, expected within 0640" in sec13 and "owner: nobody" in sec13
    chg05 = _message(broken, ("CHG-05", target))
    assert "package python3-venv (dpkg): not installed" in chg05 and "PyYAML==6.0.1" in chg05
    chg06 = _message(broken, ("CHG-06", target))
    assert f"{notes_service.DATA} by notes: not writable" in chg06
    assert notes_service.ENV_CANARY not in outputs
