"""Security criteria: what an attacker on the network can reach."""

from __future__ import annotations

import pytest

from golive.checks import listeners, sshd
from golive.checks.remote import RemoteHost
from golive.evidence import Evidence
from golive.inventory import Host


@pytest.mark.critical
@pytest.mark.criterion("SEC-01", category="Security")
def test_no_unexpected_listener_on_all_addresses(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """No socket listens on 0.0.0.0 or [::] except the allow-list (default 80, 443 and mail ports).

    Why: a database, admin UI or exporter bound to every address is one firewall
    mistake away from the internet.

    Fix: bind the service to 127.0.0.1 or a private address (for containers, publish as
    127.0.0.1:PORT:PORT), or add the port to listeners.allow in hosts.yaml if it is public on purpose.
    """
    evidence.conclude(listeners.judge_exposure(listeners.listeners(remote), fleet_host.listeners.allow))


@pytest.mark.warning
@pytest.mark.criterion("SEC-09", category="Security")
def test_sshd_refuses_password_logins(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """The SSH daemon refuses password authentication and root password login.

    Why: password logins over SSH are brute-forced within hours of a host going public.

    Fix: set PasswordAuthentication no, KbdInteractiveAuthentication no and
    PermitRootLogin prohibit-password in sshd_config, then reload sshd.
    """
    settings = sshd.effective_settings(remote, fleet_host.sshd.config)
    if settings is None:
        pytest.skip(f"sshd is not installed on {fleet_host.name}")
    evidence.conclude(sshd.judge_password_logins(settings))
