"""LOG-01..04 on real containers of the sandbox printing the user's audit log lines.

Containers (busybox, ``--network none``) on an SSH host print a restart-loop line, an
Odoo database failure, an unknown error and scanner noise above and below its rate;
golive reads them through ``docker logs`` over SSH in one command and must fail and
pass exactly as the lines say. Then the suggested entry for the unknown template,
pasted into hosts.yaml, classifies it: one edit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from golive.checks import logs
from golive.checks.log_patterns import Classifier, shipped_patterns
from golive.inventory import Host
from sandbox import log_lines
from sandbox.fleet import Fleet
from sandbox.images import BUSYBOX_IMAGE
from sandbox.process import wait_for
from tests.conftest import load_json
from tests.sandbox.test_scenarios import REPO

NAMES = ("unms", "odoo", "billing", "frigate", "dovecot", "exporter")


@pytest.fixture
def logging_containers(fleet: Fleet):
    h1 = next(host for host in fleet.hosts if host.name == "h1")
    commands = {**log_lines.LOG_FAULTS["h1"], **log_lines.LOG_FAULTS["h2"]}
    for name in NAMES:
        log_lines.start(h1, name, commands[name])
    yield h1
    log_lines.remove(h1, *NAMES)


def golive(fleet: Fleet, tmp_path: Path, extra: dict) -> dict:
    described = fleet.describe()["hosts"]["h1"]
    inventory = {"hosts": {"h1": {"backend": described["spec"], "ssh_config": described["ssh_config"]}}, **extra}
    tmp_path.mkdir()
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(inventory))
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={path}", f"--report-dir={reports}",
         "tests_infra/test_logs.py"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return load_json(reports / "readiness.json")


def outcome(record: dict, criterion: str) -> dict:
    found = next(c for c in record["criteria"] if c["id"] == criterion)
    (instance,) = found["instances"]
    return instance


def notes(instance: dict) -> str:
    return "\n".join(e["text"] for e in instance["evidence"] if e["kind"] == "note")


def test_log_criteria_on_real_container_logs(fleet, logging_containers, tmp_path):
    record = golive(fleet, tmp_path / "first", {})
    log01, log02, log03, log04 = (outcome(record, f"LOG-0{n}") for n in range(1, 5))
    assert log01["outcome"] == "failed"
    assert "h1/unms container-start-timeout-restart ×1, make-target-failed ×1" in log01["message"]
    assert "h1/odoo" in log01["message"] and "psycopg2-connection-refused ×1" in log01["message"]
    assert "worker-exception-exiting ×1" in log01["message"] and "odoo-database-connection-failed" in log01["message"]
    evidence = notes(log01)
    assert "UNMS did not start in time, restarting container" in evidence  # the example line itself
    assert "why: The service's start-up watchdog gave up" in evidence and "fix: " in evidence
    assert "first 20" in evidence and "last 20" in evidence  # times from docker logs --timestamps

    assert log02["outcome"] == "passed", log02["message"]

    assert log03["outcome"] == "failed"
    assert "h1/billing (2 lines, 1 templates)" in log03["message"]
    assert "ERROR: invoice export job <n> aborted: ledger at <ip> answered <n>" in notes(log03)
    assert "h1/exporter" not in log03["message"] and "h1/frigate" not in log03["message"]

    assert log04["outcome"] == "failed"
    assert "h1/frigate rtsp-scanner-probe: 30 lines in one hour at its peak, tolerated 20/h" in log04["message"]
    assert "dovecot" not in log04["message"]
    rates = {e["subject"]: e for e in log04["evidence"] if e["kind"] == "comparison"}
    assert rates["h1/dovecot dovecot-ssl-accept-failed peak lines per h"]["passed"] is True
    assert rates["h1/dovecot dovecot-ssl-accept-failed peak lines per h"]["measured"] == "5"

    # one remote command for all containers' logs, read once and shared by the four criteria
    commands = {e["command"] for c in record["criteria"] if c["id"].startswith("LOG-") for i in c["instances"]
                for e in i["evidence"] if e["kind"] == "command"}  # fmt: skip
    assert len(commands) == 1 and "docker logs --timestamps --since 86400s" in next(iter(commands))
    assert record["run"]["round_trips"]["h1"] <= 2  # the log command, and the batched facts if any

    # classify in one edit: the suggested entry (completed), the culprits excluded
    suggested = yaml.safe_load(notes(log03).split("suggested log_patterns: entry:\n", 1)[1])
    suggested[0].update(severity="acceptable", rate="10/h", explanation="ledger hiccups", remediation="none")
    fixed = golive(fleet, tmp_path / "second", {"log_patterns": suggested})
    assert outcome(fixed, "LOG-03")["outcome"] == "passed"
    assert outcome(fixed, "LOG-04")["outcome"] == "failed"  # frigate still floods
    assert outcome(fixed, "LOG-01")["outcome"] == "failed"


def test_declared_log_files_are_read_and_filtered_by_the_window(fleet: Fleet, tmp_path: Path):
    """A declared file on a host: recent critical lines fail LOG-01, lines older than the
    window are ignored, and a missing declared file is an error with its reason."""
    import datetime as dt

    h2 = next(host for host in fleet.hosts if host.name == "h2")
    now = dt.datetime.now(dt.UTC)
    old = (now - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    log = h2.files_dir / "app.log"
    log.write_text(
        f"{old} ERROR psycopg2.OperationalError: connection to server failed: Connection refused\n"
        f"{recent} INFO odoo: registry loaded\n"
    )
    described = fleet.describe()["hosts"]["h2"]
    host = {"backend": described["spec"], "ssh_config": described["ssh_config"]}

    def run(directory: str, files: list[str]) -> dict:
        inventory = {"hosts": {"h2": {**host, "logs": {"containers": False, "files": files}}}}
        path = tmp_path / f"{directory}.yaml"
        path.write_text(yaml.safe_dump(inventory))
        reports = tmp_path / directory
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={path}",
             f"--report-dir={reports}", "tests_infra/test_logs.py"],
            cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        return load_json(reports / "readiness.json")

    try:
        assert outcome(run("old-only", ["/srv/app.log"]), "LOG-01")["outcome"] == "passed"  # 3 days > 24h window
        with log.open("a") as handle:
            handle.write(f"{recent} ERROR psycopg2.OperationalError: connection to server failed: Connection refused\n")
        failed = outcome(run("recent", ["/srv/app.log"]), "LOG-01")
        assert failed["outcome"] == "failed" and "psycopg2-connection-refused" in failed["message"], failed
        missing = outcome(run("missing", ["/srv/nowhere.log"]), "LOG-01")
        assert missing["outcome"] == "error" and "/srv/nowhere.log" in missing["message"], missing
    finally:
        log.unlink(missing_ok=True)


ROTATING = (
    'i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "ERROR job $i failed: \\"quoted\\" <tag> & more"; '
    'printf \'level=warn msg="tab\\there" n=%s \\303\\251t\\303\\251\\n\' $i; echo "INFO routine $i"; done; '
    "exec sleep 1000000"
)


def test_json_file_logs_are_read_as_docker_logs_reads_them(fleet: Fleet, logging_containers):
    """On the real engine, over SSH: every container's lines read from its json-file (rotated
    and compressed files included, escapes undone) are the lines, times and counts ``docker
    logs`` gives, the same command with the file read turned off; a container logging to
    ``none`` is named in a note, not read."""
    h1 = logging_containers
    docker = h1.engine.docker
    docker("rm", "--force", "rotating", "unlogged", check=False)
    docker("run", "-d", "--name", "unlogged", "--network", "none", "--log-driver", "none", BUSYBOX_IMAGE.tag,
           "sh", "-c", "echo ERROR nobody keeps this; exec sleep 1000000")  # fmt: skip
    docker("run", "-d", "--name", "rotating", "--network", "none", "--log-opt", "max-size=2k", "--log-opt",
           "max-file=4", "--log-opt", "compress=true", BUSYBOX_IMAGE.tag, "sh", "-c", ROTATING)  # fmt: skip
    try:
        wait_for(lambda: b"INFO routine 60" in docker("logs", "--tail", "1", "rotating").stdout, 20, "rotating logged")
        host = Host(name="h1", backend="local://", logs={"containers": True})
        command = logs.command(host, 3600, Classifier(shipped_patterns()).host_filter())
        through_docker = command.replace('[ "$driver" = json-file ]', "false")
        assert through_docker != command
        found = {}
        for way, text in (("file", command), ("docker", through_docker)):
            argv = ["ssh", "-F", str(fleet.ssh.config), "-o", "ControlMaster=no", h1.alias, "sh -s"]
            done = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=60, check=True)
            assert (" json\n" in done.stdout) is (way == "file")
            facts = logs.parse(done.stdout, host, 3600)
            assert "unlogged: not read: its log driver is none, the engine keeps none of its lines" in facts.notes
            found[way] = {s.name: (s.image, s.candidates, [(ln.time, ln.message) for ln in s.lines])
                          for s in facts.sources}  # fmt: skip
        assert found["file"] == found["docker"]
        _image, candidates, lines = found["file"]["rotating"]
        messages = [message for _time, message in lines]
        assert 'ERROR job 60 failed: "quoted" <tag> & more' in messages
        assert 'level=warn msg="tab\there" n=60 été' in messages
        assert len(lines) == candidates < 120  # the rotation dropped the oldest files; INFO lines were filtered
        assert set(found["file"]) >= set(NAMES) and "unlogged" not in found["file"]
    finally:
        docker("rm", "--force", "rotating", "unlogged", check=False)
