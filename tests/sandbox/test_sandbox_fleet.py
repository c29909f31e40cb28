"""The fleet comes up idempotently and goes down leaving nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import sandbox
from sandbox.fleet import Fleet
from sandbox.images import BUSYBOX_IMAGE
from sandbox.process import SandboxError, wait_for
from tests.sandbox.conftest import prefix_for

REPO = Path(sandbox.__file__).resolve().parent.parent


def daemons(fleet: Fleet) -> dict[str, tuple[int | None, int | None]]:
    return {host.name: (host.sshd.pid(), host.engine.daemon.pid()) for host in fleet.hosts}


def test_describe_gives_what_an_inventory_needs(fleet: Fleet) -> None:
    description = fleet.describe()
    assert set(description["hosts"]) == {"h1", "h2"}
    for name, host in description["hosts"].items():
        assert host["spec"] == f"ssh://root@{fleet.prefix}-{name}"
        assert Path(host["ssh_config"]).is_file()
        assert Path(host["docker_socket"]).is_socket()
        assert host["docker_host"] == f"unix://{host['docker_socket']}"
        assert Path(host["files_dir"]).is_dir()
    assert json.loads(fleet.record.read_text())["hosts"] == description["hosts"]


def test_second_up_starts_nothing_new(fleet: Fleet) -> None:
    before = daemons(fleet)
    containers = {host.name: host.engine.containers() for host in fleet.hosts}
    fleet.up()
    assert daemons(fleet) == before
    assert {host.name: host.engine.containers() for host in fleet.hosts} == containers
    assert fleet.is_up()


def test_down_leaves_nothing_behind(run_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    fleet = Fleet(run_dir, names=("d1",), prefix=prefix_for(run_dir))
    fleet.up()
    host = fleet.hosts[0]
    host.engine.docker("run", "-d", "--network", "host", BUSYBOX_IMAGE.tag, "httpd", "-f", "-p", "127.0.0.1:18090")
    host.engine.docker("run", "-d", "--network", "none", BUSYBOX_IMAGE.tag, "sleep", "300")
    fleet.ssh.run(host, "true")
    assert fleet.leftovers(), "a running fleet shows up as leftovers"
    fleet.down()
    assert fleet.leftovers() == []
    assert not Path("/run/netns", host.alias).exists()
    assert str(fleet.run_dir) not in Path("/proc/self/mountinfo").read_text()
    assert not list(Path("/sys/fs/cgroup").glob(f"*/{host.alias}"))


def _start_up(run_dir: Path, host: str, prefix: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "sandbox", "up", "--run-dir", str(run_dir), "--hosts", host, "--prefix", prefix]
    return subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _interrupt_midway(process: subprocess.Popen[bytes], netns: str, sig: signal.Signals) -> None:
    wait_for(lambda: Path("/run/netns", netns).exists(), 30, f"{netns} created")
    process.send_signal(sig)
    process.wait(timeout=60)


def test_sigterm_during_up_tears_down(run_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    prefix = prefix_for(run_dir)
    process = _start_up(run_dir, "s1", prefix)
    _interrupt_midway(process, f"{prefix}-s1", signal.SIGTERM)
    assert process.returncode == 130, process.stderr.read() if process.stderr else ""
    assert Fleet(run_dir, names=("s1",), prefix=prefix).leftovers() == []


def test_down_from_another_process_after_a_killed_up(run_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    prefix = prefix_for(run_dir)
    process = _start_up(run_dir, "k1", prefix)
    _interrupt_midway(process, f"{prefix}-k1", signal.SIGKILL)
    fresh = Fleet(run_dir, names=(), prefix=prefix)
    fresh.down()
    assert Fleet(run_dir, names=("k1",), prefix=prefix).leftovers() == []


def test_another_run_cannot_take_over_a_running_host(fleet: Fleet, run_dir: Path) -> None:
    """Nor stop what runs in it: the intruder's engine has the same name, and so the same
    cgroups, as the running host's; its teardown leaves them (and the containers) alone."""
    engine = fleet.host("h1").engine
    name = "golive-bystander"
    engine.docker("rm", "--force", name, check=False)
    engine.docker("run", "--detach", "--name", name, "--network", "none", BUSYBOX_IMAGE.tag, "sleep", "1000000")

    def pid() -> str:
        return engine.docker("inspect", "--format", "{{.State.Pid}}", name).stdout.decode().strip()

    try:
        before = pid()
        intruder = Fleet(run_dir, names=("h1",), prefix=fleet.prefix)
        with pytest.raises(SandboxError, match="in use by another run"):
            intruder.up()
        intruder.down()
        assert fleet.is_up()
        assert before != "0" and pid() == before, "the running host's container was killed"
    finally:
        engine.docker("rm", "--force", name, check=False)
