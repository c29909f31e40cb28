"""A fact script: named sections (command, timeout, private or not) run as one command.

Facts about files (backups, repos, documents), units, containers and clocks are read
by one script per host and kind, registered with ``fact_command`` so it joins the
host's batched round trip. Each section prints a framing line (the wire's marker and
the run's nonce, the key hex-encoded), its output (stderr merged) and a line with its
exit status. A private section reads file contents (compose files, ``.env``,
playbooks, documents): its evidence is its size only.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from golive.facts import wire
from golive.facts.host import RemoteHost
from golive.facts.output import Output


@dataclass(frozen=True)
class Section:
    """One named part of a fact script; ``timeout`` (seconds) bounds it alone when set."""

    key: str
    command: str
    timeout: float | None = None
    private: bool = False


def quote(value: str) -> str:
    return shlex.quote(value)


def _mark() -> str:
    return f"{wire.marker(wire.run_nonce())} section "


def _section(part: Section | tuple[str, str]) -> Section:
    return part if isinstance(part, Section) else Section(*part)


def script(sections: Iterable[Section | tuple[str, str]]) -> str:
    """The shell script running each section (a ``Section`` or a ``(key, command)``) in a
    subshell, in order.

    A key is any text (a unit ``getty@tty1.service``, ``a\\x2db``): the framing line carries
    it hex-encoded, so it never reaches the shell as anything but hex digits.
    """
    mark = _mark()
    parts = []
    for part in map(_section, sections):
        command = part.command
        if part.timeout is not None:
            command = f"timeout -k 2 {part.timeout:g} sh -c {shlex.quote(command)} </dev/null"
        parts.append(f"echo '{mark}{part.key.encode().hex()}'; ( {command}\n) 2>&1; echo \"{mark}rc=$?\"")
    return "\n".join(parts)


def private(sections: Iterable[Section | tuple[str, str]]) -> set[str]:
    """The keys of the private sections."""
    return {part.key for part in map(_section, sections) if part.private}


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
    """Split a script's output back into its sections."""
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
    """A script's sections: fetched once per host (``RemoteHost.fetch``), recorded with the
    private sections withheld, then split."""
    result, cached = remote.fetch(command)
    remote.record(result, cached, shown=withheld(result.stdout, private))
    remote.check(result)
    return parse(result.stdout)


def sections_of(remote: RemoteHost, parts: Sequence[Section]) -> dict[str, Output]:
    """``run`` for a script given as ``Section`` values (their own ``private`` flags)."""
    return run(remote, script(parts), private(parts))
