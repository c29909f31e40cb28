"""What a host serves and uses over the network: URLs, HTTP settings, TCP dependencies;
and when a credential may travel to a URL."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from golive.inventory.section import NAME, Duration, Section


class Endpoint(Section):
    """AVL-01/03/05, SEC-02..06, SEC-11: one URL the host serves (or, if ``internal``, uses).

    ``server_name`` is the name sent as SNI and Host when the URL's host is an IP
    address (curl's ``--resolve``); ``resolve_to`` is the address the URL's name must
    resolve to; ``ca_bundle`` verifies the certificate instead of the system store;
    ``internal`` makes requests (and name lookups) from the host, not the runner;
    ``credential`` names an entry of ``credentials:`` used by AVL-01 and AVL-05. A
    credential travels only over TLS that verifies (``ca_bundle``, else the system
    store; for an ``internal`` endpoint both are the host's), or over plain HTTP to
    loopback; an ``http://`` URL to any other host cannot carry one.
    """

    name: str = Field(pattern=NAME)
    url: str = Field(pattern=r"^https?://[^/\s]+(/\S*)?$")
    expect_status: tuple[int, ...] | None = None
    protected: bool = False
    login_location: str = "login"
    latency_budget: Duration = 2.0
    samples: int = Field(3, ge=1, le=50)
    resolve_to: str | None = None
    ca_bundle: str | None = None
    server_name: str | None = None
    internal: bool = False
    credential: str | None = None
    http_url: str | None = Field(None, pattern=r"^http://[^/\s]+(/\S*)?$")

    @field_validator("expect_status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        values = value if isinstance(value, (list, tuple)) else [value]
        for status in values:
            if value is not None and (not isinstance(status, int) or not 100 <= status <= 599):
                raise ValueError(f"expected an HTTP status like 200 or a list like [200, 204], got {status!r}")
        return None if value is None else tuple(values)

    @field_validator("resolve_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"expected an IP address like 192.0.2.10, got {value!r}") from None
        return value


class HttpSettings(Section):
    """How golive makes HTTP requests and TLS handshakes for this host's endpoints."""

    user_agent: str = "golive/0.1 (production readiness check)"
    timeout: Duration = 10.0
    tls_expiry_critical_days: float = Field(7, ge=0)
    tls_expiry_warning_days: float = Field(21, ge=0)


class TcpDependency(Section):
    """AVL-04: a TCP service this host needs, probed from the host itself."""

    name: str = Field(pattern=NAME)
    address: str = Field(pattern=r"^[A-Za-z0-9._:-]+$")
    port: int = Field(ge=1, le=65535)
    timeout: Duration = 3.0


IN_CLEAR = (
    "{url} is plain HTTP to a host other than loopback, and a credential sent there would cross the network "
    "unencrypted; use its https:// URL (with ca_bundle for a private CA) or drop the credential"
)


def has_userinfo(url: str) -> bool:
    """The URL carries ``user:password@``: a credential of its own."""
    return "@" in urlsplit(url).netloc


def without_userinfo(url: str) -> str:
    """The URL without its ``user:password@``, fit to show."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def sends_in_clear(url: str) -> bool:
    """An ``http://`` URL to a host other than loopback: whatever it carries crosses the
    network unencrypted, so no credential may go there (``localhost`` or a loopback address
    never leaves the machine that makes the request)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    hostname = (parts.hostname or "").rstrip(".").lower()
    if hostname == "localhost":
        return False
    try:
        return not ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return True
