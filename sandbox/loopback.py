"""HTTP to loopback only, never through a proxy: how the sandbox talks to its own daemons.

``require_loopback`` refuses any other address; ``answers(url)`` is a readiness probe
(a 200 within 2 s); ``get_json(url)`` reads a JSON API.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sandbox.process import SandboxError

# Never a proxy: every request of the sandbox stays on loopback.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def require_loopback(url: str) -> None:
    """Refuse ``url`` (or ``host:port``) unless it names a loopback address."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SandboxError(f"{url} is not on loopback; the sandbox never reaches other addresses")


def answers(url: str) -> Callable[[], bool]:
    """A readiness probe: ``url`` answers 200."""

    def probe() -> bool:
        try:
            with DIRECT.open(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    return probe


def get_json(url: str) -> Any:
    """GET a loopback URL (never through a proxy) and decode its JSON."""
    require_loopback(url)
    with DIRECT.open(url, timeout=10) as response:
        return json.loads(response.read())
