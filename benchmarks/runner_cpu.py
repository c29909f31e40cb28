"""Runner CPU per test instance: golive's own cost, apart from the targets'.

N ``local://`` hosts, each declaring a realistic profile that needs no root: 7 HTTPS
endpoints (a TLS server on loopback, started here in its own process so its CPU is
not counted), log files of 10 000 lines, backups, a git repository, documents and a
dependency. The run's CPU is read with ``wait4`` (pytest, its workers and their
children, such as the ``sh`` of each fact command) and, per process, pytest's own CPU
(``RUSAGE_SELF`` at the end of each process, which is what golive's Python costs), split
into start-up (the interpreter and pytest, to the measuring plugin's load), the
installed plugins' import and configuration (golive's inventory and fixtures among
them), collection, and the session (the tests, their reports, the record).

    .venv/bin/python benchmarks/runner_cpu.py 10            # -n 0
    .venv/bin/python benchmarks/runner_cpu.py 10 --workers 2
    .venv/bin/python benchmarks/runner_cpu.py 10 --profile out.prof   # cProfile of -n 0
    .venv/bin/python benchmarks/runner_cpu.py 10 --workers 2 --profile-dir prof   # prof/gw0.prof ...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENDPOINTS = 7
LOG_LINES = 10_000

SERVER = """
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok token=abcd1234secret password=hunter22 " * 4
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

# the plugin each pytest process loads: its own CPU, written when it ends, and the CPU at
# which it was loaded (-p plugins load before the installed ones: golive's import comes
# after), configured and had collected
MEASURE = """
import json, os, resource
import pytest
def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
MARKS = {"loaded": _cpu()}
PROFILE = None
if os.environ.get("RUNNER_CPU_PROFILE"):
    import cProfile
    import time
    PROFILE = cProfile.Profile(time.thread_time)
    PROFILE.enable()
@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    MARKS["configured"] = _cpu()
@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    MARKS["collected"] = _cpu()
def pytest_unconfigure(config):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    role = getattr(config, "workerinput", {}).get("workerid", "controller")
    if PROFILE is not None:
        PROFILE.disable()
        PROFILE.dump_stats(os.environ["RUNNER_CPU_PROFILE"] + f"/{role}.prof")
    path = os.environ["RUNNER_CPU_DIR"] + f"/{os.getpid()}.json"
    with open(path, "w") as f:
        json.dump({"cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss, "role": role, **MARKS}, f)
"""


def fixtures(root: Path) -> None:
    """The files every host's profile points at (shared: the hosts are all this machine)."""
    logs = root / "logs"
    logs.mkdir()
    lines = []
    for i in range(LOG_LINES):
        kind, stamp = i % 50, f"2026-01-01T00:{i % 60:02d}:00Z"
        if kind == 0:
            lines.append(f"{stamp} ERROR worker {i}: connection refused to db:5432 token=s3cr3t{i}")
        elif kind == 1:
            lines.append(f"{stamp} WARN slow request id={i:08x} took {i % 997} ms")
        else:
            lines.append(f'127.0.0.1 - - [01/Jan/2026:00:00:{i % 60:02d} +0000] "GET /i/{i} HTTP/1.1" 200 {i % 5000}')
    (logs / "app.log").write_text("\n".join(lines) + "\n")
    backups = root / "backups"
    backups.mkdir()
    for day in range(5):
        (backups / f"db-{day}.sql.gz").write_bytes(b"x" * (1000 + day))
    repo = root / "infra"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n    restart: unless-stopped\n")
    (repo / ".gitignore").write_text(".env\n")
    (repo / "RUNBOOK.md").write_text("# Runbook\n")
    git = ["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@b"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def inventory(root: Path, hosts: int, port: int) -> Path:
    host = textwrap.dedent(f"""\
        backend: 'local://'
        listeners: {{allow: ['{port}']}}
        endpoints:
    """)
    for e in range(ENDPOINTS):
        host += f"  - {{name: e{e}, url: 'https://127.0.0.1:{port}/e{e}', latency_budget: 2s, samples: 3}}\n"
    host += textwrap.dedent(f"""\
        dependencies:
          - {{name: tls, address: 127.0.0.1, port: {port}, timeout: 2s}}
        logs:
          containers: false
          files: ['{root}/logs/app.log']
          max_lines: {LOG_LINES}
        backups:
          locations:
            - {{name: db, path: '{root}/backups', glob: '*.sql.gz', max_age: 26h, min_size_ratio: 0.5}}
        repos:
          - {{name: infra, path: '{root}/infra', compose: [docker-compose.yml]}}
        documents:
          - {{name: runbook, path: '{root}/infra/RUNBOOK.md', max_age: 30d}}
    """)
    body = textwrap.indent(host, "    ")
    text = "hosts:\n" + "".join(f"  host{i:04d}:\n{body}" for i in range(hosts))
    path = root / f"hosts-{hosts}.yaml"
    path.write_text(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hosts", type=int, nargs="?", default=10)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--profile", help="write a cProfile of the (-n 0) run here")
    parser.add_argument("--profile-dir", help="a cProfile (thread CPU) of each process here: controller, gw0, ...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="golive-cpu-") as tmp:
        root = Path(tmp)
        fixtures(root)
        serve = [sys.executable, "-c", SERVER, str(root / "cert.pem"), str(root / "key.pem")]
        server = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline()) if server.stdout else 0
            path = inventory(root, args.hosts, port)
            (root / "measure").mkdir()
            (root / "runner_cpu_measure.py").write_text(MEASURE)
            reports = root / "reports"
            prefix = [sys.executable]
            if args.profile:
                prefix += ["-m", "cProfile", "-o", str(Path(args.profile).resolve())]
            command = [*prefix, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "runner_cpu_measure",
                       "tests_infra", f"--inventory={path}", f"--report-dir={reports}",
                       "-n", str(args.workers)]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(root), "RUNNER_CPU_DIR": str(root / "measure")}
            if args.profile_dir:
                Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
                env["RUNNER_CPU_PROFILE"] = str(Path(args.profile_dir).resolve())
            # as a user's machine runs it: bytecode (and pytest's rewritten modules) cached
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            started = time.perf_counter()
            child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
        record = json.loads((reports / "readiness.json").read_text())
        tests = sum(len(c["instances"]) for c in record["criteria"])
        own = [json.loads(p.read_text()) for p in (root / "measure").glob("*.json")]
        total = usage.ru_utime + usage.ru_stime
        pytest_cpu = sum(o["cpu"] for o in own)
        print("| hosts | workers | tests | wall (s) | CPU all (s) | CPU pytest (s) | ms/test all | ms/test pytest |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {args.hosts} | {args.workers} | {tests} | {wall:.1f} | {total:.2f} | {pytest_cpu:.2f} "
            f"| {1000 * total / tests:.1f} | {1000 * pytest_cpu / tests:.1f} |"
        )
        print()
        print("| process | start-up (s) | plugins, configure (s) | collection (s) | session (s) | CPU (s) | RSS (MB) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for one in sorted(own, key=lambda o: str(o["role"])):
            configured = one.get("configured", one["cpu"])
            collected = one.get("collected", configured)  # xdist's controller collects nothing
            print(
                f"| {one['role']} | {one['loaded']:.2f} | {configured - one['loaded']:.2f} "
                f"| {collected - configured:.2f} | {one['cpu'] - collected:.2f} | {one['cpu']:.2f} "
                f"| {one['rss_kb'] // 1024} |"
            )


if __name__ == "__main__":
    main()
