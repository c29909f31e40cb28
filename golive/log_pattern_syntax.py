"""What a log pattern or log policy may say, checked where hosts.yaml is read.

A pattern's ``severity`` (one of ``PATTERN_SEVERITIES``: a criterion's severities, and
``benign`` for a known line that needs no action), its ``rate`` (``20/h``), the
literal every match of its ``regex`` contains (at least ``MIN_LITERAL`` characters:
the host keeps candidate lines by it), and a policy's access-log error statuses
(``5xx``, ``429``). The inventory validates with these and the log classifier
(``golive.checks.log_patterns``) applies them; this module imports neither.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from importlib import resources
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from golive.outcomes import SEVERITIES as SEVERITIES
from golive.units import parse_duration

BENIGN = "benign"
PATTERN_SEVERITIES: tuple[str, ...] = (*SEVERITIES, BENIGN)
MIN_LITERAL = 3
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*([a-z]+)\s*$")


def parse_rate(text: str) -> tuple[int, float]:
    """A tolerated rate like ``20/h``, ``5/10m`` or ``100/d`` as (count, seconds)."""
    match = _RATE.match(str(text))
    if not match:
        raise ValueError(f"expected a rate like 20/h, 5/10m or 100/d, got {text!r}")
    count, amount, unit = match.groups()
    return int(count), parse_duration(f"{amount or '1'}{unit}")


def parse_statuses(specs: Sequence[str]) -> tuple[str, ...]:
    """``5xx``, ``4xx`` or an exact ``429`` as status prefixes ("5", "4", "429")."""
    prefixes = []
    for spec in specs:
        text = str(spec).strip().lower()
        if re.fullmatch(r"[1-5]xx", text):
            prefixes.append(text[0])
        elif re.fullmatch(r"[1-5]\d\d", text):
            prefixes.append(text)
        else:
            raise ValueError(f"expected an HTTP status like 5xx, 4xx or 429, got {spec!r}")
    return tuple(prefixes)


@functools.lru_cache(maxsize=4096)
def compiled(regex: str) -> re.Pattern[str]:
    """A pattern's regex compiled once per process: when it is validated and when a classifier
    applies it (``re``'s own cache keeps 512, fewer than the knowledge base's patterns)."""
    return re.compile(regex)


@functools.cache
def required_literals(regex: str) -> tuple[str, ...] | None:
    """Strings at least one of which every match of ``regex`` contains (None: none found),
    lower-cased, a letter beyond ASCII in both cases.

    Computed once per regex (the parse is the costly part of building a classifier), and
    read from ``shipped_literals`` for the shipped knowledge base's regexes.
    """
    known = shipped_literals().get(regex)
    return known if known is not None else derive_literals(regex)


def derive_literals(regex: str) -> tuple[str, ...] | None:
    """``required_literals``, read from the regex's parse tree: runs of literal characters
    (small character classes and alternatives of literals multiply out), alternatives whose
    every branch has one, groups and repeats of at least one. The most selective choice
    (longest shortest member) wins."""
    found = _literals(sre_parse.parse(regex), {})[1]
    return None if found is None else tuple(sorted(found))


SHIPPED_VALIDATED = "log_patterns.validated.json"
"""In golive's ``knowledge`` directory, beside the shipped patterns: the patterns as read
from the YAML file (``log_patterns``), that file's SHA-256 (``source_sha256``) and each
regex's ``derive_literals`` (``literals``), written with ``python -m golive.checks.log_patterns``
once the file is validated in full, examples included (a self-test keeps it current)."""


@functools.cache
def shipped_validated() -> dict[str, Any]:
    """The shipped knowledge base as validated when it was written (``SHIPPED_VALIDATED``;
    empty when the file is missing). Read as JSON, it costs each process a tenth of the
    CPU of parsing the YAML again and leaves no parse tree to fragment its heap."""
    try:
        text = (resources.files("golive") / "knowledge" / SHIPPED_VALIDATED).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    table: dict[str, Any] = json.loads(text)
    return table


@functools.cache
def shipped_literals() -> dict[str, tuple[str, ...]]:
    """The shipped regexes' literals, as derived when the knowledge base was written: a
    regex found here was valid and matched its examples then, and is not parsed again in
    each run's processes (about 0.6 s of CPU each)."""
    return {regex: tuple(found) for regex, found in shipped_validated().get("literals", {}).items() if found}


_MAX_EXACT = 32
Strings = frozenset[str]


@functools.cache
def _cases(code: int) -> Strings:
    """A literal character as the host's filter must look for it: lower-cased when ASCII
    (``grep -i`` in the C locale folds ASCII letters), in both cases otherwise (it folds no
    other letter)."""
    char = chr(code)
    return frozenset({char.lower()}) if char.isascii() else frozenset({char.lower(), char.upper()})


Found = tuple[Strings | None, Strings | None]
"""``_literals``' answer for a sequence: (the strings it matches exactly if finite, the best required set)."""


def _exact_item(op: Any, av: Any, seen: dict[int, Found]) -> Strings | None:
    """The strings a single regex item matches exactly, when it is a small finite literal set."""
    if op is sre.LITERAL:
        return _cases(av)
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in av) and len(av) <= 8:
        return frozenset[str]().union(*(_cases(value) for _, value in av))
    if op is sre.SUBPATTERN:
        return _literals(av[-1], seen)[0]
    if op is sre.BRANCH:
        branches = [_literals(branch, seen)[0] for branch in av[1]]
        known = [branch for branch in branches if branch is not None]
        if len(known) == len(branches):
            return frozenset[str]().union(*known)
    return None


def _contains_item(op: Any, av: Any, seen: dict[int, Found]) -> Strings | None:
    """Strings one of which every match of a non-literal item contains."""
    if op is sre.SUBPATTERN:
        return _literals(av[-1], seen)[1]
    if op is sre.ATOMIC_GROUP:
        return _literals(av, seen)[1]
    if op is sre.BRANCH:
        branches = [_literals(branch, seen)[1] for branch in av[1]]
        known = [branch for branch in branches if branch is not None]
        if len(known) == len(branches):
            return frozenset[str]().union(*known)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _literals(av[2], seen)[1]
    return None


def _literals(items: Any, seen: dict[int, Found]) -> Found:
    """(the strings the sequence matches exactly if finite, the best required set).

    ``seen``: the answers for the sequences of this parse tree already read, by identity (an
    item's exact strings and its required ones read the same sub-sequence; the tree outlives
    ``seen``, so no other object takes an id meanwhile).
    """
    known = seen.get(id(items))
    if known is not None:
        return known
    options: list[Strings] = []
    run: Strings | None = None
    exact_whole = True
    for op, av in items:
        exact = _exact_item(op, av, seen)
        if exact is not None and (run is None or len(run) * len(exact) <= _MAX_EXACT):
            run = exact if run is None else frozenset(a + b for a in run for b in exact)
            continue
        exact_whole = False
        if run is not None:
            options.append(run)
            run = exact
            if exact is not None:
                continue
        inner = _contains_item(op, av, seen)
        if inner is not None:
            options.append(inner)
    if run is not None:
        options.append(run)
    whole = run if exact_whole and run is not None else (frozenset({""}) if exact_whole else None)
    best = max(options, key=lambda option: min(map(len, option))) if options else None
    seen[id(items)] = (whole, best)
    return whole, best
