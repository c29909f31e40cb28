"""REL-15 over real SSH: a sandbox host whose sessions see a clock 10 minutes ahead
(libfaketime in its sshd's session environment, sandbox/clock.py) fails; a host on
the machine's clock passes. Neither runs a time-sync tool that answers, so only the
offset is judged there, and the evidence says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from sandbox import clock
from sandbox.fleet import Fleet
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import BareFleet, running_fleet

SKEW = 600


@pytest.fixture(scope="module")
def skewed_fleet() -> Iterator[Fleet]:
    yield from running_fleet(BareFleet, lambda fleet: clock.skew(fleet, fleet.hosts[0], SKEW))


def test_rel15_fails_on_the_skewed_host_and_passes_on_the_other(skewed_fleet: Fleet, tmp_path) -> None:
    h1, h2 = skewed_fleet.hosts
    assert abs(clock.offset_over_ssh(skewed_fleet, h1) - SKEW) < 60  # `date` over SSH really is skewed
    assert abs(clock.offset_over_ssh(skewed_fleet, h2)) < 60
    described = skewed_fleet.describe()["hosts"]
    hosts = {h.name: {"backend": described[h.name]["spec"], "ssh_config": described[h.name]["ssh_config"]}
             for h in (h1, h2)}  # fmt: skip
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": hosts}))
    selection = "tests_infra/test_reliability.py::test_host_clock_synchronized"
    result = run_golive(REPO, selection, f"--inventory={inventory}", f"--report-dir={tmp_path / 'reports'}")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    record = load_json(tmp_path / "reports" / "readiness.json")
    outcomes = {i["target"]: i for c in record["criteria"] if c["id"] == "REL-15" for i in c["instances"]}
    assert outcomes["h1"]["outcome"] == "failed"
    assert "clock offset from the runner (+" in outcomes["h1"]["message"]
    assert outcomes["h2"]["outcome"] == "passed", outcomes["h2"]["message"]
    notes = [e["text"] for e in outcomes["h2"]["evidence"] if e["kind"] == "note"]
    assert any("no time-sync tool answered" in note for note in notes), notes
