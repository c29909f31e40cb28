"""The errors golive's users meet, as one small hierarchy.

- ``InventoryError``: bad input (hosts.yaml, a rubric file, an option). The run ends
  as a usage error (exit status 4) with one line naming the file, the key and the fix.
- ``TargetError``: a target could not be checked (unreachable, timed out, refused).
  The criterion instance is shown as ``error`` with the reason and scored as failed.
- Anything else is a bug in golive and is left to raise.
"""

from __future__ import annotations


class GoliveError(Exception):
    """Base of every error golive raises on purpose."""


class InventoryError(GoliveError):
    """The inventory or a configuration file is invalid."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


class TargetError(GoliveError):
    """A target could not be checked; the message is the reason shown as evidence."""


class Unreachable(TargetError):
    """The host (or service) could not be reached at all."""


class CheckTimeout(TargetError):
    """A command or request on the target did not finish within its timeout."""
