"""Reliability criteria: what keeps services running once they are up."""

from __future__ import annotations

import pytest

from golive.checks import disk
from golive.checks.remote import RemoteHost
from golive.evidence import Evidence
from golive.inventory import Host


@pytest.mark.critical
@pytest.mark.criterion("REL-08", category="Reliability")
def test_disk_usage_under_critical_limit(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Disk usage is under the critical limit (default 90%) on every filesystem.

    Why: a full filesystem stops databases, log writers and image pulls mid-operation;
    at 90% a busy day's logs or one backup is enough to fill it.

    Fix: free space (docker system prune, log rotation, old backups) or grow the volume;
    set disk.critical_percent in hosts.yaml only for a volume that is full by design.
    """
    policy = fleet_host.disk
    evidence.conclude(disk.judge_usage(disk.filesystems(remote), policy, policy.critical_percent))


@pytest.mark.warning
@pytest.mark.criterion("REL-09", category="Reliability")
def test_disk_usage_under_warning_limit(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Disk usage is under the warning limit (default 85%) on every filesystem.

    Why: the warning limit leaves time to act before REL-08's critical limit is hit.

    Fix: plan the cleanup or the resize now; disk.warning_percent in hosts.yaml sets the limit.
    """
    policy = fleet_host.disk
    evidence.conclude(disk.judge_usage(disk.filesystems(remote), policy, policy.warning_percent))
