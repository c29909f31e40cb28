"""Endpoints over HTTP (AVL-01, AVL-05, SEC-02, SEC-11): what is asked, what came back, the judges.

A ``Target`` is an endpoint of a host, an ``Exchange`` one request and its answer (or
why nothing came back). The headers every request carries, the credential's
Authorization header and the rule that a credential never crosses the network in
clear are here, for both ways of asking: from the runner (``checks/http_probe.py``)
and from the host (``checks/host_http.py``).
"""

from __future__ import annotations

import base64
import ipaddress
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from golive.errors import TargetError
from golive.evidence import Comparison, Evidence, Verdict
from golive.inventory import Endpoint, Host, sends_in_clear, without_userinfo

WITHHELD_HEADERS = ("set-cookie", "cookie", "authorization", "proxy-authorization")
REDIRECTS = (301, 302, 303, 307, 308)


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


def shown_headers(items: Any) -> dict[str, str]:
    """Response headers as shown in evidence: names lowercased, cookies and credentials withheld."""
    return {name.lower(): "[withheld]" if name.lower() in WITHHELD_HEADERS else value for name, value in items}
