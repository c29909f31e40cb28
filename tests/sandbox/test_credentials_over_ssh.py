"""A credentialed request from a real sandbox host over real SSH: the token is on no command line.

nginx (sandbox/web.py, its access log recording the Authorization header) runs
inside host h1's network namespace, so only h1 can reach it. golive asks an
``internal`` endpoint there with a credential, through the host's ``ssh://`` backend:
while the request runs (``/slow``), every command line in /proc (curl on the host,
the ssh client on the runner) and every argv golive hands to subprocess is read, and
none holds the token; nginx receives it. The same standard-input executor is also
proven on the ``paramiko://`` and ``docker://`` backends.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from golive.checks.http import Target
from golive.checks.http_probe import HttpProbe
from golive.facts import Fleet as RemoteFleet
from golive.facts import RemoteHost
from golive.inventory import Endpoint, Host
from sandbox.fleet import free_ports
from sandbox.images import BUSYBOX_IMAGE
from sandbox.process import Daemon, wait_for
from sandbox.tls import Certificates
from sandbox.web import PACKAGES, Web, WebPorts
from tests.sandbox.conftest import BareFleet, running_fleet
from tests.test_credentials_tls import command_lines, subprocess_argv

TOKEN = "sshtok-3Hw8Pq5Rv1"


@pytest.fixture(scope="module")
def h1_web() -> Iterator[tuple[Any, Any, Web]]:
    """A one-host fleet and nginx inside h1's network namespace."""
    for fleet in running_fleet(lambda run_dir, prefix: BareFleet(run_dir, ("h1",), prefix)):  # type: ignore[arg-type]
        host = fleet.hosts[0]
        web = Web(fleet.run_dir / "h1-web", Certificates(fleet.run_dir).up(), WebPorts(*free_ports(3)))
        nginx = _nginx_in(host, web)
        try:
            yield fleet, host, web
        finally:
            nginx.stop()
            shutil.rmtree(web.dir, ignore_errors=True)


def _nginx_in(host: Any, web: Web) -> Daemon:
    """``web``'s nginx started inside ``host`` (its network and mount namespaces)."""
    from sandbox.debian import ensure_installed

    ensure_installed(PACKAGES)
    (web.dir / "tmp").mkdir(parents=True, exist_ok=True)
    web.conf.write_text(web.config())
    nginx = Daemon("nginx", [*host.enter(), *web.daemon.argv], web.dir)

    def listening() -> bool:
        sockets = subprocess.run([*host.enter(), "ss", "-Hltn"], capture_output=True, text=True).stdout
        return f"127.0.0.1:{web.ports.https} " in sockets

    nginx.start(listening, timeout=15)
    return nginx


def inventory_host(fleet: Any, host: Any, scheme: str = "ssh", **keys: Any) -> Host:
    described = fleet.describe()["hosts"][host.name]
    backend = described["spec"].replace("ssh://", f"{scheme}://", 1)
    return Host(name=host.name, backend=backend, ssh_config=described["ssh_config"], **keys)


def logged(web: Web, text: str) -> list[str]:
    return [line for line in web.access_log.read_text().splitlines() if text in line] if web.access_log.exists() else []


def test_over_ssh_the_token_is_on_no_command_line_and_reaches_the_server(h1_web, monkeypatch):
    fleet, host, web = h1_web
    endpoint = Endpoint(
        name="status", url=f"https://127.0.0.1:{web.ports.https}/slow", server_name="ok.golive.test",
        ca_bundle=str(web.certs.ca_bundle), internal=True, credential="api", samples=1,
    )  # fmt: skip
    target = Target(inventory_host(fleet, host), endpoint)
    probe = HttpProbe(RemoteFleet(), {"api": {"token": TOKEN}})
    with subprocess_argv(monkeypatch) as argv, command_lines("curl") as curls, command_lines("ssh") as sshs:
        [exchange] = probe.samples(target, 1)  # /slow: curl and ssh run for seconds
    assert exchange.status == 200, exchange.describe()
    ours = [line for line in curls if f":{web.ports.https}" in line]
    for line in argv + curls + sshs:
        assert TOKEN not in line
    assert ours and all(" -q -K - " in line for line in ours)  # seen on the host, config on stdin
    assert any(host.alias in line and "curl" in line for line in sshs)  # the ssh client, seen on the runner
    assert any(line.startswith("ssh ") and host.alias in line for line in argv)  # testinfra's ssh command
    remote = probe.fleet[target.host]
    assert all(TOKEN not in command for command in remote._cache)  # what evidence records
    wait_for(lambda: bool(logged(web, f'authorization="Bearer {TOKEN}"')), 10, "nginx logging the request")


def test_over_ssh_a_certificate_that_does_not_verify_keeps_the_token(h1_web):
    fleet, host, web = h1_web
    endpoint = Endpoint(
        name="selfsigned", url=f"https://127.0.0.1:{web.ports.https}/", server_name="selfsigned.golive.test",
        internal=True, credential="api", samples=1,
    )  # fmt: skip
    probe = HttpProbe(RemoteFleet(), {"api": {"token": TOKEN + "-x"}})
    [exchange] = probe.samples(Target(inventory_host(fleet, host), endpoint), 1)
    assert "the certificate does not verify, so the credential was not sent" in exchange.error
    # nginx logs in order (one worker): once a later request is logged, an earlier one would be too
    barrier = f"/barrier-{web.ports.http}"
    fleet.ssh.run(host, f"curl -s -H 'Host: plain.golive.test' http://127.0.0.1:{web.ports.http}{barrier}")
    wait_for(lambda: bool(logged(web, barrier)), 10, "nginx logging the barrier request")
    assert logged(web, TOKEN + "-x") == []


def test_paramiko_feeds_standard_input_with_the_secret_off_the_command_line(h1_web):
    pytest.importorskip("paramiko", reason="paramiko is not installed (an optional testinfra backend)")
    fleet, host, _ = h1_web
    remote = RemoteHost(inventory_host(fleet, host, "paramiko"))
    result = remote.run_with_input("cat; echo; cat /proc/$$/cmdline", TOKEN.encode(), "a test")
    first, cmdline = result.stdout.split("\n", 1)
    assert first == TOKEN and result.exit_status == 0
    assert TOKEN not in cmdline and TOKEN not in result.command


def test_docker_feeds_standard_input_with_docker_exec_i(h1_web, monkeypatch):
    _, host, _ = h1_web
    name = "golive-stdin"
    host.engine.docker("rm", "-f", name, check=False)
    host.engine.docker("run", "-d", "--name", name, "--network", "none", BUSYBOX_IMAGE.tag, "sleep", "100000")
    try:
        monkeypatch.setenv("DOCKER_HOST", host.engine.docker_host)
        remote = RemoteHost(Host(name="box", backend=f"docker://{name}"))
        with subprocess_argv(monkeypatch) as argv:
            result = remote.run_with_input("cat", TOKEN.encode(), "a test")
        assert result.stdout == TOKEN and result.exit_status == 0
        assert any(line.startswith("docker exec -i ") for line in argv)
        assert all(TOKEN not in line for line in argv)
    finally:
        host.engine.docker("rm", "-f", name, check=False)
