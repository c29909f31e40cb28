"""Checks across entries that no single section can make: unique names, references to
credentials, hosts and repos, usable kubeconfigs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from golive import kubeconfig, strict_yaml
from golive.errors import InventoryError
from golive.inventory.clusters import KubeCluster
from golive.inventory.credentials import Credential
from golive.inventory.endpoints import IN_CLEAR, has_userinfo, sends_in_clear, without_userinfo
from golive.inventory.hosts import Host
from golive.inventory.logs import LogPattern

# A host's lists whose entries are told apart by a key: two entries with the same value
# would share facts and test ids, and one would silently stand for both.
_NAMED_LISTS = (
    ("repos", "name"), ("documents", "name"), ("acceptance", "phase"), ("dependencies", "name"),
    ("scheduled", "name"), ("endpoints", "name"), ("backups.locations", "name"), ("backups.restore_tests", "name"),
)  # fmt: skip


def check_names(hosts: tuple[Host, ...], lines: strict_yaml.Lines, file: str) -> None:
    """Within a host, each entry of a named list has its own name (hosts themselves are keys)."""
    for host in hosts:
        for field, key in _NAMED_LISTS:
            entries: Any = host
            for part in field.split("."):
                entries = getattr(entries, part)
            first: dict[str, int] = {}
            for index, entry in enumerate(entries):
                value = getattr(entry, key)
                if value not in first:
                    first[value] = index
                    continue
                where = f"hosts.{host.name}.{field}[{index}].{key}"
                earlier, later = (_line(lines, host.name, field, i, key) for i in (first[value], index))
                at = f", at {file}:{earlier} and {file}:{later}" if earlier and later else ""
                raise InventoryError(file, where, f"{value!r} is used twice{at}; give each {key} its own value")


def _line(lines: strict_yaml.Lines, host: str, field: str, index: int, key: str) -> int | None:
    """The line of a list entry's key, in the host's own settings or in ``defaults:``."""
    found = lines.get(f"hosts.{host}.{field}[{index}].{key}")
    return found if found is not None else lines.get(f"defaults.{field}[{index}].{key}")


def check_endpoints(hosts: tuple[Host, ...], credentials: Mapping[str, Credential], file: str) -> None:
    """Endpoint names are unique per host; a credential reference names a ``credentials:`` entry."""
    for host in hosts:
        seen: set[str] = set()
        for index, endpoint in enumerate(host.endpoints):
            key = f"hosts.{host.name}.endpoints[{index}]"
            if endpoint.name in seen:
                raise InventoryError(
                    file, f"{key}.name", f"{endpoint.name!r} is used twice; give each endpoint its own name"
                )
            seen.add(endpoint.name)
            if endpoint.credential is not None and endpoint.credential not in credentials:
                known = ", ".join(credentials) or "none declared"
                raise InventoryError(
                    file, f"{key}.credential", f"{endpoint.credential!r} is not under credentials: (known: {known})"
                )
            if (endpoint.credential is not None or has_userinfo(endpoint.url)) and sends_in_clear(endpoint.url):
                raise InventoryError(file, f"{key}.url", IN_CLEAR.format(url=without_userinfo(endpoint.url)))


def check_clusters(clusters: Mapping[str, KubeCluster], hosts: tuple[Host, ...], path: Path) -> tuple[str, ...]:
    """``via`` and ``manifests.repo`` name declared hosts and repos; a runner's kubeconfig
    may be used (``golive.kubeconfig``). Returns the kubeconfigs' secrets, for redaction."""
    by_name = {host.name: host for host in hosts}
    secrets: list[str] = []
    for name, cluster in clusters.items():
        key = f"kubernetes.{name}"
        if cluster.via is not None and cluster.via not in by_name:
            known = ", ".join(by_name) or "none declared"
            raise InventoryError(str(path), f"{key}.via", f"{cluster.via!r} is not under hosts: (known: {known})")
        if cluster.manifests is not None:
            host_name, _, repo_name = cluster.manifests.repo.partition("/")
            host = by_name.get(host_name)
            if host is None or all(repo.name != repo_name for repo in host.repos):
                raise InventoryError(
                    str(path), f"{key}.manifests.repo",
                    f"{cluster.manifests.repo!r} names no repo of hosts.{host_name}.repos; write <host>/<repo name>",
                )  # fmt: skip
        file = cluster.kubeconfig_file(path)
        if file is not None:
            try:
                loaded = kubeconfig.load(file, cluster.context, cluster.allow_exec_plugins)
            except kubeconfig.KubeconfigRefused as refused:
                raise InventoryError(str(path), f"{key}.kubeconfig", str(refused)) from None
            secrets += loaded.secrets
    return tuple(secrets)


def check_pattern_ids(patterns: tuple[LogPattern, ...], file: str) -> None:
    seen: set[str] = set()
    for index, pattern in enumerate(patterns):
        if pattern.id in seen:
            raise InventoryError(file, f"log_patterns[{index}].id", f"{pattern.id!r} is used twice; ids must be unique")
        seen.add(pattern.id)
