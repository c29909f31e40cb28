"""How long headless Chromium takes to load and render a report page: readiness.html.

Installs Debian's ``chromium`` when it is missing (``apt-get install -y chromium``), starts
it headless with ``--remote-debugging-pipe`` (the DevTools protocol over two pipes, no
port opened), navigates one fresh page to the file's ``file://`` URL and waits for the
load event, then for two animation frames (the first frame painted after load). Prints,
in seconds: the time from sending the navigation to that painted frame as this process
saw it, the CPU seconds Chromium's processes spent in that time (the figure to compare
on a shared machine), and the page's own clock (``performance.now()`` at that frame, counted from
the navigation's start; the load event's end).

    .venv/bin/python benchmarks/html_load.py reports/readiness.html
    .venv/bin/python benchmarks/html_load.py reports/readiness.html --runs 3

Nothing is subtracted: Chromium's start-up is not in the figures (the page is opened in
a browser already running), everything after the navigation is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1000", "--remote-debugging-pipe")  # fmt: skip
PAINTED = (
    "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(JSON.stringify({"
    "painted: performance.now(), load: performance.getEntriesByType('navigation')[0].loadEventEnd})))))"
)


def chromium() -> str:
    """Debian's chromium, installed when missing."""
    found = shutil.which("chromium")
    if found:
        return found
    for _ in range(30):  # another install may hold the apt lock
        done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
        if done.returncode == 0 or "lock" not in done.stderr:
            break
        time.sleep(10)
    found = shutil.which("chromium")
    if not found:
        sys.exit(f"html_load: chromium could not be installed: {done.stderr[-500:]}")
    return found


class Pipe:
    """The DevTools protocol over Chromium's pipes: JSON messages ended by a NUL byte."""

    def __init__(self, browser: str, profile: str) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def as_fds_3_and_4() -> None:  # where Chromium reads commands and writes replies
            commands, replies = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.process = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=as_fds_3_and_4,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its descendants so far, from /proc."""
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    seen = {root}
    for pid in sorted(parents):
        chain, current = [], pid
        while current in parents and current not in seen and current > 1:
            chain.append(current)
            current = parents[current]
        if current in seen:
            seen.update(chain)
    return sum(spent.get(pid, 0.0) for pid in seen)


def load(browser: str, page: Path) -> dict[str, float]:
    """One load of ``page`` in a fresh page of a running browser: seconds, as seen from here and by the page."""
    with tempfile.TemporaryDirectory(prefix="golive-html-load-") as profile:
        pipe = Pipe(browser, profile)
        try:
            target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
            session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            pipe.call("Page.enable", session)
            pipe.events.clear()
            cpu = tree_cpu(pipe.process.pid)
            started = time.perf_counter()
            pipe.call("Page.navigate", session, url=page.resolve().as_uri())
            pipe.wait("Page.loadEventFired")
            found = pipe.call("Runtime.evaluate", session, expression=PAINTED, awaitPromise=True, returnByValue=True)
            seen = time.perf_counter() - started
            cpu = tree_cpu(pipe.process.pid) - cpu
        finally:
            pipe.close()
    clock = json.loads(found["result"]["value"])
    return {"seen": seen, "cpu": cpu, "painted": clock["painted"] / 1000, "load": clock["load"] / 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="the report page, e.g. reports/readiness.html")
    parser.add_argument("--runs", type=int, default=1, help="loads to make, each in a fresh browser profile")
    args = parser.parse_args(argv)
    if not args.page.is_file():
        parser.error(f"{args.page}: no such file")
    browser = chromium()
    print("| page MB | run | loaded and painted s | Chromium CPU s | painted s (page clock) "
          "| load event s (page clock) | load |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for run in range(1, args.runs + 1):
        average = os.getloadavg()[0]
        measured = load(browser, args.page)
        print(f"| {args.page.stat().st_size / 1e6:.1f} | {run} | {measured['seen']:.2f} | {measured['cpu']:.2f} "
              f"| {measured['painted']:.2f} "
              f"| {measured['load']:.2f} | {average:.2f} |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
