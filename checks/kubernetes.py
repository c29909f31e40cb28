"""A Kubernetes (or k3s) cluster's state, read with one ``kubectl get`` (K8S-01..06).

One invocation per cluster lists every object kind the criteria judge, in all
namespaces (``get nodes,pods,deployments.apps,... -A -o json``), read-only: no
``exec``, ``run``, ``port-forward`` or ``apply``. It runs either on the host the
cluster names in ``via`` (with that host's own kubeconfig; the command joins the
host's batched first round trip) or on the runner with the declared ``kubeconfig``
and ``context`` (``golive.kubeconfig`` vetted it when the inventory loaded). The
JSON is parsed once into the dataclasses below; the evidence keeps the command and
a count of what it listed, never the JSON (pod specs carry environment values, and
every inline ``env`` value is registered for redaction as it arrives).

Parsed to the Kubernetes API reference (v1 Node, Pod, Service, Endpoints,
PersistentVolumeClaim; apps/v1 Deployment, StatefulSet, DaemonSet; batch/v1 CronJob;
admissionregistration.k8s.io/v1 webhook configurations).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from golive import evidence
from golive.errors import CheckTimeout, TargetError
from golive.evidence import Evidence
from golive.facts import Fleet, fact_command
from golive.inventory import Host, KubeCluster
from golive.redact import redact

KINDS = (
    "nodes", "pods", "deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch", "services",
    "endpoints", "persistentvolumeclaims", "validatingwebhookconfigurations.admissionregistration.k8s.io",
    "mutatingwebhookconfigurations.admissionregistration.k8s.io",
)  # fmt: skip
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob")


@dataclass(frozen=True)
class Condition:
    """A status condition (``type`` is ``Ready``, ``MemoryPressure`` ...; ``status`` True/False/Unknown)."""

    type: str
    status: str
    reason: str = ""
    message: str = ""

    def __str__(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.type}={self.status}{why}"


@dataclass(frozen=True)
class Node:
    name: str
    conditions: tuple[Condition, ...]
    unschedulable: bool = False

    def condition(self, kind: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == kind), None)

    @property
    def is_ready(self) -> bool:
        ready = self.condition("Ready")
        return ready is not None and ready.status == "True"

    @property
    def pressures(self) -> list[str]:
        """The pressure conditions that are not False (True, or Unknown: not reported)."""
        kinds = ("MemoryPressure", "DiskPressure", "PIDPressure")
        return [c.type for c in self.conditions if c.type in kinds and c.status != "False"]


@dataclass(frozen=True)
class ContainerState:
    """One container of a pod, from ``status.containerStatuses`` (or ``initContainerStatuses``)."""

    name: str
    image: str
    ready: bool
    restart_count: int
    waiting_reason: str = ""
    waiting_message: str = ""
    terminated_reason: str = ""
    last_reason: str = ""
    last_finished_at: float | None = None
    init: bool = False


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    phase: str
    reason: str
    message: str
    created: float | None
    deletion: float | None
    containers: tuple[ContainerState, ...]
    owner: str = ""

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Workload:
    """A Deployment, StatefulSet, DaemonSet or CronJob: desired and ready replicas, images, claims."""

    kind: str
    namespace: str
    name: str
    desired: int
    ready: int
    images: dict[str, str]
    claims: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Endpoints:
    namespace: str
    name: str
    ready: tuple[str, ...]
    not_ready: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    namespace: str
    name: str
    phase: str


@dataclass(frozen=True)
class Webhook:
    """One webhook of a Validating/MutatingWebhookConfiguration and the service it calls."""

    configuration: str
    kind: str
    name: str
    service: tuple[str, str] | None
    url: str = ""


@dataclass(frozen=True)
class ClusterFacts:
    """Everything the criteria judge, from one ``kubectl get``; ``now`` is when it was read."""

    nodes: tuple[Node, ...] = ()
    pods: tuple[Pod, ...] = ()
    workloads: tuple[Workload, ...] = ()
    services: frozenset[tuple[str, str]] = frozenset()
    endpoints: dict[tuple[str, str], Endpoints] = field(default_factory=dict)
    claims: dict[tuple[str, str], Claim] = field(default_factory=dict)
    webhooks: tuple[Webhook, ...] = ()
    configurations: frozenset[tuple[str, str]] = frozenset()
    now: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.nodes)} nodes, {len(self.pods)} pods, {len(self.workloads)} workloads, "
            f"{len(self.services)} services, {len(self.endpoints)} endpoints, {len(self.claims)} PVCs, "
            f"{len(self.configurations)} webhook configurations"
        )


def timestamp(value: Any) -> float | None:
    """An RFC 3339 time of the API (``2026-03-01T10:00:00Z``) as epoch seconds."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def parse(text: str, now: float) -> ClusterFacts:
    """``kubectl get ... -o json`` output (a ``List``) → the cluster's facts."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetError(f"kubectl printed no JSON ({exc}): {text[:200]!r}") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise TargetError(f"kubectl printed no object list: {text[:200]!r}")
    nodes, pods, workloads, webhooks = [], [], [], []
    services: set[tuple[str, str]] = set()
    endpoints: dict[tuple[str, str], Endpoints] = {}
    claims: dict[tuple[str, str], Claim] = {}
    configurations: set[tuple[str, str]] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        meta = item.get("metadata") or {}
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        if kind == "Node":
            nodes.append(parse_node(item))
        elif kind == "Pod":
            pods.append(parse_pod(item))
        elif kind in WORKLOAD_KINDS:
            workloads.append(parse_workload(item))
        elif kind == "Service":
            services.add(key)
        elif kind == "Endpoints":
            endpoints[key] = parse_endpoints(item)
        elif kind == "PersistentVolumeClaim":
            claims[key] = Claim(*key, str((item.get("status") or {}).get("phase", "")))
        elif kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            configurations.add((kind, key[1]))
            webhooks += parse_webhooks(item)
    return ClusterFacts(
        tuple(nodes), tuple(pods), tuple(workloads), frozenset(services), endpoints, claims, tuple(webhooks),
        frozenset(configurations), now,
    )  # fmt: skip


def parse_node(item: dict[str, Any]) -> Node:
    status = item.get("status") or {}
    conditions = tuple(
        Condition(str(c.get("type", "")), str(c.get("status", "")), str(c.get("reason", "")), str(c.get("message", "")))
        for c in status.get("conditions") or []
    )
    return Node(str(item["metadata"]["name"]), conditions, bool((item.get("spec") or {}).get("unschedulable")))


def _container(status: dict[str, Any], init: bool) -> ContainerState:
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    waiting = state.get("waiting") or {}
    return ContainerState(
        name=str(status.get("name", "")),
        image=str(status.get("image", "")),
        ready=bool(status.get("ready")),
        restart_count=int(status.get("restartCount") or 0),
        waiting_reason=str(waiting.get("reason", "")),
        waiting_message=str(waiting.get("message", "")),
        terminated_reason=str((state.get("terminated") or {}).get("reason", "")),
        last_reason=str(last.get("reason", "")),
        last_finished_at=timestamp(last.get("finishedAt")),
        init=init,
    )


def parse_pod(item: dict[str, Any]) -> Pod:
    meta, status = item.get("metadata") or {}, item.get("status") or {}
    containers = [_container(s, True) for s in status.get("initContainerStatuses") or []]
    containers += [_container(s, False) for s in status.get("containerStatuses") or []]
    owners = meta.get("ownerReferences") or []
    owner = f"{owners[0].get('kind')}/{owners[0].get('name')}" if owners else ""
    return Pod(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        phase=str(status.get("phase", "")),
        reason=str(status.get("reason", "")),
        message=str(status.get("message", "")),
        created=timestamp(meta.get("creationTimestamp")),
        deletion=timestamp(meta.get("deletionTimestamp")),
        containers=tuple(containers),
        owner=owner,
    )


def pod_template(item: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload (a CronJob's is under its jobTemplate)."""
    spec = item.get("spec") or {}
    if item.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return ((spec.get("template") or {}).get("spec")) or {}


def template_images(item: dict[str, Any]) -> dict[str, str]:
    """Container name → image, init containers included, of a workload's pod template."""
    spec = pod_template(item)
    return {
        str(c.get("name", "")): str(c.get("image", ""))
        for key in ("initContainers", "containers")
        for c in spec.get(key) or []
        if isinstance(c, dict)
    }


def parse_workload(item: dict[str, Any]) -> Workload:
    kind, meta = str(item["kind"]), item.get("metadata") or {}
    spec, status = item.get("spec") or {}, item.get("status") or {}
    name = str(meta.get("name", ""))
    if kind == "DaemonSet":
        desired, ready = int(status.get("desiredNumberScheduled") or 0), int(status.get("numberReady") or 0)
    elif kind == "CronJob":
        desired = ready = 0
    else:
        replicas = spec.get("replicas")
        desired, ready = (1 if replicas is None else int(replicas)), int(status.get("readyReplicas") or 0)
    claims = [
        str(v["persistentVolumeClaim"].get("claimName", ""))
        for v in pod_template(item).get("volumes") or []
        if isinstance(v, dict) and isinstance(v.get("persistentVolumeClaim"), dict)
    ]
    if kind == "StatefulSet":
        claims += [
            f"{(t.get('metadata') or {}).get('name')}-{name}-{ordinal}"
            for t in spec.get("volumeClaimTemplates") or []
            for ordinal in range(desired)
        ]
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    return Workload(
        kind, str(meta.get("namespace", "")), name, desired, ready, template_images(item), tuple(claims), labels
    )


def parse_endpoints(item: dict[str, Any]) -> Endpoints:
    meta = item.get("metadata") or {}
    ready: list[str] = []
    not_ready: list[str] = []
    for subset in item.get("subsets") or []:
        ready += [str(a.get("ip", "")) for a in subset.get("addresses") or []]
        not_ready += [str(a.get("ip", "")) for a in subset.get("notReadyAddresses") or []]
    return Endpoints(str(meta.get("namespace", "")), str(meta.get("name", "")), tuple(ready), tuple(not_ready))


def parse_webhooks(item: dict[str, Any]) -> list[Webhook]:
    configuration, kind = str((item.get("metadata") or {}).get("name", "")), str(item["kind"])
    found = []
    for hook in item.get("webhooks") or []:
        client = hook.get("clientConfig") or {}
        service = client.get("service")
        target = (str(service.get("namespace", "")), str(service.get("name", ""))) if service else None
        found.append(Webhook(configuration, kind, str(hook.get("name", "")), target, str(client.get("url", ""))))
    return found


def env_values(text: str) -> Iterable[str]:
    """Inline ``env`` values of every pod and workload template: secrets for redaction."""
    try:
        items = json.loads(text).get("items") or []
    except (json.JSONDecodeError, AttributeError):
        return []
    found = []
    for item in items:
        spec = item.get("spec") if item.get("kind") == "Pod" else pod_template(item)
        for key in ("initContainers", "containers"):
            for container in (spec or {}).get(key) or []:
                found += [str(e["value"]) for e in container.get("env") or [] if isinstance(e.get("value"), str)]
    return found


# -- reading ------------------------------------------------------------------------

_VIA: dict[str, KubeCluster] = {}


def route(clusters: dict[str, KubeCluster]) -> None:
    """Let each ``via`` host fetch its (first) cluster's facts in its batched first round trip."""
    for cluster in clusters.values():
        if cluster.via is not None:
            _VIA.setdefault(cluster.via, cluster)


def arguments(cluster: KubeCluster) -> list[str]:
    """kubectl's arguments after the command: read-only ``get`` of every kind, all namespaces."""
    context = ["--context", cluster.context] if cluster.context else []
    return [*context, f"--request-timeout={max(1, int(cluster.timeout))}s", "get", ",".join(KINDS), "-A", "-o", "json"]


def host_command(cluster: KubeCluster) -> str:
    """The shell command on the ``via`` host; every inventory value is quoted. The discovery
    cache goes to a fresh directory removed afterwards, so nothing under $HOME changes."""
    words = " ".join(shlex.quote(word) for word in shlex.split(cluster.kubectl))
    args = " ".join(shlex.quote(a) for a in arguments(cluster))
    return f'd=$(mktemp -d) || exit 125; {words} --cache-dir "$d/cache" {args}; s=$?; rm -rf "$d"; exit $s'


def _batched(host: Host) -> str | None:
    cluster = _VIA.get(host.name)
    return host_command(cluster) if cluster is not None else None


fact_command(_batched, env_values, criteria=("K8S-01", "K8S-02", "K8S-03", "K8S-04", "K8S-05", "K8S-06"))


class ClusterReader:
    """The session's cluster facts, read once per cluster and shared by its criteria."""

    def __init__(self, fleet: Fleet, hosts: dict[str, Host], inventory_file: Path | None) -> None:
        self._fleet = fleet
        self._hosts = hosts
        self._inventory_file = inventory_file
        self._facts: dict[str, ClusterFacts | TargetError] = {}
        self._lock = threading.Lock()

    def facts(self, name: str, cluster: KubeCluster, record: Evidence) -> ClusterFacts:
        with self._lock:
            found = self._facts.get(name)
            if found is None:
                try:
                    found = self._read(name, cluster, record)
                except TargetError as error:
                    found = error
                self._facts[name] = found
            else:
                record.note(f"cluster {name}: facts read once this run, shared by its criteria")
        if isinstance(found, TargetError):
            raise found
        return found

    def _read(self, name: str, cluster: KubeCluster, record: Evidence) -> ClusterFacts:
        if cluster.via is not None:
            remote = self._fleet[self._hosts[cluster.via]]
            command = host_command(cluster)
            scratch = Evidence()
            with evidence.collecting(scratch):
                result = remote.run(command)
            redact.add(env_values(result.stdout))
            facts = parse(result.stdout, time.time()) if result.succeeded else None
            shown = facts.summary() if facts else "(no object list)"
            record.command(
                command, result.exit_status, shown, result.stderr, host=remote.name, duration=result.duration,
                batched=result.batched,
            )  # fmt: skip
            if facts is None:
                raise TargetError(f"cluster {name}: kubectl on {cluster.via} failed: {_last_line(result.stderr)}")
            return facts
        return self._read_with_kubeconfig(name, cluster, record)

    def _read_with_kubeconfig(self, name: str, cluster: KubeCluster, record: Evidence) -> ClusterFacts:
        config = cluster.kubeconfig_file(self._inventory_file)
        assert config is not None
        argv = [*shlex.split(cluster.kubectl), "--kubeconfig", str(config), *arguments(cluster)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="golive-kubectl-") as scratch:
            argv[len(shlex.split(cluster.kubectl)) : len(shlex.split(cluster.kubectl))] = ["--cache-dir", scratch]
            try:
                result = subprocess.run(
                    argv, capture_output=True, text=True, timeout=cluster.timeout + 10, env={**env, "HOME": scratch},
                    stdin=subprocess.DEVNULL,
                )  # fmt: skip
            except FileNotFoundError:
                raise TargetError(f"cluster {name}: {argv[0]} not found on the runner; install kubectl") from None
            except subprocess.TimeoutExpired:
                raise CheckTimeout(
                    f"cluster {name}: kubectl gave no answer within {cluster.timeout + 10:g} s"
                ) from None
        redact.add(env_values(result.stdout))
        facts = parse(result.stdout, time.time()) if result.returncode == 0 else None
        record.command(
            shlex.join(argv), result.returncode, facts.summary() if facts else "(no object list)", result.stderr,
            host="runner", duration=time.monotonic() - started,
        )  # fmt: skip
        if facts is None:
            raise TargetError(f"cluster {name}: kubectl failed: {_last_line(result.stderr)}")
        return facts


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "no message"
