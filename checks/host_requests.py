"""Requests made from a host, registered for its batched round trip.

An ``internal`` endpoint is reached from its host: the HTTP requests of AVL-01, AVL-05,
SEC-02 and SEC-11 (curl, python3 or wget, ``checks/host_http.py``), its certificate and
old-protocol offers (``openssl s_client``, ``checks/tls.py``) and its name through the
host's resolver (``getent``, ``checks/dns.py``). Each depends only on the host's
inventory entry and none on another's answer, so they join the host's first round trip,
each registered for the criteria that make it (``REQUESTS``): a run that selects none
of them leaves it out. The criteria then build the same commands and find them fetched. A request
carrying a credential is not among them: its secret travels on that command's own
standard input.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from golive.checks import dns, host_http, http, tls
from golive.facts import fact_command
from golive.inventory import Host, has_userinfo, without_userinfo


def _plain(target: http.Target) -> list[str]:
    endpoint = target.endpoint
    if endpoint.credential is not None or has_userinfo(endpoint.url):
        return []  # its credential travels on the command's own standard input
    return [host_http.host_command(target, endpoint.url, http.request_headers(target))]


def _anonymous(target: http.Target) -> list[str]:
    if not target.endpoint.protected:
        return []
    return [host_http.host_command(target, without_userinfo(target.endpoint.url), http.request_headers(target))]


def _plain_http(target: http.Target) -> list[str]:
    if not target.is_https:
        return []
    return [host_http.host_command(target, without_userinfo(target.plain_http_url()), http.request_headers(target))]


REQUESTS: dict[tuple[str, ...], Callable[[http.Target], list[str]]] = {
    ("AVL-01", "AVL-05"): _plain,
    ("SEC-02",): _anonymous,
    ("SEC-11",): _plain_http,
    ("SEC-03", "SEC-04", "SEC-05"): lambda target: [tls.certificate_command(target)] if target.is_https else [],
    ("SEC-06",): lambda target: tls.offer_commands(target) if target.is_https else [],
    ("AVL-03",): lambda target: [] if target.names_an_address else [dns.getent_command(target.hostname)],
}
"""The requests each criterion makes from an internal endpoint's host, by criterion IDs."""


def requests_of(host: Host, requests: Callable[[http.Target], list[str]]) -> list[str]:
    """``requests`` for each of the host's internal endpoints, as the criteria run them."""
    return [command for e in host.endpoints if e.internal for command in requests(http.Target(host, e))]


for _criteria, _requests in REQUESTS.items():
    fact_command(partial(requests_of, requests=_requests), criteria=_criteria)
