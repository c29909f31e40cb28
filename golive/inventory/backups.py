"""Backups (BAK-01..04): where they land, restore-test records, DR playbooks."""

from __future__ import annotations

import shlex

from pydantic import Field, field_validator, model_validator

from golive.inventory.section import DAY, NAME, Duration, Section


class BackupLocation(Section):
    """BAK-01/02: where one series of backups lands, as files or as a snapshot listing.

    ``path`` + ``glob``: backup files in a directory (their mtime and size);
    ``command`` + ``format``: a read-only command listing snapshots, e.g.
    ``restic -r /srv/restic --password-file F snapshots --json --no-lock`` (``restic``),
    ``borg list --json REPO`` (``borg``), or lines ``<epoch> <bytes> <name>`` (``lines``).
    The command runs as one program with its arguments (quoted as ``sh`` would split
    them), without a shell: no pipes, variables or redirections.
    """

    name: str = Field(pattern=NAME)
    path: str | None = None
    glob: str = Field("*", pattern=r"^[A-Za-z0-9._*?\[\]-]+$")
    command: str | None = None
    format: str | None = Field(None, pattern=r"^(restic|borg|lines)$")
    max_age: Duration = 26 * 3600.0
    min_size_ratio: float = Field(0.5, ge=0, le=1)

    @field_validator("command")
    @classmethod
    def _command_line(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                words = shlex.split(value)
            except ValueError as exc:
                raise ValueError(
                    f"expected a command line like 'restic snapshots --json' ({exc}), got {value!r}"
                ) from None
            if not words:
                raise ValueError("expected a command line like 'restic snapshots --json', got an empty one")
        return value

    def argv(self) -> list[str]:
        """The snapshot command's program and arguments."""
        return shlex.split(self.command or "")

    @model_validator(mode="after")
    def _one_source(self) -> BackupLocation:
        if (self.path is None) == (self.command is None):
            raise ValueError("set either path (with glob) or command (with format)")
        if self.command is not None and self.format is None:
            raise ValueError("a command needs format: restic, borg or lines")
        return self


class RestoreTest(Section):
    """BAK-03: a file recording restore tests; its newest dated line matching ``pattern`` counts."""

    name: str = Field(pattern=NAME)
    path: str
    pattern: str = "restor"
    max_age: Duration = 30 * DAY


class BackupPolicy(Section):
    """BAK-01..04: backup locations, restore-test records and DR playbooks/scripts."""

    locations: tuple[BackupLocation, ...] = ()
    restore_tests: tuple[RestoreTest, ...] = ()
    dr: tuple[str, ...] = ()
