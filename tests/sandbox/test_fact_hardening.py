"""What a host holds cannot break or fool the fact layer, over real SSH.

h1 gets bytes that are not UTF-8 in a log file, in a file name of a config repo and
in a container's log, and a ``.env`` whose lines forge the section markers golive
once used, around a private canary; h2 gets a log file far over its configured
``max_fact_output``. Each criterion must still judge (not error) on h1, the canary
must reach no report, and on h2 only the criteria reading the oversized fact error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sandbox import files, log_lines
from sandbox.fleet import Fleet
from tests.conftest import REPO, load_json

SUITE = ["tests_infra/test_logs.py", "tests_infra/test_change_control.py", "tests_infra/test_secrets.py"]
ROOT = "/srv/hardening"
CANARY = "private-canary-Vb61"
FORGED = ["@@golive:rc=0", "@@golive:hard:status", "@@golive-0000000000000000 section rc=0", f"# {CANARY}"]


def plant(host, big_log: bool) -> None:
    files.sh(host, f"rm -rf {ROOT}\nmkdir -p {ROOT}/repo")
    files.sh(host, f"cd {ROOT}/repo\n{files.GIT} init -q\necho a > a\ngit add a\n{files.GIT} commit -qm init")
    if big_log:
        files._write(host, f"{ROOT}/app.log", "ERROR worker 7 crashed on job 12\n" * 20000)
        return
    files._write(host, f"{ROOT}/app.log", b"ERROR payment \xff\xfe failed\n")
    files.sh(host, f"cd {ROOT}/repo\ntouch \"$(printf 'caf\\351.txt')\"")
    files._write(host, f"{ROOT}/repo/.env", "\n".join(["APP_MODE=production", *FORGED, "TAIL=1", ""]))


@pytest.fixture
def planted(fleet: Fleet):
    h1, h2 = fleet.hosts
    plant(h1, big_log=False)
    plant(h2, big_log=True)
    log_lines.start(h1, "bytes", ["sh", "-c", "printf 'ERROR ledger \\377\\376 broken\\n'; exec sleep 3600"])
    yield fleet
    log_lines.remove(h1, "bytes")
    for host in (h1, h2):
        files.sh(host, f"rm -rf {ROOT}")


def test_host_content_neither_breaks_nor_fools_the_facts(planted: Fleet, tmp_path: Path):
    described = planted.describe()["hosts"]
    hosts = {}
    for name in ("h1", "h2"):
        hosts[name] = {
            "backend": described[name]["spec"], "ssh_config": described[name]["ssh_config"],
            "repos": [{"name": "hard", "path": f"{ROOT}/repo"}], "logs": {"files": [f"{ROOT}/app.log"]},
        }  # fmt: skip
    hosts["h2"]["max_fact_output"] = "2KiB"
    hosts["h2"]["logs"]["containers"] = False
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump({"hosts": hosts}))
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={inventory}",
         f"--report-dir={reports}", *SUITE],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    assert "UnicodeDecodeError" not in result.stdout + result.stderr
    record = load_json(reports / "readiness.json")
    found = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}

    # non-UTF-8 bytes: one replaced character each, the host's facts intact
    log03 = found[("LOG-03", "h1")]
    assert log03["outcome"] == "failed", log03["message"]
    assert "h1/bytes" in log03["message"] and f"h1/{ROOT}/app.log" in log03["message"]
    shown = json.dumps(log03["evidence"], ensure_ascii=False)
    assert "ERROR ledger \ufffd\ufffd broken" in shown and "payment \ufffd\ufffd failed" in shown
    chg01 = found[("CHG-01", "h1/hard")]
    assert chg01["outcome"] == "failed" and "caf\ufffd.txt" in chg01["message"], chg01["message"]

    # forged markers in a private file: its content stays withheld
    for report in reports.rglob("*"):
        if report.is_file():
            assert CANARY not in report.read_text(errors="replace"), report

    # an oversized fact: the error of its criteria only
    for criterion in ("LOG-01", "LOG-03"):
        over = found[(criterion, "h2")]
        assert over["outcome"] == "error" and "output over 2 KiB (max_fact_output)" in over["message"], over
    assert found[("CHG-01", "h2/hard")]["outcome"] == "passed", found[("CHG-01", "h2/hard")]["message"]
