"""The known log patterns (LOG-01..04) and the classifier that applies them.

A pattern's severity is critical (LOG-01), warning (LOG-02), acceptable (LOG-04,
counted against its rate) or benign: a known line that needs no action (a warning-level
line the service writes in normal operation), matched so that it is no finding.

The knowledge base ships with golive (``golive/knowledge/log_patterns.yaml``) and
is extended by ``log_patterns:`` in hosts.yaml; user patterns come first, and one
with the id of a shipped pattern replaces it. A line is classified by the first
pattern, in that order, whose regex matches it and whose scope includes its source.

A line no pattern matches is judged by what it says about itself
(``checks/log_levels.py``): its stated level, its HTTP status if it is an access-log
line, else its words. Lines at a fatal/critical level are critical (LOG-01, as the
pseudo-pattern ``stated-level-critical``), and so are error lines saying the service
stops, cannot start, crashed or lost its memory, disk or backends
(``log_levels.says_it_stops``); other error-like lines are unknown errors (LOG-03);
other warning-level lines are unknown warnings (LOG-02). An error line about one client,
peer or request (``log_levels.about_one_client``) is client noise: LOG-04 counts it against
``logs.client_errors_rate`` (the pseudo-pattern ``client-errors``) rather than LOG-03, when set.

Every pattern has a required literal (derived from its regex): ``host_filter_strings``
are the strings the host keeps a line by (one of them, an error word, or a level or
status statement), and a pattern's regex runs only on lines that contain its literal.
Unknown lines are grouped into templates (``template``: numbers, hex ids, UUIDs,
addresses and times normalized) with a suggested ``log_patterns:`` entry each
(``suggestion``), so a person classifies each in one edit.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from golive.checks import log_levels
from golive.checks.log_levels import Level
from golive.log_pattern_syntax import BENIGN as BENIGN
from golive.log_pattern_syntax import MIN_LITERAL as MIN_LITERAL
from golive.log_pattern_syntax import PATTERN_SEVERITIES as PATTERN_SEVERITIES
from golive.log_pattern_syntax import (
    SHIPPED_VALIDATED,
    compiled,
    derive_literals,
    required_literals,
    shipped_literals,
    shipped_validated,
)
from golive.log_pattern_syntax import parse_rate as parse_rate

if TYPE_CHECKING:
    from golive.inventory import LogPattern

ERROR_LIKE = re.compile(
    r"(?i)\b(?:errors?|fatal|panic(?:ked)?|exceptions?|traceback|fail(?:s|ed|ure|ing)?|critical|crit|emerg"
    r"|segfault|refused|denied)\b|(?-i:[a-z0-9_](?:Error|Exception)\b)"
)
"""What LOG-03 calls an error-like line (when no known pattern matches it)."""
ERROR_WORDS = ("error", "fatal", "panic", "exception", "traceback", "fail", "crit", "emerg", "segfault", "refused",
               "denied")  # fmt: skip
"""Substrings the host-side filter keeps, case-insensitive: every ERROR_LIKE line contains one."""


def shipped_path() -> Path:
    """The knowledge base installed with golive."""
    return Path(str(resources.files("golive") / "knowledge" / "log_patterns.yaml"))


@functools.cache
def shipped_patterns() -> tuple[LogPattern, ...]:
    """The shipped knowledge base, validated (a broken one is a bug: InventoryError, exit 4)."""
    return shipped_from(shipped_path(), shipped_validated())


def shipped_from(path: Path, table: Mapping[str, Any]) -> tuple[LogPattern, ...]:
    """The knowledge base in ``path``: from ``table`` (``log_pattern_syntax.shipped_validated``)
    while it was written from the file as it is, from the file itself otherwise."""
    from golive.inventory import load_log_patterns, validate_log_patterns

    if table.get("source_sha256") == hashlib.sha256(path.read_bytes()).hexdigest():
        raw = {"log_patterns": table["log_patterns"]}
        return validate_log_patterns(raw, str(path), require_examples=True, trusted=shipped_literals())
    return load_log_patterns(path, require_examples=True, trusted=shipped_literals())


def write_shipped_validated() -> Path:
    """Validate the shipped knowledge base in full and write it beside the YAML file as
    ``log_pattern_syntax.shipped_validated`` reads it: the file's digest, each regex's
    literals and the patterns as read."""
    from golive.inventory import validate_log_patterns
    from golive.inventory.reading import read_yaml

    raw, digest = read_yaml(shipped_path())
    patterns = validate_log_patterns(raw, str(shipped_path()), require_examples=True)
    literals = {p.regex: derive_literals(p.regex) for p in sorted(patterns, key=lambda p: p.regex)}
    table = {"source_sha256": digest, "literals": literals, "log_patterns": raw["log_patterns"]}
    path = shipped_path().with_name(SHIPPED_VALIDATED)
    path.write_text(json.dumps(table, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


_BASES: dict[tuple[int, int], tuple[Sequence[LogPattern], Sequence[LogPattern], list[LogPattern]]] = {}


def knowledge_base(user: Sequence[LogPattern] = (), shipped: Sequence[LogPattern] | None = None) -> list[LogPattern]:
    """User patterns first, then the shipped ones they do not replace (same id).

    Merged once per pair of tuples (found by their identity: the entry keeps both, so no
    other object can take their ids while it lives); every host's tests ask for it, and
    each gets its own list.
    """
    shipped = shipped_patterns() if shipped is None else shipped
    if not (isinstance(user, tuple) and isinstance(shipped, tuple)):  # a list may change: merged each time
        return _merged(user, shipped)
    key = (id(user), id(shipped))
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) >= 64:  # a long-lived process building many inventories
            _BASES.clear()
        found = _BASES[key] = (user, shipped, _merged(user, shipped))
    return list(found[2])


def _merged(user: Sequence[LogPattern], shipped: Sequence[LogPattern]) -> list[LogPattern]:
    replaced = {pattern.id for pattern in user}
    return [*user, *(pattern for pattern in shipped if pattern.id not in replaced)]


_ZERO_DIGITS = str.maketrans("123456789", "000000000")
_DIGIT = re.compile(r"\d")
# a literal is indexed by its first _GRAM characters (shorter ones are searched for whole),
# and a group of more than _FEW literals sharing them by the next _GRAM, and so on
_GRAM = 3
_FEW = 8
# a node of that index: the literals it ends (to compare whole), the next characters' nodes
_Node = tuple[tuple[str, ...], "dict[str, _Node] | None"]


def host_filter_strings(patterns: Iterable[LogPattern], statuses: Sequence[str] = ("5xx",)) -> list[str]:
    """The fixed strings the host keeps lines by: error words, level and error-status
    statements (``log_levels.host_literals``) and every pattern's literals; computed once
    per pattern set."""
    return list(_host_filter_strings(tuple(patterns), tuple(statuses)))


@functools.cache
def _host_filter_strings(patterns: tuple[LogPattern, ...], statuses: tuple[str, ...]) -> tuple[str, ...]:
    wanted = set(ERROR_WORDS) | set(log_levels.host_literals(statuses))
    for pattern in patterns:
        if pattern.severity != BENIGN:  # a line no other string keeps is not reported either way
            wanted.update(required_literals(pattern.regex) or ())
    # a string containing another one adds nothing to a substring filter, unless the other is
    # loose: the host's second grep keeps a line by a loose string only if its stricter ERE matches
    strict = Substrings(text for text in wanted if log_levels.confirming_ere(text) is None)
    return tuple(sorted(text for text in wanted if all(other == text for other in strict.within(text))))


class Substrings:
    """Strings indexed by their first characters, then the next ones where many share them,
    so that finding those a text contains takes a few lookups per position of the text,
    however many strings there are (literals often begin alike: "failed to", "unable to")."""

    def __init__(self, texts: Iterable[str]) -> None:
        by_gram: dict[str, list[str]] = {}
        short: list[str] = []
        for text in texts:
            if len(text) >= _GRAM:
                by_gram.setdefault(text[:_GRAM], []).append(text)
            else:
                short.append(text)
        self._by_gram = {gram: _node(found, 1) for gram, found in by_gram.items()}
        self._short = tuple(short)

    def within(self, text: str) -> list[str]:
        """The strings ``text`` contains (one entry per place found)."""
        found = [short for short in self._short if short in text]
        by_gram = self._by_gram
        for start in range(len(text) - _GRAM + 1):
            node = by_gram.get(text[start : start + _GRAM])
            end = start + _GRAM
            while node is not None:
                ending, deeper = node
                if ending:
                    found += [candidate for candidate in ending if text.startswith(candidate, start)]
                if deeper is None:
                    break
                node = deeper.get(text[end : end + _GRAM])
                end += _GRAM
        return found


def _node(texts: list[str], depth: int) -> _Node:
    """The index of ``texts``, which share their first ``depth`` × _GRAM characters."""
    if len(texts) <= _FEW:
        return tuple(texts), None
    shared = depth * _GRAM
    deeper: dict[str, list[str]] = {}
    for text in texts:
        if len(text) >= shared + _GRAM:
            deeper.setdefault(text[shared : shared + _GRAM], []).append(text)
    ending = tuple(text for text in texts if len(text) < shared + _GRAM)
    return ending, {part: _node(found, depth + 1) for part, found in deeper.items()}


@dataclass(frozen=True)
class Rule:
    """A pattern ready to apply: its literals lower-cased, its regex compiled when a line
    first holds one of them (most of a knowledge base's regexes are never needed in a run)."""

    pattern: LogPattern
    literals: tuple[str, ...]

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern.regex)

    def in_scope(self, name: str, image: str) -> bool:
        scope = self.pattern.scope
        return not scope or any(fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(image, glob) for glob in scope)


@functools.cache
def _stated_critical() -> Rule:
    from golive.inventory import LogPattern

    critical = LogPattern(
        id="stated-level-critical",
        regex="stated-level-critical",
        severity="critical",
        explanation="The line states a fatal, critical, alert or emergency level, or is an error saying the "
        "service stops, cannot start, crashed or lost its memory, disk or backends, and no known pattern explains it.",
        remediation="Read the line and those before it and fix the cause; if it is known and harmless here, "
        "classify it with a log_patterns: entry (e.g. acceptable with a rate).",
    )
    return Rule(critical, (critical.regex,))


@functools.cache
def _client_errors(rate: str) -> Rule:
    from golive.inventory import LogPattern

    noise = LogPattern(
        id="client-errors",
        regex="client-errors",
        severity="acceptable",
        rate=rate,
        explanation="Error lines no known pattern explains, each about one client, peer or request (it names "
        "the client's address, or a client broke a handshake, failed to log in, sent a request the service "
        "refused): a service open to the internet writes them in normal operation. Many of them at once is a "
        "scan, a password-guessing run or clients that cannot reach the service properly.",
        remediation="Read the examples: if one client dominates, block or rate-limit it (fail2ban, CrowdSec, a "
        "firewall); if they come from your own clients, fix what they are sent. Classify a known line with a "
        "log_patterns: entry, or set logs.client_errors_rate to the rate you expect.",
    )
    return Rule(noise, (noise.regex,))


@functools.cache
def _rule(pattern: LogPattern) -> Rule:
    """A pattern ready to apply, once per run (every host's classifier shares it)."""
    return Rule(pattern, required_literals(pattern.regex) or ("",))


@dataclass
class SourceClassifier:
    """The rules in scope for one log source, with a cache: logs repeat themselves."""

    rules: list[Rule]
    statuses: tuple[str, ...] = ("5",)
    client_errors: Rule | None = None
    _cache: dict[str, Rule | None] = field(default_factory=dict)
    _judged: dict[tuple[str, int | None], tuple[Rule | None, Level | None]] = field(default_factory=dict)
    # each distinct literal once, with the rules (by position) that require it: a line is
    # scanned for each literal once, not once per rule
    _literals: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _digit_free: Substrings = field(default_factory=lambda: Substrings(()))
    _digit_texts: tuple[str, ...] = ()
    _present: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, list[int]] = {}
        for position, rule in enumerate(self.rules):
            for text in rule.literals:
                index.setdefault(text, []).append(position)
        self._literals = {text: tuple(positions) for text, positions in index.items()}
        self._digit_free = Substrings(text for text in self._literals if not _DIGIT.search(text))
        self._digit_texts = tuple(text for text in self._literals if _DIGIT.search(text))

    def _candidates(self, lowered: str) -> list[int]:
        """The positions of the rules whose literal ``lowered`` contains, in order.

        Lines repeat with other numbers: the digit-free literals found in a line are
        the same in every line that differs from it only in digits, so they are cached
        by the line with its digits as 0 (no digit-free literal can match where a digit is).
        """
        key = lowered.translate(_ZERO_DIGITS)
        present = self._present.get(key)
        if present is None:
            present = self._digit_free.within(key)
            if len(self._present) < 100_000:
                self._present[key] = present
        found = present + [text for text in self._digit_texts if text in lowered]
        return sorted({i for text in found for i in self._literals[text]})

    def judge(self, message: str, priority: int | None = None) -> tuple[Rule | None, Level | None]:
        """(the first rule matching ``message``, None) or (None, the level it is reported at, or None).

        An error line no rule matches that is about one client (``log_levels.about_one_client``)
        is ``client_errors``'s, when there is one: (that rule, None).
        """
        rule = self.classify(message)
        if rule is not None:
            return rule, None
        key = (message, priority)
        found = self._judged.get(key)
        if found is None:
            level = log_levels.judge(message, priority, self.statuses, ERROR_LIKE)
            noise = self.client_errors
            found = (noise, None) if noise and level == Level.ERROR and log_levels.about_one_client(message) else (
                None, level)  # fmt: skip
            if len(self._judged) < 100_000:
                self._judged[key] = found
        return found

    def classify(self, message: str) -> Rule | None:
        """The first rule matching ``message``, or None."""
        if message in self._cache:
            return self._cache[message]
        candidates = self._candidates(message.lower())
        found = next((self.rules[i] for i in candidates if self.rules[i].regex.search(message)), None)
        if len(self._cache) < 100_000:
            self._cache[message] = found
        return found


class Classifier:
    """The knowledge base, compiled once per run: each pattern's rule and the host filter
    are computed once per pattern set, and one source classifier (with its caches) serves
    every source whose scope selects the same rules, on every host (``shared``).
    ``client_errors_rate``: ``logs.client_errors_rate`` (None: error lines about one client
    stay unknown errors)."""

    def __init__(
        self,
        patterns: Sequence[LogPattern],
        error_statuses: Sequence[str] = ("5xx",),
        client_errors_rate: str | None = None,
    ) -> None:
        self.patterns = list(patterns)
        self.error_statuses = tuple(error_statuses)
        self.client_errors = _client_errors(client_errors_rate) if client_errors_rate else None
        self.rules = [_rule(p) for p in self.patterns]
        self.stated_critical = _stated_critical()
        self._statuses = log_levels.parse_statuses(self.error_statuses)
        self._scoped = [i for i, rule in enumerate(self.rules) if rule.pattern.scope]
        self._host_filter: list[str] | None = None
        self._by_source: dict[tuple[str, str], SourceClassifier] = {}
        self._by_rules: dict[tuple[int, ...], SourceClassifier] = {}

    def for_source(self, name: str, image: str = "") -> SourceClassifier:
        """The rules in scope for a source named ``name`` running ``image``."""
        found = self._by_source.get((name, image))
        if found is None:
            outside = {i for i in self._scoped if not self.rules[i].in_scope(name, image)}
            positions = tuple(i for i in range(len(self.rules)) if i not in outside)
            found = self._by_rules.get(positions)
            if found is None:
                found = self._by_rules[positions] = SourceClassifier(
                    [self.rules[i] for i in positions], self._statuses, self.client_errors
                )
            self._by_source[(name, image)] = found
        return found

    def host_filter(self) -> list[str]:
        if self._host_filter is None:
            self._host_filter = host_filter_strings(self.patterns, self.error_statuses)
        return self._host_filter


_SHARED: dict[tuple[tuple[int, ...], tuple[str, ...], str | None], Classifier] = {}


def shared(
    patterns: Sequence[LogPattern],
    error_statuses: Sequence[str] = ("5xx",),
    client_errors_rate: str | None = None,
) -> Classifier:
    """The run's one classifier of ``patterns``, however many hosts and tests ask for it.

    Found by the patterns' identity, which is cheap (a pattern's own hash reads all its
    fields): the classifier keeps the patterns it was built from, so no other object can
    take one of their ids while its entry lives.
    """
    key = (tuple(map(id, patterns)), tuple(error_statuses), client_errors_rate)
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= 64:  # a long-lived process building many inventories
            _SHARED.clear()
        found = _SHARED[key] = Classifier(patterns, error_statuses, client_errors_rate)
    return found


# Normalized parts of a message, in the order they are tried; each part's regex is
# also what the suggested pattern uses in its place, so the suggestion matches the lines.
_PARTS: tuple[tuple[str, str], ...] = (
    ("ts", r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
           r"|\d{1,2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
           r"|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
    ("uuid", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    ("ip", r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b|\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b"),
    ("hex", r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"),
    ("n", r"\d+(?:\.\d+)*"),
)  # fmt: skip
_NORMALIZE = re.compile("|".join(f"(?P<{name}>{regex})" for name, regex in _PARTS))
_PART_REGEX = dict(_PARTS)
MAX_TEMPLATE_CHARS = 300


def template(message: str) -> str:
    """``message`` with its variable parts replaced by ``<ts>``, ``<uuid>``, ``<ip>``, ``<hex>``, ``<n>``."""
    return _NORMALIZE.sub(lambda m: f"<{m.lastgroup}>", message[:MAX_TEMPLATE_CHARS].strip())


def template_regex(message: str) -> str:
    """A regex matching every line with ``message``'s template (the suggested pattern's regex)."""
    text = message[:MAX_TEMPLATE_CHARS].strip()
    parts, end = [], 0
    for match in _NORMALIZE.finditer(text):
        parts.append(re.escape(text[end : match.start()]))
        parts.append(f"(?:{_PART_REGEX[match.lastgroup or 'n']})")
        end = match.end()
    parts.append(re.escape(text[end:]))
    return "".join(parts)


def suggestion(message: str, source: str) -> str:
    """A ``log_patterns:`` entry (YAML) classifying ``message``'s template, to paste and complete."""
    words = re.findall(r"[a-z]+", _NORMALIZE.sub(" ", message[:MAX_TEMPLATE_CHARS]).lower())
    slug = "-".join(words)[:48].strip("-") or "unknown-error"
    entry = {
        "id": slug,
        "regex": template_regex(message),
        "severity": "warning",
        "explanation": f"TODO: what this line from {source} means",
        "remediation": "TODO: what to do about it, or a runbook reference",
        "scope": [source.rsplit("/", 1)[-1]],
        "example": message[:MAX_TEMPLATE_CHARS].strip(),
    }
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=10_000)
    return "# severity: critical | warning | acceptable (acceptable needs rate: like 20/h)\n" + text


if __name__ == "__main__":
    print(f"wrote {write_shipped_validated()}")
