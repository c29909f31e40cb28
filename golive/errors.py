"""The errors golive's users meet, as one small hierarchy::

    GoliveError
    ├── InventoryError       bad input: hosts.yaml, a rubric file, an option
    ├── CriterionMarkError   a test of the suite is not a whole criterion
    ├── TargetError          a target could not be checked
    │   ├── Unreachable
    │   └── CheckTimeout
    └── SandboxError         (sandbox.process) golive's own test fleet could not start

- ``InventoryError``: the run ends as a usage error (exit status 4) with one line
  naming the file, the key and the fix.
- ``CriterionMarkError``: the test's module fails collection with the test's node id
  and the fix (a missing or second severity marker, a malformed criterion ID, a
  category the rubric does not have); the run is incomplete, never READY.
- ``TargetError`` (unreachable, timed out, refused): the criterion instance is shown
  as ``error`` with the reason and scored as failed; never a skip.
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


class CriterionMarkError(GoliveError):
    """A test in the suite is not a well-formed criterion; the message names it and the fix."""


class TargetError(GoliveError):
    """A target could not be checked; the message is the reason shown as evidence."""


class Unreachable(TargetError):
    """The host (or service) could not be reached at all."""


class CheckTimeout(TargetError):
    """A command or request on the target did not finish within its timeout."""
