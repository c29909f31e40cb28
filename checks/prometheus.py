"""Prometheus (MON-01..04): targets, blackbox probe results, host coverage, alerts and rules.

Read through Prometheus's HTTP API: ``/api/v1/targets?state=active``, instant
queries of ``probe_success`` and ``probe_http_status_code`` (``/api/v1/query``),
``/api/v1/alerts`` and ``/api/v1/rules``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from golive.checks.monitoring import MonitoringClient, System, api_data
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.inventory import Host, PrometheusApi
from golive.redact import shorten


@dataclass(frozen=True)
class ScrapeTarget:
    """One active scrape target as Prometheus reports it."""

    job: str
    instance: str
    health: str
    last_error: str
    scrape_url: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_up(self) -> bool:
        return self.health == "up"

    @property
    def is_probe(self) -> bool:
        """A blackbox exporter probe (scraped at ``/probe``, by convention)."""
        return urlsplit(self.scrape_url).path.rstrip("/").endswith("/probe")

    @property
    def address(self) -> str:
        """The host part of ``instance`` (``10.0.0.5:9100`` → ``10.0.0.5``, a probed URL → its host)."""
        return _host_part(self.instance)

    def __str__(self) -> str:
        state = self.health if self.is_up else f"{self.health} ({self.last_error or 'never scraped yet'})"
        return f"job={self.job} instance={self.instance}: {state}"


def targets(client: MonitoringClient, system: System, evidence: Evidence) -> list[ScrapeTarget]:
    """Every active target (one shared ``/api/v1/targets`` answer per run)."""
    answer = client.get(system, "/api/v1/targets", evidence, {"state": "active"}, excerpt=_targets_excerpt)
    return parse_targets(api_data(answer, system))


def parse_targets(data: object) -> list[ScrapeTarget]:
    """The ``data`` of ``/api/v1/targets`` → targets (dropped targets are ignored)."""
    if not isinstance(data, dict) or not isinstance(data.get("activeTargets"), list):
        raise TargetError(f"prometheus: /api/v1/targets answered no activeTargets list: {shorten(data, 200)}")
    return [
        ScrapeTarget(
            job=str(t.get("labels", {}).get("job", t.get("scrapePool", ""))),
            instance=str(t.get("labels", {}).get("instance", "")),
            health=str(t.get("health", "unknown")),
            last_error=str(t.get("lastError", "")),
            scrape_url=str(t.get("scrapeUrl", "")),
            labels={str(k): str(v) for k, v in t.get("labels", {}).items()},
        )
        for t in data["activeTargets"]
    ]


def judge_targets(found: list[ScrapeTarget]) -> Verdict:
    """MON-01: every active target is up (``unknown``, never scraped yet, is not up)."""
    if not found:
        return Verdict(False, "Prometheus has no active scrape target: it monitors nothing")
    comparisons = [Comparison(f"job={t.job} instance={t.instance}", _health(t), "==", "up", t.is_up) for t in found]
    return Verdict.from_comparisons(comparisons, "scrape targets")


@dataclass(frozen=True)
class ProbeResult:
    """One blackbox probe: its latest ``probe_success`` and, when exported, HTTP status."""

    job: str
    instance: str
    success: float | None
    http_status: int | None = None
    target_error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.success == 1

    @property
    def outcome(self) -> str:
        if self.success is None:
            return f"no result ({self.target_error or 'no probe_success series'})"
        status = f", HTTP {self.http_status}" if self.http_status else ""
        return f"{self.success:g}{status}"


def probes(client: MonitoringClient, system: System, evidence: Evidence) -> list[ProbeResult]:
    """Every blackbox probe: ``probe_success`` series, plus probe targets that produced none."""
    settings = system.api
    assert isinstance(settings, PrometheusApi)
    selector = ""
    if settings.probe_jobs is not None:
        selector = '{job=~"' + "|".join(_regex_escape(job) for job in settings.probe_jobs) + '"}'
    success = _vector(client, system, evidence, f"probe_success{selector}")
    status = _vector(client, system, evidence, f"probe_http_status_code{selector}")
    found = [
        ProbeResult(job, instance, value, int(status[job, instance]) if (job, instance) in status else None)
        for (job, instance), value in sorted(success.items())
    ]
    for target in targets(client, system, evidence):
        chosen = settings.probe_jobs is None or target.job in settings.probe_jobs
        if chosen and target.is_probe and (target.job, target.instance) not in success:
            found.append(ProbeResult(target.job, target.instance, None, None, _health(target)))
    return found


def judge_probes(found: list[ProbeResult]) -> Verdict:
    """MON-02: every probe's latest ``probe_success`` is 1."""
    if not found:
        return Verdict(
            False, "no blackbox probe results in Prometheus (no probe_success series): no endpoint is probed"
        )
    comparisons = [
        Comparison(f"probe job={p.job} target={p.instance}", p.outcome, "==", "1", p.succeeded) for p in found
    ]
    return Verdict.from_comparisons(comparisons, "blackbox probes")


def host_selectors(host: Host, settings: PrometheusApi) -> tuple[dict[str, str], tuple[str, ...]]:
    """The labels and addresses that mark ``host``'s targets (declared, else the defaults)."""
    labels = dict(host.monitoring.labels) or {settings.host_label: host.name}
    addresses = host.monitoring.addresses or tuple(a for a in [_backend_address(host.backend)] if a)
    return labels, addresses


def host_targets(
    found: Iterable[ScrapeTarget], labels: Mapping[str, str], addresses: Iterable[str]
) -> list[ScrapeTarget]:
    """The targets that belong to a host: all ``labels`` match, or the instance's address is one of ``addresses``."""
    wanted = {_normal(a) for a in addresses}
    return [t for t in found if all(t.labels.get(k) == v for k, v in labels.items()) or _normal(t.address) in wanted]


def judge_host_coverage(
    host: str, mine: list[ScrapeTarget], labels: Mapping[str, str], addresses: Iterable[str]
) -> Verdict:
    """MON-03: at least one of the host's targets is up; otherwise the host is a blind spot."""
    how = " or ".join([", ".join(f'{k}="{v}"' for k, v in labels.items())] + [f"address {a}" for a in addresses])
    up = [t for t in mine if t.is_up]
    comparison = Comparison(f"{host}: scrape targets up (matched by {how})", len(up), ">=", 1, bool(up))
    if up:
        return Verdict(True, f"{host} is scraped: " + "; ".join(map(str, up)), [comparison])
    if mine:
        return Verdict(
            False, f"{host} is blind: its only targets are not up: " + "; ".join(map(str, mine)), [comparison]
        )
    return Verdict(False, f"{host} is blind: no Prometheus target matches {how}", [comparison])


@dataclass(frozen=True)
class Alert:
    name: str
    state: str
    severity: str
    labels: Mapping[str, str]
    active_at: str = ""

    def __str__(self) -> str:
        rest = ", ".join(f"{k}={v}" for k, v in sorted(self.labels.items()) if k not in ("alertname", "severity"))
        return f"{self.name} [{self.severity or 'no severity'}] {self.state} since {self.active_at}" + (
            f" ({rest})" if rest else ""
        )


@dataclass(frozen=True)
class Rule:
    group: str
    name: str
    kind: str
    health: str
    last_error: str

    @property
    def is_healthy(self) -> bool:
        """``ok``, or ``unknown`` (loaded, not evaluated yet); ``err`` is a failing evaluation."""
        return self.health != "err"


def alerts(client: MonitoringClient, system: System, evidence: Evidence) -> list[Alert]:
    answer = client.get(system, "/api/v1/alerts", evidence, excerpt=_alerts_excerpt)
    data = api_data(answer, system)
    return [
        Alert(
            str(a.get("labels", {}).get("alertname", "")),
            str(a.get("state", "")),
            str(a.get("labels", {}).get("severity", "")),
            {str(k): str(v) for k, v in a.get("labels", {}).items()},
            str(a.get("activeAt", "")),
        )
        for a in data.get("alerts", [])
    ]


def rules(client: MonitoringClient, system: System, evidence: Evidence) -> list[Rule]:
    answer = client.get(system, "/api/v1/rules", evidence, excerpt=_rules_excerpt)
    data = api_data(answer, system)
    return [
        Rule(str(g.get("name", "")), str(r.get("name", "")), str(r.get("type", "")), str(r.get("health", "")),
             str(r.get("lastError", "")))
        for g in data.get("groups", [])
        for r in g.get("rules", [])
    ]  # fmt: skip


def judge_alerts_and_rules(found: list[Alert], loaded: list[Rule], severities: Iterable[str]) -> Verdict:
    """MON-04: no firing alert of the given severities; no rule failing to evaluate."""
    severities = tuple(severities)
    firing = [a for a in found if a.state == "firing"]
    bad = [a for a in firing if a.severity in severities]
    comparisons = [Comparison(f"alerts firing with severity {'/'.join(severities)}", len(bad), "==", 0, not bad)]
    comparisons += [Comparison(f"firing: {a}", "firing", "!=", "firing", False) for a in bad]
    broken = [r for r in loaded if not r.is_healthy]
    comparisons.append(Comparison(f"rules failing to evaluate (of {len(loaded)})", len(broken), "==", 0, not broken))
    comparisons += [
        Comparison(f"{r.kind} rule {r.group}/{r.name}", f"{r.health}: {r.last_error}", "==", "ok", False)
        for r in broken
    ]
    if bad or broken:
        parts = []
        if bad:
            parts.append(f"{len(bad)} {'/'.join(severities)} alert(s) firing: " + "; ".join(map(str, bad)))
        if broken:
            parts.append(
                f"{len(broken)} rule(s) failing: " + "; ".join(f"{r.group}/{r.name}: {r.last_error}" for r in broken)
            )
        return Verdict(False, "; ".join(parts), comparisons)
    by_severity = _count(a.severity or "none" for a in firing)
    other = ", ".join(f"{n} {s}" for s, n in sorted(by_severity.items())) or "none"
    return Verdict(
        True,
        f"no {'/'.join(severities)} alert firing (firing otherwise: {other}); {len(loaded)} rules healthy",
        comparisons,
    )


def _vector(client: MonitoringClient, system: System, evidence: Evidence, promql: str) -> dict[tuple[str, str], float]:
    answer = client.get(system, "/api/v1/query", evidence, {"query": promql}, excerpt=_vector_excerpt)
    data = api_data(answer, system)
    if data.get("resultType") != "vector":
        raise TargetError(f"prometheus: {promql} did not answer a vector: {shorten(data, 200)}")
    return {
        (str(r["metric"].get("job", "")), str(r["metric"].get("instance", ""))): float(r["value"][1])
        for r in data.get("result", [])
    }


def _health(target: ScrapeTarget) -> str:
    if target.is_up:
        return "up"
    return f"{target.health} ({target.last_error or 'never scraped yet'})"


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _host_part(instance: str) -> str:
    parts = urlsplit(instance if "//" in instance else f"//{instance}")
    try:
        return parts.hostname or instance
    except ValueError:
        return instance


def _normal(address: str) -> str:
    text = address.strip().strip("[]").lower()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _backend_address(backend: str) -> str:
    """``ssh://user@10.0.0.5:2222`` → ``10.0.0.5``; ``local://`` → ``""``."""
    if "://" not in backend or backend.startswith("local://"):
        return ""
    return urlsplit(backend).hostname or ""


def _regex_escape(text: str) -> str:
    return "".join(f"\\\\{c}" if c in ".^$*+?()[]{}|\\" else c for c in text)


def _targets_excerpt(body: object) -> str:
    try:
        active = body["data"]["activeTargets"]  # type: ignore[index]
    except (KeyError, TypeError):
        return shorten(body, 1000)
    lines = [
        f"job={t.get('labels', {}).get('job', '')} instance={t.get('labels', {}).get('instance', '')} "
        f"health={t.get('health', '')} lastError={t.get('lastError', '')!r}"
        for t in active
    ]
    return f"{len(active)} active targets:\n" + "\n".join(lines)


def _vector_excerpt(body: object) -> str:
    try:
        result = body["data"]["result"]  # type: ignore[index]
    except (KeyError, TypeError):
        return shorten(body, 1000)
    return (
        "\n".join(
            "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(r["metric"].items())) + "} " + str(r["value"][1])
            for r in result
        )
        or "(empty vector)"
    )


def _alerts_excerpt(body: object) -> str:
    try:
        found = body["data"]["alerts"]  # type: ignore[index]
    except (KeyError, TypeError):
        return shorten(body, 1000)
    return (
        "\n".join(
            f"{a['labels'].get('alertname', '')} severity={a['labels'].get('severity', '')} state={a.get('state', '')}"
            for a in found
        )
        or "(no active alerts)"
    )


def _rules_excerpt(body: object) -> str:
    try:
        groups = body["data"]["groups"]  # type: ignore[index]
    except (KeyError, TypeError):
        return shorten(body, 1000)
    return (
        "\n".join(
            f"{g.get('name', '')}/{r.get('name', '')} {r.get('type', '')} health={r.get('health', '')}"
            + (f" state={r['state']}" if r.get("state") else "")
            + (f" lastError={r['lastError']!r}" if r.get("lastError") else "")
            for g in groups
            for r in g.get("rules", [])
        )
        or "(no rules loaded)"
    )
