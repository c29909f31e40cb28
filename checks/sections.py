"""A fact command made of named sections, recorded without file contents.

Facts about files (backups, repos, documents) are gathered by one command per host
and kind, registered with ``remote.fact_command`` so it joins the host's batched
first round trip: a shell script whose sections each print a marker (framed by the
run's nonce of ``checks/batch.py``, the key hex-encoded), their output (stderr merged)
and their exit status. Sections marked private read file contents (compose
files, ``.env``, playbooks, documents): the evidence keeps the command and every
other section verbatim, but a private section only as its size. Judges then record
what they parsed from it (keys, never values). golive.redact still runs over all of
it, but a secret must not depend on matching one of its patterns.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from golive import evidence
from golive.checks import batch
from golive.checks.remote import RemoteHost
from golive.evidence import Evidence


@dataclass(frozen=True)
class Output:
    """What one section printed (stdout and stderr) and its exit status."""

    text: str
    exit_status: int

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]


def quote(value: str) -> str:
    return shlex.quote(value)


def _mark() -> str:
    # the run's nonce (checks/batch.py): a file printed in a section cannot forge a marker line
    return f"{batch.marker(batch.run_nonce())} section "


def script(sections: Sequence[tuple[str, str]]) -> str:
    """The shell script running each ``(key, command)`` in a subshell, in order.

    A key is any text (a unit ``getty@tty1.service``, ``a\\x2db``): the marker carries
    it hex-encoded, so it never reaches the shell as anything but hex digits.
    """
    mark = _mark()
    parts = []
    for key, command in sections:
        parts.append(f"echo '{mark}{key.encode().hex()}'; ( {command}\n) 2>&1; echo \"{mark}rc=$?\"")
    return "\n".join(parts)


def _marker(line: str, mark: str) -> tuple[str | None, int | None] | None:
    """(key, None) for a section's start, (None, status) for its end, None for any other line."""
    if not line.startswith(mark):
        return None
    rest = line[len(mark) :]
    if rest.startswith("rc="):
        return None, int(rest[3:]) if rest[3:].isdigit() else -1
    try:
        return bytes.fromhex(rest).decode("utf-8", "replace"), None
    except ValueError:
        return None


def parse(stdout: str) -> dict[str, Output]:
    """Split a batch's output back into its sections."""
    mark = _mark()
    found: dict[str, Output] = {}
    key: str | None = None
    lines: list[str] = []
    for line in stdout.splitlines():
        marker = _marker(line, mark)
        if marker is None:
            if key is not None:
                lines.append(line)
            continue
        started, status = marker
        if started is not None:
            key, lines = started, []
        elif key is not None and status is not None:
            found[key] = Output("\n".join(lines), status)
            key, lines = None, []
    return found


def withheld(stdout: str, private: Collection[str]) -> str:
    """The output with every private section's content replaced by its size."""
    mark = _mark()
    shown: list[str] = []
    hidden = 0
    key: str | None = None
    for line in stdout.splitlines():
        marker = _marker(line, mark)
        if marker is None:
            if key in private:
                hidden += 1
            else:
                shown.append(line)
            continue
        if key in private and hidden:
            shown.append(f"[{hidden} line(s) of file contents withheld]")
        hidden = 0
        key = marker[0]
        shown.append(line)
    if key in private and hidden:
        shown.append(f"[{hidden} line(s) of file contents withheld]")
    return "\n".join(shown)


def run(remote: RemoteHost, command: str, private: Collection[str] = ()) -> dict[str, Output]:
    """Run a sections ``script`` as one cached command; record it with private sections withheld."""
    scratch = Evidence()
    with evidence.collecting(scratch):
        result = remote.run(command)
    current = evidence.current()
    if current is not None:
        current.command(
            command, result.exit_status, withheld(result.stdout, private), result.stderr,
            host=remote.name, duration=result.duration, cached=bool(scratch.entries and scratch.entries[-1]["cached"]),
            batched=result.batched,
        )  # fmt: skip
    return parse(result.stdout)
