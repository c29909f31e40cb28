"""Alertmanager (MON-05): status, and whether any alert can reach a person.

Read from ``/api/v2/status``: version, uptime, cluster status and the loaded
configuration (``config.original``). Only receiver names, their integration kinds
and the route tree are kept as evidence: a configuration holds webhook URLs,
SMTP passwords and API keys, so its text never reaches a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from golive.checks.monitoring import MonitoringClient, System
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict


@dataclass(frozen=True)
class Receiver:
    """A receiver and the kinds of integrations it sends to (``webhook``, ``email`` ...)."""

    name: str
    integrations: tuple[str, ...]

    @property
    def is_null(self) -> bool:
        """A receiver without any integration drops every alert routed to it."""
        return not self.integrations

    def __str__(self) -> str:
        return f"{self.name} ({', '.join(self.integrations) or 'no integration: null'})"


@dataclass(frozen=True)
class AlertmanagerStatus:
    version: str
    uptime: str
    cluster: str
    receivers: tuple[Receiver, ...]
    routed: tuple[str, ...]

    def __str__(self) -> str:
        return f"Alertmanager {self.version}, up since {self.uptime}, cluster {self.cluster}"


def status(client: MonitoringClient, system: System, evidence: Evidence) -> AlertmanagerStatus:
    answer = client.get(system, "/api/v2/status", evidence, excerpt=_excerpt)
    return parse_status(answer.body)


def parse_status(body: Any) -> AlertmanagerStatus:
    """An ``/api/v2/status`` answer → its status and receivers (the configuration's YAML parsed)."""
    try:
        original = body["config"]["original"]
        config = yaml.safe_load(original) or {}
    except (KeyError, TypeError, yaml.YAMLError) as exc:
        raise TargetError(f"alertmanager: /api/v2/status has no readable config.original ({exc})") from None
    receivers = tuple(
        Receiver(
            str(r.get("name", "")),
            tuple(sorted(k.removesuffix("_configs") for k, v in r.items() if k.endswith("_configs") and v)),
        )
        for r in config.get("receivers") or []
    )
    routed = tuple(dict.fromkeys(_routed(config.get("route") or {})))
    return AlertmanagerStatus(
        str(body.get("versionInfo", {}).get("version", "?")),
        str(body.get("uptime", "?")),
        str(body.get("cluster", {}).get("status", "?")),
        receivers,
        routed,
    )


def judge_receivers(found: AlertmanagerStatus) -> Verdict:
    """MON-05: at least one receiver the route tree uses sends somewhere (is not null)."""
    by_name = {r.name: r for r in found.receivers}
    used = [by_name[name] for name in found.routed if name in by_name]
    live = [r for r in used if not r.is_null]
    comparisons = [
        Comparison(
            f"routed receiver {r.name}: integrations", ", ".join(r.integrations) or "none", "!=", "none", not r.is_null
        )
        for r in used
    ]
    comparisons.append(Comparison("routed receivers with an integration", len(live), ">=", 1, bool(live)))
    listed = "; ".join(map(str, found.receivers)) or "none"
    if not live:
        return Verdict(
            False,
            f"{found}: no routed receiver sends anywhere (receivers: {listed}; routes use: {', '.join(found.routed)})",
            comparisons,
        )
    return Verdict(True, f"{found}: alerts reach {', '.join(map(str, live))}", comparisons)


def _routed(route: dict[str, Any]) -> Iterator[str]:
    if route.get("receiver"):
        yield str(route["receiver"])
    for child in route.get("routes") or []:
        yield from _routed(child)


def _excerpt(body: Any) -> str:
    try:
        parsed = parse_status(body)
    except TargetError as error:
        return str(error)
    return (
        f"{parsed}\nreceivers: " + ("; ".join(map(str, parsed.receivers)) or "none")
        + f"\nroutes use: {', '.join(parsed.routed) or 'none'}\n(config.original withheld: it holds secrets)"
    )  # fmt: skip
