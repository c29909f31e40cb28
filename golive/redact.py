"""Secret redaction, applied in one place before anything reaches a report.

Two kinds of secret are removed: values golive knows are secret (the environment
variables the inventory names, values checks learn, such as container env values),
and text that looks like a secret wherever it comes from (Authorization headers,
password=/token= pairs, credentials in URLs, private key blocks, common token formats).

Text is redacted before it is cut, never after: a cut can leave the part of a secret
that no rule recognizes any more (the prefix of a known value, a token too short for
its format). Every cut of target text goes through ``shorten`` (messages) or
``golive.evidence.clean`` (recorded evidence), which both redact first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "[REDACTED]"
_MIN_SECRET_LENGTH = 4

# Each rule: the pattern, its replacement, and strings one of which (lower-cased) any match
# contains; a rule whose strings are all absent cannot match and is not run (on ASCII
# text, where lower-casing is exact; other text runs every rule).
_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(-----END \1PRIVATE KEY-----|\Z)", re.S),
        f"-----BEGIN \\1PRIVATE KEY-----{MASK}-----END \\1PRIVATE KEY-----",
        ("private key-----",),
    ),
    (
        re.compile(r"(?im)\b((?:proxy-)?authorization\s*[:=]\s*)(?:(basic|bearer|token|digest)\s+)?[^\s,;'\"]+"),
        rf"\1\2 {MASK}",
        ("authorization",),
    ),
    (
        re.compile(r"(?i)\b(x-api-key|x-auth-token|cookie|set-cookie)(\s*[:=]\s*)[^\r\n]+"),
        rf"\1\2{MASK}",
        ("x-api-key", "x-auth-token", "cookie"),
    ),
    (
        re.compile(
            r"(?i)\b([\w.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]*)"
            r"(\s*[:=]\s*|\"\s*:\s*\"|'\s*:\s*')(?!\[REDACTED\]|(?:yes|no|true|false|on|off|none|null)\b)([^\s,;&'\"]+)"
        ),
        rf"\1\2{MASK}",
        ("passw", "pwd", "secret", "token", "key", "credential"),
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s:/@]+):([^\s/@]+)@"), rf"\1\2:{MASK}@", ("://",)),
    (
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})\b"),
        MASK,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-"),
    ),
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), MASK, ("akia", "asia")),
    (re.compile(r"\bxox[abpors]-[A-Za-z0-9-]{10,}\b"), MASK, ("xox",)),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{20,}\b"), MASK, ("sk-",)),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), MASK, ("eyj",)),
)
# the end of a key block whose beginning was cut off before the text reached us
_KEY_END = re.compile(r"\A(?:(?!-----BEGIN ).)*?-----END ([A-Z0-9 ]*)PRIVATE KEY-----", re.S)


class Redactor:
    """Known secret values plus secret-looking patterns; thread-safe to extend."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Register values that must never appear in any output."""
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH)

    def __call__(self, text: str) -> str:
        """The text with every known secret and secret-looking token masked."""
        if not text:
            return text
        with self._lock:
            known = sorted(self._secrets, key=len, reverse=True)
        for secret in known:
            if secret in text:
                text = text.replace(secret, MASK)
        lowered = text.lower() if text.isascii() else None
        for pattern, replacement, hints in _PATTERNS:
            if lowered is None or any(hint in lowered for hint in hints):
                text = pattern.sub(replacement, text)
        if "PRIVATE KEY-----" in text:
            text = _KEY_END.sub(f"{MASK}-----END \\1PRIVATE KEY-----", text, count=1)
        return text


redact = Redactor()
"""The process-wide redactor every output path goes through."""

# Text this much longer than what is kept is cut before redaction (with the token on the
# cut dropped), so a huge output costs no more than its kept part; the margin keeps the
# result full even when redaction shortens the text.
_MARGIN = 64 * 1024


def bounded(text: str, size: int, *, end: bool = False) -> str:
    """At most ``size`` characters of ``text`` (its start, or its end when ``end``), for
    redaction: a token the cut goes through is dropped whole, since a part of a secret
    may no longer look like one."""
    if len(text) <= size:
        return text
    if end:
        kept, beyond = text[-size:], text[-size - 1]
        return kept if beyond.isspace() else kept[_token_length(kept) :]
    kept, beyond = text[:size], text[size]
    return kept if beyond.isspace() else kept[: len(kept) - _token_length(kept[::-1])]


def _token_length(text: str) -> int:
    """How many characters ``text`` starts with before its first whitespace."""
    return 0 if not text or text[0].isspace() else len(text.split(maxsplit=1)[0])


def shorten(value: object, limit: int, *, end: bool = False) -> str:
    """``value`` as text, redacted, then cut to its first (``end``: last) ``limit`` characters.

    For messages that quote target output (``output[-300:]`` would cut before redaction).
    """
    text = bounded(value if isinstance(value, str) else str(value), limit + _MARGIN, end=end)
    text = redact(text)
    return text[-limit:] if end else text[:limit]
