"""A criterion of your own, complete: the example of docs/writing-a-criterion.md.

golive's own tests run this file against a real host, so the guide cannot rot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from golive.checks.remote import RemoteHost, fact_command
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.inventory import Host

UNAME = "uname -r"
fact_command(lambda host: UNAME, criteria=("OPS-01",))  # fetched with the host's other facts, in one round trip


@dataclass(frozen=True)
class Kernel:
    """The running kernel, as a fact: plain data built from one command's output."""

    release: str

    @property
    def version(self) -> tuple[int, int]:
        major, minor = re.match(r"(\d+)\.(\d+)", self.release).groups()  # type: ignore[union-attr]
        return int(major), int(minor)


def kernel(remote: RemoteHost) -> Kernel:
    """Gather the fact (cached for the session; recorded as evidence by itself)."""
    result = remote.run(UNAME)
    if not result.succeeded or not re.match(r"\d+\.\d+", result.stdout):
        raise TargetError(f"{remote.name}: {UNAME} answered {result.stdout.strip() or result.stderr.strip()!r}")
    return Kernel(result.stdout.strip())


def judge_kernel(found: Kernel, minimum: str) -> Verdict:
    """A pure function from facts and a threshold to a verdict: easy to unit-test."""
    wanted = tuple(int(part) for part in minimum.split("."))
    return Verdict.from_comparisons(
        [Comparison("kernel", found.release, ">=", minimum, found.version >= wanted)], "kernel checks"
    )


@pytest.mark.warning
@pytest.mark.criterion("OPS-01", category="Reliability")
def test_kernel_is_supported(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """The running kernel is at least the supported minimum (default 5.10).

    Why: an old kernel misses security fixes and the cgroup features containers rely on.

    Keys: hosts.<name>.custom.min_kernel (5.10).

    Fix: upgrade the kernel package and reboot into it, in a maintenance window.
    """
    minimum = str(fleet_host.custom.get("min_kernel", "5.10"))
    evidence.conclude(judge_kernel(kernel(remote), minimum))
