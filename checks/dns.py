"""Endpoint names in the resolver (AVL-03): the system resolver's answer, where it is asked.

From the runner: ``socket.getaddrinfo`` (what every client on the runner gets: files,
then DNS, as nsswitch.conf says). For an endpoint declared ``internal``: ``getent
ahosts`` on its host, through the host's ``RemoteHost``.
"""

from __future__ import annotations

import shlex
import socket
from dataclasses import dataclass

from golive.checks.http import Target
from golive.evidence import Comparison, Verdict
from golive.facts import Fleet


@dataclass(frozen=True)
class Resolution:
    """What the resolver said about a name, and where it was asked."""

    name: str
    where: str
    addresses: tuple[str, ...]
    error: str = ""

    def describe(self) -> str:
        answer = ", ".join(self.addresses) if self.addresses else f"no address ({self.error})"
        return f"{self.name} from {self.where}: {answer}"


def getent_command(name: str) -> str:
    """The host's resolver asked for ``name`` (files, then DNS, as its nsswitch.conf says)."""
    return f"getent ahosts {shlex.quote(name)}"


def resolve(target: Target, fleet: Fleet) -> Resolution:
    """The endpoint's URL host through the system resolver of the runner or of its host."""
    name = target.hostname
    if target.endpoint.internal:
        result = fleet[target.host].run(getent_command(name))
        where = f"{target.host.name} (getent ahosts)"
        addresses = tuple(dict.fromkeys(line.split()[0] for line in result.stdout.splitlines() if line.strip()))
        if result.exit_status == 2 or (result.succeeded and not addresses):
            return Resolution(name, where, (), "the name does not resolve (getent: not found)")
        if not result.succeeded:
            return Resolution(name, where, (), f"getent failed with exit {result.exit_status}: {result.stderr.strip()}")
        return Resolution(name, where, addresses)
    try:
        answers = socket.getaddrinfo(name, target.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return Resolution(name, "runner (getaddrinfo)", (), f"the name does not resolve: {exc.strerror}")
    return Resolution(name, "runner (getaddrinfo)", tuple(dict.fromkeys(str(info[4][0]) for info in answers)))


def judge_resolution(target: Target, found: Resolution) -> Verdict:
    """AVL-03: the name resolves, to the declared address if one is declared."""
    if not found.addresses:
        return Verdict(False, f"{target.id}: {found.describe()}")
    declared = target.endpoint.resolve_to
    if declared is None:
        resolved = Comparison(
            f"{target.id} {found.name} addresses", ", ".join(found.addresses), "is", "not empty", True
        )
        return Verdict(True, f"{target.id}: {found.describe()}", [resolved])
    comparison = Comparison(
        f"{target.id} {found.name} resolves to", ", ".join(found.addresses), "includes", declared,
        declared in found.addresses,
    )  # fmt: skip
    summary = f"{target.id}: {found.describe()}" + ("" if comparison.passed else f", not the declared {declared}")
    return Verdict(comparison.passed, summary, [comparison])
