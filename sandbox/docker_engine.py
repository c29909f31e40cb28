"""A private Docker engine: Debian's dockerd with its own data, state and socket.

Each sandbox host gets one, so a container started on one host is not listed on
another, and nothing touches a Docker the machine may already run. Everything the
engine owns lives under one directory, laid out like a host's own filesystem:

    <root>/docker/                  data root (images, containers)
    <root>/run/docker/              exec root (containerd's state and socket)
    <root>/run/docker.sock          the API socket
    <root>/etc/docker/daemon.json   its configuration

Containers get no bridge and no iptables rules (``--network none`` or ``host``),
so the engine never makes an address outside loopback. Given a network namespace,
dockerd runs inside it, and ``--network host`` containers listen in that namespace.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.debian import ensure_installed
from sandbox.process import Daemon, SandboxError

DOCKERD = "/usr/sbin/dockerd"
# /usr/local/bin/docker may be another client; this one is the engine's own version.
DOCKER = "/usr/bin/docker"
PACKAGES = ("docker.io", "iproute2", "util-linux")

# containerd refuses unix socket paths longer than this (it keeps to the BSD limit).
MAX_SOCKET_PATH = 104

# A production-like baseline; a fault is planted by starting with another config.
DEFAULT_CONFIG: dict[str, Any] = {
    "log-driver": "json-file",
    "log-opts": {"max-size": "10m", "max-file": "3"},
}


@dataclass(frozen=True)
class DockerEngine:
    """One dockerd (and the containerd it spawns) under ``root``."""

    name: str
    root: Path
    netns: str | None = None
    hostname: str | None = None
    config: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CONFIG))

    @property
    def socket(self) -> Path:
        return self.root / "run" / "docker.sock"

    @property
    def docker_host(self) -> str:
        """The value for ``DOCKER_HOST`` or ``docker -H``."""
        return f"unix://{self.socket}"

    @property
    def config_file(self) -> Path:
        return self.root / "etc" / "docker" / "daemon.json"

    @property
    def cgroup_parent(self) -> str:
        return self.name

    @property
    def daemon(self) -> Daemon:
        argv = [
            DOCKERD,
            f"--data-root={self.root / 'docker'}",
            f"--exec-root={self.root / 'run' / 'docker'}",
            f"--pidfile={self.root / 'run' / 'docker.pid'}",
            f"--host={self.docker_host}",
            f"--config-file={self.config_file}",
            f"--cgroup-parent={self.cgroup_parent}",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
        ]
        if self.hostname is not None:
            # Its own UTS namespace: `docker info` and --network host containers
            # report the host's name rather than the machine's.
            script = f"hostname {shlex.quote(self.hostname)} && exec {shlex.join(argv)}"
            argv = ["unshare", "--uts", "--", "sh", "-c", script]
        if self.netns is not None:
            argv = ["nsenter", f"--net=/run/netns/{self.netns}", "--", *argv]
        return Daemon("dockerd", argv, self.root)

    def start(self, timeout: float = 60.0) -> int:
        """Start dockerd unless it runs; return once the API answers."""
        longest = self.root / "run" / "docker" / "containerd" / "containerd-debug.sock"
        if len(str(longest)) > MAX_SOCKET_PATH:
            raise SandboxError(
                f"engine root {self.root} is too deep: containerd's socket {longest} "
                f"would pass {MAX_SOCKET_PATH} bytes; use a shorter run dir"
            )
        ensure_installed(PACKAGES)
        for directory in (self.root / "docker", self.root / "run", self.config_file.parent):
            directory.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(json.dumps(self.config, indent=2) + "\n")
        return self.daemon.start(ready=self.answers, timeout=timeout)

    def answers(self) -> bool:
        """The API socket answers ``GET /_ping`` with OK."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(2)
                client.connect(str(self.socket))
                client.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
                reply = client.recv(4096)
        except OSError:
            return False
        return reply.startswith(b"HTTP/1.") and reply.rstrip().endswith(b"OK")

    def is_running(self) -> bool:
        return self.daemon.pid() is not None and self.answers()

    def docker(
        self, *args: str, input: bytes | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[bytes]:
        """Run the docker CLI against this engine."""
        result = subprocess.run(
            [DOCKER, "--host", self.docker_host, *args],
            input=input,
            capture_output=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise SandboxError(
                f"docker {' '.join(args[:3])} on {self.name} failed: {result.stderr.decode(errors='replace')[-400:]}"
            )
        return result

    def containers(self) -> list[str]:
        """Ids of all containers, running or not."""
        out = self.docker("ps", "--all", "--quiet", "--no-trunc").stdout.decode()
        return out.split()

    def stop(self, remove_containers: bool = False, cgroups: bool = True) -> None:
        """Stop dockerd and everything it left: processes, cgroups, mounts.

        Safe to call when nothing runs, and after a crash or a partial start. The cgroups
        are found by name (``cgroup_parent``), which an engine of the same name in another
        run dir shares: ``cgroups=False`` leaves them to that engine.
        """
        if remove_containers and self.answers():
            ids = self.containers()
            if ids:
                self.docker("rm", "--force", "--volumes", *ids, check=False)
        self.daemon.stop(timeout=20)
        _kill(processes_mentioning(self.root))
        if cgroups:
            _remove_cgroups(self.cgroup_parent)
        unmount_under(self.root)
        self.socket.unlink(missing_ok=True)
        # containerd's shims keep their sockets here whatever the exec root is;
        # the directories go once the last engine on the machine is stopped.
        for directory in (Path("/run/containerd/s"), Path("/run/containerd")):
            _rmdir(directory)

    def leftovers(self) -> list[str]:
        """What a stopped engine should not leave: pids and mounts, as text."""
        pids = [f"pid {pid}" for pid in processes_mentioning(self.root)]
        return pids + [f"mount {target}" for target in mounts_under(self.root)]


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below ``path`` in our mount namespace, deepest first."""
    prefix = str(path.resolve())
    targets = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        target = line.split()[4].replace("\\040", " ")
        if target == prefix or target.startswith(prefix + "/"):
            targets.append(target)
    return sorted(set(targets), key=len, reverse=True)


def unmount_under(path: Path) -> None:
    """Unmount what dockerd mounted below ``path`` (overlays, netns files)."""
    for target in mounts_under(path):
        if subprocess.run(["umount", target], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", target], capture_output=True)


def processes_mentioning(path: Path) -> list[int]:
    """Pids whose command line names ``path``: containerd and its shims."""
    needle = str(path).rstrip("/").encode() + b"/"
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def _remove_cgroups(parent: str) -> None:
    """Kill what is left in the engine's cgroups and remove them (cgroup v1 and v2)."""
    base = Path("/sys/fs/cgroup")
    for top in [*base.glob(parent), *base.glob(f"*/{parent}")]:
        # deepest first, the top last; a container's cgroup that dockerd removes meanwhile is
        # passed over (os.walk ignores a directory gone while listed)
        for directory, _, _ in os.walk(top, topdown=False):
            _kill_cgroup(Path(directory))
            _rmdir(Path(directory))


def _kill_cgroup(directory: Path) -> None:
    try:
        pids = [int(pid) for pid in (directory / "cgroup.procs").read_text().split()]
    except OSError:
        return
    _kill(pids)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _rmdir(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass
