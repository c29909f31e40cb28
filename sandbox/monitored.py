"""The sandbox fleet as its monitoring sees it: the baseline, the faults, the inventory.

Baseline: every host's node exporter is scraped (label ``host``), the web's /ok
endpoint is probed, Alertmanager routes to a webhook, and each host's log lines
reach Loki (pushed as the host's shipper would, labelled ``host``). Faults change
the running stack for real and wait until Prometheus (which scrapes every 5 s) or
Alertmanager shows them, so the suite reads a settled state.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sandbox.fleet import Fleet
from sandbox.host_exporters import HostExporters
from sandbox.loopback import get_json
from sandbox.monitoring import Monitoring, Probe
from sandbox.process import SandboxError, wait_for
from sandbox.web import Web

LOGS_STOPPED = "logs-stopped-h2"
STOPPED_HOURS = 2


def monitoring(fleet: Fleet) -> Monitoring:
    return next(service for service in fleet.services() if isinstance(service, Monitoring))


def exporters(fleet: Fleet) -> HostExporters:
    return next(service for service in fleet.services() if isinstance(service, HostExporters))


def plant_baseline(fleet: Fleet, fault_ids: Iterable[str]) -> None:
    """Ship each host's logs to Loki (h2's only until 2 h ago when its shipper stopped);
    wait until Prometheus has scraped every target once."""
    stack = monitoring(fleet)
    stopped = LOGS_STOPPED in set(fault_ids)
    for host in fleet.hosts:
        at = time.time() - STOPPED_HOURS * 3600 if stopped and host.name == "h2" else None
        stack.push_logs({"host": host.name, "job": "syslog"}, [f"{host.name} sshd: Server listening"], at=at)
    stack.settled()


def inventory(fleet: Fleet) -> dict[str, Any]:
    """The ``monitoring:`` section of the scenario's hosts.yaml (hosts matched by label ``host``)."""
    urls = monitoring(fleet).urls()
    return {
        "prometheus": {"url": urls["prometheus"], "timeout": "10s"},
        "alertmanager": {"url": urls["alertmanager"]},
        "loki": {"url": urls["loki"], "freshness": "15m"},
    }


def plant_exporter_down(fleet: Fleet) -> None:
    """h2's node exporter stops: its target goes down and h2 has no other."""
    exporters(fleet).stop("h2")
    address = exporters(fleet).targets()["h2"]
    wait_for(lambda: monitoring(fleet).targets().get(("host_node", address)) == "down", 20, "h2's target down")


def plant_probe_403(fleet: Fleet) -> None:
    """The blackbox exporter also probes h1's mail endpoint, which answers 403."""
    stack = monitoring(fleet)
    web = next(service for service in fleet.services() if isinstance(service, Web))
    forbidden = [Probe(e.url, e.hostname) for e in web.endpoints() if e.url.endswith("/forbidden")]
    stack.set_scrapes(probes=[*stack.probes, *forbidden])
    query = stack.urls()["prometheus"] + "/api/v1/query?query=probe_http_status_code%3D%3D403"
    wait_for(lambda: bool(get_json(query)["data"]["result"]), 30, "the 403 probe result in Prometheus")


def plant_critical_alert(fleet: Fleet) -> None:
    """A critical alert that always fires, and a recording rule failing every evaluation."""
    stack = monitoring(fleet)
    stack.set_rules(firing=True, broken=True)

    def planted() -> bool:
        groups = get_json(stack.urls()["prometheus"] + "/api/v1/rules")["data"]["groups"]
        rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
        return (
            rules.get("SandboxAlwaysFiring", {}).get("state") == "firing"
            and rules.get("sandbox:broken", {}).get("health") == "err"
        )

    wait_for(planted, 30, "the critical alert firing and the broken rule failing")


def plant_null_receiver(fleet: Fleet) -> None:
    """Alertmanager reloaded with a single receiver that sends nowhere."""
    stack = monitoring(fleet)
    stack.set_receivers(null_only=True)

    def reloaded() -> bool:
        return "webhook_configs" not in get_json(stack.urls()["alertmanager"] + "/api/v2/status")["config"]["original"]

    wait_for(reloaded, 10, "Alertmanager with only the null receiver")


def logs_stopped(fleet: Fleet) -> None:
    """The baseline shipped h2's logs only until 2 h ago; check Loki has nothing newer."""
    stack = monitoring(fleet)
    since = time.time_ns() - 3600 * 10**9
    url = stack.urls()["loki"] + f"/loki/api/v1/query_range?query=%7Bhost%3D%22h2%22%7D&start={since}&limit=1"
    if get_json(url)["data"]["result"]:
        raise SandboxError("loki: h2 has recent log lines; its shipper did not stop")
