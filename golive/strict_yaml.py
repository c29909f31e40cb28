"""YAML read strictly: a key given twice in one mapping is an error, not a silent choice.

PyYAML keeps the last of two equal keys, so two hosts both named ``web1`` leave one
host out of the run with nothing to show for it. ``load`` refuses that, naming the key
and both lines, and can report the line of every key, so a later check (two list
entries with the same ``name:``) can name its lines too.

Documents are parsed with libyaml where PyYAML has it (the same nodes, lines and
values, ten times faster: every pytest process reads hosts.yaml and the knowledge base
of log patterns); a document libyaml refuses is parsed again by PyYAML's own parser,
whose messages name the offending character.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Lines = dict[str, int]
"""Key path (``hosts.web1.repos[0].name``) → the 1-based line the key is on."""

_MERGE = "tag:yaml.org,2002:merge"
_LIBYAML: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


class DuplicateKey(yaml.YAMLError):
    """A mapping gives the same key twice (``first`` and ``second`` are 1-based lines)."""

    def __init__(self, key: str, first: int, second: int) -> None:
        self.key = key
        self.first = first
        self.second = second
        super().__init__(f"{key} is given twice, at lines {first} and {second}")


def load(data: str | bytes) -> Any:
    """The document in ``data`` (like ``yaml.safe_load``); DuplicateKey when a key repeats."""
    return load_with_lines(data)[0]


def load_with_lines(data: str | bytes) -> tuple[Any, Lines]:
    """The document and the line of each of its keys; DuplicateKey when a key repeats."""
    if _LIBYAML is not None:
        try:
            return _load(_LIBYAML(data))
        except DuplicateKey:
            raise
        except yaml.YAMLError:
            pass  # said again, in PyYAML's words
    return _load(yaml.SafeLoader(data))


def _load(loader: yaml.SafeLoader | yaml.CSafeLoader) -> tuple[Any, Lines]:
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        _walk(loader, node, "", lines, set())
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _walk(loader: SafeConstructor, node: Node, path: str, lines: Lines, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its keys were checked where it was anchored
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                _walk(loader, value_node, path, lines, seen)
                continue
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            line = key_node.start_mark.line + 1
            # as the loader will build it: 'web1' and web1 are one key, and so are yes and true
            identity = loader.construct_object(key_node)
            if identity in first_line:
                raise DuplicateKey(key, first_line[identity], line)
            first_line[identity] = line
            lines.setdefault(key, line)
            _walk(loader, value_node, key, lines, seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(loader, item, f"{path}[{index}]", lines, seen)
