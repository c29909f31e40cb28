"""A node exporter inside each sandbox host, reachable from the runner's loopback.

Each host has only loopback in its own network namespace, so Prometheus (on the
runner's loopback) cannot reach it directly. As for SSH (``ProxyCommand ip netns
exec <netns> nc 127.0.0.1 22``), a forwarder bridges the gap: Debian's node exporter
runs inside the host's network and mount namespaces on 127.0.0.1:9100 (so it
reports the host's own filesystems and interfaces), and ``socat`` listens on a
runner loopback port, entering the host's namespace per connection. Every byte
stays on loopback. Prometheus scrapes ``targets()`` with a ``host`` label per host.

``stop(name)`` stops one host's exporter (the forwarder stays: the target goes down
with a visible error), a planted fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox.debian import ensure_installed
from sandbox.hosts import SandboxHost
from sandbox.process import Daemon, SandboxError, port_open, wait_for

PACKAGES = ("prometheus-node-exporter", "socat")
INNER_PORT = 9100


class HostExporters:
    """The exporters of ``hosts``; ``ports`` maps a host name to its runner loopback port."""

    name = "host-exporters"

    def __init__(self, hosts: Sequence[SandboxHost], ports: Mapping[str, int]) -> None:
        self.hosts = list(hosts)
        self.ports = dict(ports)
        missing = [host.name for host in self.hosts if host.name not in self.ports]
        if missing:
            raise SandboxError(f"host exporters: no port for {', '.join(missing)}")

    def targets(self) -> dict[str, str]:
        """Host name → the loopback address Prometheus scrapes it at."""
        return {host.name: f"127.0.0.1:{self.ports[host.name]}" for host in self.hosts}

    def up(self) -> None:
        ensure_installed(PACKAGES)
        for host in self.hosts:
            self._forwarder(host).start(port_open("127.0.0.1", self.ports[host.name]), timeout=10)
            self.start(host.name)

    def start(self, name: str) -> None:
        """(Re)start one host's exporter, inside the host; wait until it answers there."""
        host = self._host(name)
        argv = [
            *host.enter(),
            "prometheus-node-exporter",
            f"--web.listen-address=127.0.0.1:{INNER_PORT}",
            "--no-collector.systemd",  # no systemd (nor its D-Bus) in the sandbox hosts
        ]
        daemon = Daemon("node-exporter", argv, self._dir(host))
        daemon.start(lambda: self._listening(host), timeout=20)

    def stop(self, name: str) -> None:
        """Stop one host's exporter; its forwarder keeps listening, so scrapes fail visibly."""
        host = self._host(name)
        self._exporter(host).stop()
        wait_for(lambda: not self._listening(host), 10, f"{name}'s node exporter stopping")

    def down(self) -> None:
        for host in self.hosts:
            self._exporter(host).stop()
            self._forwarder(host).stop()

    def is_up(self) -> bool:
        return all(self._exporter(h).pid() is not None and self._forwarder(h).pid() is not None for h in self.hosts)

    def describe(self) -> dict[str, Any]:
        return {"targets": self.targets(), "inner_port": INNER_PORT}

    def _listening(self, host: SandboxHost) -> bool:
        return host.listens_on(f"127.0.0.1:{INNER_PORT}")

    def _host(self, name: str) -> SandboxHost:
        return next(host for host in self.hosts if host.name == name)

    def _dir(self, host: SandboxHost) -> Path:
        return host.dir / "exporter"

    def _exporter(self, host: SandboxHost) -> Daemon:
        return Daemon("node-exporter", [], self._dir(host))

    def _forwarder(self, host: SandboxHost) -> Daemon:
        listen = f"TCP-LISTEN:{self.ports[host.name]},bind=127.0.0.1,reuseaddr,fork"
        inside = f"EXEC:ip netns exec {host.alias} socat STDIO TCP\\:127.0.0.1\\:{INNER_PORT}"
        return Daemon("forwarder", ["socat", listen, inside], self._dir(host))
