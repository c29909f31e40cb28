"""The evidence API: what was run or requested, what came back, what was compared.

Checks and users' own tests record evidence through one object per test; every
string passes through ``clean`` (control characters stripped, secrets redacted,
size bounded) when it is recorded, so nothing unredacted is ever stored, and every
report (HTML, JSON, terminal, JUnit) renders the same cleaned entries.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from golive.redact import bounded, redact

MAX_FIELD_CHARS = 8000
MAX_LINE_CHARS = 2000
MAX_REDACTED_CHARS = 2**20
"""Longer text keeps only its start and end (the token on each cut dropped) before redaction."""
CUT_MARGIN = 16 * 1024
"""What is cleaned beyond each part of a text that can be kept, when the rest is cut first:
redaction shortens what it masks, and the part kept must still be full."""
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]")


def clean(value: object, limit: int = MAX_FIELD_CHARS) -> str:
    """A string safe for any report: decoded, stripped of control codes, redacted, bounded.

    Redaction comes before any cut (lines to ``MAX_LINE_CHARS``, the whole to ``limit``),
    so no cut can leave the unrecognizable part of a secret. A text far longer than
    ``limit`` (a host's log filter command, a large output) is cleaned only in the two
    parts that can be kept, each with a margin and without the token its cut goes
    through (``redact.bounded``): they are what cleaning the whole text keeps, except
    where a line longer than ``MAX_LINE_CHARS`` crosses the start of the last part (its
    own part is shown, not the line's start).
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value)
    if len(text) > limit + 2 * CUT_MARGIN:
        head = _cleaned(bounded(text, limit * 3 // 4 + CUT_MARGIN))[: limit * 3 // 4]
        tail = _cleaned(bounded(text, limit // 4 + CUT_MARGIN, end=True))[-limit // 4 :]
        return _ends(head, tail, len(text) - len(head) - len(tail))
    text = _cleaned(text)
    if len(text) > limit:
        head, tail = text[: limit * 3 // 4], text[-limit // 4 :]
        return _ends(head, tail, len(text) - len(head) - len(tail))
    return text


def _ends(head: str, tail: str, cut: int) -> str:
    """The start and end kept of a text, and how many characters were cut between them."""
    return f"{head}\n… [{cut} chars cut] …\n{tail}"


def _cleaned(text: str) -> str:
    """The text stripped of control codes, redacted, its lines bounded (not the whole)."""
    text = _CONTROL.sub("", text)
    if len(text) > MAX_REDACTED_CHARS:
        # each part on its own: a key block cut in two is then masked within its part
        head = bounded(text, MAX_REDACTED_CHARS * 3 // 4)
        tail = bounded(text, MAX_REDACTED_CHARS // 4, end=True)
        text = _ends(redact(head), redact(tail), len(text) - len(head) - len(tail))
    else:
        text = redact(text)
    if len(text) <= MAX_LINE_CHARS:
        return text
    return "\n".join(
        line if len(line) <= MAX_LINE_CHARS else f"{line[:MAX_LINE_CHARS]}… [{len(line) - MAX_LINE_CHARS} chars cut]"
        for line in text.split("\n")
    )


_WANTED = {
    "==": "expected {}",
    "is": "expected {}",
    "!=": "must not be {}",
    "is not": "must not be {}",
    "<=": "at most {}",
    ">=": "at least {}",
    "<": "must be less than {}",
    ">": "must be more than {}",
    "in": "expected one of {}",
    "not in": "must not be one of {}",
    "has": "expected {}",
    "matches": "expected to match {}",
    "covers": "expected to cover {}",
    "includes": "expected to include {}",
    "within": "expected within {}",
}
"""How a failing comparison words its threshold, by operator; others read "expected <operator> X"."""


@dataclass(frozen=True)
class Comparison:
    """A measured value against its threshold, e.g. 93.1 % used <= 90 %.

    A failing one reads as a sentence (``sentence``): "<subject>: <found>, <wanted>",
    the wanted phrase worded by the operator, or the judge's own ``reason`` when it
    has a better one (e.g. "running app:0.9, compose declares app:1"). The evidence
    table shows subject, found and wanted as they are.
    """

    subject: str
    measured: object
    operator: str
    limit: object
    passed: bool
    unit: str = ""
    reason: str = ""

    def sentence(self) -> str:
        """The comparison in words: the judge's ``reason`` (set on a failing one), else
        "<subject>: <found>, <wanted>" ("..., ok (<operator> <limit>)" when it passed)."""
        if self.reason:
            return self.reason
        limit = f"{self.limit}{self.unit}"
        if self.passed:
            return f"{self.subject}: {self.measured}{self.unit}, ok ({self.operator} {limit})"
        phrase = _WANTED.get(self.operator)
        wanted = phrase.format(limit) if phrase else f"expected {self.operator} {limit}"
        return f"{self.subject}: {self.measured}{self.unit}, {wanted}"

    def __str__(self) -> str:
        return self.sentence()


@dataclass
class Verdict:
    """A judge's conclusion: passed or not, a one-line reason and its comparisons.

    A pass rests on at least one comparison: a passing verdict without one cannot be
    built (``ValueError``, a bug in the judge). Nothing to judge is said with
    ``Verdict.not_applicable(reason)``; a target that could not be read is a
    ``golive.errors.TargetError``, never a verdict.
    """

    passed: bool
    summary: str
    comparisons: list[Comparison] = field(default_factory=list)
    applicable: bool = True

    def __post_init__(self) -> None:
        if self.passed and not self.comparisons:
            raise ValueError(f"a passing verdict needs at least one comparison: {self.summary!r}")
        if not self.applicable and (self.passed or self.comparisons):
            raise ValueError(f"a verdict that is not applicable neither passes nor compares: {self.summary!r}")

    @classmethod
    def not_applicable(cls, reason: str) -> Verdict:
        """Nothing to judge (nothing declared, or nothing of the kind on the target), with the reason."""
        return cls(False, reason, [], applicable=False)

    @classmethod
    def from_comparisons(cls, comparisons: Sequence[Comparison], what: str) -> Verdict:
        """Failed if any comparison failed; not applicable when there is none ("no {what}").

        The reason of a failure is the failing comparisons' sentences; when more than one
        fails, after a count ("2 of 5 {what} failed: ...").
        """
        if not comparisons:
            return cls.not_applicable(f"no {what} to judge")
        failing = [c for c in comparisons if not c.passed]
        if len(failing) == 1:
            return cls(False, failing[0].sentence(), list(comparisons))
        if failing:
            return cls(
                False,
                f"{len(failing)} of {len(comparisons)} {what} failed: " + "; ".join(c.sentence() for c in failing),
                list(comparisons),
            )
        return cls(True, f"all {len(comparisons)} {what} within limits", list(comparisons))


def command_entry(
    command: str,
    exit_status: int | None,
    stdout: str | bytes = "",
    stderr: str | bytes = "",
    *,
    host: str = "",
    duration: float | None = None,
    batched: bool = False,
) -> dict[str, Any]:
    """The evidence entry of a command and what came back, every string cleaned (``cached``
    false: ``Evidence.add_command`` sets it for the test recording it)."""
    return {
        "kind": "command",
        "host": clean(host, 200),
        "command": clean(command, 2000),
        "exit_status": exit_status,
        "stdout": clean(stdout),
        "stderr": clean(stderr),
        "duration": None if duration is None else round(duration, 3),
        "cached": False,
        "batched": batched,
    }


class Evidence:
    """The evidence of one test; reached through the ``evidence`` fixture."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def command(
        self,
        command: str,
        exit_status: int | None,
        stdout: str | bytes = "",
        stderr: str | bytes = "",
        *,
        host: str = "",
        duration: float | None = None,
        cached: bool = False,
        batched: bool = False,
    ) -> None:
        """A command run on a target and what came back (``batched``: fetched with the host's other facts)."""
        entry = command_entry(command, exit_status, stdout, stderr, host=host, duration=duration, batched=batched)
        self.add_command(entry, cached=cached)

    def add_command(self, entry: Mapping[str, Any], *, cached: bool) -> None:
        """A command entry made (and cleaned) by ``command_entry``, recorded as it is: a
        result read by many tests is cleaned once, not once per test."""
        self.entries.append({**entry, "cached": cached})

    def http(
        self,
        method: str,
        url: str,
        status: int | None,
        *,
        headers: dict[str, str] | None = None,
        body: str | bytes = "",
        elapsed: float | None = None,
        error: str = "",
    ) -> None:
        """An HTTP exchange: request line, status, headers and the first bytes of the body."""
        self.entries.append(
            {
                "kind": "http",
                "request": clean(f"{method} {url}", 2000),
                "status": status,
                "headers": {clean(k, 200): clean(v, 1000) for k, v in (headers or {}).items()},
                "body": clean(body, 2000),
                "elapsed": None if elapsed is None else round(elapsed, 3),
                "error": clean(error, 2000),
            }
        )

    def compare(self, comparison: Comparison) -> None:
        """A value compared with its threshold."""
        self.entries.append(
            {
                "kind": "comparison",
                "subject": clean(comparison.subject, 500),
                "measured": clean(comparison.measured, 500),
                "operator": comparison.operator,
                "limit": clean(comparison.limit, 500),
                "unit": comparison.unit,
                "passed": comparison.passed,
            }
        )

    def note(self, text: str) -> None:
        """Free text worth keeping next to the verdict."""
        self.entries.append({"kind": "note", "text": clean(text)})

    def claim_grade(self, source: str, score: float | None = None, letter: str | None = None) -> None:
        """A grade a document claims; judged against this run's measured grade when the run ends.

        The test passes for now; the plugin decides the instance when every other
        criterion is known (the measured grade excludes the claim criteria themselves).
        """
        if score is None and letter is None:
            raise ValueError("a grade claim needs a score or a letter")
        self.entries.append({"kind": "grade_claim", "source": clean(source, 500), "score": score, "letter": letter})

    def conclude(self, verdict: Verdict) -> None:
        """Record the verdict's comparisons; fail the test with its reason if it failed.

        A verdict that is not applicable skips the test with ``not applicable: <reason>``.
        """
        if not verdict.applicable:
            self.note(f"not applicable: {verdict.summary}")
            pytest.skip(f"not applicable: {clean(verdict.summary)}")
        if verdict.passed and not verdict.comparisons:
            raise ValueError(f"a passing verdict needs at least one comparison: {verdict.summary!r}")
        for comparison in verdict.comparisons:
            self.compare(comparison)
        self.entries.append({"kind": "verdict", "passed": verdict.passed, "summary": clean(verdict.summary)})
        if not verdict.passed:
            pytest.fail(clean(verdict.summary), pytrace=False)


_current: contextvars.ContextVar[Evidence | None] = contextvars.ContextVar("golive_evidence", default=None)


def current() -> Evidence | None:
    """The evidence of the test running now, for code that records on its own (remote runs)."""
    return _current.get()


@contextmanager
def collecting(evidence: Evidence) -> Iterator[Evidence]:
    """Make ``evidence`` the current one for the duration of a test phase."""
    token = _current.set(evidence)
    try:
        yield evidence
    finally:
        _current.reset(token)
