"""Which logs of a host are read (LOG-01..04) and the known log patterns that classify their lines."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from golive.inventory.section import Section, Size
from golive.log_pattern_syntax import (
    MIN_LITERAL,
    PATTERN_SEVERITIES,
    compiled,
    parse_rate,
    parse_statuses,
    required_literals,
)


def _rate(value: str) -> str:
    parse_rate(value)
    return value


Rate = Annotated[str, AfterValidator(_rate)]
"""A tolerated peak of lines, like ``20/h`` (``parse_rate``)."""


def _trusted(info: ValidationInfo) -> Container[str]:
    """Regexes checked with their examples when the shipped knowledge base was written
    (``load_log_patterns``' ``trusted``): not compiled or parsed again."""
    context = info.context
    return context.get("trusted", ()) if isinstance(context, dict) else ()


class LogPattern(Section):
    """LOG-01..04: a known log line, its meaning and what to do about it.

    ``regex`` (Python syntax) is searched in each message; it needs a literal part of
    at least 3 characters (the host keeps candidate lines by it). ``scope``: globs of
    container names or images (unit names, file paths) it applies to (default: all).
    ``rate``: for ``acceptable`` patterns, the tolerated peak, like ``20/h``.
    ``example`` must match and ``counterexample`` must not (required in the shipped file).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    regex: str
    severity: str
    explanation: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    runbook: str | None = None
    scope: tuple[str, ...] = ()
    rate: Rate | None = None
    example: str | None = None
    counterexample: str | None = None

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        if value not in PATTERN_SEVERITIES:
            raise ValueError(f"expected one of {', '.join(PATTERN_SEVERITIES)}, got {value!r}")
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str, info: ValidationInfo) -> str:
        if value in _trusted(info):
            return value
        try:
            compiled(value)
        except re.error as exc:
            raise ValueError(f"invalid regex {value!r}: {exc}") from None
        literals = required_literals(value)
        if not literals or min(map(len, literals)) < MIN_LITERAL:
            raise ValueError(
                f"regex {value!r} needs a literal part of at least {MIN_LITERAL} characters "
                "(a word of the message): the host keeps candidate lines by it"
            )
        return value

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("example", "counterexample")
    @classmethod
    def _examples(cls, value: str | None, info: ValidationInfo) -> str | None:
        regex = info.data.get("regex")
        if value is not None and regex is not None and regex not in _trusted(info):
            matched = re.search(regex, value) is not None
            if info.field_name == "example" and not matched:
                raise ValueError(f"the regex does not match its example {value!r}")
            if info.field_name == "counterexample" and matched:
                raise ValueError(f"the regex matches its counterexample {value!r}")
        return value

    @model_validator(mode="after")
    def _rate_for_acceptable(self) -> LogPattern:
        if self.severity == "acceptable" and self.rate is None:
            raise ValueError(f"{self.id}: an acceptable pattern needs rate: (the tolerated peak, like 20/h)")
        if self.severity != "acceptable" and self.rate is not None:
            raise ValueError(f"{self.id}: rate: is only for acceptable patterns (this one is {self.severity})")
        return self


class LogPolicy(Section):
    """LOG-01..04: which logs of the host are read, and how much of them.

    Every container's logs (``docker logs --since <window>``) unless ``containers:
    false``, except names matching ``exclude``; journald ``units`` where systemd runs;
    the last ``max_file_bytes`` of each declared log ``files``. The host keeps only
    candidate lines (an error word, a level or status statement or a pattern's
    literal) and at most ``max_lines`` of them per source (the newest); ``examples``
    lines are shown per pattern. ``access_error_statuses``: the statuses that make an
    access-log line an error (``5xx``, ``4xx`` or exact ones like ``429``; default
    ``[5xx]``). ``unknown_warnings``: ``report`` (default) lists warning-level lines no
    pattern matches under LOG-02; ``ignore`` does not. ``client_errors_rate``: the tolerated
    peak of error lines no pattern matches that are about one client, peer or request (its
    address, a broken handshake, a failed login, a refused request: LOG-04, like an
    acceptable pattern, like ``60/h``); ``null`` (default) reports them as unknown errors (LOG-03).
    """

    containers: bool = True
    exclude: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    max_lines: int = Field(5000, ge=10, le=1_000_000)
    max_file_bytes: Size = 64 * 2**20
    examples: int = Field(3, ge=1, le=20)
    access_error_statuses: tuple[str, ...] = ("5xx",)
    unknown_warnings: Literal["report", "ignore"] = "report"
    client_errors_rate: Rate | None = None

    @field_validator("access_error_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        value = (value,) if isinstance(value, (str, int)) else value
        value = tuple(str(item) for item in value) if isinstance(value, (list, tuple)) else value
        if isinstance(value, tuple):
            parse_statuses(value)
        return value

    @field_validator("exclude")
    @classmethod
    def _globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for glob in value:
            if not re.fullmatch(r"[A-Za-z0-9._*?\[\]-]+", glob):
                raise ValueError(f"expected a container name glob like 'test-*', got {glob!r}")
        return value

    @field_validator("units", "files")
    @classmethod
    def _one_line(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # quoted for the shell; a line break would only break the framing of the output
        for entry in value:
            if not entry or "\n" in entry or "\r" in entry:
                raise ValueError(f"expected a unit name or a file path on one line, got {entry!r}")
        return value


class LogPatternFile(Section):
    """A knowledge base file: a top-level ``log_patterns:`` list, as in hosts.yaml."""

    log_patterns: tuple[LogPattern, ...] = ()
