"""Kubernetes API objects for the sandbox's API stand-in, shaped to the API reference.

Nodes, pods with their container statuses, workloads (Deployment, StatefulSet,
DaemonSet, CronJob), services, endpoints and admission webhook configurations (v1,
apps/v1, batch/v1, admissionregistration.k8s.io/v1), with times relative to now.
List items carry no kind, as a real server's typed lists don't (kubectl adds it).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any


def ago(seconds: float) -> str:
    """The API's timestamp format, ``seconds`` before now."""
    return datetime.fromtimestamp(time.time() - seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node(name: str, ready: str = "True", pressure: str = "", gpu: bool = False) -> dict[str, Any]:
    conditions = [
        {
            "type": kind,
            "status": "True" if kind == pressure else "False",
            "reason": f"KubeletHas{kind}",
            "lastHeartbeatTime": ago(10),
            "lastTransitionTime": ago(86400),
        }
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    reason = {"True": "KubeletReady", "False": "KubeletNotReady", "Unknown": "NodeStatusUnknown"}[ready]
    conditions.append(
        {
            "type": "Ready",
            "status": ready,
            "reason": reason,
            "message": f"kubelet: {reason}",
            "lastHeartbeatTime": ago(10),
            "lastTransitionTime": ago(3600),
        }
    )
    capacity = {"cpu": "8", "memory": "32Gi", "pods": "110", **({"nvidia.com/gpu": "1"} if gpu else {})}
    return {
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "creationTimestamp": ago(90 * 86400),
            "labels": {"kubernetes.io/hostname": name},
        },
        "spec": {"podCIDR": "10.42.0.0/24"},
        "status": {
            "conditions": conditions,
            "capacity": capacity,
            "nodeInfo": {"kubeletVersion": "v1.30.4+k3s1", "containerRuntimeVersion": "containerd://1.7"},
        },
    }


def container_status(
    name: str, image: str, ready: bool = True, restarts: int = 0, waiting: str = "", last_finished: float | None = None
) -> dict[str, Any]:
    state: dict[str, Any] = {"running": {"startedAt": ago(3000)}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": f"{waiting} for {name}"}}
    last: dict[str, Any] = {}
    if last_finished is not None:
        last = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": ago(last_finished + 30),
                "finishedAt": ago(last_finished),
            }
        }
    return {
        "name": name,
        "image": image,
        "imageID": "",
        "ready": ready,
        "restartCount": restarts,
        "started": ready,
        "state": state,
        "lastState": last,
    }


def pod(
    namespace: str,
    name: str,
    image: str,
    phase: str = "Running",
    owner: str = "",
    age: float = 7200,
    statuses: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}", "creationTimestamp": ago(age)}
    if owner:
        kind, _, owner_name = owner.partition("/")
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": kind, "name": owner_name, "uid": "o", "controller": True}
        ]
    if "deletion" in extra:
        meta["deletionTimestamp"] = ago(extra.pop("deletion"))
        meta["deletionGracePeriodSeconds"] = 30
    status: dict[str, Any] = {
        "phase": phase,
        "startTime": ago(age),
        "containerStatuses": statuses if statuses is not None else [container_status(name.split("-")[0], image)],
    }
    status.update(extra)
    container = {
        "name": name.split("-")[0],
        "image": image,
        "env": [{"name": "DB_PASSWORD", "value": "pod-env-s3cret"}],
    }
    return {"metadata": meta, "spec": {"containers": [container], "nodeName": "cp1"}, "status": status}


def workload(
    kind: str,
    namespace: str,
    name: str,
    image: str,
    replicas: int = 1,
    ready: int | None = None,
    claims: tuple[str, ...] = (),
    templates: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    ready = replicas if ready is None else ready
    template = {
        "metadata": {"labels": {"app": name}},
        "spec": {
            "containers": [{"name": name, "image": image}],
            "volumes": [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims],
        },
    }
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if kind == "DaemonSet":
        status = {"desiredNumberScheduled": replicas, "numberReady": ready, "currentNumberScheduled": replicas}
    else:
        spec["replicas"] = replicas
        status = {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready}
        if not ready:
            del status["readyReplicas"], status["availableReplicas"]  # the API omits zero counts
    if templates:
        spec["volumeClaimTemplates"] = [
            {"metadata": {"name": t}, "spec": {"accessModes": ["ReadWriteOnce"]}} for t in templates
        ]
    meta = {"name": name, "namespace": namespace, "uid": f"uid-{name}", "labels": labels or {"app": name}}
    return {"metadata": meta, "spec": spec, "status": status}


def endpoints(namespace: str, name: str, ready: list[str], not_ready: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    subset: dict[str, Any] = {"ports": [{"port": 443, "protocol": "TCP"}]}
    if ready:
        subset["addresses"] = [{"ip": ip} for ip in ready]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return {"metadata": {"name": name, "namespace": namespace}, "subsets": [subset] if ready or not_ready else []}


def service(namespace: str, name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"type": "ClusterIP", "clusterIP": "10.43.0.10", "ports": [{"port": 443}]},
    }


def webhook(name: str, service: tuple[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": f"validate.{name}.example",
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
                "failurePolicy": "Fail",
                "clientConfig": {
                    "service": {"namespace": service[0], "name": service[1], "port": 443, "path": "/validate"},
                    "caBundle": "Cg==",
                },
            }
        ],
    }
