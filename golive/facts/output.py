"""What a command or a section of a fact script printed and returned on a host: one type for all."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_OPENING_LINE = re.compile(r"^[\[{]", re.MULTILINE)


def json_value(text: str) -> Any:
    """The first JSON array or object that opens a line of ``text`` and decodes: a section's
    stderr is merged into its output, so a program's warnings before the value (even one
    opening with a bracket) or after it are set aside. ValueError when there is none."""
    decoder = json.JSONDecoder()
    for start in _OPENING_LINE.finditer(text):
        try:
            return decoder.raw_decode(text, start.start())[0]
        except ValueError:
            continue
    raise ValueError("no JSON in the output")


@dataclass(frozen=True)
class Output:
    """A command's (or a section's) output, exit status and how it was fetched.

    ``overflow``: cut at the host's output cap. ``batched``: it came in the host's one
    batched round trip. ``sent`` and ``received``: the runner's wall clock when the round
    trip carrying it was sent and answered (REL-15 bounds a host's clock with them).
    """

    stdout: str
    exit_status: int
    stderr: str = ""
    command: str = ""
    duration: float = 0.0
    batched: bool = False
    overflow: bool = False
    sent: float | None = None
    received: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.exit_status == 0

    @property
    def text(self) -> str:
        """What a section printed (its stderr merged in), without the last newline."""
        return self.stdout

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]
