"""What a command or a section of a fact script printed and returned on a host: one type for all."""

from __future__ import annotations

from dataclasses import dataclass


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
