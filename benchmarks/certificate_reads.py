"""Runner CPU of SEC-03..06's certificate reads, per distinct endpoint.

A run reads each endpoint's certificate once (per address, port, server name and CA
bundle) and offers it TLS 1.0 and 1.1 (SEC-06). This starts one TLS server on loopback
(in its own process, so that its CPU is not counted) whose certificate covers
``*.golive.test``, and reads N endpoints of it, each with its own server name (SNI), as
an inventory of N virtual hosts behind one address would: first against the system
store (the certificate does not verify there, so each read is a verifying handshake and
then one that reads what the server presents: a private CA's or a self-signed
certificate), then against the endpoint's ``ca_bundle`` (one handshake that verifies).
It prints the CPU of this process (``RUSAGE_SELF``: every thread) per endpoint.

    .venv/bin/python benchmarks/certificate_reads.py           # 200 endpoints, best of 3
    .venv/bin/python benchmarks/certificate_reads.py --endpoints 50 --repeat 5
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SERVER = """
import socket, ssl, sys, threading
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
listener = socket.create_server(("127.0.0.1", 0), backlog=128)
print(listener.getsockname()[1], flush=True)
def serve(raw):
    try:
        with context.wrap_socket(raw, server_side=True) as tls:
            tls.recv(1)
    except (OSError, ssl.SSLError):
        raw.close()
while True:
    raw, _ = listener.accept()
    threading.Thread(target=serve, args=(raw,), daemon=True).start()
"""


def certificate(root: Path) -> tuple[Path, Path]:
    """A CA and a certificate for ``*.golive.test`` it signed (openssl, as an operator would)."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=golive benchmark CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "req.csr", "-subj", "/CN=*.golive.test")
    (root / "san.ext").write_text("subjectAltName=DNS:*.golive.test\n")
    run("x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "cert.pem")  # fmt: skip
    return root / "cert.pem", root / "ca.pem"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each with a fresh reader; the best is shown")
    args = parser.parse_args()

    from golive.checks.http import Target
    from golive.checks.tls import Certificates
    from golive.inventory import Endpoint, Host

    with tempfile.TemporaryDirectory(prefix="golive-cert-reads-") as tmp:
        cert, ca = certificate(Path(tmp))
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(cert), str(Path(tmp) / "key.pem")], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            host = Host(name="web", backend="local://")
            print("| trust | endpoints | CPU s (best) | CPU ms per endpoint | wall s | handshakes |")
            print("|---|---:|---:|---:|---:|---:|")
            for trust, bundle in (("system store (does not verify)", None), ("ca_bundle (verifies)", str(ca))):
                best = None
                for round_ in range(args.repeat):
                    targets = [
                        Target(host, Endpoint(name=f"e{i}", url=f"https://127.0.0.1:{port}/",
                                              server_name=f"r{round_}e{i}.golive.test", ca_bundle=bundle))
                        for i in range(args.endpoints)
                    ]  # fmt: skip
                    reader = Certificates()
                    started, began = cpu(), time.monotonic()
                    for target in targets:
                        found = reader.certificate(target)
                        assert getattr(found, "verifies", None) is (bundle is not None), found
                        reader.legacy_protocols(target)
                    spent, wall = cpu() - started, time.monotonic() - began
                    if best is None or spent < best[0]:
                        best = (spent, wall, sum(reader.handshakes.values()))
                assert best is not None
                spent, wall, handshakes = best
                print(f"| {trust} | {args.endpoints} | {spent:.2f} | {spent / args.endpoints * 1000:.1f} "
                      f"| {wall:.2f} | {handshakes} |")  # fmt: skip
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
