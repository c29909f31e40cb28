"""Parsers and judges of K8S-01..06 on JSON built to the Kubernetes API reference.

These objects are written by hand from the API reference (v1 Node, Pod, Endpoints,
PersistentVolumeClaim; apps/v1 Deployment, StatefulSet; admissionregistration.k8s.io/v1
ValidatingWebhookConfiguration), as ``kubectl get -o json`` prints them (a ``List``
whose items carry kind and apiVersion); they are not captured from a live cluster.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from golive.checks import kubernetes as kube
from golive.checks import kubernetes_judges as judges
from golive.inventory import KubeCluster

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()
CLUSTER = KubeCluster(kubeconfig="/k", workloads=("db/postgres",), webhooks=("guard",), ignore=("scratch/*",))


def at(seconds_ago: float) -> str:
    return datetime.fromtimestamp(NOW - seconds_ago, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node(name: str, ready: str, **pressure: str) -> dict:
    conditions = [
        {"type": t, "status": pressure.get(t, "False")} for t in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    conditions.append(
        {"type": "Ready", "status": ready, "reason": "NodeStatusUnknown" if ready == "Unknown" else "KubeletReady"}
    )
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "status": {"conditions": conditions}}


def pod(name: str, phase: str = "Running", namespace: str = "apps", created: float = 3600, **status: object) -> dict:
    meta = {"name": name, "namespace": namespace, "creationTimestamp": at(created)}
    if "deletion" in status:
        meta["deletionTimestamp"] = at(status.pop("deletion"))  # type: ignore[arg-type]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "status": {"phase": phase, **status}}


def container(name: str, restarts: int = 0, waiting: str = "", finished: float | None = None) -> dict:
    found: dict = {
        "name": name,
        "image": f"{name}:1",
        "ready": not waiting,
        "restartCount": restarts,
        "state": {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": at(60)}},
        "lastState": {},
    }
    if finished is not None:
        found["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": at(finished)}}
    return found


def listing(*items: dict) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(items)})


def test_nodes_not_ready_under_pressure_or_missing_fail() -> None:
    facts = kube.parse(
        listing(node("cp1", "True"), node("gpu1", "Unknown"), node("w1", "True", DiskPressure="True")), NOW
    )
    verdict = judges.judge_nodes(facts, KubeCluster(kubeconfig="/k", nodes=("cp1", "worker2")))
    assert not verdict.passed
    assert "gpu1: Ready=Unknown (NodeStatusUnknown)" in verdict.summary
    assert "DiskPressure=True" in verdict.summary and "worker2: missing" in verdict.summary
    assert "node cp1" not in verdict.summary
    assert not judges.judge_nodes(kube.parse(listing(), NOW), CLUSTER).passed  # no node at all: never a pass


def test_stuck_pods_each_with_their_reason() -> None:
    facts = kube.parse(
        listing(
            pod("ok", containerStatuses=[container("ok", restarts=5, finished=3 * 86400)]),
            pod("crash", containerStatuses=[container("crash", 40, "CrashLoopBackOff", finished=100)]),
            pod("pull", "Pending", containerStatuses=[container("pull", waiting="ImagePullBackOff")]),
            pod("pending", "Pending", created=1200),
            pod("young", "Pending", created=60),
            pod("gone", deletion=300),
            pod("evicted", "Failed", reason="Evicted", message="low on ephemeral-storage"),
            pod("done", "Succeeded"),
            pod("ignored", "Failed", namespace="scratch"),
            pod("flappy", containerStatuses=[container("flappy", restarts=4, finished=600)]),
        ),
        NOW,
    )
    verdict = judges.judge_pods(facts, CLUSTER, 86400)
    assert not verdict.passed
    failing = {c.subject.split()[1] for c in verdict.comparisons}
    assert failing == {"apps/crash", "apps/pull", "apps/pending", "apps/gone", "apps/evicted", "apps/flappy"}
    assert "CrashLoopBackOff" in verdict.summary and "ImagePullBackOff" in verdict.summary
    assert "Failed (Evicted: low on ephemeral-storage)" in verdict.summary
    assert "Pending for 20.0m" in verdict.summary and "past its grace period" in verdict.summary


def test_restarts_count_only_when_the_last_one_ended_in_the_window() -> None:
    old = kube.parse_pod(pod("p", containerStatuses=[container("p", restarts=9, finished=2 * 86400)]))
    recent = kube.parse_pod(pod("p", containerStatuses=[container("p", restarts=9, finished=60)]))
    assert judges.restarts_in_window(old, NOW, 86400) == 0
    assert judges.restarts_in_window(recent, NOW, 86400) == 9


def deployment(namespace: str, name: str, image: str, replicas: int, ready: int, **spec: object) -> dict:
    status = {"replicas": replicas, **({"readyReplicas": ready} if ready else {})}
    template = {"spec": {"containers": [{"name": name, "image": image}], **spec}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": replicas, "template": template},
        "status": status,
    }


def test_dns_needs_ready_replicas_and_ready_endpoints() -> None:
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "kube-dns", "namespace": "kube-system"},
        "subsets": [{"notReadyAddresses": [{"ip": "10.42.0.6"}], "ports": [{"port": 53}]}],
    }
    broken = kube.parse(listing(deployment("kube-system", "coredns", "coredns:1.10", 2, 0), endpoints), NOW)
    verdict = judges.judge_dns(broken)
    assert (
        not verdict.passed and "ready replicas: 0, expected 2" in verdict.summary and "1 not ready" in verdict.summary
    )
    endpoints["subsets"] = [{"addresses": [{"ip": "10.42.0.5"}]}]
    assert judges.judge_dns(kube.parse(listing(deployment("kube-system", "coredns", "c", 1, 1), endpoints), NOW)).passed
    assert not judges.judge_dns(kube.parse(listing(), NOW)).passed


def test_webhook_service_without_ready_endpoints_fails() -> None:
    config = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "guard"},
        "webhooks": [
            {
                "name": "v.guard.example",
                "clientConfig": {"service": {"namespace": "policy", "name": "guard"}},
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
            }
        ],
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "guard", "namespace": "policy"}}
    empty = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "guard", "namespace": "policy"}}
    verdict = judges.judge_webhooks(kube.parse(listing(config, service, empty), NOW), CLUSTER)
    assert not verdict.passed and "policy/guard: no ready endpoints" in verdict.summary
    missing = judges.judge_webhooks(kube.parse(listing(), NOW), CLUSTER)
    assert not missing.passed and "guard: not registered" in missing.summary


def test_workload_short_of_replicas_and_pending_claim() -> None:
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "postgres", "namespace": "db"},
        "spec": {
            "replicas": 1,
            "template": {"spec": {"containers": [{"name": "pg", "image": "postgres:16"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
        },
        "status": {"replicas": 1},
    }
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data-postgres-0", "namespace": "db"},
        "status": {"phase": "Pending"},
    }
    verdict = judges.judge_workloads(kube.parse(listing(statefulset, claim), NOW), CLUSTER)
    assert not verdict.passed
    assert "StatefulSet db/postgres ready replicas: 0, expected 1" in verdict.summary
    assert "PVC db/data-postgres-0 of db/postgres: Pending, expected Bound" in verdict.summary
    assert "not found" in judges.judge_workloads(kube.parse(listing(), NOW), CLUSTER).summary


def test_manifest_images_against_the_running_template() -> None:
    manifest = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec: {template: {spec: {containers: [{name: api, image: "api:1.5"}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: apps}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: r, image: "busybox:1.36"}]}}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
"""
    declared = judges.manifest_images({"k8s/apps.yaml": manifest})
    assert declared == {
        ("Deployment", "default", "api"): {"api": "api:1.5"},
        ("CronJob", "apps", "report"): {"r": "busybox:1.36"},
    }
    running = kube.parse(listing(deployment("default", "api", "api:1.4", 1, 1)), NOW)
    verdict = judges.judge_images(running, CLUSTER, declared)
    assert not verdict.passed
    assert "Deployment default/api container api: api:1.4, expected api:1.5" in verdict.summary
    assert "CronJob apps/report container r: no CronJob in the cluster" in verdict.summary


def test_inline_env_values_are_found_for_redaction() -> None:
    spec = {
        "containers": [{"name": "a", "env": [{"name": "PW", "value": "s3cret-value"}, {"name": "R", "valueFrom": {}}]}]
    }
    text = listing({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}, "spec": spec})
    assert list(kube.env_values(text)) == ["s3cret-value"]


def test_via_command_quotes_every_inventory_value() -> None:
    cluster = KubeCluster(via="cp1", kubectl="k3s kubectl", context="prod;touch$(x)")
    command = kube.host_command(cluster)
    assert "'prod;touch$(x)'" in command and command.count("k3s kubectl") == 1
    assert " get " in command and all(verb not in command for verb in (" exec ", " apply ", " delete "))
