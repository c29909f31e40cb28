"""Availability criteria: what users and dependent services can reach."""

from __future__ import annotations

import pytest

from golive.checks import container_judges, containers, dns, http, probes, systemd
from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.checks.remote import Fleet, RemoteHost
from golive.errors import TargetError
from golive.evidence import Evidence
from golive.fixtures.declared import Declared
from golive.inventory import Host, Inventory

# --- endpoints: AVL-01, AVL-03, AVL-05 -------------------------------------


@pytest.mark.critical
@pytest.mark.criterion("AVL-01", category="Availability")
def test_endpoint_answers_expected_status(endpoint: Target, http_probe: HttpProbe, evidence: Evidence) -> None:
    """Every declared endpoint answers its expected status (default 2xx).

    Why: a 401/403/404/5xx on a public URL is an outage for its users even when every
    container is running (a probe answering 403 on a mail host or 401 elsewhere is such a page).

    Keys: hosts.<name>.endpoints[]: name, url, expect_status (any 2xx), credential, server_name,
    ca_bundle, internal; hosts.<name>.http: user_agent, timeout (10s).

    Fix: fix the service, its proxy route or its access rules; if the status is right
    by design, declare it with endpoints[].expect_status in hosts.yaml. A credential is
    sent only once the certificate verifies: for a private CA declare endpoints[].ca_bundle.
    """
    [exchange] = http_probe.samples(endpoint, 1)
    exchange.record(evidence)
    evidence.conclude(http.judge_status(endpoint, exchange, anonymous=endpoint.endpoint.credential is None))


@pytest.mark.critical
@pytest.mark.criterion("AVL-03", category="Availability")
def test_endpoint_name_resolves(named_endpoint: Target, fleet: Fleet, evidence: Evidence) -> None:
    """Every declared endpoint's hostname resolves (to the declared address, if one is declared).

    Why: a missing or stale DNS record takes a service offline for everyone whose
    resolver has it, while the server itself looks healthy.

    Keys: hosts.<name>.endpoints[].resolve_to (an address; default: it must resolve at all),
    internal.

    Fix: create or correct the A/AAAA record (or /etc/hosts entry) and wait out its TTL;
    endpoints[].resolve_to declares the address it must resolve to.
    """
    found = dns.resolve(named_endpoint, fleet)
    evidence.note(f"resolver answer: {found.describe()}")
    evidence.conclude(dns.judge_resolution(named_endpoint, found))


@pytest.mark.warning
@pytest.mark.criterion("AVL-05", category="Availability")
def test_endpoint_latency_under_budget(endpoint: Target, http_probe: HttpProbe, evidence: Evidence) -> None:
    """Endpoint response time stays under the budget (default 2 s), median and worst of several requests.

    Why: a page that takes seconds is abandoned by users and trips upstream timeouts
    long before anything reports it as down.

    Keys: hosts.<name>.endpoints[]: latency_budget (2s), samples (3).

    Fix: find the slow part (database, upstream, cold cache) from the timings; set
    endpoints[].latency_budget and samples in hosts.yaml for an endpoint that is slow by design.
    """
    exchanges = http_probe.samples(endpoint, endpoint.endpoint.samples, uncontended=True)
    for exchange in exchanges:
        exchange.record(evidence)
    evidence.conclude(http.judge_latency(endpoint, exchanges))


# --- containers and hosts: AVL-02, AVL-04, AVL-06 --------------------------


@pytest.mark.critical
@pytest.mark.criterion("AVL-02", category="Availability")
def test_expected_container_running(
    expected_container: Declared, fleet: Fleet, inventory: Inventory, evidence: Evidence
) -> None:
    """Every expected container (containers.expected, compose_projects) exists and is running.

    Why: a stopped or missing container is an outage of whatever it serves, even when
    the host itself answers every probe.

    Keys: hosts.<name>.containers: expected (names), compose_projects.

    Fix: docker start NAME or docker compose up -d; read docker logs NAME for why it
    stopped. Remove a retired container from containers.expected.
    """
    host = expected_container.host
    found = containers.facts(expected_container.remote(fleet))
    if found.engine_problem is not None:
        raise TargetError(found.engine_problem)
    evidence.note("containers on the host: " + "; ".join(f"{c.name} {c.describe()}" for c in found.containers))
    kind, name = expected_container.item
    evidence.conclude(container_judges.judge_expected(found, kind, name, host.containers))


@pytest.mark.critical
@pytest.mark.criterion("AVL-04", category="Availability")
def test_tcp_dependency_reachable_from_host(dependency: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared TCP dependency accepts a connection from the host that needs it.

    Why: a service is only as up as its database or broker seen from its own host:
    routes, firewalls and bind addresses differ per host (e.g. application workers getting
    "connection refused" from odoo-db:5432 while the database was up).

    Keys: hosts.<name>.dependencies[]: name, address, port, timeout (3s).

    Fix: check the dependency listens on an address this host can reach (ss -tln on its
    host), the firewall between them, and the name's resolution on this host.
    """
    host = dependency.host
    probes_found = probes.probe_all(dependency.remote(fleet), host.dependencies)
    evidence.conclude(probes.judge(host.name, probes_found[dependency.item.name]))


@pytest.mark.critical
@pytest.mark.criterion("AVL-06", category="Availability")
def test_systemd_units_active(fleet_host: Host, remote: RemoteHost, evidence: Evidence) -> None:
    """Declared systemd units are active, and no unit is in the failed state.

    Why: a failed unit is a service, mount or timer that is down until someone reads
    systemctl --failed; nothing else retries it.

    Keys: hosts.<name>.systemd: units, ignore_failed (globs).

    Fix: systemctl status UNIT and journalctl -u UNIT, fix and systemctl restart it
    (systemctl reset-failed for a retired one); systemd.ignore_failed lists tolerated units.
    Not applicable where systemd is not PID 1 and no unit is declared (an error if one is).
    """
    found = systemd.facts(remote, fleet_host.systemd, fleet_host.scheduled)
    if not found.booted:
        if fleet_host.systemd.units:
            raise TargetError(
                f"systemd is not PID 1 on {fleet_host.name} ({found.pid1}), but systemd.units declares "
                f"{', '.join(fleet_host.systemd.units)}"
            )
        pytest.skip(f"not applicable: systemd is not PID 1 on {fleet_host.name} ({found.pid1})")
    evidence.conclude(systemd.judge_units(found, fleet_host.systemd))
