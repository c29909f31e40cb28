"""Filesystem usage (REL-08, REL-09), from one ``df`` per host."""

from __future__ import annotations

import math
from dataclasses import dataclass

from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, fact_command
from golive.inventory import DiskPolicy

DF_COMMAND = "df -P -T -k"
fact_command(lambda host: DF_COMMAND, criteria=("REL-08", "REL-09"))


@dataclass(frozen=True)
class Filesystem:
    """One mounted filesystem as df reports it."""

    source: str
    fstype: str
    size_kib: int
    used_kib: int
    available_kib: int
    mount: str

    @property
    def used_percent(self) -> float:
        """Percent used the way df computes Use%: used / (used + available), rounded up."""
        usable = self.used_kib + self.available_kib
        return math.ceil(1000 * self.used_kib / usable) / 10 if usable else 0.0


def filesystems(remote: RemoteHost) -> list[Filesystem]:
    """Every mounted filesystem of the host (one cached ``df`` call)."""
    result = remote.run(DF_COMMAND)
    if not result.succeeded and not result.stdout:
        raise TargetError(f"{remote.name}: {DF_COMMAND} failed with exit {result.exit_status}: {result.stderr.strip()}")
    return parse_df(result.stdout)


def parse_df(output: str) -> list[Filesystem]:
    """Parse POSIX ``df -P -T -k`` output (GNU coreutils and busybox)."""
    found = []
    for line in output.splitlines()[1:]:
        fields = line.split(None, 6)
        if len(fields) < 7 or not fields[2].isdigit():
            continue
        source, fstype, size, used, available, _capacity, mount = fields
        found.append(Filesystem(source, fstype, int(size), int(used), int(available), mount))
    return found


def judged(found: list[Filesystem], policy: DiskPolicy) -> list[Filesystem]:
    """The filesystems the policy says to judge: the declared mounts, else all real ones."""
    if policy.mounts is not None:
        return [fs for fs in found if fs.mount in policy.mounts]
    return [
        fs
        for fs in found
        if fs.size_kib > 0 and fs.fstype not in policy.ignore_types and fs.mount not in policy.ignore_mounts
    ]


def judge_usage(found: list[Filesystem], policy: DiskPolicy, limit_percent: float) -> Verdict:
    """Every judged filesystem must stay under ``limit_percent`` used."""
    selected = judged(found, policy)
    if policy.mounts is not None:
        missing = sorted(set(policy.mounts) - {fs.mount for fs in selected})
        if missing:
            return Verdict(False, f"declared mounts not mounted: {', '.join(missing)}")
    if not selected:
        return Verdict(False, "no filesystem to judge: df listed none that the disk policy selects")
    comparisons = [
        Comparison(f"{fs.mount} ({fs.fstype}, {fs.size_kib // 1024} MiB)", fs.used_percent, "<", limit_percent,
                   fs.used_percent < limit_percent, "%")
        for fs in selected
    ]  # fmt: skip
    return Verdict.from_comparisons(comparisons, "filesystems")
