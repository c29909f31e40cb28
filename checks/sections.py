"""A fact command made of named sections, recorded without file contents.

Facts about files (backups, repos, documents) are gathered by one command per host
and kind, registered with ``remote.fact_command`` so it joins the host's batched
first round trip: a shell script whose sections each print a marker, their output
(stderr merged) and their exit status. Sections marked private read file contents (compose
files, ``.env``, playbooks, documents): the evidence keeps the command and every
other section verbatim, but a private section only as its size. Judges then record
what they parsed from it (keys, never values). golive.redact still runs over all of
it, but a secret must not depend on matching one of its patterns.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from golive import evidence
from golive.checks.remote import RemoteHost
from golive.evidence import Evidence

MARK = "@@golive:"
_KEY = re.compile(r"^[A-Za-z0-9._:/-]+$")


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


def script(sections: Sequence[tuple[str, str]]) -> str:
    """The shell script running each ``(key, command)`` in a subshell, in order."""
    parts = []
    for key, command in sections:
        if not _KEY.fullmatch(key):
            raise ValueError(f"section key {key!r} must match {_KEY.pattern}")
        parts.append(f"echo '{MARK}{key}'; ( {command}\n) 2>&1; echo \"{MARK}rc=$?\"")
    return "\n".join(parts)


def parse(stdout: str) -> dict[str, Output]:
    """Split a batch's output back into its sections."""
    found: dict[str, Output] = {}
    key: str | None = None
    lines: list[str] = []
    for line in stdout.splitlines():
        if line.startswith(MARK):
            marker = line[len(MARK) :]
            if marker.startswith("rc=") and key is not None:
                found[key] = Output("\n".join(lines), int(marker[3:]) if marker[3:].isdigit() else -1)
                key, lines = None, []
            else:
                key, lines = marker, []
        elif key is not None:
            lines.append(line)
    return found


def withheld(stdout: str, private: Collection[str]) -> str:
    """The output with every private section's content replaced by its size."""
    shown: list[str] = []
    hidden = 0
    key: str | None = None
    for line in stdout.splitlines():
        if line.startswith(MARK):
            if key in private and hidden:
                shown.append(f"[{hidden} line(s) of file contents withheld]")
            hidden = 0
            key = line[len(MARK) :] if not line[len(MARK) :].startswith("rc=") else None
            shown.append(line)
        elif key in private:
            hidden += 1
        else:
            shown.append(line)
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
