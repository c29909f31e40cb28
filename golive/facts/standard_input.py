"""Commands fed on standard input: how a secret reaches a command on a host without a command line.

A command's arguments are public: the target's process list (``ps``, /proc/*/cmdline)
shows them to every user of the host, and for SSH they are also in the ssh client's
argv on the runner. So a command that needs a secret (a credentialed HTTP request,
``checks/host_http.py``) keeps its command line secret-free and reads the secret from its
standard input. testinfra's ``run()`` gives a command no standard input, so for the
backends that can carry one the command is run here the way testinfra would run it
(same command line, same ``sudo`` wrapping), with the input written to it:

- ``local``: ``/bin/sh -c COMMAND`` with the input piped;
- ``ssh``: testinfra's own ssh command line (options, config, control master), the
  input piped through ssh to the remote command;
- ``paramiko``: the session channel's standard input, closed after the input;
- ``docker``: ``docker exec -i``.

Any other backend cannot: ``require`` raises ``TargetError`` naming the ones that can.
"""

from __future__ import annotations

import subprocess
from typing import Any

from golive.errors import TargetError
from golive.inventory import Host

SCHEMES = ("local", "ssh", "paramiko", "docker")
SSH_FAILURE_EXIT = 255


def supports(host: Host) -> bool:
    """The host's backend can feed a command's standard input."""
    return host.backend.split("://", 1)[0] in SCHEMES


def require(host: Host, purpose: str) -> None:
    """Refuse, with the reason, a host whose backend cannot feed standard input."""
    if not supports(host):
        scheme = host.backend.split("://", 1)[0]
        raise TargetError(
            f"{host.name}: {purpose} needs a secret on the command's standard input, which the {scheme}:// "
            f"backend cannot feed (only {', '.join(s + '://' for s in SCHEMES)} can); it is not made, "
            "rather than putting the secret on a command line"
        )


def run(testinfra_host: Any, command: str, stdin: bytes) -> Any:
    """``command`` run through ``testinfra_host``'s backend with ``stdin`` as its input;
    a testinfra ``CommandResult``, like ``testinfra_host.run(command)``."""
    backend = testinfra_host.backend
    name = backend.NAME
    wrapped = backend.get_command(command)  # sudo, as testinfra's run() would
    if name == "local":
        return _local(backend, wrapped, stdin)
    if name == "ssh":
        ssh, arguments = backend._build_ssh_command(wrapped)
        result = _local(backend, backend.quote(" ".join(ssh), *arguments), stdin)
        result.command = backend.encode(wrapped)
        if result.rc == SSH_FAILURE_EXIT:
            raise RuntimeError(result)  # as testinfra's ssh backend: a connection failure
        return result
    if name == "paramiko":
        return _paramiko(backend, wrapped, stdin)
    if name == "docker":
        user = ["-u", backend.user] if backend.user is not None else []
        argv = ["docker", "exec", "-i", *user, backend.name, "/bin/sh", "-c", wrapped]
        done = subprocess.run(argv, input=stdin, capture_output=True)
        return backend.result(done.returncode, backend.encode(wrapped), done.stdout, done.stderr)
    raise TargetError(f"the {name} backend cannot feed a command's standard input")


def _local(backend: Any, command: str, stdin: bytes) -> Any:
    """As testinfra's ``run_local``: the command string through ``/bin/sh -c``."""
    encoded = backend.encode(command)
    done = subprocess.run(encoded, shell=True, input=stdin, capture_output=True)
    return backend.result(done.returncode, encoded, done.stdout, done.stderr)


def _paramiko(backend: Any, command: str, stdin: bytes) -> Any:
    encoded = backend.encode(command)
    transport = backend.client.get_transport()
    if transport is None or not transport.is_active():
        del backend.client  # a dropped connection: connect again, once, as testinfra's run() does
        transport = backend.client.get_transport()
        if transport is None:
            raise RuntimeError(f"{backend.hostname}: no SSH connection")
    channel = transport.open_session()
    try:
        channel.exec_command(encoded)
        channel.sendall(stdin)
        channel.shutdown_write()
        stdout = b"".join(channel.makefile("rb"))
        stderr = b"".join(channel.makefile_stderr("rb"))
        status = channel.recv_exit_status()
    finally:
        channel.close()
    return backend.result(status, encoded, stdout, stderr)
