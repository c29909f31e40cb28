"""Kubernetes / k3s criteria: nodes, pods, images, DNS, webhooks and workloads of each declared cluster.

Each cluster under ``kubernetes:`` is read once, with one read-only ``kubectl get ...
-A -o json``; its criteria judge the same facts. Not yet verified against a live
cluster: golive's own tests run the real kubectl against a stand-in API server.
"""

from __future__ import annotations

import pytest

from golive import facts as fact_script
from golive.checks import kubernetes_judges as judges
from golive.checks.kubernetes import ClusterReader
from golive.checks.remote import Fleet
from golive.errors import TargetError
from golive.evidence import Evidence
from golive.fixtures.kubernetes import DeclaredCluster
from golive.inventory import Inventory


@pytest.mark.critical
@pytest.mark.criterion("K8S-01", category="Availability")
def test_nodes_ready(cluster: DeclaredCluster, cluster_reader: ClusterReader, evidence: Evidence) -> None:
    """Every node of the cluster is Ready, and none is under memory, disk or PID pressure.

    Every node's conditions from ``kubectl get nodes``; a node whose kubelet stopped
    reporting is ``Ready=Unknown`` (NodeStatusUnknown) and fails. Nodes declared in
    ``nodes`` must be registered at all (a worker that dropped out of the cluster).

    Why: a NotReady node's pods are evicted or never scheduled, and a node under
    pressure starts evicting them itself; a worker gone silent leaves its capacity
    (a GPU, say) missing without any pod failing loudly.

    Fix: on the node, systemctl status k3s-agent (or kubelet) and journalctl -u it;
    free disk or memory for a pressure condition; rejoin a worker that dropped out.

    Keys: kubernetes.<cluster>: via (a host running kubectl) or kubeconfig + context
    (on the runner), kubectl (kubectl; e.g. k3s kubectl), nodes (names that must be
    registered), timeout (30s). Not yet verified against a live cluster: verified
    with the real kubectl against a stand-in API server.
    """
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_nodes(facts, cluster.settings))


@pytest.mark.critical
@pytest.mark.criterion("K8S-02", category="Reliability")
def test_no_stuck_pods(
    cluster: DeclaredCluster, cluster_reader: ClusterReader, inventory: Inventory, evidence: Evidence
) -> None:
    """No pod is stuck (Terminating past its grace period, Pending past the limit, CrashLoopBackOff,
    ImagePullBackOff, Failed), and restarts within the window stay under the limit.

    Pods of the declared namespaces (all by default) not matched by ``ignore``; a
    container's ``restartCount`` counts in the window when its last termination
    (``lastState.terminated.finishedAt``) is inside it. Evicted pods are Failed.

    Why: a pod in a back-off loop or stuck Pending is a service that is down or
    degraded while the deployment looks applied (e.g. Back-off restarting failed
    container).

    Fix: kubectl describe pod and kubectl logs --previous for the reason; fix the
    image name or registry credentials for ImagePullBackOff, the resources or node
    selector for Pending, the finalizer for a pod stuck Terminating.

    Keys: kubernetes.<cluster>: namespaces (all), ignore (namespace/name globs),
    pending_max (10m), restarts_per_day (3, scaled to the window); window (24h). Not
    yet verified against a live cluster: verified with the real kubectl against a
    stand-in API server.
    """
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_pods(facts, cluster.settings, inventory.window))


@pytest.mark.warning
@pytest.mark.criterion("K8S-03", category="Change Control")
def test_running_images_match_manifests(
    cluster: DeclaredCluster, cluster_reader: ClusterReader, inventory: Inventory, fleet: Fleet, evidence: Evidence
) -> None:
    """Running workload images equal the ones the manifests in the config repo declare.

    Deployments, StatefulSets, DaemonSets and CronJobs of the declared manifest files
    (multi-document YAML, ``kind: List`` expanded; a manifest without a namespace is
    in ``default``) against the same workload's pod template in the cluster, per
    container, init containers included. The files are read on the repo's host; only
    the images parsed from them are kept as evidence.

    Why: a manifest that says one image while the cluster runs another is a lie the
    next deploy acts on (an old image still deployed after the config was updated,
    or a hotfix set by hand with kubectl set image).

    Fix: apply the manifests from the repo (kubectl apply -f, or let the GitOps tool
    sync), or commit the image the cluster runs if that is the intended one.

    Keys: kubernetes.<cluster>.manifests: repo (<host>/<repo name> of hosts.<host>.repos),
    paths (files relative to the repo's path); kubernetes.<cluster>.ignore. Not yet
    verified against a live cluster: verified with the real kubectl against a stand-in
    API server.
    """
    manifests = cluster.settings.manifests
    if manifests is None:
        pytest.skip(f"not applicable: cluster {cluster.name} declares no manifests")
    host_name, _, repo_name = manifests.repo.partition("/")
    host = inventory.host(host_name)
    repo = next(r for r in host.repos if r.name == repo_name)
    sections = [
        fact_script.Section(
            f"manifest:{index}",
            f"cd {fact_script.quote(repo.path)} || exit 3\ntest -f {fact_script.quote(path)} || exit 4\n"
            f"cat -- {fact_script.quote(path)}",
            private=True,
        )
        for index, path in enumerate(manifests.paths)
    ]
    output = fact_script.run(fleet[host], sections)
    texts = {}
    for index, path in enumerate(manifests.paths):
        found = output.get(f"manifest:{index}")
        if found is None or found.exit_status != 0:
            why = {3: f"repo path {repo.path} missing", 4: "file missing"}.get(found.exit_status if found else -1)
            raise TargetError(f"manifest {path} in {manifests.repo} could not be read: {why or 'command cut short'}")
        texts[path] = found.text
    declared = judges.manifest_images(texts)
    for (kind, namespace, name), images in sorted(declared.items()):
        evidence.note(f"{manifests.repo}: {kind} {namespace}/{name} declares {images}")
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_images(facts, cluster.settings, declared))


@pytest.mark.warning
@pytest.mark.criterion("K8S-04", category="Availability")
def test_cluster_dns_serving(cluster: DeclaredCluster, cluster_reader: ClusterReader, evidence: Evidence) -> None:
    """Cluster DNS is serving: CoreDNS (or kube-dns) ready replicas equal desired, and its service has ready endpoints.

    The deployment ``coredns`` or ``kube-dns`` (or labelled ``k8s-app=kube-dns``) in
    kube-system, and the Endpoints of service kube-system/kube-dns: judged from the
    API, without running a pod.

    Why: without cluster DNS no service finds another by name: every pod that
    connects to a database or an API by its service name fails at once.

    Fix: kubectl -n kube-system describe deployment coredns and its pods' logs (a
    broken Corefile, a loop to the node's resolver, no schedulable node).

    Keys: kubernetes.<cluster> (via or kubeconfig). Not yet verified against a live
    cluster: verified with the real kubectl against a stand-in API server.
    """
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_dns(facts))


@pytest.mark.critical
@pytest.mark.criterion("K8S-05", category="Availability")
def test_admission_webhooks_backed(cluster: DeclaredCluster, cluster_reader: ClusterReader, evidence: Evidence) -> None:
    """Declared admission webhooks are registered and their backing services have ready endpoints.

    Each name of ``webhooks`` is a ValidatingWebhookConfiguration or
    MutatingWebhookConfiguration; each of its webhooks that calls a service needs that
    service and at least one ready endpoint (a webhook called by URL is noted, not judged).

    Why: a webhook whose service has no ready endpoint rejects (failurePolicy Fail) or
    silently skips (Ignore) every object it guards: deploys fail, or policies stop
    being enforced (e.g. a project bootstrapper's webhooks).

    Fix: kubectl -n NAMESPACE get pods for the webhook's service; fix its deployment,
    or re-register the webhook configuration from its chart or manifest.

    Keys: kubernetes.<cluster>.webhooks (configuration names). Not yet verified against
    a live cluster: verified with the real kubectl against a stand-in API server.
    """
    if not cluster.settings.webhooks:
        pytest.skip(f"not applicable: cluster {cluster.name} declares no webhooks")
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_webhooks(facts, cluster.settings))


@pytest.mark.warning
@pytest.mark.criterion("K8S-06", category="Reliability")
def test_declared_workloads_ready(cluster: DeclaredCluster, cluster_reader: ClusterReader, evidence: Evidence) -> None:
    """Declared workloads have ready replicas equal to desired, and their PersistentVolumeClaims are Bound.

    Each ``namespace/name`` of ``workloads`` is a Deployment, StatefulSet or DaemonSet
    (ready replicas, or a DaemonSet's numberReady against desiredNumberScheduled);
    its claims are the pod template's persistentVolumeClaim volumes and a
    StatefulSet's volumeClaimTemplates (``<template>-<name>-<ordinal>``).

    Why: a workload short of replicas runs without its redundancy (or not at all), and
    a claim left Pending keeps its pod from ever starting (e.g. a database that never becomes reachable).

    Fix: kubectl describe the workload and its pods; for a Pending claim, check the
    storage class and its provisioner (kubectl describe pvc).

    Keys: kubernetes.<cluster>.workloads (namespace/name). Not yet verified against a
    live cluster: verified with the real kubectl against a stand-in API server.
    """
    if not cluster.settings.workloads:
        pytest.skip(f"not applicable: cluster {cluster.name} declares no workloads")
    facts = cluster_reader.facts(cluster.name, cluster.settings, evidence)
    evidence.conclude(judges.judge_workloads(facts, cluster.settings))
