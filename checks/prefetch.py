"""The runner-side probes of one host's endpoints, made together.

A host's endpoint criteria (status requests, anonymous and plain-HTTP requests, TLS
handshakes, legacy-protocol offers) each wait on the network; made one after the other
they add up to the sum of their round trips. The first time a criterion asks for a
probe of a host, every probe the run's selected criteria will ask of that host's
endpoints is made at once, on a few threads, and kept in the shared caches of
``HttpProbe`` and ``Certificates``; each criterion then takes its own from there and
records it in its own evidence (nothing is recorded from the threads).

A probe that raises here (a TargetError, such as a credential refused in clear) is not kept
and is made again, and fails, in the criterion that asks for it. Latency samples
(AVL-05) are never made here: ``HttpProbe.samples(..., uncontended=True)`` takes them
one at a time, after the host's probes are done, and ignores the exchanges made here; nor
while a batch fetched ahead is built or read (``golive/facts/lookahead.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.checks.tls import Certificates
from golive.inventory import Host

MAX_THREADS = 8

Probe = Callable[[HttpProbe, Certificates, Target], object]

PROBES: Mapping[str, Probe] = {
    "AVL-01": lambda http, _, target: http.samples(target, 1, concurrent=True),
    "SEC-02": lambda http, _, target: http.samples(target, 1, anonymous=True, concurrent=True),
    "SEC-11": lambda http, _, target: http.samples(
        target, 1, anonymous=True, url=target.plain_http_url(), concurrent=True
    ),
    "SEC-03": lambda _, certificates, target: certificates.certificate(target),
    "SEC-04": lambda _, certificates, target: certificates.certificate(target),
    "SEC-05": lambda _, certificates, target: certificates.certificate(target),
    "SEC-06": lambda _, certificates, target: certificates.legacy_protocols(target),
}
"""What each endpoint criterion asks of an endpoint from the runner, by criterion ID."""


class Prefetch:
    """Makes every wanted probe of a host's endpoints at once, the first time one is asked for."""

    def __init__(self, http: HttpProbe, certificates: Certificates, wanted: Iterable[tuple[str, Target]]) -> None:
        """``wanted``: (criterion ID, target) of every endpoint test the run will make."""
        self.http = http
        self.certificates = certificates
        self._wanted: dict[str, list[tuple[str, Target]]] = {}
        for criterion, target in wanted:
            if criterion in PROBES and not target.endpoint.internal:
                self._wanted.setdefault(target.host.name, []).append((criterion, target))
        self._done: set[str] = set()
        self._lock = threading.Lock()
        http.before = certificates.before = self.host

    def host(self, host: Host) -> None:
        """Every wanted probe of ``host``, concurrently; once per host (later calls return at once)."""
        with self._lock:
            if host.name in self._done:
                return
            self._done.add(host.name)
        jobs = self._wanted.get(host.name, [])
        if len(jobs) < 2:
            return
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(jobs)), thread_name_prefix="golive-probe") as pool:
            for future in [pool.submit(self._probe, criterion, target) for criterion, target in jobs]:
                future.result()

    def _probe(self, criterion: str, target: Target) -> None:
        try:
            PROBES[criterion](self.http, self.certificates, target)
        except Exception:  # not kept: the criterion asking for it meets the error itself
            pass
