"""The probe's one client, shared by the threads that probe a host's endpoints together.

Against 40 real HTTP servers on loopback (40 origins, more than a capped pool holds), 16
threads make 5,000 requests through the client golive probes with. A pool that closes an
idle connection to make room can close one another thread was just handed (httpcore 1.0.9,
encode/httpcore#1110): that request fails with EBADF or waits out its timeout, a verdict
made by golive's own race and not by the endpoint (with a pool capped at 10 connections,
4 to 6 of the 5,000 requests failed so in each try).
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from golive.checks.http_probe import HttpProbe
from golive.checks.remote import Fleet

ORIGINS = 40
THREADS = 16
REQUESTS = 5000


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: connections go back to the pool

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # a connection the client closed while idle
            pass


@pytest.fixture
def ports() -> Iterator[list[int]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(ORIGINS)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [server.server_address[1] for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_threads_sharing_the_probe_s_client_never_lose_a_connection_to_each_other(ports: list[int]) -> None:
    probe = HttpProbe(Fleet(), {})
    failed: collections.Counter[str] = collections.Counter()

    def one(n: int) -> None:
        url = f"http://127.0.0.1:{random.choice(ports)}/"
        try:
            with probe.client.stream("GET", url, timeout=5) as response:
                for _ in response.iter_bytes():
                    pass
        except httpx.HTTPError as exc:
            failed[f"{type(exc).__name__}: {exc}"] += 1

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(one, range(REQUESTS)))
    finally:
        probe.close()
    assert not failed
