"""Security criteria: what an attacker on the network can reach."""

from __future__ import annotations

import pytest

from golive.checks import (
    container_judges,
    containers,
    http,
    listeners,
    service_files,
    service_units,
    services,
    sshd,
    tls,
)
from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.checks.remote import Fleet, RemoteHost
from golive.checks.tls import Certificates
from golive.errors import TargetError
from golive.evidence import Evidence
from golive.fixtures.declared import Declared
from golive.inventory import Host


@pytest.mark.critical
@pytest.mark.criterion("SEC-01", category="Security")
def test_no_unexpected_listener_on_all_addresses(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """No socket listens on 0.0.0.0 or [::] except the allow-list (default 80, 443 and mail ports).

    Why: a database, admin UI or exporter bound to every address is one firewall
    mistake away from the internet.

    Keys: hosts.<name>.listeners.allow (80, 443, 25, 465, 587, 110, 995, 143, 993; '53/udp' for one
    protocol).

    Fix: bind the service to 127.0.0.1 or a private address (for containers, publish as
    127.0.0.1:PORT:PORT), or add the port to listeners.allow in hosts.yaml if it is public on purpose.
    """
    evidence.conclude(listeners.judge_exposure(listeners.listeners(remote), fleet_host.listeners.allow))


@pytest.mark.warning
@pytest.mark.criterion("SEC-09", category="Security")
def test_sshd_refuses_password_logins(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """The SSH daemon refuses password authentication and root password login.

    Why: password logins over SSH are brute-forced within hours of a host going public.

    Keys: hosts.<name>.sshd.config (the system's sshd_config).

    Where sshd was installed but never started (sshd -T then refuses to run), its
    configuration files are read instead.

    Fix: set PasswordAuthentication no, KbdInteractiveAuthentication no and
    PermitRootLogin prohibit-password in sshd_config, then reload sshd.
    """
    settings = sshd.effective_settings(remote, fleet_host.sshd.config)
    if settings is None:
        pytest.skip(f"not applicable: sshd is not installed on {fleet_host.name}")
    evidence.note(f"settings read with {settings.source}")
    evidence.conclude(sshd.judge_password_logins(settings.values))


# --- endpoints, TLS and exposure: SEC-02..06, SEC-11 ----------------------


@pytest.mark.critical
@pytest.mark.criterion("SEC-02", category="Security")
def test_protected_endpoint_refuses_anonymous_access(
    protected_endpoint: Target, http_probe: HttpProbe, evidence: Evidence
) -> None:
    """Endpoints declared protected refuse anonymous access (401/403, or a redirect to the login).

    Why: an admin UI or API that answers without credentials is open to anyone who
    finds its URL; scanners find them within days.

    Keys: hosts.<name>.endpoints[]: protected, login_location (login).

    Fix: put the endpoint behind authentication (at the app or the proxy); if it is public
    on purpose, drop protected: from hosts.yaml (endpoints[].login_location names the login).
    """
    [exchange] = http_probe.samples(protected_endpoint, 1, anonymous=True)
    exchange.record(evidence)
    evidence.conclude(http.judge_refusal(protected_endpoint, exchange))


@pytest.mark.critical
@pytest.mark.criterion("SEC-03", category="Security")
def test_certificate_verifies_for_its_name(
    https_endpoint: Target, certificates: Certificates, evidence: Evidence
) -> None:
    """The TLS certificate is valid for the endpoint's hostname, with a chain that verifies.

    Why: browsers and API clients refuse an untrusted or mismatched certificate; users
    who are taught to click through are then open to interception.

    Keys: hosts.<name>.endpoints[]: ca_bundle (system trust store), server_name.

    Fix: serve a certificate from a trusted CA covering the name (e.g. certbot/ACME) with
    its full chain; for a private CA declare endpoints[].ca_bundle.
    """
    found = certificates.certificate(https_endpoint)
    evidence.note(found.describe() if isinstance(found, tls.Certificate) else found.reason)
    evidence.conclude(tls.judge_trust(https_endpoint, found))


@pytest.mark.critical
@pytest.mark.criterion("SEC-04", category="Security")
def test_certificate_not_about_to_expire(
    https_endpoint: Target, certificates: Certificates, evidence: Evidence
) -> None:
    """The TLS certificate expires in more than the critical limit (default 7 days).

    Why: an expired certificate takes the service down for every client at once, on a
    date known months ahead.

    Keys: hosts.<name>.http.tls_expiry_critical_days (7).

    Fix: renew now and fix the renewal job (certbot timer, ACME client) that let it get
    this close; http.tls_expiry_critical_days sets the limit.
    """
    found = certificates.certificate(https_endpoint)
    evidence.note(found.describe() if isinstance(found, tls.Certificate) else found.reason)
    evidence.conclude(tls.judge_expiry(https_endpoint, found, https_endpoint.host.http.tls_expiry_critical_days))


@pytest.mark.warning
@pytest.mark.criterion("SEC-05", category="Security")
def test_certificate_renewed_ahead(https_endpoint: Target, certificates: Certificates, evidence: Evidence) -> None:
    """The TLS certificate expires in more than the warning limit (default 21 days).

    Why: ACME clients renew 30 days ahead; a certificate under 21 days means renewal is
    failing, with time left to fix it.

    Keys: hosts.<name>.http.tls_expiry_warning_days (21).

    Fix: check the renewal job's logs and run it by hand; http.tls_expiry_warning_days sets the limit.
    """
    found = certificates.certificate(https_endpoint)
    evidence.note(found.describe() if isinstance(found, tls.Certificate) else found.reason)
    evidence.conclude(tls.judge_expiry(https_endpoint, found, https_endpoint.host.http.tls_expiry_warning_days))


@pytest.mark.warning
@pytest.mark.criterion("SEC-06", category="Security")
def test_no_tls_older_than_1_2(https_endpoint: Target, certificates: Certificates, evidence: Evidence) -> None:
    """No TLS protocol older than 1.2 is accepted (TLS 1.0 and 1.1 handshakes are refused).

    Why: TLS 1.0 and 1.1 are deprecated (RFC 8996) for known weaknesses; accepting them
    fails audits and lets a downgrade weaken every connection.

    Keys: hosts.<name>.endpoints[] (every https endpoint).

    Fix: allow only TLSv1.2 and TLSv1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3;).
    """
    evidence.conclude(tls.judge_protocols(https_endpoint, certificates.legacy_protocols(https_endpoint)))


@pytest.mark.warning
@pytest.mark.criterion("SEC-11", category="Security")
def test_plain_http_redirects_to_https(https_endpoint: Target, http_probe: HttpProbe, evidence: Evidence) -> None:
    """Plain HTTP redirects to HTTPS for every https endpoint.

    Why: users and links that start at http:// otherwise stay on an unencrypted
    connection, where credentials and cookies travel in the clear.

    Keys: hosts.<name>.endpoints[].http_url (the same URL over http on port 80).

    Fix: answer every plain HTTP request with a 301 to https:// (nginx: return 301
    https://$host$request_uri;); endpoints[].http_url names the plain URL if not port 80.
    """
    url = https_endpoint.plain_http_url()
    [exchange] = http_probe.samples(https_endpoint, 1, anonymous=True, url=url)
    exchange.record(evidence)
    evidence.conclude(http.judge_https_redirect(https_endpoint, exchange))


@pytest.mark.warning
@pytest.mark.criterion("SEC-10", category="Security")
def test_no_privileged_container_or_docker_socket(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """No privileged container, no dangerous added capability, no docker socket mounted outside the allow-list.

    Why: a privileged container, one with SYS_ADMIN (or SYS_MODULE, SYS_PTRACE, NET_ADMIN,
    DAC_READ_SEARCH, ...) or one holding /var/run/docker.sock is root on the host: one
    exploited web app there owns every container and every secret of the host.

    Keys: containers.docker_socket_allow (names allowed the socket, default none),
    containers.exempt (criteria [SEC-10] with a reason), containers.ignore. Judged from
    docker inspect: HostConfig.Privileged, HostConfig.CapAdd, Mounts and HostConfig.Binds
    of every container meant to be up. (The sandbox plants a socket mount and --cap-add
    SYS_ADMIN; --privileged itself cannot be started on golive's own test machine, so that
    flag is verified on captured inspect output only.)

    Fix: drop privileged: true and cap_add entries the service does not need; give a
    proxy a read-only socket proxy (tecnativa/docker-socket-proxy) instead of the socket,
    or list it in containers.docker_socket_allow.
    """
    found = containers.facts(remote)
    absent = found.not_applicable(fleet_host.containers)
    if absent is not None:
        pytest.skip(f"not applicable: {absent}")
    evidence.conclude(container_judges.judge_privileges(found, fleet_host.containers))


@pytest.mark.warning
@pytest.mark.criterion("SEC-12", category="Security")
def test_service_runs_unprivileged_and_confined(service: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared service runs as a non-root user and its systemd exposure score is at most the limit.

    Why: a web service running as root with no sandboxing turns one remote code execution
    into the whole host: every file, every other service's secrets, the kernel's modules.

    Keys: hosts.<name>.services[]: unit, user (the user it must run as; default: any but
    root), exposure_max (5.0, the score of systemd-analyze security UNIT, 0 safest to 10).
    The settings adding most to the score are named in the finding.

    Fix: set User= (or DynamicUser=yes) and the hardening settings named
    (ProtectSystem=strict, ProtectHome=yes, PrivateTmp=yes, NoNewPrivileges=yes,
    CapabilityBoundingSet=, ...) in a drop-in (systemctl edit UNIT); check again with
    systemd-analyze security UNIT.
    """
    index, declared = service.item
    found = services.facts(service.remote(fleet), service.host)
    evidence.conclude(service_units.judge_confinement(found, index, declared))


@pytest.mark.critical
@pytest.mark.criterion("SEC-13", category="Security")
def test_secret_files_private(secret_files: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Secret-bearing files are readable by no other user (mode within 0640) and owned by root or the service's user.

    Why: an environment file or a key readable by every local user hands the database
    password or the API token to any process that is compromised on the host.

    Keys: hosts.<name>.secret_files (paths), and every EnvironmentFile of a declared
    service (hosts.<name>.services[].env_files and the unit's own EnvironmentFile=).
    Judged from stat: no permission bit outside 0640 (0600 and 0640 pass, 0604 and 0644
    fail), owner root or the service's user.

    Fix: chmod 0640 FILE (or 0600) and chown root:SERVICE_GROUP FILE; rotate any secret
    the file held while it was readable.
    """
    host = secret_files.host
    found = services.facts(secret_files.remote(fleet), host)
    files = service_files.secret_files_of(found, host)
    if not files:
        if not found.booted and host.services:
            raise TargetError(f"{found.host}: systemd is not PID 1 there ({found.pid1}): units cannot be read")
        pytest.skip(f"not applicable: no secret file declared or found on {host.name}")
    evidence.conclude(service_files.judge_secret_files(found, files))
