"""Parsers and judges of the monitoring checks, on response shapes.

Prometheus, Alertmanager and Loki answers here have the shapes the real sandbox
stack returns (tests/test_criteria_monitoring.py runs them live). The Grafana
answers are Grafana's DOCUMENTED response shapes only: no Grafana server was run,
so MON-07 is not yet verified against a live Grafana.
"""

from __future__ import annotations

from golive.checks import alertmanager, grafana, loki, prometheus
from golive.inventory import GrafanaApi, GrafanaDashboard, Host, HostMonitoring, PrometheusApi


def target(job: str, instance: str, health: str = "up", error: str = "", **labels: str) -> dict:
    return {
        "labels": {"job": job, "instance": instance, **labels},
        "scrapeUrl": f"http://{instance}/metrics",
        "health": health,
        "lastError": error,
    }


def test_targets_judged_up_and_unknown_is_not_up() -> None:
    found = prometheus.parse_targets(
        {"activeTargets": [target("node", "10.0.0.5:9100"), target("app", "10.0.0.6:8080", "unknown")]}
    )
    verdict = prometheus.judge_targets(found)
    assert not verdict.passed
    assert "job=app instance=10.0.0.6:8080: unknown (never scraped yet), expected up" in verdict.summary
    assert not prometheus.judge_targets([]).passed


def test_host_matched_by_label_or_by_address() -> None:
    found = prometheus.parse_targets(
        {
            "activeTargets": [
                target("node", "10.0.0.5:9100"),
                target("node", "127.0.0.1:19201", host="h2"),
                target("blackbox", "https://[2001:db8::7]/health"),
            ]
        }
    )
    settings = PrometheusApi(url="http://prom:9090")
    by_address = Host(name="web1", backend="ssh://root@10.0.0.5:22")
    labels, addresses = prometheus.host_selectors(by_address, settings)
    assert (labels, addresses) == ({"host": "web1"}, ("10.0.0.5",))
    assert [t.instance for t in prometheus.host_targets(found, labels, addresses)] == ["10.0.0.5:9100"]
    by_label = Host(name="h2", backend="local://")
    assert [t.instance for t in prometheus.host_targets(found, *prometheus.host_selectors(by_label, settings))] == [
        "127.0.0.1:19201"
    ]
    probed = Host(name="api", backend="local://", monitoring=HostMonitoring(addresses=("2001:db8:0::7",)))
    assert len(prometheus.host_targets(found, *prometheus.host_selectors(probed, settings))) == 1
    blind = Host(name="db", backend="local://")
    verdict = prometheus.judge_host_coverage("db", [], *prometheus.host_selectors(blind, settings))
    assert not verdict.passed and verdict.summary == 'db is blind: no Prometheus target matches host="db"'


def test_alerts_fail_only_listed_severities_and_broken_rules() -> None:
    warning = prometheus.Alert("DiskFilling", "firing", "warning", {"alertname": "DiskFilling"})
    pending = prometheus.Alert("Down", "pending", "critical", {"alertname": "Down"})
    ok_rule = prometheus.Rule("g", "DiskFilling", "alerting", "ok", "")
    assert prometheus.judge_alerts_and_rules([warning, pending], [ok_rule], ["critical"]).passed
    broken = prometheus.Rule("g", "r", "recording", "err", "many-to-many matching not allowed")
    verdict = prometheus.judge_alerts_and_rules([warning], [ok_rule, broken], ["critical"])
    assert not verdict.passed and "g/r: many-to-many matching not allowed" in verdict.summary


def test_alertmanager_receivers_must_be_routed_and_send_somewhere() -> None:
    def status(config: str) -> dict:
        return {"config": {"original": config}, "versionInfo": {"version": "0.25.0"}, "cluster": {"status": "ready"}}

    null_routed = status(
        "route: {receiver: blackhole}\n"
        "receivers:\n- name: blackhole\n- name: pager\n  pagerduty_configs: [{routing_key: x}]\n"
    )
    parsed = alertmanager.parse_status(null_routed)
    assert parsed.routed == ("blackhole",)
    assert not alertmanager.judge_receivers(parsed).passed  # pager exists but nothing routes to it
    child = status(
        "route:\n  receiver: blackhole\n  routes: [{receiver: pager, matchers: ['severity=critical']}]\n"
        "receivers:\n- name: blackhole\n- name: pager\n  pagerduty_configs: [{routing_key: x}]\n"
    )
    assert alertmanager.judge_receivers(alertmanager.parse_status(child)).passed


def test_loki_newest_entry_and_its_age() -> None:
    data = {
        "resultType": "streams",
        "result": [
            {"stream": {"host": "h1", "unit": "a"}, "values": [["1700000000000000000", "old"]]},
            {"stream": {"host": "h1", "unit": "b"}, "values": [["1700000060000000000", "newer"]]},
        ],
    }
    newest = loki.parse_newest(data, '{host="h1"}', 0)
    assert (newest.timestamp_ns, newest.line) == (1700000060000000000, "newer")
    now = 1700000060000000000 + 30 * loki.NS
    assert loki.judge_freshness("h1", newest, 900, now).passed
    assert loki.selector({"host": 'we"ird'}) == '{host="we\\"ird"}'


def test_grafana_documented_shapes_dashboards_and_datasource_health() -> None:
    """Shapes from Grafana's HTTP API documentation, not from a running Grafana."""
    by_uid = GrafanaDashboard(uid="cIBgcSjkk")
    found = grafana.parse_dashboard(
        by_uid, 200, {"dashboard": {"id": 1, "uid": "cIBgcSjkk", "title": "Production Overview"}, "meta": {}}
    )
    assert found.exists and found.title == "Production Overview"
    assert not grafana.parse_dashboard(by_uid, 404, {"message": "Dashboard not found"}).exists
    by_title = GrafanaDashboard(title="Production Overview")
    hits = [
        {"uid": "a", "title": "Production Overview (old)", "type": "dash-db"},
        {"uid": "cIBgcSjkk", "title": "Production Overview", "type": "dash-db"},
    ]
    assert grafana.parse_search(by_title, hits).uid == "cIBgcSjkk"
    assert not grafana.parse_search(by_title, hits[:1]).exists
    source = {"id": 1, "uid": "P1809F7CD0C75ACF3", "name": "Prometheus", "type": "prometheus"}
    ok = grafana.parse_health(source, 200, {"status": "OK", "message": "Successfully queried the Prometheus API."})
    failing = grafana.parse_health(source, 400, {"status": "ERROR", "message": "connection refused"})
    unsupported = grafana.parse_health(source, 404, {"message": "Plugin health check not implemented"})
    settings = GrafanaApi(url="http://grafana:3000", dashboards=(by_uid,))
    assert grafana.judge(settings, [found], [ok, unsupported]).passed
    verdict = grafana.judge(settings, [found], [ok, failing])
    assert not verdict.passed and "datasources unhealthy: Prometheus: connection refused" in verdict.summary
