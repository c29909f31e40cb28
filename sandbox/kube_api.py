"""A Kubernetes API server STAND-IN on 127.0.0.1, for K8S-01..06 end to end with the real kubectl.

No Kubernetes API server can be installed here (no registry reached from this
machine offers kube-apiserver or k3s; Debian ships etcd and kubectl only), so this
stand-in answers the part of the API that ``kubectl get <kinds> -A -o json`` uses:
discovery (``/version``, ``/api``, ``/apis``, ``/api/v1``, ``/apis/<group>/<version>``)
and the list of each kind, over HTTPS with a certificate from its own CA (kubectl
verifies it) and a bearer token (401 otherwise). Objects are shaped to the
Kubernetes API reference (v1, apps/v1, batch/v1, admissionregistration.k8s.io/v1);
list items carry no kind, as a real server's typed lists don't (kubectl adds it).
Its ``/version`` says it is a stand-in.

Scenarios: ``healthy`` (a k3s-like cluster: a control plane, a GPU worker, CoreDNS,
an admission webhook, Postgres with a Bound claim) and ``broken`` (a NotReady node, a
worker that dropped out, CrashLoopBackOff, ImagePullBackOff, Pending past 10 min,
Terminating past its grace, an Evicted pod, CoreDNS not ready, the webhook's service
without ready endpoints, a deployment short of replicas, a Pending claim, and the
``api`` deployment running an image older than the manifest's ``MANIFEST``).

Compose: ``KubeApiStandin(run_dir, scenario, token).up()`` then ``kubeconfig(path)``;
``down()``. ``debian_kubectl(cache)`` is kubectl from Debian's kubernetes-client,
unpacked (not installed) so it never collides with another kubectl on the machine.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.process import SandboxError

GROUPS = {
    "": (
        "v1",
        {
            "nodes": ("Node", False),
            "pods": ("Pod", True),
            "services": ("Service", True),
            "endpoints": ("Endpoints", True),
            "persistentvolumeclaims": ("PersistentVolumeClaim", True),
        },
    ),
    "apps": (
        "v1",
        {"deployments": ("Deployment", True), "statefulsets": ("StatefulSet", True), "daemonsets": ("DaemonSet", True)},
    ),
    "batch": ("v1", {"cronjobs": ("CronJob", True)}),
    "admissionregistration.k8s.io": (
        "v1",
        {
            "validatingwebhookconfigurations": ("ValidatingWebhookConfiguration", False),
            "mutatingwebhookconfigurations": ("MutatingWebhookConfiguration", False),
        },
    ),
}
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


def _time(seconds_ago: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds_ago, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node(name: str, ready: str = "True", pressure: str = "", gpu: bool = False) -> dict[str, Any]:
    conditions = [
        {
            "type": kind,
            "status": "True" if kind == pressure else "False",
            "reason": f"KubeletHas{kind}",
            "lastHeartbeatTime": _time(10),
            "lastTransitionTime": _time(86400),
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
            "lastHeartbeatTime": _time(10),
            "lastTransitionTime": _time(3600),
        }
    )
    capacity = {"cpu": "8", "memory": "32Gi", "pods": "110", **({"nvidia.com/gpu": "1"} if gpu else {})}
    return {
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "creationTimestamp": _time(90 * 86400),
            "labels": {"kubernetes.io/hostname": name},
        },
        "spec": {"podCIDR": "10.42.0.0/24"},
        "status": {
            "conditions": conditions,
            "capacity": capacity,
            "nodeInfo": {"kubeletVersion": "v1.30.4+k3s1", "containerRuntimeVersion": "containerd://1.7"},
        },
    }


def _container_status(
    name: str, image: str, ready: bool = True, restarts: int = 0, waiting: str = "", last_finished: float | None = None
) -> dict[str, Any]:
    state: dict[str, Any] = {"running": {"startedAt": _time(3000)}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": f"{waiting} for {name}"}}
    last: dict[str, Any] = {}
    if last_finished is not None:
        last = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": _time(last_finished + 30),
                "finishedAt": _time(last_finished),
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


def _pod(
    namespace: str,
    name: str,
    image: str,
    phase: str = "Running",
    owner: str = "",
    age: float = 7200,
    statuses: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}", "creationTimestamp": _time(age)}
    if owner:
        kind, _, owner_name = owner.partition("/")
        meta["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": kind, "name": owner_name, "uid": "o", "controller": True}
        ]
    if "deletion" in extra:
        meta["deletionTimestamp"] = _time(extra.pop("deletion"))
        meta["deletionGracePeriodSeconds"] = 30
    status: dict[str, Any] = {
        "phase": phase,
        "startTime": _time(age),
        "containerStatuses": statuses if statuses is not None else [_container_status(name.split("-")[0], image)],
    }
    status.update(extra)
    container = {
        "name": name.split("-")[0],
        "image": image,
        "env": [{"name": "DB_PASSWORD", "value": "pod-env-s3cret"}],
    }
    return {"metadata": meta, "spec": {"containers": [container], "nodeName": "cp1"}, "status": status}


def _workload(
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


def _endpoints(namespace: str, name: str, ready: list[str], not_ready: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    subset: dict[str, Any] = {"ports": [{"port": 443, "protocol": "TCP"}]}
    if ready:
        subset["addresses"] = [{"ip": ip} for ip in ready]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return {"metadata": {"name": name, "namespace": namespace}, "subsets": [subset] if ready or not_ready else []}


def _service(namespace: str, name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"type": "ClusterIP", "clusterIP": "10.43.0.10", "ports": [{"port": 443}]},
    }


def _webhook(name: str, service: tuple[str, str]) -> dict[str, Any]:
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


def cluster(scenario: str) -> dict[str, list[dict[str, Any]]]:
    """Resource name → items of the scenario, with times relative to now."""
    broken = scenario == "broken"
    nodes = [_node("cp1"), _node("gpu1", gpu=True)]
    if broken:
        nodes = [_node("cp1", pressure="DiskPressure"), _node("gpu1", ready="Unknown", gpu=True)]  # worker2 dropped out
    else:
        nodes.append(_node("worker2"))
    api_image = "registry.example/api:1.4.2" if broken else "registry.example/api:1.5.0"
    pods = [
        _pod(
            "kube-system", "coredns-6799fbcd5-x1", "rancher/mirrored-coredns-coredns:1.10.1", owner="ReplicaSet/coredns"
        ),
        _pod("apps", "api-7d9c-a", api_image, owner="ReplicaSet/api-7d9c"),
        _pod(
            "db",
            "postgres-0",
            "postgres:16.3",
            owner="StatefulSet/postgres",
            statuses=[_container_status("postgres", "postgres:16.3", restarts=1, last_finished=3 * 86400)],
        ),
        _pod(
            "apps",
            "report-28990-x",
            "busybox:1.36",
            phase="Succeeded",
            statuses=[_container_status("report", "busybox:1.36", ready=False)],
        ),
    ]
    if broken:
        pods += [
            _pod(
                "apps",
                "worker-5f-crash",
                "registry.example/worker:2.0",
                statuses=[
                    _container_status(
                        "worker",
                        "registry.example/worker:2.0",
                        ready=False,
                        restarts=42,
                        waiting="CrashLoopBackOff",
                        last_finished=120,
                    )
                ],
            ),
            _pod(
                "apps",
                "web-6b-pull",
                "registry.example/web:9.9",
                phase="Pending",
                statuses=[
                    _container_status("web", "registry.example/web:9.9", ready=False, waiting="ImagePullBackOff")
                ],
            ),
            _pod(
                "apps",
                "batch-pending",
                "busybox:1.36",
                phase="Pending",
                age=3600,
                statuses=[],
                conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}],
            ),
            _pod("apps", "old-terminating", "busybox:1.36", deletion=900),
            _pod(
                "apps",
                "evicted-1",
                "busybox:1.36",
                phase="Failed",
                reason="Evicted",
                message="The node was low on resource: ephemeral-storage.",
                statuses=[],
            ),
            _pod(
                "kube-system",
                "coredns-6799fbcd5-x2",
                "rancher/mirrored-coredns-coredns:1.10.1",
                statuses=[_container_status("coredns", "rancher/mirrored-coredns-coredns:1.10.1", ready=False)],
            ),
            _pod(
                "scratch",
                "ignored-crash",
                "busybox:1.36",
                statuses=[
                    _container_status(
                        "ignored", "busybox:1.36", ready=False, restarts=9, waiting="CrashLoopBackOff", last_finished=60
                    )
                ],
            ),
        ]
    workloads = {
        "deployments": [
            _workload(
                "Deployment",
                "kube-system",
                "coredns",
                "rancher/mirrored-coredns-coredns:1.10.1",
                replicas=2 if broken else 1,
                ready=0 if broken else 1,
                labels={"k8s-app": "kube-dns"},
            ),
            _workload("Deployment", "apps", "api", api_image, replicas=3, ready=1 if broken else 3),
            _workload("Deployment", "policy", "bootstrapper", "registry.example/bootstrapper:0.3"),
        ],
        "statefulsets": [_workload("StatefulSet", "db", "postgres", "postgres:16.3", templates=("data",))],
        "daemonsets": [
            _workload(
                "DaemonSet", "kube-system", "svclb", "rancher/klipper-lb:v0.4", replicas=3, ready=2 if broken else 3
            )
        ],
    }
    cronjob = _workload("CronJob", "apps", "report", "busybox:1.36")
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
        "services": [_service("kube-system", "kube-dns"), _service("policy", "bootstrapper")],
        "endpoints": [
            _endpoints("kube-system", "kube-dns", [] if broken else ["10.42.0.5"], ["10.42.0.6"] if broken else []),
            _endpoints("policy", "bootstrapper", [] if broken else ["10.42.0.9"]),
        ],
        "persistentvolumeclaims": claims,
        "validatingwebhookconfigurations": [_webhook("project-bootstrapper", ("policy", "bootstrapper"))],
        "mutatingwebhookconfigurations": [],
    }


class KubeApiStandin:
    """The stand-in API server on 127.0.0.1 (a free port), its CA and its token."""

    def __init__(self, run_dir: Path, scenario: str, token: str) -> None:
        self.run_dir = run_dir / "kube-api"
        self.scenario = scenario
        self.token = token
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def ca(self) -> Path:
        return self.run_dir / "ca.crt"

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def up(self) -> KubeApiStandin:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._mint()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.run_dir / "server.crt", self.run_dir / "server.key")
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True, name="kube-api-standin").start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def kubeconfig(self, path: Path, context: str = "standin", **user: Any) -> Path:
        """A kubeconfig for this server: the CA, the token (or ``user`` fields instead)."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": context,
            "clusters": [{"name": "standin", "cluster": {"server": self.url, "certificate-authority": str(self.ca)}}],
            "users": [{"name": "reader", "user": user or {"token": self.token}}],
            "contexts": [{"name": context, "context": {"cluster": "standin", "user": "reader"}}],
        }
        path.write_text(json.dumps(config))
        path.chmod(0o600)
        return path

    def _mint(self) -> None:
        if (self.run_dir / "server.crt").exists():
            return
        d = self.run_dir

        def openssl(*args: str) -> None:
            result = subprocess.run(["openssl", *args], capture_output=True, text=True)
            if result.returncode != 0:
                raise SandboxError(f"openssl {args[0]} failed: {result.stderr[-300:]}")

        openssl(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(d / "ca.key"),
            "-out",
            str(d / "ca.crt"),
            "-days",
            "30",
            "-subj",
            "/CN=golive kube-api stand-in CA",
        )
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(d / "server.key"),
            "-out",
            str(d / "server.csr"),
            "-subj",
            "/CN=kube-apiserver-standin",
        )
        (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        openssl(
            "x509",
            "-req",
            "-in",
            str(d / "server.csr"),
            "-CA",
            str(d / "ca.crt"),
            "-CAkey",
            str(d / "ca.key"),
            "-CAcreateserial",
            "-out",
            str(d / "server.crt"),
            "-days",
            "30",
            "-extfile",
            str(d / "ext.cnf"),
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path.rstrip("/")
                standin.requests.append(f"GET {self.path}")
                if self.headers.get("Authorization") != f"Bearer {standin.token}":
                    return self._json(401, _status(401, "Unauthorized", "Unauthorized"))
                answer = _answer(path, standin.scenario)
                if answer is None:
                    return self._json(404, _status(404, "NotFound", f"the server could not find {path}"))
                self._json(200, answer)

            def do_POST(self) -> None:  # every verb but GET is refused: golive only reads
                self._json(405, _status(405, "MethodNotAllowed", "the stand-in is read-only"))

            do_PUT = do_PATCH = do_DELETE = do_POST

            def _json(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _answer(path: str, scenario: str) -> Any:
    if path == "/version":
        return {"major": "1", "minor": "30", "gitVersion": "v1.30.0-golive-sandbox-standin", "platform": "linux/amd64"}
    if path == "/api":
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
        }
    if path == "/apis":
        groups = [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v},
            }
            for g, (v, _) in GROUPS.items()
            if g
        ]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    for group, (version, resources) in GROUPS.items():
        base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
        if path == base:
            listed = [
                {
                    "name": name,
                    "singularName": "",
                    "namespaced": namespaced,
                    "kind": kind,
                    "verbs": ["get", "list", "watch"],
                }
                for name, (kind, namespaced) in resources.items()
            ]
            return {
                "kind": "APIResourceList",
                "groupVersion": base.removeprefix("/api/").removeprefix("/apis/"),
                "resources": listed,
            }
        if path.startswith(base + "/") and path[len(base) + 1 :] in resources:
            name = path[len(base) + 1 :]
            kind = resources[name][0]
            return {
                "kind": f"{kind}List",
                "apiVersion": f"{group}/{version}" if group else version,
                "metadata": {"resourceVersion": "1"},
                "items": cluster(scenario)[name],
            }
    return None


def debian_kubectl(cache: Path) -> Path:
    """kubectl from Debian's kubernetes-client, downloaded with apt-get and unpacked under ``cache``."""
    binary = cache / "usr" / "bin" / "kubectl"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    download = cache / "deb"
    download.mkdir(exist_ok=True)
    result = subprocess.run(["apt-get", "download", "kubernetes-client"], cwd=download, capture_output=True, text=True)
    if result.returncode != 0:  # a fresh machine has no package lists yet
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        result = subprocess.run(
            ["apt-get", "download", "kubernetes-client"], cwd=download, capture_output=True, text=True
        )
    debs = list(download.glob("kubernetes-client_*.deb"))
    if result.returncode != 0 or not debs:
        raise SandboxError(f"apt-get download kubernetes-client failed: {result.stderr[-300:]}")
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(cache)], check=True)
    shutil.rmtree(download, ignore_errors=True)
    if not binary.exists():
        raise SandboxError("kubernetes-client's package holds no usr/bin/kubectl")
    return binary
