"""Grafana (MON-07): declared dashboards exist; every datasource answers its health check.

Written against Grafana's documented HTTP API — ``GET /api/dashboards/uid/:uid``
(404 when missing), ``GET /api/search?type=dash-db&query=TITLE`` (the title is then
compared exactly), ``GET /api/datasources`` and ``GET /api/datasources/uid/:uid/health``
(200 ``{"status": "OK"}``; 400 or 500 ``{"status": "ERROR", "message": ...}``; 404
when the datasource's plugin has no health check, noted but not judged).

Not yet verified against a live Grafana: no registry this project reaches ships a
Grafana server (see docs/sandbox.md), so only the parsing of documented response shapes is tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from golive.checks.monitoring import MonitoringClient, System
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.inventory import GrafanaApi, GrafanaDashboard
from golive.redact import shorten


@dataclass(frozen=True)
class DashboardFound:
    declared: GrafanaDashboard
    uid: str | None
    title: str | None

    @property
    def exists(self) -> bool:
        return self.uid is not None


@dataclass(frozen=True)
class DatasourceHealth:
    uid: str
    name: str
    type: str
    status: str
    message: str

    @property
    def judged(self) -> bool:
        return self.status != "NOT SUPPORTED"

    @property
    def healthy(self) -> bool:
        return self.status == "OK"


def dashboard(
    client: MonitoringClient, system: System, evidence: Evidence, declared: GrafanaDashboard
) -> DashboardFound:
    if declared.uid is not None:
        answer = client.get(
            system,
            f"/api/dashboards/uid/{quote(declared.uid, safe='')}",
            evidence,
            accept=(200, 404),
            excerpt=_dashboard_excerpt,
        )
        return parse_dashboard(declared, answer.status, answer.body)
    answer = client.get(
        system, "/api/search", evidence, {"type": "dash-db", "query": declared.title or ""}, excerpt=_search_excerpt
    )
    return parse_search(declared, answer.body)


def parse_dashboard(declared: GrafanaDashboard, status: int, body: Any) -> DashboardFound:
    """``/api/dashboards/uid/:uid``: 200 with ``{"dashboard": {"uid", "title"}, "meta": ...}``, or 404."""
    if status == 404:
        return DashboardFound(declared, None, None)
    try:
        board = body["dashboard"]
        return DashboardFound(declared, str(board["uid"]), str(board.get("title", "")))
    except (KeyError, TypeError):
        raise TargetError(f"grafana: dashboard {declared} answered no dashboard object: {shorten(body, 200)}") from None


def parse_search(declared: GrafanaDashboard, body: Any) -> DashboardFound:
    """``/api/search``: a list of ``{"uid", "title", "type": "dash-db", ...}``; the title must match exactly."""
    if not isinstance(body, list):
        raise TargetError(f"grafana: /api/search answered no list: {shorten(body, 200)}")
    exact = [hit for hit in body if hit.get("type", "dash-db") == "dash-db" and hit.get("title") == declared.title]
    if not exact:
        return DashboardFound(declared, None, None)
    return DashboardFound(declared, str(exact[0].get("uid", "")), str(exact[0]["title"]))


def datasources(client: MonitoringClient, system: System, evidence: Evidence) -> list[DatasourceHealth]:
    answer = client.get(system, "/api/datasources", evidence, excerpt=_datasources_excerpt)
    if not isinstance(answer.body, list):
        raise TargetError(f"grafana: /api/datasources answered no list: {shorten(answer.body, 200)}")
    found = []
    for source in answer.body:
        uid = str(source.get("uid", ""))
        health = client.get(
            system, f"/api/datasources/uid/{quote(uid, safe='')}/health", evidence, accept=(200, 400, 404, 500, 503),
            excerpt=lambda body: shorten(body, 500),
        )  # fmt: skip
        found.append(parse_health(source, health.status, health.body))
    return found


def parse_health(source: dict[str, Any], status: int, body: Any) -> DatasourceHealth:
    """A datasource (from ``/api/datasources``) and its health answer → its health."""
    message = str(body.get("message", "")) if isinstance(body, dict) else shorten(body, 200)
    if status == 404:
        state = "NOT SUPPORTED"
    elif isinstance(body, dict) and body.get("status"):
        state = str(body["status"]).upper()
    else:
        state = "OK" if status == 200 else "ERROR"
    return DatasourceHealth(
        str(source.get("uid", "")), str(source.get("name", "")), str(source.get("type", "")), state, message
    )


def judge(declared: GrafanaApi, boards: list[DashboardFound], sources: list[DatasourceHealth]) -> Verdict:
    """MON-07: every declared dashboard exists and every judged datasource is healthy."""
    comparisons = [
        Comparison(f"dashboard {b.declared}", f"found ({b.title})" if b.exists else "missing", "==", "found", b.exists)
        for b in boards
    ]
    comparisons += [
        Comparison(
            f"datasource {s.name} ({s.type}, uid {s.uid})",
            shorten(f"{s.status}: {s.message}", 300),
            "==",
            "OK",
            s.healthy,
        )
        for s in sources
        if s.judged
    ]
    missing = [str(b.declared) for b in boards if not b.exists]
    sick = [f"{s.name}: {s.message or s.status}" for s in sources if s.judged and not s.healthy]
    if not declared.dashboards and not any(s.judged for s in sources):
        return Verdict(
            False, "nothing to judge: no dashboards declared and no datasource with a health check", comparisons
        )
    if missing or sick:
        parts = [f"dashboards missing: {', '.join(missing)}"] * bool(missing)
        parts += [f"datasources unhealthy: {'; '.join(sick)}"] * bool(sick)
        return Verdict(False, "; ".join(parts), comparisons)
    unjudged = [s.name for s in sources if not s.judged]
    extra = f" ({', '.join(unjudged)}: no health check)" if unjudged else ""
    return Verdict(
        True, f"{len(boards)} dashboards found, {len(sources) - len(unjudged)} datasources OK{extra}", comparisons
    )


def _dashboard_excerpt(body: Any) -> str:
    try:
        board = body["dashboard"]
        return f"uid={board.get('uid')} title={board.get('title')!r} version={board.get('version')}"
    except (KeyError, TypeError):
        return shorten(body, 500)


def _search_excerpt(body: Any) -> str:
    if not isinstance(body, list):
        return shorten(body, 500)
    return "\n".join(f"uid={h.get('uid')} title={h.get('title')!r} type={h.get('type')}" for h in body) or "(no hit)"


def _datasources_excerpt(body: Any) -> str:
    if not isinstance(body, list):
        return shorten(body, 500)
    return "\n".join(f"uid={s.get('uid')} name={s.get('name')!r} type={s.get('type')}" for s in body) or "(none)"
