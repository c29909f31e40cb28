"""A Kubernetes API server STAND-IN on 127.0.0.1, for K8S-01..06 end to end with the real kubectl.

No Kubernetes API server can be installed here (no registry reached from this
machine offers kube-apiserver or k3s; Debian ships etcd and kubectl only), so this
stand-in answers the part of the API that ``kubectl get <kinds> -A -o json`` uses:
discovery (``/version``, ``/api``, ``/apis``, ``/api/v1``, ``/apis/<group>/<version>``)
and the list of each kind, over HTTPS with a certificate from its own CA (kubectl
verifies it) and a bearer token (401 otherwise). What each list holds is the
scenario's cluster (sandbox/kube_cluster.py, objects from sandbox/kube_objects.py).
Its ``/version`` says it is a stand-in.

Compose: ``KubeApiStandin(run_dir, scenario, token).up()`` then ``kubeconfig(path)``;
``down()``. kubectl itself comes from sandbox/kubectl.py.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.kube_cluster import cluster
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
