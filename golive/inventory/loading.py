"""hosts.yaml to the Inventory value, and the knowledge base file of log patterns."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.errors import InventoryError
from golive.inventory import ansible_hosts
from golive.inventory.clusters import KubeCluster
from golive.inventory.consistency import check_clusters, check_endpoints, check_names, check_pattern_ids
from golive.inventory.credentials import resolve_credentials
from golive.inventory.document import InventoryFile
from golive.inventory.errors import UnknownHost
from golive.inventory.grading import RubricSection, Waiver
from golive.inventory.hosts import Host
from golive.inventory.logs import LogPattern, LogPatternFile
from golive.inventory.monitoring import MonitoringSettings
from golive.inventory.reading import read_yaml, read_yaml_lines, validate
from golive.rubric import DEFAULT_RUBRIC, RubricConfig


@dataclass(frozen=True)
class Inventory:
    """The validated inventory: hosts, credentials, waivers and the rubric (a value; change
    it with ``dataclasses.replace``)."""

    path: Path | None
    digest: str
    hosts: tuple[Host, ...]
    credentials: dict[str, dict[str, str]]
    waivers: tuple[Waiver, ...]
    rubric: RubricConfig
    window: float
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    log_patterns: tuple[LogPattern, ...] = ()
    kubernetes: dict[str, KubeCluster] = field(default_factory=dict)
    kube_secrets: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> Inventory:
        """No hosts.yaml: no hosts, the default rubric and window."""
        return cls(path=None, digest="", hosts=(), credentials={}, waivers=(), rubric=DEFAULT_RUBRIC, window=86400.0)

    @property
    def secrets(self) -> list[str]:
        """Every secret value the inventory made golive read, for redaction."""
        return [value for fields in self.credentials.values() for value in fields.values()] + list(self.kube_secrets)

    def host(self, name: str) -> Host:
        """The host named ``name`` under ``hosts:``; UnknownHost if there is none."""
        for host in self.hosts:
            if host.name == name:
                return host
        raise UnknownHost(name, tuple(host.name for host in self.hosts))


def load_inventory(
    path: Path,
    rubric_file: Path | None = None,
    today: dt.date | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Inventory:
    """Read and validate ``path``; raise InventoryError with one precise line."""
    raw, digest, lines = read_yaml_lines(path)
    document = validate(InventoryFile, raw, str(path))
    rubric = document.rubric.apply(DEFAULT_RUBRIC)
    if rubric_file is not None:
        rubric = load_rubric(rubric_file, rubric)
    hosts = _hosts(document, path)
    credentials = resolve_credentials(document.credentials, environ, str(path))
    check_names(hosts, lines, str(path))
    check_endpoints(hosts, document.credentials, str(path))
    today = today or dt.date.today()
    for index, waiver in enumerate(document.waivers):
        if waiver.days_left(today) > rubric.max_waiver_days:
            raise InventoryError(
                str(path),
                f"waivers[{index}].expires",
                f"{waiver.expires} is more than {rubric.max_waiver_days} days ahead; "
                "choose an earlier date (rubric.max_waiver_days sets the limit)",
            )
    check_pattern_ids(document.log_patterns, str(path))
    kube_secrets = check_clusters(document.kubernetes, hosts, path)
    return Inventory(
        path=path, digest=digest, hosts=hosts, credentials=credentials, waivers=document.waivers, rubric=rubric,
        window=document.window, monitoring=document.monitoring, log_patterns=document.log_patterns,
        kubernetes=document.kubernetes, kube_secrets=kube_secrets,
    )  # fmt: skip


def load_rubric(path: Path, base: RubricConfig = DEFAULT_RUBRIC) -> RubricConfig:
    """``base`` with the overrides of a rubric file (``--rubric``); InventoryError with one line."""
    raw, _ = read_yaml(path)
    return validate(RubricSection, raw, str(path)).apply(base)


def _hosts(document: InventoryFile, path: Path) -> tuple[Host, ...]:
    """``hosts:`` entries on ``defaults:``; first those of ``hosts_from:``, each on its
    connection settings and ``group_defaults:`` in Ansible's group order."""
    defaults = document.defaults.model_dump(exclude_unset=True)
    own = dict(document.hosts)
    hosts = []
    if document.hosts_from is not None:
        read = ansible_hosts.read(document.hosts_from, path)
        for group in document.group_defaults:
            if group not in read.groups:
                where = ansible_hosts.source_path(document.hosts_from, path)
                raise InventoryError(
                    str(path), f"group_defaults.{group}", f"no group {group!r} in {where}; name one of its groups"
                )
        for found in read.hosts:
            groups = [document.group_defaults[g].model_dump(exclude_unset=True) for g in found.groups
                      if g in document.group_defaults]  # fmt: skip
            entry = own.pop(found.name, None)
            hosts.append(_host(found.name, [defaults, found.settings, *groups], entry or {}, path))
    hosts += [_host(name, [defaults], settings, path) for name, settings in own.items()]
    return tuple(hosts)


def _host(name: str, layers: list[dict[str, Any]], settings: dict[str, Any], path: Path) -> Host:
    if not isinstance(settings, Mapping):
        raise InventoryError(str(path), f"hosts.{name}", "expected a mapping with at least backend:")
    merged: dict[str, Any] = {}
    for layer in [*layers, dict(settings)]:
        merged = _deep_merge(merged, layer)
    merged["name"] = name
    if merged.get("backend") is None:
        raise InventoryError(
            str(path), f"hosts.{name}.backend", "missing; set a testinfra backend like local:// or ssh://user@host"
        )
    return validate(Host, merged, str(path), prefix=f"hosts.{name}")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), dict(value))
        else:
            merged[key] = value
    return merged


def load_log_patterns(
    path: Path, require_examples: bool = False, trusted: Container[str] = ()
) -> tuple[LogPattern, ...]:
    """Read and validate a knowledge base file; raise InventoryError with one precise line.

    ``trusted``: regexes validated, with their examples, when the shipped knowledge base's
    literals were written (``log_pattern_syntax.shipped_literals``; a self-test keeps them
    current with the file): not compiled or parsed again.
    """
    raw, _ = read_yaml(path)
    return validate_log_patterns(raw, str(path), require_examples, trusted)


def validate_log_patterns(
    raw: dict[str, Any], file: str, require_examples: bool = False, trusted: Container[str] = ()
) -> tuple[LogPattern, ...]:
    """A knowledge base's top-level mapping, read from ``file``, validated as ``load_log_patterns`` does."""
    patterns = validate(LogPatternFile, raw, file, context={"trusted": trusted}).log_patterns
    check_pattern_ids(patterns, file)
    if require_examples:
        for index, pattern in enumerate(patterns):
            for key in ("example", "counterexample"):
                if getattr(pattern, key) is None:
                    raise InventoryError(
                        file, f"log_patterns[{index}].{key}", "missing; every shipped pattern needs both examples"
                    )
    return patterns
