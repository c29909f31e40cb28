"""Endpoints over HTTP (AVL-01, AVL-05, SEC-02, SEC-11): one client per run, redirects as evidence.

Requests go from the runner through one ``httpx.Client`` (connection reuse, explicit
timeouts, no automatic redirects, the inventory's User-Agent), or — for an endpoint
declared ``internal`` — from its host, with ``curl`` run there through the host's
``RemoteHost`` (one command makes all the samples, over one connection), or where the
host has no curl, python3 or wget (``checks/host_http.py``).

A request without a credential does not judge certificates: SEC-03 does, once per
host:port, so a bad certificate is one precise failure rather than a failure of every
criterion. A request WITH a credential (the endpoint's ``credential``, or a
``user:password@`` in its URL) is only made over TLS that verifies, against
``ca_bundle`` or else the system store (for an ``internal`` endpoint: the host's file
and the host's store), or over plain HTTP to loopback: a certificate that does not
verify fails the request before the credential is sent, and an ``http://`` URL to any
other host is refused. From a host, the credential reaches curl on its standard input
(a config read with ``-K -``), never on its command line, which the host's process
list and the ssh client's argv would show; a backend that cannot feed standard input
(``golive/facts/standard_input.py``) refuses the request.
"""

from __future__ import annotations

import base64
import ipaddress
import shlex
import ssl
import statistics
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpcore
import httpx

from golive.checks import host_http
from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.facts import Fleet
from golive.inventory import Endpoint, Host, has_userinfo, sends_in_clear, without_userinfo
from golive.redact import shorten

BODY_BYTES = 512
READ_LIMIT = 64 * 1024
WITHHELD_HEADERS = ("set-cookie", "cookie", "authorization", "proxy-authorization")
REDIRECTS = (301, 302, 303, 307, 308)
CURL_MARK = "#golive-result"  # not "@...": curl reads -w @NAME from a file
UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Target:
    """An endpoint of a host: what a criterion is parametrized with (id ``host/endpoint``)."""

    host: Host
    endpoint: Endpoint

    @property
    def id(self) -> str:
        return f"{self.host.name}/{self.endpoint.name}"

    @property
    def is_https(self) -> bool:
        return self.endpoint.url.startswith("https://")

    @property
    def hostname(self) -> str:
        """The URL's host (a name or an address literal)."""
        return urlsplit(self.endpoint.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.endpoint.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def names_an_address(self) -> bool:
        try:
            ipaddress.ip_address(self.hostname)
        except ValueError:
            return False
        return True

    @property
    def server_name(self) -> str:
        """The name sent as SNI and Host: ``server_name`` if declared, else the URL's host."""
        return self.endpoint.server_name or self.hostname

    def plain_http_url(self) -> str:
        """SEC-11's URL: ``http_url`` if declared, else the same URL over http on port 80."""
        if self.endpoint.http_url:
            return self.endpoint.http_url
        parts = urlsplit(self.endpoint.url)
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return urlunsplit(("http", host, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    via: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    elapsed: float | None = None
    error: str = ""
    concurrent: bool = False
    """Made while other requests of the run were in flight (its time is not a latency sample)."""

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def answered(self) -> bool:
        return self.status is not None

    def describe(self) -> str:
        if self.status is None:
            return f"{self.method} {self.url}: {self.error}"
        location = f" → {self.location}" if self.location else ""
        return f"{self.method} {self.url}: {self.status}{location}"

    def record(self, evidence: Evidence) -> None:
        evidence.http(
            self.method, f"{self.url} (from {self.via})", self.status,
            headers=self.headers, body=self.body, elapsed=self.elapsed, error=self.error,
        )  # fmt: skip


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
                # httpx has no public hook for the address a name connects to; its pool does.
                transport._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=self._backend)
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
        with pending:  # one endpoint's exchanges one at a time; other endpoints' meanwhile
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
                    "GET", request_url, via, response.status_code, _shown_headers(response.headers.items()),
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
            result = remote.run(host_command(target, url, self._headers(target)))
        else:
            refuse_in_clear(target, url)
            user, url = _userinfo(url)
            command = host_command(target, url, self._headers(target), verified=True)
            purpose = f"the credentialed request to {target.id}"
            result = remote.run_with_input(command, curl_config(secret, user), purpose)
        if result.exit_status == host_http.NOT_INSTALLED and "is installed" in result.stderr:
            raise TargetError(f"{target.host.name}: {result.stderr.strip()}, so the request cannot be made from it")
        return parse_curl(result.stdout, result.stderr, url, f"{target.host.name} ({host_http.client(result.stdout)})")


def request_headers(target: Target) -> dict[str, str]:
    """The headers of every request to the endpoint (no credential among them)."""
    headers = {"User-Agent": target.host.http.user_agent}
    if target.endpoint.server_name:
        headers["Host"] = _host_header(target.endpoint.server_name, urlsplit(target.endpoint.url))
    return headers


def authorization(secret: Mapping[str, str]) -> dict[str, str]:
    """The Authorization header for a resolved credential: a token as Bearer, a password as Basic."""
    if "token" in secret:
        return {"Authorization": f"Bearer {secret['token']}"}
    if "password" in secret:
        pair = f"{secret.get('username', '')}:{secret['password']}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}
    return {}


def refuse_in_clear(target: Target, url: str) -> None:
    """A credential never goes over plain HTTP to a host other than loopback."""
    if sends_in_clear(url):
        raise TargetError(
            f"{target.id}: {without_userinfo(url)} is plain HTTP to a host other than loopback; the credential "
            "would cross the network unencrypted, so the request is not made (use its https:// URL)"
        )


def curl_command(target: Target, url: str, headers: dict[str, str], *, verified: bool = False) -> str:
    """One curl on the host for all samples (one connection), headers dumped, bodies dropped.

    ``verified`` (a credentialed request): the certificate must verify (``ca_bundle``, a
    file on the host, else the host's store), no curlrc or proxy of the host's may weaken
    that, and the credential is read from standard input (``curl_config``), so the
    command line stays free of secrets. ``headers`` must hold none.
    """
    endpoint = target.endpoint
    parts = urlsplit(url)
    if verified:
        # -q first: no ~/.curlrc (it could say `insecure`); the config on stdin holds the secret
        options = ["-q", "-K", "-", "-sS", "--max-time", f"{target.host.http.timeout:g}"]
        if endpoint.ca_bundle:
            options += ["--cacert", endpoint.ca_bundle]
        if parts.scheme == "http":
            options += ["--noproxy", "*"]  # loopback only, and no proxy sees it in clear
    else:
        options = ["-sS", "-k", "--max-time", f"{target.host.http.timeout:g}"]
    if endpoint.server_name:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        options += ["--resolve", f"{endpoint.server_name}:{port}:{parts.hostname}"]
        url = urlunsplit(parts._replace(netloc=f"{endpoint.server_name}:{port}"))
    for name, value in headers.items():
        if name == "User-Agent":
            options += ["-A", value]
        elif name != "Host":
            options += ["-H", f"{name}: {value}"]
    options += ["-D", "-", "-w", f"{CURL_MARK} %{{http_code}} %{{time_total}}\\n"]
    transfers = [item for _ in range(endpoint.samples) for item in ("-o", "/dev/null", url)]
    return " ".join(shlex.quote(part) for part in ["curl", *options, *transfers])


def host_command(target: Target, url: str, headers: dict[str, str], *, verified: bool = False) -> str:
    """The request from the host: curl, else python3, else wget (``checks/host_http.py``)."""
    endpoint = target.endpoint
    parts = urlsplit(url)
    request_url, connect_to = url, None
    if endpoint.server_name:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        request_url = urlunsplit(parts._replace(netloc=f"{endpoint.server_name}:{port}"))
        connect_to = parts.hostname
    timeout = target.host.http.timeout
    python = host_http.python_command(
        request_url, endpoint.samples, timeout, verified=verified, cafile=endpoint.ca_bundle if verified else None,
        connect_to=connect_to, headers=headers,
    )  # fmt: skip
    wget = None if verified or endpoint.server_name else host_http.wget_command(url, endpoint.samples, timeout, headers)
    return host_http.command(curl_command(target, url, headers, verified=verified), python, wget)


def curl_config(secret_headers: dict[str, str], user: str | None) -> bytes:
    """The curl config (``-K -``) that carries the secret on standard input."""
    lines = [f"header = {_curl_quoted(f'{name}: {value}')}" for name, value in secret_headers.items()]
    if user is not None:
        lines.append(f"user = {_curl_quoted(user)}")
    return ("\n".join(lines) + "\n").encode()


def _curl_quoted(value: str) -> str:
    if any(character in value for character in "\r\n\0"):
        raise TargetError("a credential holds a line break or NUL, which no HTTP header can carry")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _userinfo(url: str) -> tuple[str | None, str]:
    """``user:password`` of the URL (decoded) and the URL without it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return None, url
    return unquote(parts.netloc.rpartition("@")[0]), without_userinfo(url)


def parse_curl(stdout: str, stderr: str, url: str, via: str) -> list[Exchange]:
    """curl's dumped headers and ``#golive-result CODE SECONDS`` lines → one Exchange per transfer."""
    errors = [line.removeprefix("curl: ") for line in stderr.splitlines() if line.startswith("curl: (")]
    exchanges: list[Exchange] = []
    headers: dict[str, str] = {}
    for line in stdout.splitlines():
        line = line.rstrip("\r")
        if line.startswith(CURL_MARK):
            _, code, seconds = line.split()
            if code == "000":
                error = errors[len(exchanges)] if len(exchanges) < len(errors) else (errors or ["no answer"])[-1]
                exchanges.append(Exchange("GET", url, via, elapsed=float(seconds), error=_plain_curl(error)))
            else:
                exchanges.append(
                    Exchange("GET", url, via, int(code), _shown_headers(headers.items()), "", float(seconds))
                )
            headers = {}
        elif line.startswith("HTTP/"):
            headers = {}
        elif ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if not exchanges:
        raise TargetError(f"curl printed no result for {url}: {shorten(stderr.strip(), 300, end=True)}")
    return exchanges


def expected_statuses(endpoint: Endpoint, anonymous: bool) -> tuple[str, set[int]]:
    """AVL-01's expectation: declared statuses, else 2xx (a protected endpoint asked
    without credentials may also refuse: 401/403 or a redirect, which SEC-02 judges)."""
    if endpoint.expect_status:
        return ", ".join(map(str, endpoint.expect_status)), set(endpoint.expect_status)
    if endpoint.protected and anonymous:
        return "2xx, 3xx, 401 or 403 (protected, no credential)", {*range(200, 400), 401, 403}
    return "2xx", set(range(200, 300))


def judge_status(target: Target, exchange: Exchange, anonymous: bool) -> Verdict:
    """AVL-01: the endpoint answered one of its expected statuses."""
    if not exchange.answered:
        return Verdict(False, f"{target.id}: {exchange.describe()}")
    shown, allowed = expected_statuses(target.endpoint, anonymous)
    comparison = Comparison(f"{target.id} status", exchange.status, "in", shown, exchange.status in allowed)
    summary = f"{target.id}: {exchange.describe()}" + ("" if comparison.passed else f", expected {shown}")
    return Verdict(comparison.passed, summary, [comparison])


def judge_latency(target: Target, exchanges: list[Exchange]) -> Verdict:
    """AVL-05: the median and the worst of the samples are under the budget."""
    budget = target.endpoint.latency_budget
    failed = [e for e in exchanges if not e.answered]
    if failed:
        return Verdict(False, f"{target.id}: {failed[0].describe()}")
    times = [e.elapsed or 0.0 for e in exchanges]
    median, worst = statistics.median(times), max(times)
    comparisons = [
        Comparison(f"{target.id} median of {len(times)}", round(median, 3), "<", budget, median < budget, " s"),
        Comparison(f"{target.id} worst of {len(times)}", round(worst, 3), "<", budget, worst < budget, " s"),
    ]
    return Verdict.from_comparisons(comparisons, "latency measures")


def judge_refusal(target: Target, exchange: Exchange) -> Verdict:
    """SEC-02: anonymous access refused: 401/403, or a redirect to the login."""
    if not exchange.answered:
        return Verdict(False, f"{target.id}: cannot tell whether it refuses anonymous access: {exchange.describe()}")
    login = target.endpoint.login_location
    refused = exchange.status in (401, 403) or (exchange.status in REDIRECTS and login in exchange.location)
    wanted = f"401, 403 or a redirect to a Location containing {login!r}"
    comparison = Comparison(f"{target.id} anonymous GET", exchange.status, "in", wanted, refused)
    summary = f"{target.id}: anonymous {exchange.describe()}" + ("" if refused else " — served without credentials")
    return Verdict(refused, summary, [comparison])


def judge_https_redirect(target: Target, exchange: Exchange) -> Verdict:
    """SEC-11: plain HTTP answers with a redirect to an https:// Location."""
    if not exchange.answered:
        return Verdict(False, f"{target.id}: plain HTTP {exchange.describe()}")
    redirects = exchange.status in REDIRECTS and exchange.location.lower().startswith("https://")
    comparison = Comparison(
        f"{target.id} plain HTTP", f"{exchange.status} {exchange.location or '(no Location)'}", "is",
        "301/302/303/307/308 to https://", redirects,
    )  # fmt: skip
    summary = f"{target.id}: plain HTTP {exchange.describe()}" + ("" if redirects else ", not a redirect to HTTPS")
    return Verdict(redirects, summary, [comparison])


def _host_header(name: str, parts: Any) -> str:
    return f"{name}:{parts.port}" if parts.port else name


def _shown_headers(items: Any) -> dict[str, str]:
    return {name.lower(): "[withheld]" if name.lower() in WITHHELD_HEADERS else value for name, value in items}


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


def _plain_curl(error: str) -> str:
    if error.startswith("(6)"):
        return f"the name does not resolve ({error})"
    if error.startswith("(7)"):
        kind = "connection refused" if "refused" in error.lower() else "cannot connect (refused or unreachable)"
        return f"{kind} ({error})"
    if error.startswith("(28)"):
        return f"no answer in time (timeout) ({error})"
    if error.startswith(("(60)", "(51)")):
        return f"the certificate does not verify, so the credential was not sent ({error})"
    if error.startswith("(77)"):
        return f"the ca_bundle cannot be read on the host ({error})"
    return error
