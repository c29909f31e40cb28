"""Monitoring criteria: the monitoring stack itself works, sees every host and reaches a person.

Each reads a system the inventory declares under ``monitoring:`` through its HTTP
API; a system not declared makes its criteria not applicable.
"""

from __future__ import annotations

import pytest

from golive.checks import alertmanager as am
from golive.checks import grafana as gf
from golive.checks import loki
from golive.checks import prometheus as prom
from golive.checks.monitoring import MonitoringClient, System
from golive.evidence import Evidence
from golive.fixtures.monitoring import WatchedHost
from golive.inventory import GrafanaApi, Inventory, LokiApi, PrometheusApi


@pytest.mark.critical
@pytest.mark.criterion("MON-01", category="Monitoring")
def test_prometheus_targets_up(prometheus: System, monitoring_client: MonitoringClient, evidence: Evidence) -> None:
    """Every Prometheus scrape target is up.

    Lists every active target with its job, instance, health and last scrape error
    (``/api/v1/targets``); a target never scraped yet (``unknown``) is not up.

    Why: a down target is a silent gap: its alerts cannot fire and its dashboards go
    flat, and nobody notices until the incident it was meant to catch.

    Fix: start the exporter or fix the address, port, TLS or credentials the lastError
    names; remove targets that no longer exist from the scrape configuration.

    Keys: monitoring.prometheus.url, .credential, .timeout (10s), .ca_bundle.
    """
    evidence.conclude(prom.judge_targets(prom.targets(monitoring_client, prometheus, evidence)))


@pytest.mark.critical
@pytest.mark.criterion("MON-02", category="Monitoring")
def test_blackbox_probes_succeed(prometheus: System, monitoring_client: MonitoringClient, evidence: Evidence) -> None:
    """Every blackbox probe succeeds (probe_success is 1).

    Read from Prometheus: the latest ``probe_success`` per probe (with
    ``probe_http_status_code`` when the prober exports it), plus every probe target
    (scraped at ``/probe``) that produced no result. ``monitoring.prometheus.probe_jobs``
    limits it to some jobs; no probe at all fails (nothing watches the endpoints).

    Why: a probe that fails is a user-facing endpoint that is down, refused (403) or
    broken right now, as its users see it.

    Fix: fix the endpoint the probe names (status, TLS, redirect), or the probe's
    module if it expects the wrong thing.

    Keys: monitoring.prometheus.url, .probe_jobs (default: every probe_success series).
    """
    evidence.conclude(prom.judge_probes(prom.probes(monitoring_client, prometheus, evidence)))


@pytest.mark.warning
@pytest.mark.criterion("MON-03", category="Monitoring")
def test_every_host_is_scraped(
    scraped_host: WatchedHost, monitoring_client: MonitoringClient, evidence: Evidence
) -> None:
    """Every inventory host has at least one Prometheus target that is up (no blind spots).

    A target belongs to a host when it carries the host's labels
    (``hosts.<name>.monitoring.labels``, default ``{<monitoring.prometheus.host_label>:
    <host name>}``, host_label default ``host``) or when its instance's address is one of
    ``hosts.<name>.monitoring.addresses`` (default: the address in ``backend``).

    Why: a host no target watches has no metrics and no alerts: its disk fills and its
    services die unseen.

    Fix: add the host's exporter to Prometheus's scrape configuration with a ``host``
    label (or declare the address it is scraped under in hosts.yaml).

    Keys: monitoring.prometheus.url, .host_label (host); hosts.<name>.monitoring.labels
    (default {host: <name>}), .addresses (default: the backend's address).
    """
    host, system = scraped_host.host, scraped_host.system
    settings = system.api
    assert isinstance(settings, PrometheusApi)
    labels, addresses = prom.host_selectors(host, settings)
    found = prom.targets(monitoring_client, system, evidence)
    mine = prom.host_targets(found, labels, addresses)
    evidence.conclude(prom.judge_host_coverage(host.name, mine, labels, addresses))


@pytest.mark.warning
@pytest.mark.criterion("MON-04", category="Monitoring")
def test_no_critical_alert_firing(prometheus: System, monitoring_client: MonitoringClient, evidence: Evidence) -> None:
    """No alert of critical severity is firing, and every rule evaluates without error.

    Firing alerts are read from ``/api/v1/alerts`` by their ``severity`` label
    (``monitoring.prometheus.alert_severities``, default ``[critical]``); rule health and
    lastError from ``/api/v1/rules``.

    Why: going live with a critical alert already firing means going live broken; a rule
    that fails to evaluate is an alert that can never fire.

    Fix: resolve the firing alert's cause (or silence it with an owner and an end date);
    fix the rule's expression the lastError names.

    Keys: monitoring.prometheus.url, .alert_severities ([critical]).
    """
    settings = prometheus.api
    assert isinstance(settings, PrometheusApi)
    found = prom.alerts(monitoring_client, prometheus, evidence)
    loaded = prom.rules(monitoring_client, prometheus, evidence)
    evidence.conclude(prom.judge_alerts_and_rules(found, loaded, settings.alert_severities))


@pytest.mark.warning
@pytest.mark.criterion("MON-05", category="Monitoring")
def test_alertmanager_has_a_real_receiver(
    alertmanager: System, monitoring_client: MonitoringClient, evidence: Evidence
) -> None:
    """Alertmanager answers and routes alerts to at least one receiver that sends somewhere.

    Reads ``/api/v2/status`` (version, uptime, cluster status, loaded configuration); a
    receiver without any integration (``null``) drops what is routed to it. Only
    receiver names and integration kinds are kept as evidence, never the configuration.

    Why: alerts routed only to a null receiver are evaluated, grouped and then thrown
    away: monitoring that pages nobody.

    Fix: give the route a receiver with a real integration (email, webhook, Slack,
    PagerDuty ...) and reload Alertmanager.

    Keys: monitoring.alertmanager.url, .credential, .timeout (10s).
    """
    evidence.conclude(am.judge_receivers(am.status(monitoring_client, alertmanager, evidence)))


@pytest.mark.warning
@pytest.mark.criterion("MON-06", category="Monitoring")
def test_host_logs_reach_loki(
    logging_host: WatchedHost, monitoring_client: MonitoringClient, inventory: Inventory, evidence: Evidence
) -> None:
    """Loki received a log line from every inventory host within the last N minutes (default 15).

    Asks Loki (``/loki/api/v1/query_range``, ``direction=backward``, ``limit=1``) for the
    newest line of the host's streams (``hosts.<name>.monitoring.log_labels``, default
    ``{<monitoring.loki.host_label>: <host name>}``) within ``monitoring.loki.freshness``
    (15m); when there is none, how old the newest line of the last ``window`` is.

    MON-06 verified only against a Loki API stand-in (no Loki binary is available
    here), not yet against a live Loki.

    Why: a host whose logs stopped arriving leaves the next incident without a trace:
    the shipper died, its position file broke, or the host cannot reach Loki.

    Fix: restart the host's log shipper (promtail, Alloy, Vector) and check its errors
    and its labels.

    Keys: monitoring.loki.url, .host_label (host), .freshness (15m), .tenant (X-Scope-
    OrgID); hosts.<name>.monitoring.log_labels; hosts.<name>.clock.future_tolerance (5m:
    a newest line further ahead of the runner's clock fails as dated in the future);
    window (24h). MON-06 verified only
    against a Loki API stand-in (no Loki binary is available here), not yet against a
    live Loki.
    """
    host, system = logging_host.host, logging_host.system
    settings = system.api
    assert isinstance(settings, LokiApi)
    labels = dict(host.monitoring.log_labels) or {settings.host_label: host.name}
    now = loki.now_ns()
    span = int(max(inventory.window, settings.freshness) * loki.NS)
    fresh = loki.newest(
        monitoring_client, system, evidence, labels, now - int(settings.freshness * loki.NS), now + span
    )
    older = None
    if fresh.timestamp_ns is None:
        older = loki.newest(monitoring_client, system, evidence, labels, now - span, now + span)
    tolerance = host.clock.future_tolerance
    evidence.conclude(loki.judge_freshness(host.name, fresh, settings.freshness, now, older, tolerance))


@pytest.mark.warning
@pytest.mark.criterion("MON-07", category="Monitoring")
def test_grafana_dashboards_and_datasources(
    grafana: System, monitoring_client: MonitoringClient, evidence: Evidence
) -> None:
    """Declared Grafana dashboards exist and every Grafana datasource is healthy.

    Dashboards by uid (``/api/dashboards/uid/:uid``) or exact title (``/api/search``),
    from ``monitoring.grafana.dashboards``; every datasource of ``/api/datasources`` by
    its health check (``/api/datasources/uid/:uid/health``; one without a health check
    is noted, not judged).

    Not yet verified against a live Grafana: no Grafana server could be run where golive
    is developed; it follows Grafana's documented HTTP API.

    Why: a dashboard that is missing or a datasource that errors is found out in the
    middle of an incident, when the graphs are needed.

    Fix: import or restore the dashboard (provisioning), fix the datasource's URL or
    credentials the health message names.

    Keys: monitoring.grafana.url, .credential (token or basic auth), .dashboards (list
    of uid: or title:). Not yet verified against a live Grafana.
    """
    settings = grafana.api
    assert isinstance(settings, GrafanaApi)
    boards = [gf.dashboard(monitoring_client, grafana, evidence, declared) for declared in settings.dashboards]
    sources = gf.datasources(monitoring_client, grafana, evidence)
    evidence.conclude(gf.judge(settings, boards, sources))
