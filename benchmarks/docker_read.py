"""Reading a host's containers: the docker CLI through testinfra vs the docker SDK.

Brings a one-host sandbox fleet up (root) with 10 containers, then times (median of 5):
- golive's way: ONE command over testinfra's ssh backend (``docker ps -aq`` + one
  ``docker inspect`` of all ids), on the open ControlMaster connection;
- the docker SDK over ``ssh://`` (``use_ssh_client=True``: it shells out to ``ssh ...
  docker system dial-stdio``; a PATH shim adds the sandbox's ``-F ssh_config``, which
  the SDK has no option for): ``containers.list(all=True)`` = one list + one inspect
  per container;
- the docker SDK on the engine's unix socket from the same machine (no network at all).

    .venv/bin/pip install paramiko   # the SDK's ssh:// support needs it; golive does not
    .venv/bin/python benchmarks/docker_read.py

Measured on the 2-core VM: CLI batched 137 ms; SDK over ssh:// 1390 ms (client made
in 125 ms); SDK on the unix socket 11 ms.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import docker
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds

from sandbox.fleet import BareFleet
from sandbox.images import BUSYBOX_IMAGE

READ = "ids=$(docker ps -aq --no-trunc); docker inspect $ids"


def main() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="golive-bench-", dir="/tmp"))
    fleet = BareFleet(run_dir, names=("b1",), prefix="gdock")
    try:
        described = fleet.up()["hosts"]["b1"]
        engine = fleet.hosts[0].engine
        for index in range(10):
            engine.docker("run", "-d", "--network", "none", "--name", f"c{index}", BUSYBOX_IMAGE.tag, "sleep", "1000")
        remote = testinfra.get_host(described["spec"], ssh_config=described["ssh_config"])
        remote.run("true")
        cli = median_seconds(lambda: remote.run(READ))
        shim = run_dir / "bin"
        shim.mkdir()
        (shim / "ssh").write_text(f'#!/bin/sh\nexec /usr/bin/ssh -F {described["ssh_config"]} "$@"\n')
        (shim / "ssh").chmod(0o755)
        os.environ["PATH"] = f"{shim}:{os.environ['PATH']}"
        started = time.perf_counter()
        client = docker.DockerClient(base_url=f"ssh://root@{described['hostname']}", use_ssh_client=True)
        connect = time.perf_counter() - started
        sdk_ssh = median_seconds(lambda: client.containers.list(all=True))
        local = docker.DockerClient(base_url=engine.docker_host)
        sdk_unix = median_seconds(lambda: local.containers.list(all=True))
        print("| 10 containers, one host | median |")
        print("|---|---:|")
        print(f"| docker CLI via testinfra ssh, one batched command | {cli * 1000:.0f} ms |")
        made = f"client made in {connect * 1000:.0f} ms"
        print(f"| docker SDK over ssh:// (list + 10 inspects), {made} | {sdk_ssh * 1000:.0f} ms |")
        print(f"| docker SDK on the unix socket, same machine | {sdk_unix * 1000:.0f} ms |")
    finally:
        fleet.down(purge=True)


if __name__ == "__main__":
    main()
