"""Sockets listening on every address (SEC-01), from one command per host.

``ss`` first (it names the processes), else ``netstat``, else the kernel's own tables
``/proc/net/tcp``, ``tcp6``, ``udp`` and ``udp6``, which every Linux host has (a
Debian server without iproute2, a busybox-only host): the sockets are the same, the
owning process is not named there (it would take reading every process's fds).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, fact_command

PROC_MARK = "@proc-net "
PROC_TABLES = ("tcp", "tcp6", "udp", "udp6")
SS_COMMAND = (
    "ss -H -tulpn 2>/dev/null || netstat -tulpn 2>/dev/null || "
    f"{{ for t in {' '.join(PROC_TABLES)}; do [ -r /proc/net/$t ] && echo '{PROC_MARK}'$t && cat /proc/net/$t; done; "
    "[ -r /proc/net/tcp ]; }"
)
TCP_LISTEN = "0A"
UDP_UNCONNECTED = "07"
fact_command(lambda host: SS_COMMAND, criteria=("SEC-01",))
WILDCARDS = {"0.0.0.0", "*", "::", "[::]", "[::ffff:0.0.0.0]", "::ffff:0.0.0.0"}


@dataclass(frozen=True)
class Listener:
    """A listening TCP socket or an unconnected UDP socket."""

    protocol: str
    address: str
    port: int
    process: str

    @property
    def on_all_addresses(self) -> bool:
        return self.address.split("%", 1)[0] in WILDCARDS

    def allowed_by(self, allow: tuple[str, ...]) -> bool:
        return str(self.port) in allow or f"{self.port}/{self.protocol}" in allow

    def __str__(self) -> str:
        owner = f" ({self.process})" if self.process else ""
        return f"{self.protocol} {self.address}:{self.port}{owner}"


def listeners(remote: RemoteHost) -> list[Listener]:
    """Every listening socket of the host (one cached call)."""
    result = remote.run(SS_COMMAND)
    if not result.succeeded:
        raise TargetError(
            f"{remote.name}: neither ss, netstat nor /proc/net/tcp answered (exit {result.exit_status}): "
            f"{result.stderr.strip()}"
        )
    if result.stdout.startswith(PROC_MARK):
        return parse_proc_net(result.stdout)
    return parse_sockets(result.stdout)


def _address(hex_address: str) -> str:
    """/proc/net's address: 32-bit words in the host's byte order (little-endian on x86 and arm)."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def parse_proc_net(output: str) -> list[Listener]:
    """Parse ``/proc/net/{tcp,tcp6,udp,udp6}`` (each after a ``PROC_MARK`` line): listening TCP
    sockets (state 0A) and unconnected UDP sockets (state 07)."""
    found = []
    table = ""
    for line in output.splitlines():
        if line.startswith(PROC_MARK):
            table = line[len(PROC_MARK) :].strip()
            continue
        fields = line.split()
        if len(fields) < 4 or not fields[0].endswith(":") or ":" not in fields[1]:
            continue
        protocol = table.rstrip("6")
        if fields[3] != (TCP_LISTEN if protocol == "tcp" else UDP_UNCONNECTED):
            continue
        address, _, port = fields[1].partition(":")
        try:
            found.append(Listener(protocol, _address(address), int(port, 16), ""))
        except ValueError:
            continue
    return found


def parse_sockets(output: str) -> list[Listener]:
    """Parse ``ss -H -tulpn`` or ``netstat -tulpn`` output."""
    found = []
    for line in output.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        if fields[0] in ("tcp", "udp") and fields[1] in ("LISTEN", "UNCONN"):
            protocol, local, process = fields[0], fields[4], " ".join(fields[6:])
        elif re.fullmatch(r"(tcp|udp)6?", fields[0]) and fields[1].isdigit():
            protocol = fields[0].rstrip("6")
            if protocol == "tcp" and "LISTEN" not in fields:
                continue
            local, process = fields[3], fields[-1] if "/" in fields[-1] else ""
        else:
            continue
        address, _, port = local.rpartition(":")
        if port.isdigit():
            found.append(Listener(protocol, address, int(port), _process_name(process)))
    return found


def _process_name(text: str) -> str:
    names = re.findall(r'"([^"]+)",pid=(\d+)', text)
    if names:
        return ", ".join(f"{name}[{pid}]" for name, pid in names)
    return text if text != "-" else ""


def judge_exposure(found: list[Listener], allow: tuple[str, ...]) -> Verdict:
    """No socket on all addresses unless its port is allowed."""
    exposed = [listener for listener in found if listener.on_all_addresses]
    unexpected = [listener for listener in exposed if not listener.allowed_by(allow)]
    allowed = ", ".join(allow) or "none"
    comparisons = [
        Comparison(f"{listener} on all addresses", "allowed" if listener.allowed_by(allow) else "not allowed", "in",
                   f"allow-list ({allowed})", listener.allowed_by(allow))
        for listener in exposed
    ] or [Comparison(f"sockets on all addresses ({len(found)} listening in all)", 0, "==", 0, True)]  # fmt: skip
    if unexpected:
        listing = "; ".join(map(str, unexpected))
        return Verdict(
            False,
            f"{len(unexpected)} socket(s) on all addresses outside the allow-list ({allowed}): {listing}",
            comparisons,
        )
    return Verdict(
        True,
        f"{len(exposed)} socket(s) on all addresses, all allowed ({allowed}); {len(found)} listening in all",
        comparisons,
    )
