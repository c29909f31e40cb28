"""The run's HTTP client: each endpoint's exchanges made once and shared by every criterion.

Requests go from the runner through one ``httpx.Client`` (connection reuse, explicit
timeouts, no automatic redirects, the inventory's User-Agent), or, for an endpoint
declared ``internal``, from its host through the host's ``RemoteHost``
(``checks/host_http.py``: one command makes all the samples, over one connection).

A request without a credential does not judge certificates: SEC-03 does, once per
host:port, so a bad certificate is one precise failure rather than a failure of every
criterion. A request WITH a credential (the endpoint's ``credential``, or a
``user:password@`` in its URL) is only made over TLS that verifies, against
``ca_bundle`` or else the system store (for an ``internal`` endpoint: the host's file
and the host's store), or over plain HTTP to loopback: a certificate that does not
verify fails the request before the credential is sent, and an ``http://`` URL to any
other host is refused.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from golive.checks import host_http
from golive.checks.http import Exchange, Target, authorization, refuse_in_clear, request_headers, shown_headers
from golive.errors import TargetError
from golive.facts import Fleet
from golive.inventory import Host, has_userinfo, without_userinfo

BODY_BYTES = 512
READ_LIMIT = 64 * 1024
UNVERIFIED = "unverified"


KEEPALIVE_SECONDS = 5.0
"""How long an idle connection stays open for the next request to the same origin (httpx's default)."""


class _Resolving(httpcore.SyncBackend):
    """Connects a server name to a declared address (curl's ``--resolve``), else as asked."""

    def __init__(self) -> None:
        self.addresses: dict[tuple[str, int], str] = {}

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return super().connect_tcp(self.addresses.get((host, port), host), port, *args, **kwargs)


class HttpProbe:
    """The run's HTTP client and the exchanges already made, shared by every criterion."""

    def __init__(self, fleet: Fleet, credentials: dict[str, dict[str, str]]) -> None:
        self.fleet = fleet
        self.credentials = credentials
        self._backend = _Resolving()
        self._clients: dict[str, httpx.Client] = {}
        self._exchanges: dict[tuple[str, str, bool], list[Exchange]] = {}
        self._pending: dict[tuple[str, str, bool], threading.Lock] = {}
        self._lock = threading.RLock()
        self.requests = 0
        self.before: Callable[[Host], None] | None = None
        """Called with a target's host before its first exchange (``checks/prefetch.py``)."""

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    @property
    def client(self) -> httpx.Client:
        """The client of requests without a credential: certificates are SEC-03's to judge,
        these requests judge what the server answers."""
        return self._client(UNVERIFIED)

    def verifying_client(self, ca_bundle: str | None) -> httpx.Client:
        """The client of credentialed requests: the certificate must verify for the name
        (against ``ca_bundle``, else the system store) before anything is sent."""
        try:
            return self._client(ca_bundle or "system")
        except (OSError, ssl.SSLError) as exc:
            raise TargetError(f"ca_bundle {ca_bundle} cannot be read here, so nothing is sent: {exc}") from None

    def _client(self, trust: str) -> httpx.Client:
        with self._lock:
            if trust not in self._clients:
                context = ssl.create_default_context(cafile=None if trust in (UNVERIFIED, "system") else trust)
                if trust == UNVERIFIED:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                transport = httpx.HTTPTransport(verify=context)
                # httpx has no public hook for the address a name connects to; its pool does. No
                # cap on connections: a full pool closes an idle connection to make room, and may
                # close one another thread was just handed (httpcore 1.0.9, encode/httpcore#1110),
                # failing that request with EBADF. Idle connections close after 5 s instead.
                transport._pool = httpcore.ConnectionPool(
                    ssl_context=context, network_backend=self._backend, max_connections=None,
                    max_keepalive_connections=None, keepalive_expiry=KEEPALIVE_SECONDS,
                )  # fmt: skip
                self._clients[trust] = httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
            return self._clients[trust]

    def samples(
        self,
        target: Target,
        count: int,
        *,
        anonymous: bool = False,
        url: str | None = None,
        uncontended: bool = False,
        concurrent: bool = False,
    ) -> list[Exchange]:
        """``count`` exchanges with the endpoint (the first ones reused across criteria).

        ``uncontended``: only exchanges made while nothing else was in flight (latency
        samples); ``concurrent``: this one is made alongside others (a prefetch).
        """
        if self.before is not None:
            self.before(target.host)
        url = url or target.endpoint.url
        if target.endpoint.internal:
            return self._from_host(target, url, anonymous)[:count]
        key = (target.id, url, anonymous or (target.endpoint.credential is None and not has_userinfo(url)))
        with self._lock:
            made = self._exchanges.setdefault(key, [])
            pending = self._pending.setdefault(key, threading.Lock())
        # latency samples: no batch fetched ahead is built or read meanwhile (golive/facts/lookahead.py)
        quiet = self.fleet.lookahead.quiet() if uncontended else contextlib.nullcontext()
        with pending, quiet:  # one endpoint's exchanges one at a time; other endpoints' meanwhile
            usable = [e for e in made if not (uncontended and e.concurrent)]
            while len(usable) < count:
                made.append(self._request(target, url, anonymous, concurrent))
                usable.append(made[-1])
                if not made[-1].answered:
                    break  # refused or unresolvable: asking again only repeats the reason
            return usable[:count]

    def _headers(self, target: Target) -> dict[str, str]:
        return request_headers(target)

    def _secret_headers(self, target: Target, anonymous: bool) -> dict[str, str]:
        """The credential's Authorization header, none for an anonymous request."""
        if anonymous or not target.endpoint.credential:
            return {}
        return authorization(self.credentials[target.endpoint.credential])

    def _request(self, target: Target, url: str, anonymous: bool, concurrent: bool = False) -> Exchange:
        secret = self._secret_headers(target, anonymous)
        url = without_userinfo(url) if anonymous else url
        credentialed = bool(secret) or has_userinfo(url)
        if credentialed:
            refuse_in_clear(target, url)
        parts = urlsplit(url)
        request_url = url
        if target.endpoint.server_name:
            # The pool is keyed by the URL's host, so each server name gets its own connection.
            name = target.endpoint.server_name
            port = parts.port or (443 if parts.scheme == "https" else 80)
            self._backend.addresses[(name, port)] = parts.hostname or ""
            request_url = urlunsplit(parts._replace(netloc=f"{name}:{port}"))
        headers = {**self._headers(target), **secret}
        timeout = httpx.Timeout(target.host.http.timeout)
        via = "runner (httpx)" + (f", connected to {parts.hostname}" if target.endpoint.server_name else "")
        client = self.verifying_client(target.endpoint.ca_bundle) if credentialed else self.client
        with self._lock:
            self.requests += 1
        started = time.monotonic()
        try:
            with client.stream("GET", request_url, headers=headers, timeout=timeout) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) >= READ_LIMIT:
                        break
                elapsed = time.monotonic() - started
                return Exchange(
                    "GET", request_url, via, response.status_code, shown_headers(response.headers.items()),
                    body[:BODY_BYTES].decode("utf-8", "replace"), elapsed, concurrent=concurrent,
                )  # fmt: skip
        except httpx.TimeoutException:
            return Exchange(
                "GET", request_url, via, elapsed=time.monotonic() - started,
                error=f"no answer within {target.host.http.timeout:g} s (timeout)", concurrent=concurrent,
            )  # fmt: skip
        except httpx.HTTPError as exc:
            error = _plain_error(exc)
            if credentialed and "CERTIFICATE_VERIFY_FAILED" in error:
                error = f"the certificate does not verify, so the credential was not sent ({error})"
            return Exchange(
                "GET", request_url, via, elapsed=time.monotonic() - started, error=error, concurrent=concurrent
            )  # fmt: skip

    def _from_host(self, target: Target, url: str, anonymous: bool) -> list[Exchange]:
        remote = self.fleet[target.host]
        secret = self._secret_headers(target, anonymous)
        url = without_userinfo(url) if anonymous else url
        if not secret and not has_userinfo(url):
            result = remote.run(host_http.host_command(target, url, self._headers(target)))
        else:
            refuse_in_clear(target, url)
            user, url = host_http.userinfo(url)
            command = host_http.host_command(target, url, self._headers(target), verified=True)
            purpose = f"the credentialed request to {target.id}"
            result = remote.run_with_input(command, host_http.curl_config(secret, user), purpose)
        if result.exit_status == host_http.NOT_INSTALLED and "is installed" in result.stderr:
            raise TargetError(f"{target.host.name}: {result.stderr.strip()}, so the request cannot be made from it")
        return host_http.parse_curl(
            result.stdout, result.stderr, url, f"{target.host.name} ({host_http.client(result.stdout)})"
        )


def _plain_error(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "errno -2" in lowered:
        return f"the name does not resolve ({text})"
    if "errno -3" in lowered or "temporary failure in name resolution" in lowered:
        return f"the name could not be resolved now ({text})"
    if "connection refused" in lowered or "errno 111" in lowered:
        return f"connection refused ({text})"
    return f"{type(exc).__name__}: {text}"
