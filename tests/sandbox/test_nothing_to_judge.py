"""Zero comparisons is never a pass, on real sandbox hosts over SSH.

A bare fleet (sshd and a Docker engine per host, no container): what has nothing to
judge is not applicable with its reason, and what could not be read is an error:

- h1 runs no container: the container criteria are not applicable (they passed on
  zero containers); its dmesg fails as under ``kernel.dmesg_restrict`` (a failing
  ``dmesg`` bound over the real one in h1's own mount namespace, the machine's sysctl
  untouched) and no journal holds its kernel messages: REL-07 is an error (it passed);
  its crontab holds the declared job commented out: REL-12 fails (it passed).
- h2's dockerd is stopped: the docker CLI is there, the daemon is not, so a container
  may be down with it: the container and log criteria are errors (they were skipped);
  h2 declares a systemd unit and a timer though systemd is not PID 1 there: AVL-06
  and REL-12 are errors (they were skipped).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from sandbox.fleet import Fleet
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import BareFleet, running_fleet

CRITERIA = (
    "tests_infra/test_reliability.py", "tests_infra/test_availability.py::test_systemd_units_active",
    "tests_infra/test_security.py::test_no_privileged_container_or_docker_socket", "tests_infra/test_logs.py",
)  # fmt: skip
CONTAINER_CRITERIA = ("REL-01", "REL-02", "REL-03", "REL-04", "REL-05", "REL-06", "SEC-10")
DMESG_RESTRICTED = "#!/bin/sh\necho 'dmesg: read kernel buffer failed: Operation not permitted' >&2\nexit 1\n"


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    yield from running_fleet(BareFleet)


def test_nothing_to_judge_is_not_applicable_and_unreadable_is_an_error(fleet, tmp_path):
    h1, h2 = fleet.host("h1"), fleet.host("h2")
    restricted = h1.dir / "dmesg-restricted"
    restricted.write_text(DMESG_RESTRICTED)
    restricted.chmod(0o755)
    h1.sh(f"mount --bind {restricted} $(command -v dmesg)")
    (h1.files_dir / "cron.d").mkdir(parents=True, exist_ok=True)
    (h1.files_dir / "cron.d" / "backup").write_text("# 0 3 * * * root /srv/bin/backup\n")
    h2.engine.daemon.stop(timeout=20)  # only dockerd: DockerEngine.stop() would also end h2's sshd
    described = fleet.describe()["hosts"]
    hosts = {name: {"backend": h["spec"], "ssh_config": h["ssh_config"]} for name, h in described.items()}
    hosts["h1"]["scheduled"] = [{"name": "backup", "cron": "/srv/bin/backup", "crontabs": ["/srv/cron.d/*"]}]
    hosts["h2"]["systemd"] = {"units": ["cron.service"]}
    hosts["h2"]["scheduled"] = [{"name": "rotate", "timer": "rotate.timer"}]
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": hosts}))
    result = run_golive(REPO, f"--inventory={inventory}", f"--report-dir={tmp_path / 'reports'}", *CRITERIA)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    record = load_json(tmp_path / "reports" / "readiness.json")
    found = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}

    def outcome(criterion: str, target: str, expected: str, *needles: str) -> None:
        instance = found[(criterion, target)]
        assert instance["outcome"] == expected, (criterion, target, instance["outcome"], instance["message"])
        for needle in needles:
            assert needle in instance["message"], (criterion, target, needle, instance["message"])

    for criterion in CONTAINER_CRITERIA:
        outcome(criterion, "h1", "skipped", "not applicable: no ", " on h1 to judge")
        outcome(criterion, "h2", "error", "docker ps failed", "Cannot connect to the Docker daemon")
    outcome("REL-07", "h1", "error", "kernel log not readable on h1", "Operation not permitted")
    outcome("REL-07", "h2", "error", "docker ps failed")
    outcome("REL-11", "h1", "skipped", "not applicable: no container to judge")
    outcome("REL-12", "h1/backup", "failed", "crontab line containing '/srv/bin/backup': absent")
    outcome("REL-12", "h2/rotate", "error", "systemd is not PID 1 on h2", "rotate.timer is declared")
    outcome("AVL-06", "h1", "skipped", "not applicable: systemd is not PID 1 on h1")
    outcome("AVL-06", "h2", "error", "systemd is not PID 1 on h2", "systemd.units declares cron.service")
    for criterion in ("LOG-01", "LOG-02", "LOG-03", "LOG-04"):
        outcome(criterion, "h2", "error", "docker ps failed, container logs unreadable")
    passed = [key for key, instance in found.items() if instance["outcome"] == "passed"]
    # what passes compared something: REL-08/09 (filesystems), REL-10 (h1's build cache), LOG-* on h1
    for key in passed:
        compared = [e for e in found[key]["evidence"] if e["kind"] == "comparison"]
        assert compared, (key, found[key]["message"])
