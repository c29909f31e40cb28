"""Availability criteria: what users and dependent services can reach."""

from __future__ import annotations

import pytest

from golive.checks import dns, http
from golive.checks.http import HttpProbe, Target
from golive.checks.remote import Fleet
from golive.evidence import Evidence

# --- endpoints (issue 5): AVL-01, AVL-03, AVL-05 -------------------------------------


@pytest.mark.critical
@pytest.mark.criterion("AVL-01", category="Availability")
def test_endpoint_answers_expected_status(endpoint: Target, http_probe: HttpProbe, evidence: Evidence) -> None:
    """Every declared endpoint answers its expected status (default 2xx).

    Why: a 401/403/404/5xx on a public URL is an outage for its users even when every
    container is running (seed: blackbox probes answered 403 on mail.* and 401 on another).

    Fix: fix the service, its proxy route or its access rules; if the status is right
    by design, declare it with endpoints[].expect_status in hosts.yaml.
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

    Fix: find the slow part (database, upstream, cold cache) from the timings; set
    endpoints[].latency_budget and samples in hosts.yaml for an endpoint that is slow by design.
    """
    exchanges = http_probe.samples(endpoint, endpoint.endpoint.samples)
    for exchange in exchanges:
        exchange.record(evidence)
    evidence.conclude(http.judge_latency(endpoint, exchanges))
