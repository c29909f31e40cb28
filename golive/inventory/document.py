"""The top-level shape of hosts.yaml."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from golive.inventory.ansible_hosts import AnsibleSource
from golive.inventory.clusters import KubeCluster
from golive.inventory.credentials import Credential
from golive.inventory.endpoints import IN_CLEAR, has_userinfo, sends_in_clear, without_userinfo
from golive.inventory.grading import RubricSection, Waiver
from golive.inventory.hosts import HostSettings
from golive.inventory.logs import LogPattern
from golive.inventory.monitoring import MonitoringSettings
from golive.inventory.section import NAME, Duration, Section


class InventoryFile(Section):
    """The top-level shape of hosts.yaml."""

    hosts: dict[str, dict[str, Any]] = {}
    defaults: HostSettings = HostSettings()
    hosts_from: AnsibleSource | None = None
    """Hosts read from an Ansible inventory, reached with its connection variables."""
    group_defaults: dict[str, HostSettings] = {}
    """Settings per group of ``hosts_from``'s inventory, merged as ``defaults:`` are, in
    Ansible's group order; a host's own entry under ``hosts:`` wins over all of them."""
    credentials: dict[str, Credential] = {}
    waivers: tuple[Waiver, ...] = ()
    rubric: RubricSection = RubricSection()
    window: Duration = 86400.0
    monitoring: MonitoringSettings = MonitoringSettings()
    log_patterns: tuple[LogPattern, ...] = ()
    kubernetes: dict[Annotated[str, Field(pattern=NAME)], KubeCluster] = {}

    @model_validator(mode="after")
    def _groups_need_a_source(self) -> InventoryFile:
        if self.group_defaults and self.hosts_from is None:
            raise ValueError("group_defaults: needs hosts_from: (an Ansible inventory whose groups it names)")
        return self

    @model_validator(mode="after")
    def _monitoring_credentials(self) -> InventoryFile:
        for name, api in self.monitoring.declared().items():
            if api.credential is not None and api.credential not in self.credentials:
                known = ", ".join(self.credentials) or "none declared"
                raise ValueError(
                    f"monitoring.{name}.credential: {api.credential!r} is not under credentials: (known: {known})"
                )
            if (api.credential is not None or has_userinfo(api.url)) and sends_in_clear(api.url):
                raise ValueError(f"monitoring.{name}.url: " + IN_CLEAR.format(url=without_userinfo(api.url)))
        return self
