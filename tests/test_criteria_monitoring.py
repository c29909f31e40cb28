"""MON-01..06 against the sandbox's real Prometheus 2.42, blackbox exporter, Alertmanager
and node exporter (Debian packages, loopback only), with real planted faults.

MON-06 runs against the sandbox's Loki API stand-in: no Loki binary is available
here, so MON-06 is verified only against the stand-in, not yet against a live Loki.
MON-07 (Grafana) has no test here: no Grafana server could be run (see docs/sandbox.md);
tests/checks/test_monitoring_parsers.py parses Grafana's documented response shapes only.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.fleet import free_ports
from sandbox.monitoring import Monitoring, MonitoringPorts, Probe
from sandbox.process import SandboxError, wait_for
from sandbox.tls import Certificates
from sandbox.web import Web, WebPorts
from tests.conftest import load_json, need, need_root, run_golive, write_inventory

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

SECRET = "mon-token-5c1e9d"


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Monitoring, list[Probe]]]:
    """Web (for probes) and the monitoring stack on free loopback ports; node exporter
    scraped a second time as host h1's target (label host=h1)."""
    need_root()
    run_dir = Path(tempfile.mkdtemp(prefix="golive-mon-", dir="/tmp"))
    pieces: list[Web | Monitoring] = []
    try:
        certs = Certificates(run_dir).up()
        web = Web(run_dir, certs, WebPorts(*free_ports(3)))
        pieces.append(web)
        web.up()
        probes = [Probe(e.url, e.hostname) for e in web.endpoints() if e.url.endswith(("/ok", "/forbidden"))]
        probes = [p for p in probes if p.url.startswith("https")]
        ports = MonitoringPorts(*free_ports(len(MonitoringPorts.__dataclass_fields__)))
        monitoring = Monitoring(
            run_dir,
            [p for p in probes if p.url.endswith("/ok")],
            certs.ca_bundle,
            ports,
            down_target=False,
            host_targets={"h1": f"127.0.0.1:{ports.node_exporter}"},
        )
        pieces.append(monitoring)
        monitoring.up()
        monitoring.settled()
        yield monitoring, probes
    except SandboxError as error:
        need(False, f"monitoring sandbox unavailable: {error}")
    finally:
        for piece in reversed(pieces):
            piece.down()
        shutil.rmtree(run_dir, ignore_errors=True)


def inventory(path: Path, urls: dict[str, str]) -> Path:
    return write_inventory(
        path,
        f"""
hosts:
  h1: {{backend: "local://"}}
  h2: {{backend: "local://"}}
credentials:
  prom: {{token_env: GOLIVE_TEST_PROM_TOKEN}}
monitoring:
  prometheus: {{url: "{urls["prometheus"]}", credential: prom, timeout: 5s}}
  alertmanager: {{url: "{urls["alertmanager"]}"}}
  loki: {{url: "{urls["loki"]}", freshness: 10m}}
""",
    )


def run(tmp_path: Path, inventory_file: Path) -> dict[str, Any]:
    result = run_golive(
        tmp_path,
        f"--inventory={inventory_file}",
        f"--report-dir={tmp_path / 'reports'}",
        str(Path(__file__).resolve().parents[1] / "tests_infra" / "test_monitoring.py"),
        env={"GOLIVE_TEST_PROM_TOKEN": SECRET},
    )
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    for output in (result.stdout, result.stderr, *(p.read_text() for p in (tmp_path / "reports").iterdir())):
        assert SECRET not in output
    return load_json(tmp_path / "reports" / "readiness.json")


def outcomes(record: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(c["id"], i["target"]): (i["outcome"], i["message"]) for c in record["criteria"] for i in c["instances"]}


@pytest.mark.sandbox
@pytest.mark.root
def test_healthy_stack_passes_and_unprobed_hosts_are_blind(stack, tmp_path: Path) -> None:
    monitoring, _ = stack
    monitoring.push_logs({"host": "h1", "job": "syslog"}, ["h1 sshd: Server listening"])
    found = outcomes(run(tmp_path, inventory(tmp_path / "hosts.yaml", monitoring.urls())))
    passed = {key for key, (outcome, _) in found.items() if outcome == "passed"}
    assert passed == {
        ("MON-01", "prometheus"), ("MON-02", "prometheus"), ("MON-03", "h1"), ("MON-04", "prometheus"),
        ("MON-05", "alertmanager"), ("MON-06", "h1"),
    }  # fmt: skip
    # h2 has no target and no logs: blind in both, named as such
    assert found["MON-03", "h2"][0] == "failed" and 'no Prometheus target matches host="h2"' in found["MON-03", "h2"][1]
    assert found["MON-06", "h2"][0] == "failed" and "none at all since 24h00m ago" in found["MON-06", "h2"][1]
    assert not any(key[0] == "MON-07" for key in found)  # no Grafana declared: not collected


@pytest.mark.sandbox
@pytest.mark.root
def test_planted_faults_fail_each_criterion_with_its_reason(stack, tmp_path: Path) -> None:
    monitoring, probes = stack
    monitoring.push_logs({"host": "h1"}, ["h1 fresh line"])
    monitoring.push_logs({"host": "h2"}, ["h2 last line before its shipper died"], at=time.time() - 3 * 3600)
    monitoring.set_scrapes(probes=probes, down_target=True)
    monitoring.set_rules(firing=True, broken=True)
    monitoring.set_receivers(null_only=True)
    try:
        prometheus = monitoring.urls()["prometheus"]
        wait_for(lambda: _planted(prometheus, len(probes)), 40, "every planted fault visible in Prometheus")
        found = outcomes(run(tmp_path, inventory(tmp_path / "hosts.yaml", monitoring.urls())))
    finally:
        monitoring.set_scrapes(probes=[p for p in probes if p.url.endswith("/ok")], down_target=False)
        monitoring.set_rules()
        monitoring.set_receivers(null_only=False)
    down = f"job=offline instance=127.0.0.1:{monitoring.ports.down_target}: down"
    assert found["MON-01", "prometheus"][0] == "failed" and down in found["MON-01", "prometheus"][1]
    assert "connection refused" in found["MON-01", "prometheus"][1]
    assert found["MON-02", "prometheus"][0] == "failed"
    assert "/forbidden: 0, HTTP 403, expected 1" in found["MON-02", "prometheus"][1]
    assert found["MON-04", "prometheus"][0] == "failed"
    assert "1 critical alert(s) firing: SandboxAlwaysFiring" in found["MON-04", "prometheus"][1]
    assert "sandbox/sandbox:broken" in found["MON-04", "prometheus"][1]
    assert found["MON-05", "alertmanager"][0] == "failed"
    assert (
        "no routed receiver sends anywhere (receivers: null (no integration: null)"
        in found["MON-05", "alertmanager"][1]
    )
    assert found["MON-06", "h2"][0] == "failed" and "the newest is 3h00m old" in found["MON-06", "h2"][1]
    assert found["MON-03", "h1"][0] == found["MON-06", "h1"][0] == "passed"


def _planted(prometheus: str, probes: int) -> bool:
    with httpx.Client(trust_env=False, timeout=5) as client:
        targets = client.get(prometheus + "/api/v1/targets").json()["data"]["activeTargets"]
        rules = client.get(prometheus + "/api/v1/rules").json()["data"]["groups"]
        status = client.get(prometheus + "/api/v1/query", params={"query": "probe_http_status_code"}).json()
    health = {t["labels"]["job"]: t["health"] for t in targets}
    states = {r["name"]: (r.get("state"), r["health"]) for g in rules for r in g["rules"]}
    return (
        health.get("offline") == "down"
        and len(status["data"]["result"]) == probes
        and states.get("SandboxAlwaysFiring", ("", ""))[0] == "firing"
        and states.get("sandbox:broken", ("", ""))[1] == "err"
    )


def test_unreachable_monitoring_fails_with_the_reason(tmp_path: Path) -> None:
    closed = free_ports(3)
    urls = {
        name: f"http://127.0.0.1:{port}"
        for name, port in zip(("prometheus", "alertmanager", "loki"), closed, strict=True)
    }
    found = outcomes(run(tmp_path, inventory(tmp_path / "hosts.yaml", urls)))
    assert {outcome for outcome, _ in found.values()} == {"error"}
    assert len(found) == 8  # MON-01, 02, 04, 05 once; MON-03 and MON-06 per host
    assert found["MON-01", "prometheus"][1] == (
        f"prometheus at {urls['prometheus']} is unreachable: connection refused"
    )
    assert "alertmanager at" in found["MON-05", "alertmanager"][1]
    assert "connection refused" in found["MON-06", "h2"][1]
