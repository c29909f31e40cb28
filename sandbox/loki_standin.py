"""A stand-in for Grafana Loki's HTTP API, on 127.0.0.1, for MON-06 and the log criteria.

No registry this project may use ships Grafana Loki (Debian's ``loki`` package is an
unrelated genetics program), so this answers the part of Loki's HTTP API golive reads
and writes: JSON push, query_range/query for a stream selector with line filters
(sandbox/logql.py), labels, label values, series, /ready, /metrics. Its buildinfo says
it is a stand-in. Pushed streams are kept in memory and in ``<data_dir>/entries.jsonl``,
so a restart keeps them.

Run as ``python -m sandbox.loki_standin PORT DATA_DIR`` (sandbox/monitoring.py starts it
as one of the stack's daemons).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.logql import LogQuery


class LogStore:
    """Pushed streams, in memory and in a JSON-lines file, so a restart keeps them."""

    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / "entries.jsonl"
        self.lock = threading.Lock()
        self.entries: list[tuple[int, tuple[tuple[str, str], ...], str]] = []
        if self.file.exists():
            for row in self.file.read_text().splitlines():
                ts, labels, line = json.loads(row)
                self.entries.append((ts, tuple(sorted(labels.items())), line))

    def push(self, body: dict[str, Any]) -> None:
        rows = []
        for stream in body.get("streams", []):
            labels = {str(k): str(v) for k, v in stream["stream"].items()}
            if not labels:
                raise ValueError("a stream needs at least one label")
            rows += [(int(ts), labels, str(line)) for ts, line, *_ in stream.get("values", [])]
        with self.lock, self.file.open("a") as out:
            for ts, labels, line in rows:
                out.write(json.dumps([ts, labels, line]) + "\n")
                self.entries.append((ts, tuple(sorted(labels.items())), line))

    def query(self, query: LogQuery, start: int, end: int, limit: int, forward: bool) -> list[dict[str, Any]]:
        with self.lock:
            hits = [e for e in self.entries if start <= e[0] < end and query.selects(dict(e[1])) and query.keeps(e[2])]
        hits.sort(key=lambda e: e[0], reverse=not forward)
        streams: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
        for ts, labels, line in hits[:limit]:
            streams.setdefault(labels, []).append([str(ts), line])
        return [{"stream": dict(labels), "values": values} for labels, values in streams.items()]

    def metrics(self) -> str:
        """A Prometheus exposition of how much the store holds, so Prometheus can scrape it."""
        with self.lock:
            entries, streams = len(self.entries), len({e[1] for e in self.entries})
        return (
            "# TYPE loki_standin_entries gauge\n"
            f"loki_standin_entries {entries}\n"
            "# TYPE loki_standin_streams gauge\n"
            f"loki_standin_streams {streams}\n"
        )

    def series(self, query: LogQuery | None = None) -> list[dict[str, str]]:
        with self.lock:
            every = {e[1] for e in self.entries}
        return [dict(s) for s in sorted(every) if query is None or query.selects(dict(s))]


def _timestamp(value: str | None, default: int) -> int:
    """Loki's rules: float seconds, integer seconds (≤ 10 digits) or nanoseconds, or RFC 3339."""
    if not value:
        return default
    if "." in value:
        try:
            return int(float(value) * 1e9)
        except ValueError:
            pass
    if value.isdigit():
        return int(value) * 10**9 if len(value) <= 10 else int(value)
    return int(datetime.fromisoformat(value).timestamp() * 1e9)


def serve_loki_standin(port: int, data_dir: Path) -> None:
    """Answer the Loki HTTP API calls golive makes, on 127.0.0.1:``port``, until killed."""
    store = LogStore(data_dir)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            try:
                if url.path == "/ready":
                    return self._send(200, b"ready\n", "text/plain")
                if url.path == "/metrics":
                    return self._send(200, store.metrics().encode(), "text/plain; version=0.0.4")
                if url.path == "/loki/api/v1/status/buildinfo":
                    return self._json({"version": "golive-sandbox-standin", "revision": "", "branch": ""})
                if url.path in ("/loki/api/v1/query_range", "/loki/api/v1/query"):
                    return self._json({"status": "success", "data": self._streams(url.path, params)})
                if url.path == "/loki/api/v1/labels":
                    return self._json({"status": "success", "data": sorted({k for s in store.series() for k in s})})
                if url.path.startswith("/loki/api/v1/label/") and url.path.endswith("/values"):
                    name = url.path.split("/")[-2]
                    values = sorted({s[name] for s in store.series() if name in s})
                    return self._json({"status": "success", "data": values})
                if url.path == "/loki/api/v1/series":
                    selectors = parse_qs(url.query).get("match[]", []) or parse_qs(url.query).get("match", [])
                    found = [s for q in selectors for s in store.series(LogQuery.parse(q))] if selectors else []
                    return self._json({"status": "success", "data": found})
                self._send(404, b"404 page not found\n", "text/plain")
            except (ValueError, KeyError) as error:
                self._send(400, f"{error}\n".encode(), "text/plain")

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/loki/api/v1/push":
                return self._send(404, b"404 page not found\n", "text/plain")
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._send(415, b"the sandbox's Loki stand-in takes JSON pushes only\n", "text/plain")
            try:
                store.push(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            except (ValueError, KeyError, TypeError) as error:
                return self._send(400, f"{error}\n".encode(), "text/plain")
            self._send(204, b"", "text/plain")

        def _streams(self, path: str, params: dict[str, str]) -> dict[str, Any]:
            now = time.time_ns()
            if path.endswith("/query"):
                end = _timestamp(params.get("time"), now) + 1
                start = end - 3600 * 10**9
            else:
                end = _timestamp(params.get("end"), now)
                start = _timestamp(params.get("start"), end - 3600 * 10**9)
            query = LogQuery.parse(params["query"])
            forward = params.get("direction", "backward").lower() == "forward"
            result = store.query(query, start, end, int(params.get("limit", 100)), forward)
            return {"resultType": "streams", "result": result, "stats": {}}

        def _json(self, body: Any) -> None:
            self._send(200, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the stand-in's log would only repeat every push

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    serve_loki_standin(int(sys.argv[1]), Path(sys.argv[2]))
