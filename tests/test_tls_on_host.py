"""SEC-03..06 on an ``internal`` endpoint: read on its host with ``openssl s_client``.

The sandbox's nginx (sandbox/web.py) serves a sound certificate and planted faults on
loopback; the host is this machine through ``local://``. Read on the host, every
certificate gets the verdicts the runner's own read gives it, and TLS 1.0/1.1 are
found accepted or refused as from the runner.
"""

from __future__ import annotations

import pytest

from golive.checks import tls
from golive.checks.tls import Certificate, Certificates
from golive.facts import Fleet
from tests.test_credentials_tls import target, web  # noqa: F401 (the module's nginx fixture)


@pytest.mark.parametrize("name", ["ok", "expiring", "expired", "wronghost", "selfsigned"])
def test_read_on_the_host_a_certificate_gets_the_runners_verdicts(web, name):  # noqa: F811
    ca = str(web.certs.ca_bundle)
    on_runner = target(web, name, ca_bundle=ca)
    on_host = target(web, name, ca_bundle=ca, internal=True)
    mine, theirs = Certificates().certificate(on_runner), Certificates(Fleet()).certificate(on_host)
    assert isinstance(mine, Certificate) and isinstance(theirs, Certificate), theirs
    assert "(read on web)" in theirs.endpoint
    assert (theirs.verifies, theirs.sans, theirs.not_after, theirs.protocol) == (
        mine.verifies,
        mine.sans,
        mine.not_after,
        mine.protocol,
    )
    if not mine.verifies:
        assert theirs.verify_error and theirs.verify_error.split(" (")[0] == (mine.verify_error or "").split(" (")[0]
    for judge in (tls.judge_trust, lambda t, c: tls.judge_expiry(t, c, 14)):
        assert judge(on_host, theirs).passed == judge(on_runner, mine).passed


def test_without_the_system_store_trusting_its_ca_the_host_says_so(web):  # noqa: F811
    found = Certificates(Fleet()).certificate(target(web, "ok", internal=True))
    assert isinstance(found, Certificate) and not found.verifies
    assert "trusted CA" in (found.verify_error or "")


def test_nothing_listening_is_unreadable_not_a_pass(web):  # noqa: F811
    closed = target(web, "ok", internal=True, url="https://127.0.0.1:9/")
    found = Certificates(Fleet()).certificate(closed)
    assert isinstance(found, tls.Unreadable) and "refused" in found.reason
    assert not tls.judge_trust(closed, found).passed


@pytest.mark.parametrize(("name", "port", "accepts"), [("ok", "https", False), ("legacy", "legacy_tls", True)])
def test_old_protocols_offered_from_the_host(web, name, port, accepts):  # noqa: F811
    url = f"https://127.0.0.1:{getattr(web.ports, port)}/"
    on_host = target(web, name, internal=True, url=url)
    results = Certificates(Fleet()).legacy_protocols(on_host)
    assert {version: accepted for version, (accepted, _) in results.items()} == {
        "TLS 1.0": accepts,
        "TLS 1.1": accepts,
    }, results
    assert tls.judge_protocols(on_host, results).passed is not accepts
