"""The sandbox's monitoring stack, on 127.0.0.1 only, under ``<run_dir>/monitoring``.

Debian's Prometheus, Alertmanager, node exporter and blackbox exporter run as
sandbox daemons, each with its own config (sandbox/monitoring_config.py) and data
dir, beside the Loki stand-in (sandbox/loki_standin.py). Prometheus scrapes itself,
the exporters, Alertmanager and Loki (all up) and one port where nothing listens
(down, job ``offline``); the blackbox exporter probes the ``Probe``s given (nginx
endpoints, via 127.0.0.1 with the host name as SNI and Host header, trusting the
sandbox CA; job ``blackbox``, labels ``hostname`` and ``url``).

Ports (``MonitoringPorts``): Prometheus 19090, Alertmanager 19093 (no cluster
port), Alertmanager's webhook receiver 19096 (nothing listens: notifications fail
visibly), node exporter 19100, blackbox 19115, Loki stand-in 13100, and 19999, the
down target.

Compose: ``Monitoring(run_dir, probes, ca_bundle)`` with ``probes`` built from
``Web.endpoints()`` and ``host_targets`` (host name → loopback address, scraped in job
``host_node`` with label ``host``, see sandbox/host_exporters.py); ``up()`` / ``down()``
(call ``down()`` after a failed ``up()``); ``urls()``; ``targets()``; ``settled()`` (every
target scraped once); ``push_logs({"host": "h1"}, lines, at=...)``; faults on the running stack:
``set_scrapes(probes=..., down_target=...)``, ``set_rules(firing=..., broken=...)``,
``set_receivers(null_only=...)``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.debian import ensure_installed
from sandbox.loopback import DIRECT, answers, get_json, require_loopback
from sandbox.monitoring_config import (
    MonitoringPorts,
    Probe,
    alertmanager_config,
    blackbox_config,
    prometheus_config,
    rules_config,
    write_json_yaml,
)
from sandbox.process import Daemon, SandboxError, port_open, wait_for

PACKAGES = ("prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "prometheus-blackbox-exporter")
REPO = Path(__file__).resolve().parents[1]


class Monitoring:
    """Prometheus, Alertmanager, node and blackbox exporters, and the Loki stand-in."""

    name = "monitoring"

    def __init__(
        self,
        run_dir: Path,
        probes: Sequence[Probe] = (),
        ca_bundle: Path | None = None,
        ports: MonitoringPorts | None = None,
        down_target: bool = True,
        extra_targets: Mapping[str, Sequence[str]] | None = None,
        host_targets: Mapping[str, str] | None = None,
    ) -> None:
        self.dir = Path(run_dir) / "monitoring"
        self.probes = tuple(probes)
        self.ca_bundle = ca_bundle
        self.ports = ports or MonitoringPorts()
        self.down_target = down_target
        self.extra_targets = {job: tuple(addresses) for job, addresses in (extra_targets or {}).items()}
        self.host_targets = dict(host_targets or {})
        for probe in self.probes:
            require_loopback(probe.url)
        for address in [
            *(a for addresses in self.extra_targets.values() for a in addresses),
            *self.host_targets.values(),
        ]:
            require_loopback(address)
        p = self.ports
        self.textfile_dir = self.dir / "node-exporter" / "textfile"
        self.daemons: dict[str, tuple[Daemon, str]] = {
            "node-exporter": (
                self._daemon(
                    "node-exporter",
                    "prometheus-node-exporter",
                    f"--web.listen-address=127.0.0.1:{p.node_exporter}",
                    f"--collector.textfile.directory={self.textfile_dir}",
                    "--no-collector.systemd",  # no systemd (nor its D-Bus) in the sandbox
                ),
                f"http://127.0.0.1:{p.node_exporter}/",
            ),
            "blackbox": (
                self._daemon(
                    "blackbox",
                    "prometheus-blackbox-exporter",
                    f"--config.file={self.dir / 'blackbox' / 'blackbox.yml'}",
                    f"--web.listen-address=127.0.0.1:{p.blackbox}",
                ),
                f"http://127.0.0.1:{p.blackbox}/",
            ),
            "loki": (
                Daemon(
                    "loki",
                    [sys.executable, "-m", "sandbox.loki_standin", str(p.loki), str(self.dir / "loki")],
                    self.dir / "loki",
                    env={"PYTHONPATH": str(REPO)},
                ),
                f"http://127.0.0.1:{p.loki}/ready",
            ),
            "alertmanager": (
                self._daemon(
                    "alertmanager",
                    "prometheus-alertmanager",
                    f"--config.file={self.dir / 'alertmanager' / 'alertmanager.yml'}",
                    f"--storage.path={self.dir / 'alertmanager' / 'data'}",
                    f"--web.listen-address=127.0.0.1:{p.alertmanager}",
                    "--cluster.listen-address=",  # no gossip port on 0.0.0.0:9094
                ),
                f"http://127.0.0.1:{p.alertmanager}/-/ready",
            ),
            "prometheus": (
                self._daemon(
                    "prometheus",
                    "prometheus",
                    f"--config.file={self.dir / 'prometheus' / 'prometheus.yml'}",
                    f"--storage.tsdb.path={self.dir / 'prometheus' / 'data'}",
                    f"--web.listen-address=127.0.0.1:{p.prometheus}",
                    "--web.enable-lifecycle",
                    "--rules.alert.resend-delay=5s",  # a firing alert reaches Alertmanager within seconds
                ),
                f"http://127.0.0.1:{p.prometheus}/-/ready",
            ),
        }

    def urls(self) -> dict[str, str]:
        p = self.ports
        return {
            "prometheus": f"http://127.0.0.1:{p.prometheus}",
            "alertmanager": f"http://127.0.0.1:{p.alertmanager}",
            "node_exporter": f"http://127.0.0.1:{p.node_exporter}",
            "blackbox": f"http://127.0.0.1:{p.blackbox}",
            "loki": f"http://127.0.0.1:{p.loki}",
            "webhook_receiver": f"http://127.0.0.1:{p.webhook}/alerts",
            "down_target": f"127.0.0.1:{p.down_target}",
        }

    def up(self) -> None:
        """Start what is not running (configs rewritten first); wait until each answers."""
        ensure_installed(PACKAGES)
        if port_open("127.0.0.1", self.ports.down_target)():
            raise SandboxError(f"monitoring: something listens on the down target port {self.ports.down_target}")
        for sub in ("prometheus/data", "alertmanager/data", "blackbox", "loki"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.textfile_dir.mkdir(parents=True, exist_ok=True)
        self._write_configs()
        if not (self.dir / "prometheus" / "rules.yml").exists():
            self._write_rules()
        if not self._receivers_file.exists():
            self._write_receivers(null_only=False)
        for name, (daemon, ready) in self.daemons.items():
            if daemon.pid() is None:
                port = int(urlsplit(ready).port or 0)
                if port_open("127.0.0.1", port)():
                    raise SandboxError(f"monitoring: {name}'s port {port} is already in use by another program")
            daemon.start(answers(ready), timeout=30)

    def down(self) -> None:
        for daemon, _ in reversed(self.daemons.values()):
            daemon.stop()

    def is_up(self) -> bool:
        return all(daemon.pid() is not None and answers(ready)() for daemon, ready in self.daemons.values())

    def describe(self) -> dict[str, Any]:
        return {
            "ports": asdict(self.ports),
            "urls": self.urls(),
            "textfile_dir": str(self.textfile_dir),
            "rules": str(self.dir / "prometheus" / "rules.yml"),
            "alertmanager_config": str(self._receivers_file),
            "probes": [{"url": p.url, "hostname": p.hostname, "module": p.module} for p in self.probes],
        }

    def set_scrapes(self, probes: Sequence[Probe] | None = None, down_target: bool | None = None) -> None:
        """Change what is probed, or whether the down target is scraped, on the running stack."""
        for probe in probes or ():
            require_loopback(probe.url)
        self.probes = self.probes if probes is None else tuple(probes)
        self.down_target = self.down_target if down_target is None else down_target
        self._write_configs()
        self._reload("blackbox")
        self._reload("prometheus")

    def set_rules(self, firing: bool = False, broken: bool = False) -> None:
        """Plant (or clear) an always-firing critical alert and a rule that fails to evaluate."""
        self._write_rules(firing=firing, broken=broken)
        self._reload("prometheus")

    def set_receivers(self, null_only: bool) -> None:
        """Route every alert to a receiver that sends nothing (a fault), or to the webhook."""
        self._write_receivers(null_only)
        self._reload("alertmanager")

    def push_logs(self, labels: Mapping[str, str], lines: Sequence[str], at: float | None = None) -> None:
        """Send ``lines`` to Loki as one stream with ``labels`` (e.g. ``{"host": "h1"}``), stamped
        ``at`` (seconds since the epoch; default now)."""
        now = time.time_ns() if at is None else int(at * 10**9)
        values = [[str(now + i), line] for i, line in enumerate(lines)]
        body = json.dumps({"streams": [{"stream": dict(labels), "values": values}]}).encode()
        request = urllib.request.Request(
            self.urls()["loki"] + "/loki/api/v1/push", body, {"Content-Type": "application/json"}, method="POST"
        )
        with DIRECT.open(request, timeout=10) as response:
            if response.status != 204:
                raise SandboxError(f"monitoring: Loki refused a push ({response.status})")

    # -- configs -------------------------------------------------------------

    @property
    def _receivers_file(self) -> Path:
        return self.dir / "alertmanager" / "alertmanager.yml"

    def _daemon(self, name: str, *argv: str) -> Daemon:
        return Daemon(name, list(argv), self.dir / name)

    def targets(self) -> dict[tuple[str, str], str]:
        """(job, instance) → health of Prometheus's active targets, read from its API now."""
        active = get_json(self.urls()["prometheus"] + "/api/v1/targets?state=active")["data"]["activeTargets"]
        return {(t["labels"]["job"], t["labels"]["instance"]): t["health"] for t in active}

    def settled(self) -> None:
        """Wait until Prometheus has scraped every configured target at least once."""
        wanted = len(self.probes) + len(self.host_targets) + 5 + int(self.down_target)
        wanted += sum(len(addresses) for addresses in self.extra_targets.values())

        def scraped() -> bool:
            found = self.targets()
            return len(found) == wanted and "unknown" not in found.values()

        wait_for(scraped, 30, "monitoring: Prometheus scraping every target")

    def _write_configs(self) -> None:
        write_json_yaml(self.dir / "blackbox" / "blackbox.yml", blackbox_config(self.probes, self.ca_bundle))
        config = prometheus_config(
            self.ports,
            self.dir / "prometheus" / "rules.yml",
            self.probes,
            self.host_targets,
            self.extra_targets,
            self.down_target,
        )
        write_json_yaml(self.dir / "prometheus" / "prometheus.yml", config)

    def _write_rules(self, firing: bool = False, broken: bool = False) -> None:
        write_json_yaml(self.dir / "prometheus" / "rules.yml", rules_config(firing, broken))

    def _write_receivers(self, null_only: bool) -> None:
        write_json_yaml(self._receivers_file, alertmanager_config(null_only, self.urls()["webhook_receiver"]))

    def _reload(self, name: str) -> None:
        daemon, ready = self.daemons[name]
        pid = daemon.pid()
        if pid is None:
            raise SandboxError(f"monitoring: {name} is not running")
        os.kill(pid, signal.SIGHUP)
        wait_for(answers(ready), 10, f"monitoring: {name} after reload")


__all__ = ["Monitoring", "MonitoringPorts", "Probe"]  # the ports and probes are part of its constructor
