"""What the sandbox's Kubernetes stand-in holds: a healthy cluster and a broken one.

``healthy`` is a k3s-like cluster: a control plane, a GPU worker, CoreDNS, an
admission webhook, Postgres with a Bound claim. ``broken`` has a NotReady node, a
worker that dropped out, CrashLoopBackOff, ImagePullBackOff, Pending past 10 min,
Terminating past its grace, an Evicted pod, CoreDNS not ready, the webhook's service
without ready endpoints, a deployment short of replicas, a Pending claim, and the
``api`` deployment running an image older than the manifest's ``MANIFEST``.
"""

from __future__ import annotations

from typing import Any

from sandbox.kube_objects import container_status, endpoints, node, pod, service, webhook, workload

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: apps}
spec:
  template:
    spec:
      containers:
        - {name: api, image: "registry.example/api:1.5.0"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db}
spec:
  template:
    spec:
      containers:
        - {name: postgres, image: "postgres:16.3"}
"""
"""The manifests of the stand-in's cluster, as a config repo holds them (K8S-03)."""


def cluster(scenario: str) -> dict[str, list[dict[str, Any]]]:
    """Resource name → items of the scenario, with times relative to now."""
    broken = scenario == "broken"
    nodes = [node("cp1"), node("gpu1", gpu=True)]
    if broken:
        nodes = [node("cp1", pressure="DiskPressure"), node("gpu1", ready="Unknown", gpu=True)]  # worker2 dropped out
    else:
        nodes.append(node("worker2"))
    api_image = "registry.example/api:1.4.2" if broken else "registry.example/api:1.5.0"
    pods = [
        pod(
            "kube-system", "coredns-6799fbcd5-x1", "rancher/mirrored-coredns-coredns:1.10.1", owner="ReplicaSet/coredns"
        ),
        pod("apps", "api-7d9c-a", api_image, owner="ReplicaSet/api-7d9c"),
        pod(
            "db",
            "postgres-0",
            "postgres:16.3",
            owner="StatefulSet/postgres",
            statuses=[container_status("postgres", "postgres:16.3", restarts=1, last_finished=3 * 86400)],
        ),
        pod(
            "apps",
            "report-28990-x",
            "busybox:1.36",
            phase="Succeeded",
            statuses=[container_status("report", "busybox:1.36", ready=False)],
        ),
    ]
    if broken:
        pods += [
            pod(
                "apps",
                "worker-5f-crash",
                "registry.example/worker:2.0",
                statuses=[
                    container_status(
                        "worker",
                        "registry.example/worker:2.0",
                        ready=False,
                        restarts=42,
                        waiting="CrashLoopBackOff",
                        last_finished=120,
                    )
                ],
            ),
            pod(
                "apps",
                "web-6b-pull",
                "registry.example/web:9.9",
                phase="Pending",
                statuses=[container_status("web", "registry.example/web:9.9", ready=False, waiting="ImagePullBackOff")],
            ),
            pod(
                "apps",
                "batch-pending",
                "busybox:1.36",
                phase="Pending",
                age=3600,
                statuses=[],
                conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}],
            ),
            pod("apps", "old-terminating", "busybox:1.36", deletion=900),
            pod(
                "apps",
                "evicted-1",
                "busybox:1.36",
                phase="Failed",
                reason="Evicted",
                message="The node was low on resource: ephemeral-storage.",
                statuses=[],
            ),
            pod(
                "kube-system",
                "coredns-6799fbcd5-x2",
                "rancher/mirrored-coredns-coredns:1.10.1",
                statuses=[container_status("coredns", "rancher/mirrored-coredns-coredns:1.10.1", ready=False)],
            ),
            pod(
                "scratch",
                "ignored-crash",
                "busybox:1.36",
                statuses=[
                    container_status(
                        "ignored", "busybox:1.36", ready=False, restarts=9, waiting="CrashLoopBackOff", last_finished=60
                    )
                ],
            ),
        ]
    workloads = {
        "deployments": [
            workload(
                "Deployment",
                "kube-system",
                "coredns",
                "rancher/mirrored-coredns-coredns:1.10.1",
                replicas=2 if broken else 1,
                ready=0 if broken else 1,
                labels={"k8s-app": "kube-dns"},
            ),
            workload("Deployment", "apps", "api", api_image, replicas=3, ready=1 if broken else 3),
            workload("Deployment", "policy", "bootstrapper", "registry.example/bootstrapper:0.3"),
        ],
        "statefulsets": [workload("StatefulSet", "db", "postgres", "postgres:16.3", templates=("data",))],
        "daemonsets": [
            workload(
                "DaemonSet", "kube-system", "svclb", "rancher/klipper-lb:v0.4", replicas=3, ready=2 if broken else 3
            )
        ],
    }
    cronjob = workload("CronJob", "apps", "report", "busybox:1.36")
    cronjob["spec"] = {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": cronjob["spec"]["template"]}}}
    cronjob["status"] = {}
    claims = [
        {
            "metadata": {"name": "data-postgres-0", "namespace": "db"},
            "spec": {"accessModes": ["ReadWriteOnce"]},
            "status": {"phase": "Pending" if broken else "Bound"},
        }
    ]
    return {
        "nodes": nodes,
        "pods": pods,
        **workloads,
        "cronjobs": [cronjob],
        "services": [service("kube-system", "kube-dns"), service("policy", "bootstrapper")],
        "endpoints": [
            endpoints("kube-system", "kube-dns", [] if broken else ["10.42.0.5"], ["10.42.0.6"] if broken else []),
            endpoints("policy", "bootstrapper", [] if broken else ["10.42.0.9"]),
        ],
        "persistentvolumeclaims": claims,
        "validatingwebhookconfigurations": [webhook("project-bootstrapper", ("policy", "bootstrapper"))],
        "mutatingwebhookconfigurations": [],
    }
