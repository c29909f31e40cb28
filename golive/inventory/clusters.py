"""Kubernetes clusters (K8S-01..06): how each is reached and what of it is judged."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from golive.inventory.section import Duration, Section

KUBE_GLOB = r"^[A-Za-z0-9*?\[\]._-]+/[A-Za-z0-9*?\[\]._-]+$"


class KubeManifests(Section):
    """K8S-03: manifests in a config repo declared on a host (``repo: <host>/<repo name>``),
    multi-document YAML files relative to the repo's path (kustomize output not required)."""

    repo: str = Field(pattern=r"^[^/\s]+/[A-Za-z0-9][A-Za-z0-9._-]*$")
    paths: tuple[str, ...] = Field(min_length=1)

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for path in value:
            if not path or "\n" in path or path.startswith("/"):
                raise ValueError(f"expected a path relative to the repo, got {path!r}")
        return value


class KubeCluster(Section):
    """K8S-01..06: one Kubernetes (or k3s) cluster, read with ``kubectl get ... -o json``.

    Reached either ``via`` an inventory host, where ``kubectl`` runs with that host's own
    kubeconfig (``kubectl: k3s kubectl`` on a k3s server), or from the runner with a
    ``kubeconfig`` file and its ``context`` (default: its current-context). A kubeconfig
    whose user runs an exec credential plugin is refused unless ``allow_exec_plugins``;
    one that skips TLS verification while carrying a credential is refused.
    """

    via: str | None = None
    kubeconfig: str | None = None
    context: str | None = Field(None, pattern=r"^[^\s]+$")
    kubectl: str = Field("kubectl", min_length=1)
    allow_exec_plugins: bool = False
    timeout: Duration = 30.0
    namespaces: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    pending_max: Duration = 600.0
    restarts_per_day: float = Field(3, ge=0)
    nodes: tuple[str, ...] = ()
    workloads: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()
    manifests: KubeManifests | None = None

    @field_validator("ignore", "workloads")
    @classmethod
    def _namespaced(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if not re.fullmatch(KUBE_GLOB, entry):
                raise ValueError(f"expected namespace/name (globs allowed in ignore), got {entry!r}")
        return value

    @field_validator("kubectl")
    @classmethod
    def _kubectl(cls, value: str) -> str:
        if "\n" in value or not value.strip():
            raise ValueError(f"expected a command like kubectl or 'k3s kubectl', got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> KubeCluster:
        if (self.via is None) == (self.kubeconfig is None):
            raise ValueError("set either via (an inventory host running kubectl) or kubeconfig (a file on the runner)")
        if self.via is not None and self.allow_exec_plugins:
            raise ValueError("allow_exec_plugins is for a kubeconfig on the runner; via uses the host's own")
        return self

    def kubeconfig_file(self, inventory_file: Path | None) -> Path | None:
        """The kubeconfig's path; a relative one is relative to the inventory file."""
        if self.kubeconfig is None:
            return None
        file = Path(self.kubeconfig).expanduser()
        return file if file.is_absolute() or inventory_file is None else inventory_file.parent / file

    def selects(self, namespace: str, name: str) -> bool:
        """Whether ``namespace/name`` is judged: in the declared namespaces, not ignored."""
        if self.namespaces is not None and namespace not in self.namespaces:
            return False
        return not any(fnmatch.fnmatchcase(f"{namespace}/{name}", glob) for glob in self.ignore)
