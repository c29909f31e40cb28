"""The sandbox's daemons: a program that dies before it is ready says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.process import Daemon, SandboxError


def test_a_daemon_that_exits_before_ready_names_the_end_of_its_log(tmp_path: Path) -> None:
    daemon = Daemon("site", ["sh", "-c", "echo 'bind() to 127.0.0.1:443 failed (98: in use)'; exit 1"], tmp_path)
    with pytest.raises(SandboxError, match=r"exited before it was ready; .*site\.log ends: bind\(\) to 127.0.0.1:443"):
        daemon.start(lambda: False, timeout=10)


def test_a_daemon_that_writes_its_own_log_names_its_end_too(tmp_path: Path) -> None:
    """nginx tells a failure after reading its config only in its error_log, not on stderr."""
    own = tmp_path / "error.log"
    script = f"echo 'nginx: [emerg] bind() to 127.0.0.1:443 failed (98: in use)' >> {own}; exit 1"
    daemon = Daemon("site", ["sh", "-c", script], tmp_path, own_logs=(own,))
    with pytest.raises(SandboxError, match=r"exited before it was ready; .*error\.log ends: nginx: \[emerg\] bind"):
        daemon.start(lambda: False, timeout=10)
