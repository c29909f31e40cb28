"""The monitoring stack golive reads (MON-01..07) and how it names each host."""

from __future__ import annotations

from pydantic import Field, model_validator

from golive.inventory.section import Duration, Section


class HostMonitoring(Section):
    """MON-03/06: how the monitoring stack names this host.

    ``addresses``: addresses (or names) Prometheus scrapes it under, matched with a
    target's ``instance`` (default: the address in ``backend``); ``labels``: target
    labels that mark its targets (default ``{<prometheus.host_label>: <host name>}``);
    ``log_labels``: Loki stream labels of its logs (default ``{<loki.host_label>: <host name>}``).
    """

    addresses: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    log_labels: dict[str, str] = {}


class MonitoringApi(Section):
    """One monitoring system's HTTP API; ``credential`` names a ``credentials:`` entry
    (``token`` → bearer token, ``username``/``password`` → basic auth)."""

    url: str = Field(pattern=r"^https?://[^/\s]+(/\S*)?$")
    credential: str | None = None
    timeout: Duration = 10.0
    ca_bundle: str | None = None


class PrometheusApi(MonitoringApi):
    """MON-01..04: ``host_label`` maps targets to hosts; ``probe_jobs`` (default: every
    ``probe_success`` series) selects blackbox probes; ``alert_severities`` fail MON-04."""

    host_label: str = Field("host", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    probe_jobs: tuple[str, ...] | None = None
    alert_severities: tuple[str, ...] = ("critical",)


class LokiApi(MonitoringApi):
    """MON-06: ``host_label`` names a host's streams; a host's newest line must be
    younger than ``freshness``; ``tenant`` is sent as X-Scope-OrgID."""

    host_label: str = Field("host", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    freshness: Duration = 900.0
    tenant: str | None = None


class GrafanaDashboard(Section):
    """MON-07: a dashboard that must exist, by ``uid`` or by exact ``title``."""

    uid: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one_key(self) -> GrafanaDashboard:
        if (self.uid is None) == (self.title is None):
            raise ValueError("set either uid or title")
        return self

    def __str__(self) -> str:
        return f"uid {self.uid}" if self.uid is not None else f"title {self.title!r}"


class GrafanaApi(MonitoringApi):
    """MON-07: the dashboards that must exist; every datasource's health is checked."""

    dashboards: tuple[GrafanaDashboard, ...] = ()


class MonitoringSettings(Section):
    """The monitoring stack golive reads (MON-01..07); an undeclared system is not applicable."""

    prometheus: PrometheusApi | None = None
    alertmanager: MonitoringApi | None = None
    loki: LokiApi | None = None
    grafana: GrafanaApi | None = None

    def declared(self) -> dict[str, MonitoringApi]:
        """System name → its API settings, for the systems the inventory declares."""
        systems = {"prometheus": self.prometheus, "alertmanager": self.alertmanager}
        systems |= {"loki": self.loki, "grafana": self.grafana}
        return {name: api for name, api in systems.items() if api is not None}
