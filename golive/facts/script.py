"""A fact script: named sections (command, timeout, private or not) run as one command.

Facts about files (backups, repos, documents), units, containers and clocks are read
by one script per host and kind, registered with ``fact_command`` so it joins the
host's batched round trip. The script is the wire format's (``golive/facts/wire.py``),
framed with the run's nonce, each section keyed by its name, its stderr merged into
its output. A private section reads file contents (compose files, ``.env``,
playbooks, documents): its evidence is its size only.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from golive.facts import wire
from golive.facts.host import RemoteHost
from golive.facts.output import Output


@dataclass(frozen=True)
class Section:
    """One named part of a fact script, the one way a check module declares one: ``timeout``
    (seconds) bounds it alone when set; a ``private`` one (file contents) is recorded as its
    size only."""

    key: str
    command: str
    timeout: float | None = None
    private: bool = False


def quote(value: str) -> str:
    return shlex.quote(value)


def script(sections: Iterable[Section], shared: str = "") -> str:
    """The shell script running each section in a subshell, in order, framed in the wire
    format with the run's nonce.

    A key is any text (a unit ``getty@tty1.service``, ``a\\x2db``): the framing carries it
    hex-encoded, so it never reaches the shell as anything but hex digits.

    ``shared``: commands run once, before the sections, in the script's own shell (their
    output discarded), whose shell variables the sections read instead of running the same
    read again (the containers' ``docker inspect``, a repo's top directory). A section
    reading one still works without it, by reading for itself: what it prints is the same
    either way. A section with a ``timeout`` runs in a shell of its own and sees none of them.
    """
    parts = list(sections)
    commands = [
        part.command if part.timeout is None else f"timeout -k 2 {part.timeout:g} sh -c {shlex.quote(part.command)}"
        for part in parts
    ]
    text, _nonce = wire.script(commands, None, nonce=wire.run_nonce(), keys=[part.key for part in parts])
    return f"{{ {shared}\n}} </dev/null >/dev/null 2>&1\n{text}" if shared else text


def parse(stdout: str) -> dict[str, Output]:
    """Split a script's output back into its sections (each without its last newline)."""
    found = wire.parse_keyed(stdout, wire.run_nonce())
    return {key: Output(output.stdout.removesuffix("\n"), output.exit_status) for key, output in found.items()}


def withheld(stdout: str, sections: Iterable[Section]) -> str:
    """The sections as evidence: each key, its exit status and its output, a private
    section's output replaced by its size."""
    return _shown(parse(stdout), sections)


def _shown(found: dict[str, Output], sections: Iterable[Section]) -> str:
    private = {part.key for part in sections if part.private}
    shown: list[str] = []
    for key, output in found.items():
        shown.append(f"[{key}] exit {output.exit_status}")
        if key in private and output.text:
            shown.append(f"[{len(output.text.splitlines())} line(s) of file contents withheld]")
        elif output.text:
            shown.append(output.text)
    return "\n".join(shown)


def run(remote: RemoteHost, sections: Sequence[Section], shared: str = "") -> dict[str, Output]:
    """The script's sections (``shared`` as ``script`` takes it): fetched once per host
    (``RemoteHost.fetch``), recorded with the private sections withheld, then split; split
    and withheld once per host, whichever criteria read them."""
    text = script(sections, shared)
    result, cached = remote.fetch(text)
    private = "\0".join(part.key for part in sections if part.private)
    split = remote.memo("fact script", f"{text}\0{private}", lambda: _split(result.stdout, sections))
    remote.record(result, cached, shown=split[1])
    remote.check(result)
    return dict(split[0])


def _split(stdout: str, sections: Sequence[Section]) -> tuple[dict[str, Output], str]:
    found = parse(stdout)
    return found, _shown(found, sections)
