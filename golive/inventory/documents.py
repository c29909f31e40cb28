"""What is written down: configuration repos, documents, acceptance sign-offs and the documentation's claims."""

from __future__ import annotations

from pydantic import Field

from golive.inventory.section import DAY, NAME, Duration, Section


class Repo(Section):
    """CHG-01..04, SEC-07/08: a git working tree on the host holding configuration."""

    name: str = Field(pattern=NAME)
    path: str
    compose: tuple[str, ...] = ()
    env_file: str = ".env"
    ignored: tuple[str, ...] = (".env", "*.key", "*.pem")
    history_commits: int = Field(200, ge=0)
    """SEC-07: how many commits back from HEAD the added lines are scanned for secrets (0: HEAD only)."""
    project: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """CHG-03/04: the compose project (default: the file's ``name:``, .env's COMPOSE_PROJECT_NAME, its directory)."""


class Document(Section):
    """DOC-03 (and DOC-01 through its front matter): a document in a git repo on the host."""

    name: str = Field(pattern=NAME)
    path: str
    max_age: Duration = 30 * DAY


class AcceptanceDocument(Section):
    """ACC-01/02: a phase's acceptance document with sign-off fields; its claimed grade."""

    phase: str = Field(pattern=NAME)
    path: str
    fields: tuple[str, ...] = ("who", "date", "grade")


class Claims(Section):
    """DOC-01: what the documentation claims about the host, compared with what runs."""

    containers: int | None = Field(None, ge=0)
    services: tuple[str, ...] | None = None
    hosts: tuple[str, ...] | None = None
