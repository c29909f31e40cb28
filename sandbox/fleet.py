"""The sandbox fleet as one thing: ``up()``, ``down()``, ``status()``, ``describe()``.

It composes the hosts (each with its sshd and Docker engine), the images every
engine needs, and the services started on top of them. ``up()`` is idempotent and
tears everything down again when it fails or is interrupted (Ctrl-C, SIGTERM);
``down()`` removes everything, also after a partial ``up()`` or from another
process, because what an ``up()`` began is recorded in ``<run_dir>/fleet.json``
before anything starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import shutil
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from sandbox.host_exporters import HostExporters
from sandbox.hosts import SandboxHost, SshAccess
from sandbox.images import BUSYBOX_IMAGE, NO_WGET_IMAGE, ensure_images
from sandbox.monitoring import Monitoring, MonitoringPorts, Probe
from sandbox.process import SandboxError, wait_for
from sandbox.tls import Certificates
from sandbox.web import Web, WebPorts

DEFAULT_RUN_DIR = Path("/tmp/golive-sandbox")
DEFAULT_HOSTS = ("h1", "h2")


class Service(Protocol):
    """A piece started after the hosts and stopped before them (TLS, web, monitoring)."""

    name: str

    def up(self) -> None: ...

    def down(self) -> None: ...

    def is_up(self) -> bool: ...

    def describe(self) -> dict[str, Any]: ...


class Fleet:
    """The hosts ``names`` under ``run_dir``, their namespaces prefixed ``prefix``."""

    def __init__(
        self,
        run_dir: Path = DEFAULT_RUN_DIR,
        names: Sequence[str] = DEFAULT_HOSTS,
        prefix: str = "golive",
    ) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.prefix = prefix
        self.hosts = [SandboxHost(name, self.run_dir, prefix) for name in names]
        self.ssh = SshAccess(self.run_dir / "ssh")

    def host(self, name: str) -> SandboxHost:
        """The host called ``name``."""
        for host in self.hosts:
            if host.name == name:
                return host
        raise SandboxError(f"no sandbox host {name!r} (hosts: {', '.join(h.name for h in self.hosts)})")

    @property
    def record(self) -> Path:
        return self.run_dir / "fleet.json"

    def services(self) -> list[Service]:
        """The services on top of the hosts, in start order.

        This is where sandbox/tls.py, web.py and monitoring.py join the fleet:
        each is a ``Service`` built from ``self`` (hosts, run_dir), listed here.
        """
        certificates = Certificates(self.run_dir)
        web = Web(self.run_dir, certificates.minted(), self.web_ports())
        return [certificates, web, *self._monitoring(web)]

    def web_ports(self) -> WebPorts:
        """The default fleet (prefix ``golive``) serves on the documented ports; any other
        fleet (tests) picks free loopback ports once and keeps them in its run dir."""
        if self.prefix == "golive":
            return WebPorts()
        record = self.run_dir / "web-ports.json"
        try:
            return WebPorts(**json.loads(record.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            ports = WebPorts(*free_ports(3))
            self.run_dir.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(dataclasses.asdict(ports)) + "\n")
            return ports

    def _monitoring(self, web: Web) -> list[Service]:
        """A node exporter inside each host, and the monitoring stack scraping them (label
        ``host``) and probing the web's /ok endpoint; no down target: faults plant one."""
        if self.prefix == "golive":
            ports = [*dataclasses.astuple(MonitoringPorts()), *range(19201, 19201 + len(self.hosts))]
        else:
            ports = self._ports("monitoring-ports.json", len(dataclasses.fields(MonitoringPorts)) + len(self.hosts))
        exporters = HostExporters(
            self.hosts, {host.name: port for host, port in zip(self.hosts, ports[7:], strict=True)}
        )
        probes = [Probe(e.url, e.hostname) for e in web.endpoints() if e.url.endswith("/ok") and "https" in e.url]
        monitoring = Monitoring(
            self.run_dir,
            probes,
            web.certs.ca_bundle,
            MonitoringPorts(*ports[:7]),
            down_target=False,
            host_targets=exporters.targets(),
        )
        return [exporters, monitoring]

    def _ports(self, name: str, count: int) -> list[int]:
        """Free loopback ports picked once for this fleet and kept in its run dir."""
        record = self.run_dir / name
        try:
            ports = json.loads(record.read_text())
            if len(ports) == count:
                return [int(port) for port in ports]
        except (FileNotFoundError, ValueError, TypeError):
            pass
        ports = free_ports(count)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(ports) + "\n")
        return ports

    def up(self) -> dict[str, Any]:
        """Start whatever is not running; return ``describe()``.

        On any failure or interruption, everything is torn down before raising.
        """
        with self._locked():
            try:
                with _on_sigterm(_interrupt):
                    self._up()
            except BaseException:
                with _on_sigterm(signal.SIG_IGN):
                    self._down()
                raise
            return self.describe()

    def _up(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._write_record()
        authorized = self.ssh.ensure_key()

        def host_up(host: SandboxHost) -> None:
            host.up(authorized)
            ensure_images(host.engine)

        # hosts share nothing but the run dir's copy of the machine's /etc (made once)
        with ThreadPoolExecutor(max_workers=len(self.hosts) or 1, thread_name_prefix="host-up") as pool:
            for started in [pool.submit(host_up, host) for host in self.hosts]:
                started.result()
        self.ssh.write(self.hosts)
        for host in self.hosts:
            self._check_ssh(host)
        for service in self.services():
            service.up()

    def down(self, purge: bool = False) -> None:
        """Stop and remove everything, also what an earlier partial up() left.

        Files stay for a faster next ``up()`` (keys, imported images), unless
        ``purge``: then the run dir goes too.
        """
        with self._locked():
            self._down()
        if purge:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def status(self) -> dict[str, dict[str, bool]]:
        """Per host and service: which of its parts run."""
        report: dict[str, dict[str, bool]] = {}
        for host in self.hosts:
            report[host.name] = {
                "netns": host.netns_exists(),
                "sshd": host.sshd.pid() is not None,
                "docker": host.engine.is_running(),
            }
        for service in self.services():
            report[service.name] = {"up": service.is_up()}
        return report

    def is_up(self) -> bool:
        return all(all(parts.values()) for parts in self.status().values())

    def describe(self) -> dict[str, Any]:
        """What tests and the inventory need to reach the fleet (also in fleet.json)."""
        return {
            "run_dir": str(self.run_dir),
            "prefix": self.prefix,
            "ssh_config": str(self.ssh.config),
            "hosts": {host.name: _describe_host(host, self.ssh) for host in self.hosts},
            "images": {"busybox": BUSYBOX_IMAGE.tag, "busybox_nowget": NO_WGET_IMAGE.tag},
            "services": {service.name: service.describe() for service in self.services()},
        }

    def leftovers(self) -> list[str]:
        """What a downed fleet should not leave behind: processes, namespaces, mounts."""
        return [f"{host.name}: {item}" for host in self._known_hosts() for item in host.leftovers()]

    def _down(self) -> None:
        errors = []

        def down(piece: Service | SandboxHost) -> None:
            try:
                piece.down()
            except Exception as error:  # keep tearing down the rest
                errors.append(f"{getattr(piece, 'name', piece)}: {error}")

        for service in reversed(self.services()):
            down(service)
        # hosts share nothing: each stops its own containers, engine and processes
        with ThreadPoolExecutor(max_workers=len(self._known_hosts()) or 1, thread_name_prefix="host-down") as pool:
            list(pool.map(down, self._known_hosts()))
        self.ssh.close()
        self.record.unlink(missing_ok=True)
        if errors:
            raise SandboxError("down left errors: " + "; ".join(errors))

    def _known_hosts(self) -> list[SandboxHost]:
        """Our hosts plus any an earlier up() in this run dir recorded."""
        hosts = {host.name: host for host in self.hosts}
        try:
            recorded = json.loads(self.record.read_text())
            for name in recorded.get("hosts", {}):
                hosts.setdefault(name, SandboxHost(name, self.run_dir, recorded["prefix"]))
        except (FileNotFoundError, ValueError, KeyError):
            pass
        return list(hosts.values())

    def _write_record(self) -> None:
        self.record.write_text(json.dumps(self.describe(), indent=2) + "\n")

    def _check_ssh(self, host: SandboxHost) -> None:
        def answers() -> bool:
            return self.ssh.run(host, "true").returncode == 0

        wait_for(answers, 15, f"ssh to {host.alias} (sshd log: {host.sshd.logfile})")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One up()/down() at a time per run dir, across processes."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with (self.run_dir / "fleet.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def _describe_host(host: SandboxHost, ssh: SshAccess) -> dict[str, str]:
    return {
        "spec": host.spec,
        "ssh_config": str(ssh.config),
        "hostname": host.alias,
        "netns": host.alias,
        "docker_host": host.engine.docker_host,
        "docker_socket": str(host.engine.socket),
        "docker_socket_in_host": "/var/run/docker.sock",
        "files_dir": str(host.files_dir),
        "files_dir_in_host": "/srv",
    }


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM interrupts like Ctrl-C, so up() tears down before exiting."""
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _on_sigterm(handler: Callable[[int, FrameType | None], Any] | signal.Handlers) -> Iterator[None]:
    """Handle SIGTERM with ``handler`` for a while (only the main thread can)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class BareFleet(Fleet):
    """Hosts, sshd and engines only: for checks and benchmarks that need no web or monitoring services."""

    def services(self) -> list[Service]:
        return []


_HANDED_OUT: set[int] = set()


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now, never one this process handed out before.

    A port is released between being found and being bound by its daemon, and the
    kernel may offer it again meanwhile: remembering what was handed out keeps two
    services of one run (or a service and a port meant to stay closed) apart.
    """
    found: list[int] = []
    probes = []
    try:
        while len(found) < count:
            probe = socket.socket()
            probes.append(probe)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                found.append(port)
        return found
    finally:
        for probe in probes:
            probe.close()
