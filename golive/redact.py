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

# The format rules. One scan of the text, lower-cased, for the strings a match starts
# with (a keyword, a token prefix, ``://``, a key block's marker) finds every place a
# rule may match; only there is that rule's regex tried. Every match starts at its
# keyword: what may come before it (``my_`` in ``my_password=``, ``proxy-``, ``set-``,
# a URL's scheme) is kept as it is anyway, so it need not be part of the match. The
# parts a rule keeps (a header or key name, a URL's user, a key block's kind) are
# themselves redacted, so nothing a rule keeps can carry a secret.
_KEYWORDS = r"passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?"
# (a plain alternation of literals: named groups here would cost the regex engine its
# fast scan for the first character)
_TRIGGERS = re.compile(
    r"-----begin |authorization|x-api-key|x-auth-token|cookie"
    r"|passw|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|://"
    r"|gh[pousr]_|github_pat_|glpat-|akia|asia|xox[abpors]-|sk-|eyj"
)
_TOKEN_PREFIXES = ("gh", "github_pat_", "glpat-", "akia", "asia", "xox", "sk-", "eyj")


def _rule_of(trigger: str) -> str:
    """Which rule may match where ``trigger`` (a match of ``_TRIGGERS``) starts."""
    if trigger.startswith("-----"):
        return "key"
    if trigger == "authorization":
        return "auth"
    if trigger in ("x-api-key", "x-auth-token", "cookie"):
        return "header"
    if trigger == "://":
        return "url"
    return "token" if trigger.startswith(_TOKEN_PREFIXES) else "pair"


# a source file's name and line, as a logger writes its caller ("token_mgr.go:82:",
# "secrets.py:120", Harbor's "[/core/auth/token.go:123]:"): a keyword in a file's name, followed
# by a line number, holds no secret, so the pair rule does not start there
_SOURCE_LINE = (
    r"[\w.-]*\.(?:go|py|rb|js|mjs|cjs|ts|java|kt|scala|cs|php|rs|c|cc|cpp|h|hpp|ex|exs|erl|lua|pl|sh)"
    r":\d+(?::\d+)?(?:[\])]:?|:)?(?:[\s,;&'\"]|\Z)"
)
_RULES: dict[str, re.Pattern[str]] = {
    "key": re.compile(
        r"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END (?P=kind)PRIVATE KEY-----|\Z)", re.S
    ),
    "auth": re.compile(
        r"(?i)\b(?P<name>authorization\s*[:=]\s*)(?:(?P<scheme>basic|bearer|token|digest)\s+)?[^\s,;'\"]+"
    ),
    "header": re.compile(r"(?i)\b(?P<name>x-api-key|x-auth-token|cookie)(?P<sep>\s*[:=]\s*)[^\r\n]+"),
    "pair": re.compile(
        rf"(?i)(?!{_SOURCE_LINE})(?P<name>(?:{_KEYWORDS})[\w.-]*)(?P<sep>\s*[:=]\s*|\"\s*:\s*\"|'\s*:\s*')"
        r"(?!\[REDACTED\]|(?:yes|no|true|false|on|off|none|null)\b)[^\s,;&'\"]+"
    ),
    "url": re.compile(r"(?P<user>[^\s:/@]+):[^\s/@]+@"),
    "token": re.compile(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}"
        r"|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[abpors]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}"
        r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b"
    ),
}
# the end of a key block whose beginning was cut off before the text reached us
_KEY_END = re.compile(r"(?:(?!-----BEGIN ).)*?-----END (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----", re.S)
# what the regexes' case-insensitive matching equates with an ASCII letter, which
# ``str.lower`` alone does not (U+0130 lower-cases to two characters)
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_MEMO_SIZE = 2048
_MEMO_CHARS = 2000


def _lowered(text: str) -> str:
    """``text`` lower-cased, character for character (positions stay the same)."""
    if text.isascii():
        return text.lower()
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD)
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower()[:1] or c for c in text)


class Redactor:
    """Known secret values plus secret-looking patterns; thread-safe to extend.

    Each text is redacted once: known values by literal search, then one scan of the
    combined format rules. The result of a text (and the result itself, so text that is
    redacted already is never redacted again) is remembered until a new secret arrives.
    ``generation`` counts the changes of the known values: text redacted at one
    generation may need redacting again at a later one.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._known: tuple[str, ...] = ()
        self._memo: dict[str, str] = {}
        self.generation = 0
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Register values that must never appear in any output."""
        with self._lock:
            before = len(self._secrets)
            self._secrets.update(s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH)
            if len(self._secrets) != before:
                self._known = tuple(sorted(self._secrets, key=len, reverse=True))
                self._memo = {}
                self.generation += 1

    def __call__(self, text: str) -> str:
        """The text with every known secret and secret-looking token masked."""
        if not text:
            return text
        memo = self._memo
        found = memo.get(text)
        if found is not None:
            return found
        redacted = self._redact(text, self._known)
        if len(text) <= _MEMO_CHARS:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[text] = memo[redacted] = redacted
        return redacted

    def _redact(self, text: str, known: tuple[str, ...]) -> str:
        for secret in known:
            if secret in text:
                text = text.replace(secret, MASK)
        parts: list[str] = []
        done = 0
        if "PRIVATE KEY-----" in text and (cut := _KEY_END.match(text)):
            parts.append(f"{MASK}-----END {self._redact(cut.group('kind'), known)}PRIVATE KEY-----")
            done = cut.end()
        lowered = _lowered(text)
        position = done
        while trigger := _TRIGGERS.search(lowered, position):
            rule = _rule_of(trigger.group())
            match = _RULES[rule].match(text, trigger.end() if rule == "url" else trigger.start())
            if match is None:
                position = trigger.start() + 1
                continue
            parts += [text[done : match.start()], self._replace(rule, match, known)]
            done = position = match.end()
        if not parts:
            return text
        parts.append(text[done:])
        return "".join(parts)

    def _replace(self, rule: str, match: re.Match[str], known: tuple[str, ...]) -> str:
        def kept(name: str) -> str:
            part = match.group(name)
            return self._redact(part, known) if part else ""

        if rule == "key":
            kind = kept("kind")
            return f"-----BEGIN {kind}PRIVATE KEY-----{MASK}-----END {kind}PRIVATE KEY-----"
        if rule == "auth":
            return f"{kept('name')}{kept('scheme')} {MASK}"
        if rule in ("header", "pair"):
            return f"{kept('name')}{kept('sep')}{MASK}"
        if rule == "url":
            return f"{kept('user')}:{MASK}@"
        return MASK


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
