"""What the sandbox's monitoring daemons read: their ports, the probes, and each config file.

Pure builders, one per file: ``prometheus_config`` (scrape jobs, rule file,
Alertmanager), ``blackbox_config`` (one HTTP module per probed host name),
``rules_config`` (the alerting and recording rules, with or without the planted
faults) and ``alertmanager_config`` (a route to a webhook, or to a receiver that sends
nothing). ``write_json_yaml`` writes any of them (JSON is a subset of YAML).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRAPE_SECONDS = 5


@dataclass(frozen=True)
class MonitoringPorts:
    prometheus: int = 19090
    alertmanager: int = 19093
    webhook: int = 19096
    node_exporter: int = 19100
    blackbox: int = 19115
    loki: int = 13100
    down_target: int = 19999


@dataclass(frozen=True)
class Probe:
    """A URL on 127.0.0.1 for the blackbox exporter, and the host name it serves."""

    url: str
    hostname: str

    @property
    def named_url(self) -> str:
        """The URL as a user writes it, with the host name (a label on the probe's series)."""
        return self.url.replace("127.0.0.1", self.hostname, 1)

    @property
    def module(self) -> str:
        return "http_2xx_" + self.hostname.replace(".", "_").replace("-", "_")


def _job(name: str, port: int) -> dict[str, Any]:
    return {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}


def prometheus_config(
    ports: MonitoringPorts,
    rules_file: Path,
    probes: Sequence[Probe] = (),
    host_targets: Mapping[str, str] | None = None,
    extra_targets: Mapping[str, Sequence[str]] | None = None,
    down_target: bool = True,
) -> dict[str, Any]:
    """Prometheus scraping the stack itself, the hosts' exporters, the probes and (if
    ``down_target``) a port where nothing listens (job ``offline``)."""
    p = ports
    scrape = [
        _job("prometheus", p.prometheus),
        _job("alertmanager", p.alertmanager),
        _job("node", p.node_exporter),
        _job("blackbox_exporter", p.blackbox),
        _job("loki", p.loki),
    ]
    scrape += [{"job_name": job, "static_configs": [{"targets": list(a)}]} for job, a in (extra_targets or {}).items()]
    if host_targets:
        # One node exporter per sandbox host, labelled with the host's name: the label
        # is how golive's MON-03 maps targets to inventory hosts here, since every host
        # is reached through a loopback port and no address tells them apart.
        scrape.append(
            {
                "job_name": "host_node",
                "static_configs": [
                    {"targets": [address], "labels": {"host": host}} for host, address in sorted(host_targets.items())
                ],
            }
        )
    if down_target:
        scrape.append(_job("offline", p.down_target))
    if probes:
        scrape.append(
            {
                "job_name": "blackbox",
                "metrics_path": "/probe",
                "static_configs": [
                    {
                        "targets": [probe.url],
                        "labels": {"__param_module": probe.module, "hostname": probe.hostname, "url": probe.named_url},
                    }
                    for probe in probes
                ],
                "relabel_configs": [
                    {"source_labels": ["__address__"], "target_label": "__param_target"},
                    {"source_labels": ["__param_target"], "target_label": "instance"},
                    {"target_label": "__address__", "replacement": f"127.0.0.1:{p.blackbox}"},
                ],
            }
        )
    return {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
        "rule_files": [str(rules_file)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{p.alertmanager}"]}]}]},
        "scrape_configs": scrape,
    }


def blackbox_config(probes: Sequence[Probe], ca_bundle: Path | None) -> dict[str, Any]:
    """A plain ``http_2xx`` module, and one per probe sending its host name as SNI and Host."""
    modules = {"http_2xx": _http_module(ca_bundle, None)}
    modules |= {probe.module: _http_module(ca_bundle, probe.hostname) for probe in probes}
    return {"modules": modules}


def rules_config(firing: bool = False, broken: bool = False) -> dict[str, Any]:
    """A warning rule for unplanned down targets; ``firing`` adds an always-firing critical
    alert, ``broken`` a recording rule that fails every evaluation."""
    rules: list[dict[str, Any]] = [
        {
            "alert": "SandboxTargetDown",
            "expr": 'up{job!="offline"} == 0',
            "for": "1m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "a scrape target other than the planted one is down"},
        }
    ]
    if firing:
        rules.append(
            {
                "alert": "SandboxAlwaysFiring",
                "expr": "vector(1)",
                "labels": {"severity": "critical"},
                "annotations": {"summary": "planted fault: a critical alert that always fires"},
            }
        )
    if broken:
        # Loads fine, fails every evaluation: many-to-many matching between the up series.
        rules.append({"record": "sandbox:broken", "expr": "up * on() up"})
    return {"groups": [{"name": "sandbox", "rules": rules}]}


def alertmanager_config(null_only: bool, webhook_url: str) -> dict[str, Any]:
    """Every alert routed to a webhook receiver, or (``null_only``) to one that sends nothing."""
    if null_only:
        receivers: list[dict[str, Any]] = [{"name": "null"}]
    else:
        receivers = [{"name": "oncall", "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}]
    route = {
        "receiver": receivers[0]["name"],
        "group_by": ["alertname"],
        "group_wait": "1s",
        "group_interval": "10s",
        "repeat_interval": "1h",
    }
    return {"route": route, "receivers": receivers}


def write_json_yaml(path: Path, config: dict[str, Any]) -> None:
    """YAML files written as JSON (a subset of YAML): no quoting surprises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")


def _http_module(ca_bundle: Path | None, hostname: str | None) -> dict[str, Any]:
    tls: dict[str, Any] = {"ca_file": str(ca_bundle)} if ca_bundle else {}
    http: dict[str, Any] = {
        "preferred_ip_protocol": "ip4",
        "ip_protocol_fallback": False,
        # A redirect would lead to a *.golive.test name no resolver knows: never follow.
        "follow_redirects": False,
        "tls_config": tls,
    }
    if hostname:
        tls["server_name"] = hostname
        http["headers"] = {"Host": hostname}
    return {"prober": "http", "timeout": "5s", "http": http}
