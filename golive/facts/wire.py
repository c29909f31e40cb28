"""The one wire format: several commands in one remote invocation, each result kept apart.

One shell script runs every command under its own ``timeout``, with stdout passed
through ``head -c`` (the host sends at most the cap and one byte), stderr captured and
capped alike, and the exit status after framing lines no output can forge: they carry
a random nonce per batch. A fact script's sections (``golive/facts/script.py``) use the
same format inside one command, with the run's nonce; the log command tags its sources
with this module's ``marker`` and the run's nonce too.

Output is bytes on the wire; it is decoded here, invalid UTF-8 replaced, so a binary
log line or a file name in another encoding costs one character, never the batch.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

from golive.facts.output import Output

DEFAULT_CAP = 64 * 2**20
ARGUMENT_MAX = 100_000
"""Text longer than this never travels as one argument (Linux takes at most 128 KiB in one):
a script goes on standard input, a command of a script through a shell variable."""


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
    commands: Sequence[str],
    timeout: float | None,
    nonce: str | None = None,
    cap: int = DEFAULT_CAP,
    stdin: bool = False,
    keys: Sequence[str] | None = None,
) -> tuple[str, str]:
    """(shell script, nonce) running ``commands`` one after another, each bounded by ``timeout``
    and by ``cap`` bytes of stdout and of stderr (the host sends at most one byte more).

    ``keys`` name the results (default: their positions); the framing carries each one
    hex-encoded, so any text is a key. Without a ``timeout``, each command runs in a subshell
    of the script, its stderr merged into its stdout, bounded by the command carrying the
    script (a fact script's sections inside the host's batch). The commands read no standard
    input (``/dev/null``) unless ``stdin``: the script itself may arrive on it (``sh -s``),
    and no command may eat the rest."""
    nonce = nonce or secrets.token_hex(8)
    mark = marker(nonce)
    lines = ["exec 3>&1"]
    redirect = "" if stdin else " </dev/null"
    names = [str(index) for index in range(len(commands))] if keys is None else keys
    for key, command in zip(names, commands, strict=True):
        lines.append(f"printf '%s\\n' '{mark} begin {key.encode().hex()}'")
        if timeout is None:
            lines.append(f"( {command}\n) 2>&1{redirect}")
            lines.append(f"printf '\\n{mark} rc %s\\n{mark} stderr\\n\\n{mark} end\\n' \"$?\"")
            continue
        bounded = f"timeout -k 2 {timeout:g} sh -c {shlex.quote(command)}{redirect}"
        if len(command.encode()) > ARGUMENT_MAX and redirect:
            # too long for one argument: set in a variable of the script, read by its shell from a
            # pipe (``printf`` is the shell's own: no argument list), run with no input
            lines.append(f"command={shlex.quote(command)}")
            bounded = f"printf '%s' \"$command\" | timeout -k 2 {timeout:g} sh -c 'c=$(cat); eval \"$c\"{redirect}'"
        # fd 3: the wire; fd 4: the status, fd 5: the stderr capture, each closed for the command itself;
        # head counts bytes in any locale, and loads none in C's
        lines.append(
            f"err=$( {{ rc=$( {{ {{ {bounded} 3>&- 4>&- 5>&-; "
            f'echo "$?" >&4; }} 2>&5 | LC_ALL=C head -c {cap + 1} >&3; }} 4>&1 ); '
            f"printf '\\n{mark} rc %s\\n' \"$rc\" >&3; }} 5>&1 | LC_ALL=C head -c {cap + 1} )"
        )
        lines.append(f"printf '{mark} stderr\\n%s\\n{mark} end\\n' \"$err\"")
    return "\n".join(lines) + "\n", nonce


def parse_keyed(output: bytes | str, nonce: str, cap: int = DEFAULT_CAP) -> dict[str, Output]:
    """Split a script's stdout back into one result per key, in order (a key missing: it never ran)."""
    data = output.encode() if isinstance(output, str) else output
    mark = re.escape(marker(nonce).encode())
    pattern = re.compile(
        rb"%s begin ([0-9a-f]*)\n(.*?)\n%s rc (\d+)\n%s stderr\n(.*?)\n%s end\n" % (mark, mark, mark, mark), re.DOTALL
    )
    results: dict[str, Output] = {}
    for match in pattern.finditer(data):
        key, stdout, status, stderr = match.groups()
        overflow = len(stdout) > cap or len(stderr) > cap
        name = bytes.fromhex(key.decode()).decode("utf-8", "replace")
        results[name] = Output(decode(stdout[:cap]), int(status), decode(stderr[:cap]), overflow=overflow)
    return results


def parse(output: bytes | str, commands: Sequence[str], nonce: str, cap: int = DEFAULT_CAP) -> list[Output | None]:
    """Split a batch's stdout back into one result per command (None: it never ran)."""
    found = parse_keyed(output, nonce, cap)
    results: list[Output | None] = []
    for index, command in enumerate(commands):
        result = found.get(str(index))
        results.append(None if result is None else replace(result, command=command))
    return results
