"""LogQL log queries as the sandbox's Loki stand-in understands them.

A stream selector (``{host="h1", job=~"app.*"}``: ``=``, ``!=``, ``=~``, ``!~``, label
regexes anchored as Loki anchors them) followed by line filters (``|= "text"``,
``!= "text"``, ``|~ "regex"``, ``!~ "regex"``). No parsers, no metric queries: a
query using them is refused with a ``ValueError`` saying so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')
_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class LogQuery:
    """A LogQL log query: a stream selector and line filters (no parsers, no metrics)."""

    matchers: tuple[tuple[str, str, str], ...]
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> LogQuery:
        text = text.strip()
        if not text.startswith("{") or "}" not in text:
            raise ValueError(f'the sandbox\'s Loki stand-in only takes log queries like {{host="h1"}}: {text!r}')
        selector, rest = text[1:].split("}", 1)
        matchers = [(m[1], m[2], _unquote(m[3])) for m in _MATCHER.finditer(selector)]
        if not matchers or _MATCHER.sub("", selector).strip():
            raise ValueError(f"bad stream selector: {{{selector}}}")
        filters = [(f[1], _unquote(f[2])) for f in _FILTER.finditer(rest)]
        if _FILTER.sub("", rest).strip():
            raise ValueError(f"the sandbox's Loki stand-in only takes line filters after the selector: {rest!r}")
        return cls(tuple(matchers), tuple(filters))

    def selects(self, labels: dict[str, str]) -> bool:
        return all(_matches(labels.get(name, ""), op, value) for name, op, value in self.matchers)

    def keeps(self, line: str) -> bool:
        ops = {"|=": lambda v: v in line, "!=": lambda v: v not in line}
        ops |= {"|~": lambda v: re.search(v, line) is not None, "!~": lambda v: re.search(v, line) is None}
        return all(ops[op](value) for op, value in self.filters)


def _matches(actual: str, op: str, value: str) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    full = re.fullmatch(value, actual) is not None  # Loki anchors label regexes
    return full if op == "=~" else not full


def _unquote(text: str) -> str:
    return json.loads(f'"{text}"')
