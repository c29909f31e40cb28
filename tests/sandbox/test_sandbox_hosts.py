"""Each sandbox host is reached by testinfra over SSH and is a machine of its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from testinfra.host import Host

from sandbox.fleet import Fleet
from sandbox.images import BUSYBOX_IMAGE

PORT = 18081


def test_each_host_answers_over_ssh(fleet: Fleet, remote: dict[str, Host]) -> None:
    for host in fleet.hosts:
        result = remote[host.name].run("hostname; ss -tln; docker ps")
        assert result.rc == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == host.alias
        assert any("127.0.0.1:22" in line for line in lines), "its own sshd listens"
        assert any(line.startswith("CONTAINER ID") for line in lines), "its docker answers"


def test_hosts_have_their_own_listeners(remote: dict[str, Host]) -> None:
    a, b = remote["h1"], remote["h2"]
    pid = a.check_output(f"nc -lk 127.0.0.1 {PORT} </dev/null >/dev/null 2>&1 & echo $!")
    try:
        a.run_expect([0], f"for i in $(seq 50); do ss -tln | grep -q :{PORT} && exit 0; sleep 0.1; done; exit 1")
        assert a.socket(f"tcp://127.0.0.1:{PORT}").is_listening
        assert not b.socket(f"tcp://127.0.0.1:{PORT}").is_listening
        assert f":{PORT}" not in b.check_output("ss -tln")
    finally:
        a.run(f"kill {pid}")


def test_hosts_have_their_own_docker_engine(fleet: Fleet, remote: dict[str, Host]) -> None:
    a, b = remote["h1"], remote["h2"]
    a.run_expect([0], f"docker run -d --name only-on-h1 --network none {BUSYBOX_IMAGE.tag} sleep 300")
    try:
        assert "only-on-h1" in a.check_output("docker ps --format '{{.Names}}'").split()
        assert "only-on-h1" not in b.check_output("docker ps --all --format '{{.Names}}'").split()
        assert a.file("/var/run/docker.sock").is_socket
        assert a.check_output("docker info --format '{{.Name}}'") == fleet.hosts[0].alias
    finally:
        a.run("docker rm --force only-on-h1")


def test_host_network_containers_listen_in_their_host(remote: dict[str, Host]) -> None:
    a, b = remote["h1"], remote["h2"]
    a.run_expect(
        [0], f"docker run -d --name web-h1 --network host {BUSYBOX_IMAGE.tag} httpd -f -p 127.0.0.1:{PORT + 1}"
    )
    try:
        a.run_expect([0], f"for i in $(seq 50); do ss -tln | grep -q :{PORT + 1} && exit 0; sleep 0.1; done; exit 1")
        assert not b.socket(f"tcp://127.0.0.1:{PORT + 1}").is_listening
    finally:
        a.run("docker rm --force web-h1")


@pytest.mark.parametrize("writer, reader", [("h1", "h2"), ("h2", "h1")])
def test_hosts_have_their_own_files(fleet: Fleet, remote: dict[str, Host], writer: str, reader: str) -> None:
    name = f"written-on-{writer}"
    remote[writer].run_expect([0], f"echo {writer} > /srv/{name}")
    try:
        assert remote[writer].file(f"/srv/{name}").content_string == f"{writer}\n"
        assert not remote[reader].file(f"/srv/{name}").exists
        files_dir = fleet.describe()["hosts"][writer]["files_dir"]
        assert (fleet.run_dir / files_dir / name).read_text() == f"{writer}\n"
    finally:
        remote[writer].run(f"rm -f /srv/{name}")


def test_enter_runs_a_command_inside_the_host(fleet: Fleet) -> None:
    host = fleet.hosts[1]
    script = "hostname; readlink -f /var/run/docker.sock; ss -tln"
    out = subprocess.run([*host.enter(), "sh", "-c", script], capture_output=True, text=True, check=True).stdout
    hostname, socket_path, *listeners = out.splitlines()
    assert hostname == host.alias
    assert socket_path == "/run/docker.sock"
    assert any("127.0.0.1:22" in line for line in listeners)


def test_hosts_have_their_own_etc(fleet: Fleet, remote: dict[str, Host]) -> None:
    """A host's /etc is a copy of the machine's under its dir: what lands in the
    machine's /etc (a package install) is not in the host's, and the other way round."""
    host = fleet.hosts[0]
    machine_only = Path("/etc") / f"golive-machine-only-{host.alias}"
    machine_only.write_text("machine\n")
    try:
        a = remote[host.name]
        assert not a.file(str(machine_only)).exists
        assert a.file("/etc/passwd").contains("^root:")  # ssh logged in as root: nss works
        a.run_expect([0], f"echo {host.name} > /etc/golive-host-only")
        assert (host.dir / "etc" / "golive-host-only").read_text() == f"{host.name}\n"
        assert not Path("/etc/golive-host-only").exists()
        assert a.file("/etc/docker").is_directory and a.file("/etc/logrotate.d").is_directory
        assert a.check_output("ls -A /etc/logrotate.d") == "", "no rule of the machine's"
    finally:
        machine_only.unlink()
        remote[host.name].run("rm -f /etc/golive-host-only")
