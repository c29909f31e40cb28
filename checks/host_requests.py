"""Requests made from a host, registered for its batched round trip.

An ``internal`` endpoint is reached from its host: the HTTP requests of AVL-01, AVL-05,
SEC-02 and SEC-11 (curl, python3 or wget, ``checks/host_http.py``), its certificate and
old-protocol offers (``openssl s_client``, ``checks/tls.py``) and its name through the
host's resolver (``getent``, ``checks/dns.py``). Each depends only on the host's
inventory entry and none on another's answer, so all of them join the host's first
round trip; the criteria then build the same commands and find them fetched. A request
carrying a credential is not among them: its secret travels on that command's own
standard input.
"""

from __future__ import annotations

from golive.checks import dns, host_http, http, tls
from golive.facts import fact_command
from golive.inventory import Host, has_userinfo, without_userinfo


def commands(host: Host) -> list[str]:
    """The host's requests for its internal endpoints, as the criteria run them."""
    found: list[str] = []
    for endpoint in host.endpoints:
        if not endpoint.internal:
            continue
        target = http.Target(host, endpoint)
        headers = http.request_headers(target)
        if endpoint.credential is None and not has_userinfo(endpoint.url):
            found.append(host_http.host_command(target, endpoint.url, headers))
        if endpoint.protected:
            found.append(host_http.host_command(target, without_userinfo(endpoint.url), headers))
        if target.is_https:
            found.append(host_http.host_command(target, without_userinfo(target.plain_http_url()), headers))
            found.extend(tls.host_commands(target))
        if not target.names_an_address:
            found.append(dns.getent_command(target.hostname))
    return found


fact_command(commands)
