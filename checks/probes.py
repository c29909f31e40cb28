"""TCP dependencies probed from the host that needs them (AVL-04), in one batched command.

The connection is opened ON the host, through its backend, because reachability is
a property of the path from that host (its routes, firewall, name resolution and
namespaces), not of the runner's. The probe only opens and closes a TCP connection,
with the first tool the host has: bash's ``/dev/tcp``, ``nc -z``, then ``python3``
(busybox ``sh`` has no ``/dev/tcp``; minimal images lack nc or python). Each is
bounded by ``timeout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from golive import facts as fact_script
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import Host, TcpDependency
from golive.redact import redact

NO_TOOL = 3


def probe_command(address: str, port: int, timeout: float) -> str:
    a, p, t = fact_script.quote(address), str(port), f"{max(timeout, 1):g}"
    return (
        f"if command -v bash >/dev/null 2>&1; then echo method=bash; "
        f"timeout {t} bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' {a} {p}; "
        f"elif command -v nc >/dev/null 2>&1; then echo method=nc; timeout {t} nc -z -w {t} {a} {p}; "
        f"elif command -v python3 >/dev/null 2>&1; then echo method=python3; timeout {t} python3 -c "
        f"'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), {t}).close()' {a} {p}; "
        f"else echo 'no probe tool (bash, nc, python3) on the host'; exit {NO_TOOL}; fi"
    )


@dataclass(frozen=True)
class Probe:
    """The outcome of one connection attempt from the host."""

    dependency: TcpDependency
    method: str
    exit_status: int
    output: str

    @property
    def connected(self) -> bool:
        return self.exit_status == 0

    @property
    def result(self) -> str:
        if self.connected:
            return "connected"
        if self.exit_status == 124:
            return f"timed out after {self.dependency.timeout:g} s"
        shown = redact(self.output).strip()  # before a line is picked: a secret may span lines
        detail = shown.splitlines()[-1] if shown else f"exit {self.exit_status}"
        return f"failed ({detail})"


def command(dependencies: Sequence[TcpDependency]) -> str:
    return fact_script.script(sections(dependencies))


def sections(dependencies: Sequence[TcpDependency]) -> list[Section]:
    return [Section(d.name, probe_command(d.address, d.port, d.timeout)) for d in dependencies]


def host_command(host: Host) -> str | None:
    """The host's probe command (None when it declares no dependency)."""
    return command(host.dependencies) if host.dependencies else None


fact_command(host_command, criteria=("AVL-04",))


def probe_all(remote: RemoteHost, dependencies: Sequence[TcpDependency]) -> dict[str, Probe]:
    """Every declared dependency of the host, probed in one cached command."""
    found = fact_script.run(remote, sections(dependencies))
    probes = {}
    for dependency in dependencies:
        output = found.get(dependency.name)
        if output is None:
            raise TargetError(f"{remote.name}: the probe of {dependency.name} printed nothing")
        lines = output.text.splitlines()
        method = lines[0].removeprefix("method=") if lines and lines[0].startswith("method=") else "?"
        if output.exit_status == NO_TOOL:
            raise TargetError(f"{remote.name}: {output.text.strip()}")
        probes[dependency.name] = Probe(dependency, method, output.exit_status, "\n".join(lines[1:]))
    return probes


def failure(host: str, probe: Probe) -> str:
    """A failed connection as a sentence, e.g. "127.0.0.1:5432 refused the connection from h2"."""
    address = f"{probe.dependency.address}:{probe.dependency.port}"
    if probe.exit_status == 124:
        return f"{address} did not answer {host} within {probe.dependency.timeout:g} s"
    shown = redact(probe.output).strip()
    if "refused" in shown.lower():
        return f"{address} refused the connection from {host}"
    detail = shown.splitlines()[-1] if shown else f"exit {probe.exit_status}"
    return f"{host} could not connect to {address} ({detail})"


def judge(host: str, probe: Probe) -> Verdict:
    d = probe.dependency
    subject = f"{host} -> {d.address}:{d.port} ({d.name}, via {probe.method})"
    reason = "" if probe.connected else failure(host, probe)
    comparison = Comparison(subject, probe.result, "==", "connected", probe.connected, reason=reason)
    summary = f"{host} connects to {d.address}:{d.port} ({d.name}, via {probe.method})"
    return Verdict(probe.connected, summary if probe.connected else comparison.sentence(), [comparison])
