"""K8S-01..06 as pure functions from a cluster's facts (``checks/kubernetes.py``) to a verdict.

Nothing to judge is never a pass: a cluster listing no node, a declared workload,
webhook or manifest image that is not found, a cluster with no DNS deployment, all fail.
"""

from __future__ import annotations

from typing import Any

import yaml

from golive.checks.kubernetes import WORKLOAD_KINDS, ClusterFacts, Pod, Workload, template_images
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.inventory import KubeCluster
from golive.units import format_duration

DAY = 86400.0
STUCK_REASONS = (
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError",
    "CreateContainerError", "RunContainerError",
)  # fmt: skip
DNS_NAMES = ("coredns", "kube-dns")


def judge_nodes(facts: ClusterFacts, cluster: KubeCluster) -> Verdict:
    """K8S-01: every node Ready, none under pressure; every declared node present."""
    comparisons = []
    for node in facts.nodes:
        ready = node.condition("Ready")
        shown = ", ".join(
            [str(ready) if ready else "Ready not reported"] + [str(node.condition(p)) for p in node.pressures]
        )
        healthy = node.is_ready and not node.pressures
        comparisons.append(Comparison(f"node {node.name}", shown, "==", "Ready=True, no pressure", healthy))
    present = {node.name for node in facts.nodes}
    for name in cluster.nodes:
        if name not in present:
            comparisons.append(Comparison(f"node {name}", "missing from the cluster", "==", "registered", False))
    if not comparisons:
        return Verdict(False, "the cluster lists no node at all")
    return Verdict.from_comparisons(comparisons, "nodes")


def stuck_reason(pod: Pod, now: float, pending_max: float) -> str | None:
    """Why a pod is stuck (Terminating past its grace period, Pending too long, back-off, Failed), or None."""
    if pod.deletion is not None and now > pod.deletion:
        return f"Terminating {format_duration(now - pod.deletion)} past its grace period"
    for container in pod.containers:
        if container.waiting_reason in STUCK_REASONS:
            detail = f": {container.waiting_message[:200]}" if container.waiting_message else ""
            return f"{container.waiting_reason} (container {container.name}, image {container.image}){detail}"
    if pod.phase == "Failed":
        return f"Failed ({pod.reason or 'no reason'}{': ' + pod.message[:200] if pod.message else ''})"
    if pod.phase == "Pending" and pod.created is not None and now - pod.created > pending_max:
        return f"Pending for {format_duration(now - pod.created)} ({pod.reason or 'not scheduled or not started'})"
    return None


def restarts_in_window(pod: Pod, now: float, window: float) -> int:
    """Restarts counted in the window: a container whose last termination finished inside it
    counts its ``restartCount`` (all of them, if the pod is younger than the window)."""
    return sum(
        c.restart_count for c in pod.containers if c.last_finished_at is not None and now - c.last_finished_at <= window
    )


def judge_pods(facts: ClusterFacts, cluster: KubeCluster, window: float) -> Verdict:
    """K8S-02: no pod stuck, and restarts within the window under the limit."""
    limit = cluster.restarts_per_day * window / DAY
    judged = [pod for pod in facts.pods if cluster.selects(pod.namespace, pod.name)]
    comparisons = []
    for pod in judged:
        reason = stuck_reason(pod, facts.now, cluster.pending_max)
        restarts = restarts_in_window(pod, facts.now, window)
        if reason is not None:
            comparisons.append(Comparison(f"pod {pod.id}", f"{pod.phase}: {reason}", "==", "not stuck", False))
        if restarts > limit:
            last = max(c.last_finished_at or 0 for c in pod.containers)
            lasts = ", ".join(f"{c.name} {c.last_reason or 'terminated'}" for c in pod.containers if c.restart_count)
            comparisons.append(
                Comparison(
                    f"pod {pod.id} restarts in {format_duration(window)} (last {format_duration(facts.now - last)} ago;"
                    f" {lasts})",
                    restarts,
                    "<=",
                    f"{limit:g}",
                    False,
                )
            )
    if not judged:
        return Verdict(False, "no pod in the declared namespaces: nothing runs there, or the namespaces are wrong")
    failing = len(comparisons)
    if failing:
        return Verdict(False, f"{failing} of {len(judged)} pods' checks failed: " + "; ".join(map(str, comparisons)),
                       comparisons)  # fmt: skip
    healthy = Comparison(f"pods stuck or over {limit:g} restarts, of {len(judged)} judged", 0, "==", 0, True)
    return Verdict(True, f"all {len(judged)} pods running or completed, restarts within {limit:g}", [healthy])


def manifest_images(texts: dict[str, str]) -> dict[tuple[str, str, str], dict[str, str]]:
    """(kind, namespace, name) → container → image, from multi-document manifest files."""
    declared: dict[tuple[str, str, str], dict[str, str]] = {}
    for path, text in texts.items():
        try:
            documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise TargetError(f"manifest {path} is not valid YAML (line {mark.line + 1 if mark else '?'})") from None
        for document in _expanded(documents):
            if document.get("kind") in WORKLOAD_KINDS:
                meta = document.get("metadata") or {}
                key = (str(document["kind"]), str(meta.get("namespace") or "default"), str(meta.get("name", "")))
                declared[key] = template_images(document)
    return declared


def _expanded(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents with a ``kind: List`` expanded into its items."""
    found = []
    for document in documents:
        if document.get("kind") == "List":
            found += [i for i in document.get("items") or [] if isinstance(i, dict)]
        else:
            found.append(document)
    return found


def judge_images(
    facts: ClusterFacts, cluster: KubeCluster, declared: dict[tuple[str, str, str], dict[str, str]]
) -> Verdict:
    """K8S-03: every workload the manifests declare runs with the declared image in each container."""
    running = {(w.kind, w.namespace, w.name): w for w in facts.workloads}
    comparisons = []
    for (kind, namespace, name), images in sorted(declared.items()):
        if not cluster.selects(namespace, name):
            continue
        found = running.get((kind, namespace, name))
        for container, image in sorted(images.items()):
            actual = found.images.get(container, "no such container") if found else f"no {kind} in the cluster"
            comparisons.append(
                Comparison(f"{kind} {namespace}/{name} container {container}", actual, "==", image, actual == image)
            )
    if not comparisons:
        return Verdict(False, "the manifests declare no Deployment, StatefulSet, DaemonSet or CronJob image to compare")
    return Verdict.from_comparisons(comparisons, "declared images")


def judge_dns(facts: ClusterFacts) -> Verdict:
    """K8S-04: CoreDNS (or kube-dns) ready replicas equal desired and its service has ready endpoints."""
    deployments = [
        w for w in facts.workloads
        if w.kind == "Deployment" and w.namespace == "kube-system"
        and (w.name in DNS_NAMES or w.labels.get("k8s-app") == "kube-dns")
    ]  # fmt: skip
    if not deployments:
        return Verdict(False, "no CoreDNS or kube-dns deployment in kube-system: the cluster has no DNS to judge")
    comparisons = [
        Comparison(f"deployment kube-system/{w.name} ready replicas", w.ready, "==", w.desired,
                   w.ready == w.desired and w.desired > 0)
        for w in deployments
    ]  # fmt: skip
    endpoints = facts.endpoints.get(("kube-system", "kube-dns"))
    ready = len(endpoints.ready) if endpoints else 0
    shown = f"{ready} ready ({', '.join(endpoints.ready)})" if endpoints else "no Endpoints object"
    if endpoints and endpoints.not_ready:
        shown += f", {len(endpoints.not_ready)} not ready"
    comparisons.append(Comparison("service kube-system/kube-dns endpoints", shown, ">=", "1 ready", ready > 0))
    return Verdict.from_comparisons(comparisons, "DNS checks")


def judge_webhooks(facts: ClusterFacts, cluster: KubeCluster) -> Verdict:
    """K8S-05: each declared webhook configuration is registered and its services have ready endpoints."""
    comparisons = []
    registered = {name for _, name in facts.configurations}
    for declared in cluster.webhooks:
        if declared not in registered:
            comparisons.append(Comparison(f"webhook configuration {declared}", "not registered", "==", "registered",
                                          False))  # fmt: skip
            continue
        for hook in (h for h in facts.webhooks if h.configuration == declared):
            if hook.service is None:
                comparisons.append(Comparison(f"webhook {hook.name} ({declared})", f"url {hook.url}", "==",
                                              "a URL (not judged)", True))  # fmt: skip
                continue
            namespace, name = hook.service
            endpoints = facts.endpoints.get(hook.service)
            if hook.service not in facts.services:
                shown = "service missing"
            elif endpoints is None or not endpoints.ready:
                shown = "no ready endpoints" + (f" ({len(endpoints.not_ready)} not ready)" if endpoints else "")
            else:
                shown = f"{len(endpoints.ready)} ready ({', '.join(endpoints.ready)})"
            ok = hook.service in facts.services and endpoints is not None and bool(endpoints.ready)
            comparisons.append(
                Comparison(f"webhook {hook.name} ({declared}) → service {namespace}/{name}", shown, ">=", "1 ready", ok)
            )
    return Verdict.from_comparisons(comparisons, "webhook checks")


def judge_workloads(facts: ClusterFacts, cluster: KubeCluster) -> Verdict:
    """K8S-06: each declared workload has ready replicas equal to desired, and its PVCs are Bound."""
    comparisons = []
    for declared in cluster.workloads:
        namespace, _, name = declared.partition("/")
        found: list[Workload] = [
            w for w in facts.workloads if w.namespace == namespace and w.name == name and w.kind != "CronJob"
        ]
        if not found:
            comparisons.append(Comparison(f"workload {declared}", "not found", "==", "present", False))
        for workload in found:
            comparisons.append(
                Comparison(f"{workload.kind} {workload.id} ready replicas", workload.ready, "==", workload.desired,
                           workload.ready == workload.desired)
            )  # fmt: skip
            for claim_name in workload.claims:
                claim = facts.claims.get((namespace, claim_name))
                phase = claim.phase if claim else "missing"
                comparisons.append(
                    Comparison(f"PVC {namespace}/{claim_name} of {workload.id}", phase, "==", "Bound", phase == "Bound")
                )
    return Verdict.from_comparisons(comparisons, "workload checks")
