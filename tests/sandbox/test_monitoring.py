"""The sandbox monitoring stack, measured through its own HTTP APIs.

Prometheus scrapes every 5 s, so what it reports is waited for (bounded), never
assumed; the faults (down target, failing probes, firing alert, broken rule, null
receiver) are planted and cleared on the running stack.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from sandbox.fleet import free_ports
from sandbox.monitoring import Monitoring, MonitoringPorts, Probe
from sandbox.process import SandboxError, has_exited
from sandbox.tls import Certificates
from sandbox.web import Web, WebPorts
from tests.sandbox.conftest import unavailable

T = TypeVar("T")
PROBED = ("/ok", "/forbidden", "/unauthorized")


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Web, Monitoring]]:
    run_dir = Path(tempfile.mkdtemp(prefix="golive-mon-", dir="/tmp"))
    pieces: list[Web | Monitoring] = []
    try:
        certs = Certificates(run_dir).up()
        web = Web(run_dir, certs, WebPorts(*free_ports(3)))
        pieces.append(web)
        web.up()
        probes = [Probe(e.url, e.hostname) for e in web.endpoints() if e.url.endswith(PROBED) and "https" in e.url]
        ports = MonitoringPorts(*free_ports(len(MonitoringPorts.__dataclass_fields__)))
        extra = {"node_h1": [f"127.0.0.1:{ports.node_exporter}"]}
        monitoring = Monitoring(run_dir, probes, certs.ca_bundle, ports, extra_targets=extra)
        pieces.append(monitoring)
        monitoring.up()
        yield web, monitoring
    except SandboxError as error:
        unavailable(str(error))
    finally:
        for piece in reversed(pieces):
            piece.down()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def monitoring(stack: tuple[Web, Monitoring]) -> Monitoring:
    return stack[1]


def api(monitoring: Monitoring, service: str, path: str, **params: Any) -> Any:
    with httpx.Client(trust_env=False, timeout=10) as client:
        response = client.get(monitoring.urls()[service] + path, params=params)
    response.raise_for_status()
    return response.json()


def eventually(read: Callable[[], T], holds: Callable[[T], bool], timeout: float = 30) -> T:
    """``read()`` once ``holds`` of it, polling; its last value for the assertion message otherwise."""
    deadline = time.monotonic() + timeout
    value = read()
    while not holds(value) and time.monotonic() < deadline:
        time.sleep(0.5)
        value = read()
    return value


def running(pid: int) -> bool:
    """Alive, rather than exited and waiting for its parent (this test process) to reap it."""
    return not has_exited(pid)


def targets(monitoring: Monitoring) -> dict[tuple[str, str], tuple[str, str]]:
    """(job, instance) → (health, lastError) of Prometheus's active targets that were scraped."""
    active = api(monitoring, "prometheus", "/api/v1/targets")["data"]["activeTargets"]
    return {
        (t["labels"]["job"], t["labels"]["instance"]): (t["health"], t["lastError"])
        for t in active
        if t["health"] != "unknown"
    }


def query(monitoring: Monitoring, promql: str) -> dict[str, str]:
    """instance → value of an instant query."""
    result = api(monitoring, "prometheus", "/api/v1/query", query=promql)["data"]["result"]
    return {r["metric"].get("instance", ""): r["value"][1] for r in result}


def test_every_daemon_listens_only_on_loopback(monitoring: Monitoring) -> None:
    listeners = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout.splitlines()
    for daemon, _ in monitoring.daemons.values():
        ours = [line.split()[3] for line in listeners if f"pid={daemon.pid()}," in line]
        assert ours and all(address.startswith("127.0.0.1:") for address in ours), (daemon.name, ours)


def test_prometheus_sees_up_targets_and_the_down_one(monitoring: Monitoring) -> None:
    p = monitoring.ports
    jobs = {
        "prometheus": p.prometheus,
        "alertmanager": p.alertmanager,
        "node": p.node_exporter,
        "node_h1": p.node_exporter,
    }
    jobs |= {"blackbox_exporter": p.blackbox, "loki": p.loki, "offline": p.down_target}
    wanted = {(job, f"127.0.0.1:{port}") for job, port in jobs.items()}
    wanted |= {("blackbox", probe.url) for probe in monitoring.probes}
    seen = eventually(lambda: targets(monitoring), lambda t: t.keys() == wanted)
    assert seen.keys() == wanted
    down = {target for target, (health, _) in seen.items() if health == "down"}
    assert down == {("offline", f"127.0.0.1:{p.down_target}")}
    assert "connection refused" in seen["offline", f"127.0.0.1:{p.down_target}"][1]


def test_blackbox_probes_pass_on_ok_and_fail_on_403_and_401(monitoring: Monitoring) -> None:
    url = {"/" + probe.url.split("/", 3)[3]: probe.url for probe in monitoring.probes}
    success = eventually(lambda: query(monitoring, "probe_success"), lambda r: set(url.values()) <= r.keys())
    status = query(monitoring, "probe_http_status_code")
    assert {path: success[url[path]] for path in PROBED} == {"/ok": "1", "/forbidden": "0", "/unauthorized": "0"}
    assert {path: status[url[path]] for path in PROBED} == {"/ok": "200", "/forbidden": "403", "/unauthorized": "401"}


def test_probe_series_carry_the_host_name_and_named_url(monitoring: Monitoring) -> None:
    result = eventually(
        lambda: api(monitoring, "prometheus", "/api/v1/query", query='probe_success{hostname="ok.golive.test"}'),
        lambda r: len(r["data"]["result"]) == len(PROBED),
    )["data"]["result"]
    assert {r["metric"]["url"].rsplit("/", 1)[1] for r in result} == {"ok", "forbidden", "unauthorized"}
    assert all(r["metric"]["url"].startswith("https://ok.golive.test:") for r in result)


def test_alertmanager_answers_with_a_real_receiver_and_no_cluster(monitoring: Monitoring) -> None:
    status = api(monitoring, "alertmanager", "/api/v2/status")
    assert status["cluster"]["status"] == "disabled"
    assert "webhook_configs" in status["config"]["original"]
    assert monitoring.urls()["webhook_receiver"] in status["config"]["original"]


def test_null_receiver_fault_is_planted_and_cleared(monitoring: Monitoring) -> None:
    monitoring.set_receivers(null_only=True)
    try:
        config = eventually(
            lambda: api(monitoring, "alertmanager", "/api/v2/status")["config"]["original"],
            lambda c: "webhook_configs" not in c,
        )
        assert "webhook_configs" not in config and 'receiver: "null"' in config
    finally:
        monitoring.set_receivers(null_only=False)
    assert "webhook_configs" in api(monitoring, "alertmanager", "/api/v2/status")["config"]["original"]


def test_firing_alert_and_broken_rule_are_planted_and_cleared(monitoring: Monitoring) -> None:
    def rules() -> dict[str, dict[str, Any]]:
        groups = api(monitoring, "prometheus", "/api/v1/rules")["data"]["groups"]
        return {rule["name"]: rule for group in groups for rule in group["rules"]}

    monitoring.set_rules(firing=True, broken=True)
    try:
        planted = eventually(
            rules,
            lambda r: (
                r.get("SandboxAlwaysFiring", {}).get("state") == "firing"
                and r.get("sandbox:broken", {}).get("health") == "err"
            ),
        )
        assert planted["SandboxAlwaysFiring"]["labels"]["severity"] == "critical"
        assert "many-to-many" in planted["sandbox:broken"]["lastError"]
        received = eventually(
            lambda: api(monitoring, "alertmanager", "/api/v2/alerts"),
            lambda alerts: any(a["labels"]["alertname"] == "SandboxAlwaysFiring" for a in alerts),
        )
        assert any(a["labels"]["alertname"] == "SandboxAlwaysFiring" for a in received)
    finally:
        monitoring.set_rules()
    healthy = eventually(
        rules, lambda r: r.keys() == {"SandboxTargetDown"} and r["SandboxTargetDown"]["health"] == "ok"
    )
    assert healthy.keys() == {"SandboxTargetDown"} and healthy["SandboxTargetDown"]["health"] == "ok"
    firing = api(monitoring, "prometheus", "/api/v1/alerts")["data"]["alerts"]
    assert [a for a in firing if a["state"] == "firing"] == []


def test_down_target_can_be_removed(monitoring: Monitoring) -> None:
    down = ("offline", f"127.0.0.1:{monitoring.ports.down_target}")
    monitoring.set_scrapes(down_target=False)
    try:
        assert down not in eventually(lambda: targets(monitoring), lambda t: down not in t)
    finally:
        monitoring.set_scrapes(down_target=True)
    assert eventually(lambda: targets(monitoring), lambda t: down in t)[down][0] == "down"


def test_node_exporter_serves_the_textfile_directory(monitoring: Monitoring) -> None:
    (monitoring.textfile_dir / "sandbox.prom").write_text("golive_sandbox_marker 42\n")
    with httpx.Client(trust_env=False) as client:
        metrics = client.get(monitoring.urls()["node_exporter"] + "/metrics").text
    assert "golive_sandbox_marker 42" in metrics


def push(monitoring: Monitoring, host: str, lines: list[str]) -> None:
    monitoring.push_logs({"host": host, "job": "syslog"}, lines)


def logs(monitoring: Monitoring, logql: str, **params: Any) -> list[str]:
    data = api(monitoring, "loki", "/loki/api/v1/query_range", query=logql, **params)["data"]
    assert data["resultType"] == "streams"
    return [line for stream in data["result"] for _, line in stream["values"]]


def test_loki_returns_pushed_lines_by_host(monitoring: Monitoring) -> None:
    push(monitoring, "h1", ["h1 started", "h1 error: disk slow"])
    push(monitoring, "h2", ["h2 started"])
    assert logs(monitoring, '{host="h1"}', direction="FORWARD") == ["h1 started", "h1 error: disk slow"]
    assert logs(monitoring, '{host="h1"}') == ["h1 error: disk slow", "h1 started"]  # newest first, as Loki
    assert logs(monitoring, '{host=~"h.*"} |= "started"', direction="forward", limit=10) == ["h1 started", "h2 started"]
    assert logs(monitoring, '{host="h1"}', limit=1) == ["h1 error: disk slow"]
    assert logs(monitoring, '{host="h1"}', end=str(time.time_ns() - 3600 * 10**9)) == []
    assert api(monitoring, "loki", "/loki/api/v1/label/host/values")["data"] == ["h1", "h2"]


def test_loki_keeps_lines_across_a_restart(monitoring: Monitoring) -> None:
    push(monitoring, "h3", ["before restart"])
    loki, _ = monitoring.daemons["loki"]
    loki.stop()
    monitoring.up()
    assert logs(monitoring, '{host="h3"}') == ["before restart"]


def test_loki_takes_a_push_in_loki_json_from_any_client(monitoring: Monitoring) -> None:
    body = {"streams": [{"stream": {"host": "h4"}, "values": [[str(time.time_ns()), "raw push"]]}]}
    with httpx.Client(trust_env=False) as client:
        assert client.post(monitoring.urls()["loki"] + "/loki/api/v1/push", json=body).status_code == 204
        assert client.post(monitoring.urls()["loki"] + "/loki/api/v1/push", content=b"x").status_code == 415
    assert logs(monitoring, '{host="h4"}') == ["raw push"]


def test_extra_targets_must_be_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="not on loopback"):
        Monitoring(tmp_path, extra_targets={"hosts": ["10.0.0.1:9100"]})
    with pytest.raises(SandboxError, match="not on loopback"):
        Monitoring(tmp_path, [Probe("https://192.0.2.1/ok", "ok.golive.test")])


def test_loki_refuses_what_it_cannot_answer(monitoring: Monitoring) -> None:
    with httpx.Client(trust_env=False) as client:
        metric = client.get(
            monitoring.urls()["loki"] + "/loki/api/v1/query_range", params={"query": 'count_over_time({host="h1"}[5m])'}
        )
    assert metric.status_code == 400


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets a process holds open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def listening_inodes() -> set[int]:
    """The inodes of every listening TCP socket of this network namespace (``/proc/net/tcp``'s
    state 0A)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                found.add(int(fields[9]))
    return found


def test_down_stops_every_daemon(monitoring: Monitoring) -> None:
    pids = [pid for daemon, _ in monitoring.daemons.values() if (pid := daemon.pid()) is not None]
    # the daemons' own listening sockets, by inode: their ports are free once they stop, and
    # another process on this machine may take one of them at any time
    ours = set().union(*(socket_inodes(pid) for pid in pids)) & listening_inodes()
    assert ours  # the daemons were listening
    monitoring.down()
    assert not monitoring.is_up()
    assert not any(running(pid) for pid in pids)
    assert not ours & listening_inodes()
