"""The sandbox's monitoring stack, on 127.0.0.1 only, under ``<run_dir>/monitoring``.

Debian's Prometheus, Alertmanager, node exporter and blackbox exporter run as
sandbox daemons, each with its own config and data dir. Prometheus scrapes
itself, the exporters, Alertmanager and Loki (all up) and one port where nothing
listens (down, job ``offline``); the blackbox exporter probes the ``Probe``s given
(nginx endpoints, via 127.0.0.1 with the host name as SNI and Host header,
trusting the sandbox CA; job ``blackbox``, labels ``hostname`` and ``url``).

Logs: no registry this project may use ships Grafana Loki (Debian's ``loki``
package is an unrelated genetics program), so ``serve_loki_standin`` (the second
half of this module) answers the part of Loki's HTTP API golive reads and writes:
JSON push, query_range/query for a stream selector with line filters, labels,
label values, series, /ready, /metrics. Its buildinfo says it is a stand-in.

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

import ipaddress
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.debian import ensure_installed
from sandbox.process import Daemon, SandboxError, port_open, wait_for

PACKAGES = ("prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "prometheus-blackbox-exporter")
REPO = Path(__file__).resolve().parents[1]
SCRAPE_SECONDS = 5
# Never a proxy: every request of the sandbox stays on loopback.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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
            _require_loopback(probe.url)
        for address in [
            *(a for addresses in self.extra_targets.values() for a in addresses),
            *self.host_targets.values(),
        ]:
            _require_loopback(address)
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
                    [sys.executable, "-m", "sandbox.monitoring", "loki-standin", str(p.loki), str(self.dir / "loki")],
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
            daemon.start(_answers(ready), timeout=30)

    def down(self) -> None:
        for daemon, _ in reversed(self.daemons.values()):
            daemon.stop()

    def is_up(self) -> bool:
        return all(daemon.pid() is not None and _answers(ready)() for daemon, ready in self.daemons.values())

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
            _require_loopback(probe.url)
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
        with _DIRECT.open(request, timeout=10) as response:
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
        p = self.ports
        blackbox_modules = {"http_2xx": _http_module(self.ca_bundle, None)}
        blackbox_modules |= {probe.module: _http_module(self.ca_bundle, probe.hostname) for probe in self.probes}
        _write_json_yaml(self.dir / "blackbox" / "blackbox.yml", {"modules": blackbox_modules})

        def job(name: str, port: int) -> dict[str, Any]:
            return {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}

        scrape = [
            job("prometheus", p.prometheus),
            job("alertmanager", p.alertmanager),
            job("node", p.node_exporter),
            job("blackbox_exporter", p.blackbox),
            job("loki", p.loki),
        ]
        scrape += [{"job_name": job, "static_configs": [{"targets": list(a)}]} for job, a in self.extra_targets.items()]
        if self.host_targets:
            # One node exporter per sandbox host, labelled with the host's name: the label
            # is how golive's MON-03 maps targets to inventory hosts here, since every host
            # is reached through a loopback port and no address tells them apart.
            scrape.append(
                {
                    "job_name": "host_node",
                    "static_configs": [
                        {"targets": [address], "labels": {"host": host}}
                        for host, address in sorted(self.host_targets.items())
                    ],
                }
            )
        if self.down_target:
            scrape.append(job("offline", p.down_target))
        if self.probes:
            scrape.append(
                {
                    "job_name": "blackbox",
                    "metrics_path": "/probe",
                    "static_configs": [
                        {
                            "targets": [probe.url],
                            "labels": {
                                "__param_module": probe.module,
                                "hostname": probe.hostname,
                                "url": probe.named_url,
                            },
                        }
                        for probe in self.probes
                    ],
                    "relabel_configs": [
                        {"source_labels": ["__address__"], "target_label": "__param_target"},
                        {"source_labels": ["__param_target"], "target_label": "instance"},
                        {"target_label": "__address__", "replacement": f"127.0.0.1:{p.blackbox}"},
                    ],
                }
            )
        config = {
            "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
            "rule_files": [str(self.dir / "prometheus" / "rules.yml")],
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{p.alertmanager}"]}]}]},
            "scrape_configs": scrape,
        }
        _write_json_yaml(self.dir / "prometheus" / "prometheus.yml", config)

    def _write_rules(self, firing: bool = False, broken: bool = False) -> None:
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
        _write_json_yaml(self.dir / "prometheus" / "rules.yml", {"groups": [{"name": "sandbox", "rules": rules}]})

    def _write_receivers(self, null_only: bool) -> None:
        if null_only:
            receivers: list[dict[str, Any]] = [{"name": "null"}]
        else:
            receivers = [
                {
                    "name": "oncall",
                    "webhook_configs": [{"url": self.urls()["webhook_receiver"], "send_resolved": True}],
                }
            ]
        route = {
            "receiver": receivers[0]["name"],
            "group_by": ["alertname"],
            "group_wait": "1s",
            "group_interval": "10s",
            "repeat_interval": "1h",
        }
        _write_json_yaml(self._receivers_file, {"route": route, "receivers": receivers})

    def _reload(self, name: str) -> None:
        daemon, ready = self.daemons[name]
        pid = daemon.pid()
        if pid is None:
            raise SandboxError(f"monitoring: {name} is not running")
        os.kill(pid, signal.SIGHUP)
        wait_for(_answers(ready), 10, f"monitoring: {name} after reload")


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


def _write_json_yaml(path: Path, config: dict[str, Any]) -> None:
    """YAML files written as JSON (a subset of YAML): no quoting surprises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")


def _require_loopback(url: str) -> None:
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SandboxError(f"monitoring: {url} is not on loopback; the sandbox never reaches other addresses")


def _answers(url: str) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            with _DIRECT.open(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    return probe


def get_json(url: str) -> Any:
    """GET a loopback URL (never through a proxy) and decode its JSON."""
    _require_loopback(url)
    with _DIRECT.open(url, timeout=10) as response:
        return json.loads(response.read())


# -- the Loki stand-in ---------------------------------------------------------

_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')
_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class LogQuery:
    """A LogQL log query: a stream selector and line filters (no parsers, no metrics)."""

    matchers: tuple[tuple[str, str, str], ...]
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> LogQuery:
        text = text.strip()
        if not text.startswith("{") or "}" not in text:
            raise ValueError(f'the sandbox\'s Loki stand-in only takes log queries like {{host="h1"}}: {text!r}')
        selector, rest = text[1:].split("}", 1)
        matchers = [(m[1], m[2], _unquote(m[3])) for m in _MATCHER.finditer(selector)]
        if not matchers or _MATCHER.sub("", selector).strip():
            raise ValueError(f"bad stream selector: {{{selector}}}")
        filters = [(f[1], _unquote(f[2])) for f in _FILTER.finditer(rest)]
        if _FILTER.sub("", rest).strip():
            raise ValueError(f"the sandbox's Loki stand-in only takes line filters after the selector: {rest!r}")
        return cls(tuple(matchers), tuple(filters))

    def selects(self, labels: dict[str, str]) -> bool:
        return all(_matches(labels.get(name, ""), op, value) for name, op, value in self.matchers)

    def keeps(self, line: str) -> bool:
        ops = {"|=": lambda v: v in line, "!=": lambda v: v not in line}
        ops |= {"|~": lambda v: re.search(v, line) is not None, "!~": lambda v: re.search(v, line) is None}
        return all(ops[op](value) for op, value in self.filters)


class LogStore:
    """Pushed streams, in memory and in a JSON-lines file, so a restart keeps them."""

    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / "entries.jsonl"
        self.lock = threading.Lock()
        self.entries: list[tuple[int, tuple[tuple[str, str], ...], str]] = []
        if self.file.exists():
            for row in self.file.read_text().splitlines():
                ts, labels, line = json.loads(row)
                self.entries.append((ts, tuple(sorted(labels.items())), line))

    def push(self, body: dict[str, Any]) -> None:
        rows = []
        for stream in body.get("streams", []):
            labels = {str(k): str(v) for k, v in stream["stream"].items()}
            if not labels:
                raise ValueError("a stream needs at least one label")
            rows += [(int(ts), labels, str(line)) for ts, line, *_ in stream.get("values", [])]
        with self.lock, self.file.open("a") as out:
            for ts, labels, line in rows:
                out.write(json.dumps([ts, labels, line]) + "\n")
                self.entries.append((ts, tuple(sorted(labels.items())), line))

    def query(self, query: LogQuery, start: int, end: int, limit: int, forward: bool) -> list[dict[str, Any]]:
        with self.lock:
            hits = [e for e in self.entries if start <= e[0] < end and query.selects(dict(e[1])) and query.keeps(e[2])]
        hits.sort(key=lambda e: e[0], reverse=not forward)
        streams: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
        for ts, labels, line in hits[:limit]:
            streams.setdefault(labels, []).append([str(ts), line])
        return [{"stream": dict(labels), "values": values} for labels, values in streams.items()]

    def metrics(self) -> str:
        """A Prometheus exposition of how much the store holds, so Prometheus can scrape it."""
        with self.lock:
            entries, streams = len(self.entries), len({e[1] for e in self.entries})
        return (
            "# TYPE loki_standin_entries gauge\n"
            f"loki_standin_entries {entries}\n"
            "# TYPE loki_standin_streams gauge\n"
            f"loki_standin_streams {streams}\n"
        )

    def series(self, query: LogQuery | None = None) -> list[dict[str, str]]:
        with self.lock:
            every = {e[1] for e in self.entries}
        return [dict(s) for s in sorted(every) if query is None or query.selects(dict(s))]


def _matches(actual: str, op: str, value: str) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    full = re.fullmatch(value, actual) is not None  # Loki anchors label regexes
    return full if op == "=~" else not full


def _unquote(text: str) -> str:
    return json.loads(f'"{text}"')


def _timestamp(value: str | None, default: int) -> int:
    """Loki's rules: float seconds, integer seconds (≤ 10 digits) or nanoseconds, or RFC 3339."""
    if not value:
        return default
    if "." in value:
        try:
            return int(float(value) * 1e9)
        except ValueError:
            pass
    if value.isdigit():
        return int(value) * 10**9 if len(value) <= 10 else int(value)
    return int(datetime.fromisoformat(value).timestamp() * 1e9)


def serve_loki_standin(port: int, data_dir: Path) -> None:
    """Answer the Loki HTTP API calls golive makes, on 127.0.0.1:``port``, until killed."""
    store = LogStore(data_dir)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            try:
                if url.path == "/ready":
                    return self._send(200, b"ready\n", "text/plain")
                if url.path == "/metrics":
                    return self._send(200, store.metrics().encode(), "text/plain; version=0.0.4")
                if url.path == "/loki/api/v1/status/buildinfo":
                    return self._json({"version": "golive-sandbox-standin", "revision": "", "branch": ""})
                if url.path in ("/loki/api/v1/query_range", "/loki/api/v1/query"):
                    return self._json({"status": "success", "data": self._streams(url.path, params)})
                if url.path == "/loki/api/v1/labels":
                    return self._json({"status": "success", "data": sorted({k for s in store.series() for k in s})})
                if url.path.startswith("/loki/api/v1/label/") and url.path.endswith("/values"):
                    name = url.path.split("/")[-2]
                    values = sorted({s[name] for s in store.series() if name in s})
                    return self._json({"status": "success", "data": values})
                if url.path == "/loki/api/v1/series":
                    selectors = parse_qs(url.query).get("match[]", []) or parse_qs(url.query).get("match", [])
                    found = [s for q in selectors for s in store.series(LogQuery.parse(q))] if selectors else []
                    return self._json({"status": "success", "data": found})
                self._send(404, b"404 page not found\n", "text/plain")
            except (ValueError, KeyError) as error:
                self._send(400, f"{error}\n".encode(), "text/plain")

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/loki/api/v1/push":
                return self._send(404, b"404 page not found\n", "text/plain")
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._send(415, b"the sandbox's Loki stand-in takes JSON pushes only\n", "text/plain")
            try:
                store.push(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            except (ValueError, KeyError, TypeError) as error:
                return self._send(400, f"{error}\n".encode(), "text/plain")
            self._send(204, b"", "text/plain")

        def _streams(self, path: str, params: dict[str, str]) -> dict[str, Any]:
            now = time.time_ns()
            if path.endswith("/query"):
                end = _timestamp(params.get("time"), now) + 1
                start = end - 3600 * 10**9
            else:
                end = _timestamp(params.get("end"), now)
                start = _timestamp(params.get("start"), end - 3600 * 10**9)
            query = LogQuery.parse(params["query"])
            forward = params.get("direction", "backward").lower() == "forward"
            result = store.query(query, start, end, int(params.get("limit", 100)), forward)
            return {"resultType": "streams", "result": result, "stats": {}}

        def _json(self, body: Any) -> None:
            self._send(200, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the stand-in's log would only repeat every push

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__" and sys.argv[1:2] == ["loki-standin"]:
    serve_loki_standin(int(sys.argv[2]), Path(sys.argv[3]))
