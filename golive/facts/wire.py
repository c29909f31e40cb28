"""The one wire format: several commands in one remote invocation, each result kept apart.

A round trip over SSH costs ~100 ms whatever it carries, so a host's facts are
fetched together: one shell script runs every command under its own ``timeout``,
with stdout passed through ``head -c`` (the host never sends more than the cap and
one byte, so an overflow is seen without holding it all), stderr captured and capped
alike, and the exit status after a marker line no output can forge: a random nonce
per batch. Fact scripts made of named sections (``golive/facts/script.py``) and the
log command frame their parts with this module's ``marker`` and the run's nonce,
which no file or log line on a host can know in advance.

Output is bytes on the wire; it is decoded here, invalid UTF-8 replaced, so a binary
log line or a file name in another encoding costs one character, never the batch.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from functools import cache

from golive.facts.output import Output

DEFAULT_CAP = 64 * 2**20


@cache
def run_nonce() -> str:
    """A random nonce, one per run: the framing of sections and log sources."""
    return secrets.token_hex(8)


def marker(nonce: str) -> str:
    """The prefix of every framing line: ``@@golive-<nonce>``."""
    return f"@@golive-{nonce}"


def decode(data: bytes) -> str:
    """Remote bytes as text: invalid UTF-8 becomes U+FFFD instead of an exception."""
    return data.decode("utf-8", "replace")


def script(
    commands: Sequence[str], timeout: float, nonce: str | None = None, cap: int = DEFAULT_CAP, stdin: bool = False
) -> tuple[str, str]:
    """(shell script, nonce) running ``commands`` one after another, each bounded by ``timeout``
    and by ``cap`` bytes of stdout and of stderr (the host sends at most one byte more).

    The commands read no standard input (``/dev/null``) unless ``stdin``: the script itself
    may arrive on it (``sh -s``), and no command may eat the rest."""
    nonce = nonce or secrets.token_hex(8)
    mark = marker(nonce)
    lines = ["exec 3>&1"]
    redirect = "" if stdin else " </dev/null"
    for index, command in enumerate(commands):
        lines.append(f"printf '%s\\n' '{mark} begin {index}'")
        # fd 3: the wire; fd 4: the status, fd 5: the stderr capture, each closed for the command itself
        lines.append(
            f"err=$( {{ rc=$( {{ {{ timeout -k 2 {timeout:g} sh -c {shlex.quote(command)}{redirect} 3>&- 4>&- 5>&-; "
            f'echo "$?" >&4; }} 2>&5 | head -c {cap + 1} >&3; }} 4>&1 ); '
            f"printf '\\n{mark} rc %s\\n' \"$rc\" >&3; }} 5>&1 | head -c {cap + 1} )"
        )
        lines.append(f"printf '{mark} stderr\\n%s\\n{mark} end\\n' \"$err\"")
    return "\n".join(lines) + "\n", nonce


def parse(output: bytes | str, commands: Sequence[str], nonce: str, cap: int = DEFAULT_CAP) -> list[Output | None]:
    """Split a batch's stdout back into one result per command (None: it never ran)."""
    data = output.encode() if isinstance(output, str) else output
    mark = re.escape(marker(nonce).encode())
    pattern = re.compile(
        rb"%s begin (\d+)\n(.*?)\n%s rc (\d+)\n%s stderr\n(.*?)\n%s end\n" % (mark, mark, mark, mark), re.DOTALL
    )
    results: list[Output | None] = [None] * len(commands)
    for match in pattern.finditer(data):
        index, stdout, status, stderr = match.groups()
        overflow = len(stdout) > cap or len(stderr) > cap
        position = int(index)
        if position < len(commands):
            results[position] = Output(
                decode(stdout[:cap]), int(status), decode(stderr[:cap]), commands[position], overflow=overflow
            )
    return results
