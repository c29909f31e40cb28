"""A light fleet: many sandbox hosts, each only an sshd, sharing one Docker engine and one nginx.

A ``LightHost`` is a ``SandboxHost`` (its own network, mount and UTS namespaces, its own
/run, /srv and /etc, reached over real SSH through ``ip netns exec … nc``) without an
engine of its own: its /run/docker.sock is a link to the socket of the fleet's one
engine, so every host sees the same containers. One sshd costs a few MB and no CPU at
rest, which is what lets 200 hosts fit on a 2-core machine; a dockerd per host would not.

The HTTPS endpoints are the sandbox's nginx (sandbox/web.py) on the machine's loopback,
declared by every host. What each host holds is sandbox/light_profile.py's.

    fleet = LightFleet(Path("/tmp/gfb"), hosts=50, prefix="gfb")
    fleet.up()            # idempotent; tears down what it began if it fails
    fleet.down(purge=True)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sandbox.debian import ensure_installed
from sandbox.docker_engine import DockerEngine
from sandbox.fleet import free_ports
from sandbox.hosts import OWN_DIRS, PACKAGES, SSHD, SandboxHost, SshAccess, _in_host
from sandbox.images import ensure_images
from sandbox.process import Daemon, SandboxError, wait_for
from sandbox.tls import Certificates
from sandbox.web import Web, WebPorts

# A home of its own for root, as a Debian host has (the base-files .bashrc and .profile): the
# machine's /root would make every SSH session source the machine's own shell start-up files.
ROOT_HOME = "/usr/share/base-files"
# Hosts started at once: sshd start-up is mostly waiting, and 8 keep 2 cores busy.
PARALLEL = 8


@dataclass(frozen=True)
class LightHost(SandboxHost):
    """A sandbox host whose Docker socket is the shared engine's ``docker_socket``."""

    docker_socket: Path = Path("/run/docker.sock")

    @property
    def sshd(self) -> Daemon:
        argv = [SSHD, "-D", "-e", "-f", str(self.dir / "ssh" / "sshd_config")]
        return Daemon("sshd", _in_host(self, argv, {**OWN_DIRS, "/root": "root"}), self.dir)

    def up(self, authorized_keys: Path) -> None:
        """Namespaces, /etc, /root, the socket link and sshd; idempotent."""
        self._prepare(authorized_keys)
        home = self.dir / "root"
        if not home.exists():
            home.mkdir(mode=0o700)
            for name in ("bashrc", "profile"):
                shutil.copyfile(f"{ROOT_HOME}/dot.{name}", home / f".{name}")
        link = self.dir / "run" / "docker.sock"
        if not link.is_symlink():
            link.unlink(missing_ok=True)
            link.symlink_to(self.docker_socket)
        self._ensure_netns()
        self.sshd.start(ready=self._sshd_listening, timeout=30)

    def down(self) -> None:
        # sshd lives in the namespace: if its stop races with its exit (reading /proc of a
        # process as it goes raises ESRCH), the loop below ends it all the same
        with contextlib.suppress(ProcessLookupError):
            self.sshd.stop()
        for pid in self.netns_pids():  # what sshd's sessions left; the namespace is ours alone
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.netns_exists():
            subprocess.run(["ip", "netns", "delete", self.alias], capture_output=True)

    def is_up(self) -> bool:
        return self.netns_exists() and self.sshd.pid() is not None

    def leftovers(self) -> list[str]:
        found = [f"netns {self.alias}"] if self.netns_exists() else []
        return found + [f"pid {pid}" for pid in self.netns_pids()]


class LightFleet:
    """``hosts`` light hosts under ``run_dir`` (names ``b0001`` …), namespaces prefixed ``prefix``."""

    def __init__(self, run_dir: Path, hosts: int, prefix: str = "gfb") -> None:
        self.run_dir = Path(run_dir).resolve()
        self.prefix = prefix
        self.engine = DockerEngine(f"{prefix}-engine", self.run_dir / "engine", netns=f"{prefix}-engine")
        self.hosts = [
            LightHost(f"b{index:04d}", self.run_dir, prefix, docker_socket=self.engine.socket)
            for index in range(1, hosts + 1)
        ]
        self.ssh = SshAccess(self.run_dir / "ssh")
        self.certificates = Certificates(self.run_dir)

    @property
    def web(self) -> Web:
        return Web(self.run_dir, self.certificates.minted(), self._web_ports())

    def up(self) -> None:
        """Engine, web, hosts and SSH access; on any failure everything is torn down again."""
        try:
            self._up()
        except BaseException:
            self.down()
            raise

    def _up(self) -> None:
        ensure_installed(PACKAGES)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._engine_netns()
        self.engine.start()
        ensure_images(self.engine)
        self.certificates.up()
        self.web.up()
        authorized = self.ssh.ensure_key()
        self.hosts[0].up(authorized)  # makes the run dir's one copy of /etc the others link to
        with ThreadPoolExecutor(PARALLEL) as pool:
            list(pool.map(lambda host: host.up(authorized), self.hosts[1:]))
        self.ssh.write(self.hosts)
        for host in (self.hosts[0], self.hosts[-1]):
            wait_for(lambda host=host: self.ssh.run(host, "docker ps -q").returncode == 0, 20, f"ssh to {host.alias}")

    def down(self, purge: bool = False) -> None:
        """Stop everything (also after a partial up()); ``purge`` also removes the run dir."""
        errors = []
        with ThreadPoolExecutor(PARALLEL) as pool:
            for host, error in zip(self.hosts, pool.map(_down, self.hosts), strict=True):
                if error:
                    errors.append(f"{host.name}: {error}")
        self.ssh.close()
        with contextlib.suppress(FileNotFoundError):
            self.web.down()
        self.engine.stop(remove_containers=True)
        subprocess.run(["ip", "netns", "delete", self.engine.netns or ""], capture_output=True)
        if purge:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if errors:
            raise SandboxError("down left errors: " + "; ".join(errors))

    def leftovers(self) -> list[str]:
        found = [f"{host.name}: {item}" for host in self.hosts for item in host.leftovers()]
        return found + [f"engine: {item}" for item in self.engine.leftovers()]

    def _engine_netns(self) -> None:
        netns = self.engine.netns or ""
        if not Path("/run/netns", netns).exists():
            subprocess.run(["ip", "netns", "add", netns], check=True, capture_output=True)
        subprocess.run(["ip", "-n", netns, "link", "set", "lo", "up"], check=True, capture_output=True)

    def _web_ports(self) -> WebPorts:
        record = self.run_dir / "web-ports"
        if not record.exists():
            self.run_dir.mkdir(parents=True, exist_ok=True)
            record.write_text(" ".join(map(str, free_ports(3))))
        return WebPorts(*(int(port) for port in record.read_text().split()))


def _down(host: LightHost) -> str:
    try:
        host.down()
    except Exception as error:  # keep tearing down the rest
        return str(error)
    return ""


@contextlib.contextmanager
def light_fleet(run_dir: Path, hosts: int, prefix: str) -> Iterator[LightFleet]:
    """A light fleet up for the duration, always torn down (and its run dir removed)."""
    fleet = LightFleet(run_dir, hosts, prefix)
    fleet.up()
    try:
        yield fleet
    finally:
        fleet.down(purge=True)
