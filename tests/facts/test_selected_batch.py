"""A host's one round trip carries what the run's selected criteria read, and only that.

golive runs the repo's criteria in a subprocess against a local:// host declaring a
log file and internal endpoints (http and https); a small plugin writes, at the end of
the run, the commands each host's batched round trip carried (``RemoteHost.batch``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from golive.checks import disk, listeners, logrotate
from tests.conftest import REPO, load_json, run_golive

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

PLUGIN = """
import json, os
from pathlib import Path

from golive.facts import Fleet
from golive.session import state_of


def pytest_sessionfinish(session):
    state = state_of(session.config)
    fleet = state.fleet
    batches = {h.name: list(fleet[h].batch) for h in state.inventory.hosts} if isinstance(fleet, Fleet) else {}
    Path(os.environ["GOLIVE_TEST_BATCHES"]).write_text(json.dumps(batches))
"""
LOG_READ = re.compile(r"@@golive-[0-9a-f]{16} logs")


def run(tmp_path: Path, *selection: str) -> tuple[list[str], dict]:
    """The commands of the host's batch, and the run's record."""
    log = tmp_path / "app.log"
    log.write_text("hello\n")
    (tmp_path / "hosts.yaml").write_text(
        "hosts:\n  box:\n    backend: local://\n"
        f"    logs: {{containers: false, files: ['{log}']}}\n"
        "    endpoints:\n"
        "      - {name: app, url: 'http://127.0.0.1:9/', internal: true}\n"
        "      - {name: secure, url: 'https://localhost:9/', internal: true}\n"
    )
    (tmp_path / "batch_probe.py").write_text(PLUGIN)
    out = tmp_path / "batches.json"
    env = {"GOLIVE_TEST_BATCHES": str(out), "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path),
           os.environ.get("PYTHONPATH")]))}  # fmt: skip
    result = run_golive(
        REPO, "-p", "batch_probe", f"--inventory={tmp_path / 'hosts.yaml'}", f"--report-dir={tmp_path / 'r'}",
        *selection, env=env,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(out.read_text())["box"], load_json(tmp_path / "r" / "readiness.json")


def has(batch: list[str], text: str) -> bool:
    return any(text in command for command in batch)


def test_no_log_criterion_selected_no_log_read(tmp_path: Path):
    batch, record = run(tmp_path, "-k", "disk_usage or unexpected_listener")
    assert {c["id"] for c in record["criteria"] if c["instances"]} == {"REL-08", "REL-09", "SEC-01"}
    assert disk.DF_COMMAND in batch and listeners.SS_COMMAND in batch
    assert not any(LOG_READ.search(command) for command in batch)
    assert not has(batch, "127.0.0.1:9") and not has(batch, "openssl s_client")  # no endpoint criterion
    assert record["run"]["round_trips"] == {"box": 1}


def test_a_log_criterion_selected_gets_its_read_in_the_one_round_trip(tmp_path: Path):
    batch, record = run(tmp_path, "-k", "disk_usage or no_critical_log_pattern")
    assert sum(bool(LOG_READ.search(command)) for command in batch) == 1
    [log01] = [c for c in record["criteria"] if c["id"] == "LOG-01"]
    [read] = [e for e in log01["instances"][0]["evidence"] if e["kind"] == "command"]
    assert read["batched"], read["command"][:200]
    assert not has(batch, "127.0.0.1:9") and listeners.SS_COMMAND not in batch
    assert record["run"]["round_trips"] == {"box": 1}


def test_the_critical_gate_sends_what_critical_criteria_read(tmp_path: Path):
    """``-m critical``: the log read (LOG-01), the request (AVL-01) and the certificate read
    (SEC-03, SEC-04) are sent; sshd's settings (SEC-09), the clock (REL-15), logrotate's
    rules (REL-11), the plain-http request (SEC-11) and the old-protocol offers (SEC-06) are not."""
    batch, record = run(tmp_path, "-m", "critical")
    assert any(LOG_READ.search(command) for command in batch)
    assert has(batch, "http://127.0.0.1:9/") and has(batch, "-verify_hostname")
    assert not has(batch, "sshd -T") and not has(batch, "date +%s.%N") and logrotate.COMMAND not in batch
    assert not has(batch, "http://localhost/") and not has(batch, "-tls1")
    assert record["run"]["round_trips"]["box"] == 1
