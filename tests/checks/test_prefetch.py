"""A host's endpoint probes are made together, and only those its selected criteria ask for.

Against a real HTTP server on loopback whose ``/together`` path answers 200 only when
three requests are in it at the same time (a barrier): made one after the other, each
would wait out the barrier and answer 503.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.checks.prefetch import Prefetch
from golive.checks.remote import Fleet
from golive.checks.tls import Certificates
from golive.evidence import Evidence, collecting
from golive.inventory import Endpoint, Host

TOGETHER = 3


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.barrier = threading.Barrier(TOGETHER)
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        status = 200
        if self.path.startswith("/together"):
            try:
                self.server.barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                status = 503
        with self.server.lock:
            self.server.in_flight -= 1
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def targets(server: Server, path: str, count: int) -> list[Target]:
    host = Host(name="web", backend="local://")
    port = server.server_address[1]
    return [Target(host, Endpoint(name=f"e{i}", url=f"http://127.0.0.1:{port}{path}{i}")) for i in range(count)]


def prefetch(wanted: list[tuple[str, Target]]) -> Prefetch:
    return Prefetch(HttpProbe(Fleet(), {}), Certificates(), wanted)


def test_a_hosts_probes_are_made_together_when_the_first_is_asked_for(server):
    endpoints = targets(server, "/together", TOGETHER)
    probes = prefetch([("AVL-01", target) for target in endpoints])
    evidence = Evidence()
    with collecting(evidence):
        [first] = probes.http.samples(endpoints[0], 1)
    assert first.status == 200  # the barrier opened: the three requests were in flight together
    assert probes.http.requests == TOGETHER
    assert [probes.http.samples(t, 1)[0].status for t in endpoints[1:]] == [200, 200]
    assert probes.http.requests == TOGETHER  # taken from what was fetched, not asked again
    assert evidence.entries == []  # the threads record nothing: each criterion records its own


def test_only_the_probes_of_selected_criteria_are_made(server):
    asked, not_selected = targets(server, "/alone", 2)
    probes = prefetch([("AVL-01", asked), ("SEC-11", asked), ("AVL-05", not_selected)])
    probes.http.samples(asked, 1)
    # AVL-01's request, SEC-11's plain-HTTP one (the same URL here: it is already http)
    assert probes.http.requests == 2


def test_latency_samples_are_made_one_at_a_time_after_the_hosts_probes(server):
    endpoints = targets(server, "/alone", 4)
    probes = prefetch([("AVL-01", target) for target in endpoints])
    [shared] = probes.http.samples(endpoints[0], 1)
    assert shared.concurrent
    server.most_in_flight = 0
    latency = probes.http.samples(endpoints[0], 3, uncontended=True)
    assert server.most_in_flight == 1
    assert len(latency) == 3 and not any(exchange.concurrent for exchange in latency)
    assert shared not in latency
    assert probes.http.samples(endpoints[0], 1) == [shared]  # AVL-01 keeps its exchange
    assert probes.http.requests == 4 + 3
