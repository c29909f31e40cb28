"""The host's operating system: disks (REL-08/09), listening ports (SEC-01), sshd (SEC-09) and clock (REL-15)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from golive.inventory.section import Duration, Section

DEFAULT_ALLOWED_PORTS = ("80", "443", "25", "465", "587", "110", "995", "143", "993")


class DiskPolicy(Section):
    """REL-08/09: which filesystems are judged and their limits in percent used."""

    critical_percent: float = Field(90, gt=0, le=100)
    warning_percent: float = Field(85, gt=0, le=100)
    mounts: tuple[str, ...] | None = None
    ignore_mounts: tuple[str, ...] = ()
    ignore_types: tuple[str, ...] = (
        "tmpfs", "devtmpfs", "squashfs", "overlay", "proc", "sysfs", "cgroup2",
        "iso9660", "ramfs", "nsfs", "fuse.snapfuse",
    )  # fmt: skip


class ListenerPolicy(Section):
    """SEC-01: ports allowed on all addresses, as ``443`` (tcp and udp) or ``53/udp``."""

    allow: tuple[str, ...] = DEFAULT_ALLOWED_PORTS

    @field_validator("allow", mode="before")
    @classmethod
    def _ports(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise ValueError("expected a list of ports like [80, 443, '53/udp']")
        ports = []
        for entry in value:
            text = str(entry)
            if not re.fullmatch(r"\d{1,5}(/(tcp|udp))?", text) or int(text.split("/")[0]) > 65535:
                raise ValueError(f"expected a port like 443 or '53/udp', got {entry!r}")
            ports.append(text)
        return tuple(ports)


class SshdPolicy(Section):
    """SEC-09: which sshd configuration ``sshd -T`` reads (default: the system's)."""

    config: str | None = None


class ClockPolicy(Section):
    """REL-15 and every age golive measures: the host's clock and timestamps in the future.

    ``max_offset``: how far the host's clock may be from the runner's, beyond the
    measurement's uncertainty; ``future_tolerance``: how far ahead of the host's clock
    (the runner's, for Loki) a timestamp may be before it fails as dated in the future
    (backups, restore records, commits, cron stamps, the newest Loki line); ``sync``:
    judge the time-sync tool's state (false for a container, whose clock is its
    machine's and is judged on the machine).
    """

    max_offset: Duration = 2.0
    future_tolerance: Duration = 300.0
    sync: bool = True
