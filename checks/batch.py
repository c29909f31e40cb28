"""Several independent commands in one remote invocation, each result kept apart.

A round trip over SSH costs ~100 ms whatever it carries, so a host's facts are
fetched together: one shell script runs every command under its own ``timeout``,
with stdout passed through as is, stderr captured, and the exit status after a
marker line no output can forge (a random nonce per batch).
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BatchOutput:
    """What one command of a batch printed and returned."""

    exit_status: int
    stdout: str
    stderr: str


def script(commands: Sequence[str], timeout: float, nonce: str | None = None) -> tuple[str, str]:
    """(shell script, nonce) running ``commands`` one after another, each bounded by ``timeout``."""
    nonce = nonce or secrets.token_hex(8)
    mark = f"@@golive-{nonce}"
    lines = ["exec 3>&1"]
    for index, command in enumerate(commands):
        lines.append(f"printf '%s\\n' '{mark} begin {index}'")
        lines.append(
            f"err=$( {{ timeout -k 2 {timeout:g} sh -c {shlex.quote(command)} 3>&-; "
            f"printf '\\n{mark} rc %s\\n' \"$?\" >&3; }} 2>&1 1>&3 )"
        )
        lines.append(f"printf '{mark} stderr\\n%s\\n{mark} end\\n' \"$err\"")
    return "\n".join(lines) + "\n", nonce


def parse(output: str, count: int, nonce: str) -> list[BatchOutput | None]:
    """Split a batch's stdout back into one result per command (None: it never ran)."""
    mark = re.escape(f"@@golive-{nonce}")
    pattern = re.compile(rf"{mark} begin (\d+)\n(.*?)\n{mark} rc (\d+)\n{mark} stderr\n(.*?)\n{mark} end\n", re.DOTALL)
    results: list[BatchOutput | None] = [None] * count
    for match in pattern.finditer(output):
        index, stdout, status, stderr = match.groups()
        results[int(index)] = BatchOutput(int(status), stdout, stderr)
    return results
