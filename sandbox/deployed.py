"""What each sandbox host's config repo deploys, run as compose would (SEC-10, CHG-03/04, DOC-01).

There is no ``docker compose`` here; a compose-deployed container is a container
carrying the labels compose sets (``com.docker.compose.project`` / ``.service``),
created with the image and environment ``/srv/infra/docker-compose.yml`` declares
once the repo's ``.env`` is interpolated (``sandbox.files``). Each host runs the
repo's ``app`` service that way; h1 also runs ``proxy``, a reverse proxy that reads
container labels through the docker socket and is allowed to
(``containers.docker_socket_allow``).

The faults change what runs, for real: ``app`` recreated from an older tag of the
same image (drift: the repo was updated, the host was not), ``app`` recreated with
one value changed and one key added by hand (a runtime-only change), a container
mounting the engine's socket with ``--cap-add SYS_ADMIN``, and the fleet document's
front matter claiming 83 containers. ``--privileged`` cannot be started on this
machine (a capability is withheld from its dockerd), so it is not planted.
"""

from __future__ import annotations

from typing import Any

from sandbox import files
from sandbox.hosts import SandboxHost
from sandbox.images import BUSYBOX_IMAGE
from sandbox.workloads import GOOD, run

PROJECT = "infra"
"""Compose's project name for /srv/infra/docker-compose.yml: its directory's name."""
DRIFTED_IMAGE = "golive-sandbox/busybox:0.9"
SOCKET_ALLOWED = {"h1": ["proxy"]}
KEEP = (*GOOD, "--health-cmd", "kill -0 1", "--log-opt", "max-size=10m")


def compose_labels(service: str) -> tuple[str, ...]:
    return ("--label", f"com.docker.compose.project={PROJECT}", "--label", f"com.docker.compose.service={service}")


def run_app(host: SandboxHost, image: str = files.APP_IMAGE, environment: dict[str, str] | None = None) -> None:
    """(Re)create the compose service ``app`` as compose would, with ``environment`` (default: the declared one)."""
    env = files.app_environment(host.name) if environment is None else environment
    options = [*KEEP, *compose_labels("app")]
    for key, value in env.items():
        options += ["--env", f"{key}={value}"]
    run(host, f"{PROJECT}-app-1", options, ("sleep", "1000000"), image)


def plant_baseline(host: SandboxHost) -> None:
    """``app`` as declared; on h1 also the label-reading proxy, allowed the docker socket."""
    run_app(host)
    if host.name in SOCKET_ALLOWED:
        socket = f"{host.engine.socket}:/var/run/docker.sock:ro"
        run(host, "proxy", (*KEEP, "--volume", socket), ("sleep", "1000000"))


def declarations(name: str) -> dict[str, Any]:
    """Keys merged into the host's ``containers:`` section."""
    return {"docker_socket_allow": SOCKET_ALLOWED.get(name, [])}


# --- faults --------------------------------------------------------------------------


def socket_and_sys_admin(host: SandboxHost) -> None:
    """A management UI holding the engine's socket, with SYS_ADMIN for good measure."""
    options = (*KEEP, "--volume", f"{host.engine.socket}:/var/run/docker.sock", "--cap-add", "SYS_ADMIN")
    run(host, "portainer", options, ("sleep", "1000000"))


def image_drift(host: SandboxHost) -> None:
    """``app`` still runs an older tag than the one the repo declares."""
    host.engine.docker("tag", BUSYBOX_IMAGE.tag, DRIFTED_IMAGE)
    run_app(host, image=DRIFTED_IMAGE)


def env_changed_by_hand(host: SandboxHost) -> None:
    """``app`` recreated by hand with APP_MODE changed and DEBUG_SQL added: in no commit."""
    env = {**files.app_environment(host.name), "APP_MODE": "debug", "DEBUG_SQL": "1"}
    run_app(host, environment=env)


def inflated_claims(host: SandboxHost) -> None:
    """The fleet document claims 83 containers (the docs claimed 83, reality was 62)."""
    doc = f"{files.REPO}/{files.FLEET_DOC}"
    text = f"---\nclaims:\n  containers: 83\n  services: [app]\n---\n# {host.name}\n\nReviewed.\n"
    files._write(host, doc, text)
    files.commit(host, "docs: fleet numbers", paths=files.FLEET_DOC)
