"""The sandbox's modules import each other one way: no import cycle, no import hidden in a function.

Read from the source with ``ast`` (nothing is imported, no root needed): every
``import sandbox.x`` / ``from sandbox import x`` / ``from sandbox.x import y`` in
``sandbox/*.py`` is an edge, wherever it stands in the file. A cycle among them is
a failure, and so is an import of a sandbox module inside a function or class:
that is how a cycle hides.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

SANDBOX = REPO / "sandbox"


def _modules() -> dict[str, Path]:
    return {path.stem: path for path in sorted(SANDBOX.glob("*.py")) if path.stem != "__init__"}


def _imported(node: ast.AST, known: set[str]) -> set[str]:
    """The sandbox modules an import statement names."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "sandbox" and len(parts) > 1:
                found.add(parts[1])
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        parts = node.module.split(".")
        if parts[0] == "sandbox":
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
    return found & known


def _edges() -> dict[str, set[str]]:
    """Module → the sandbox modules it imports anywhere in its file."""
    modules = _modules()
    known = set(modules)
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges[name] = set().union(*(_imported(node, known) for node in ast.walk(tree))) - {name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_sandbox_modules_import_each_other_without_a_cycle() -> None:
    edges = _edges()
    assert edges["scenarios"], "the graph is empty: the parser found no sandbox imports"
    cycles = _cycles(edges)
    assert not cycles, "sandbox import cycles: " + "; ".join(" ↔ ".join(cycle) for cycle in cycles)


def test_sandbox_modules_import_sandbox_modules_at_the_top_only() -> None:
    known = set(_modules())
    hidden = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        top = {id(node) for node in tree.body} | {
            id(inner) for node in tree.body if isinstance(node, ast.If | ast.Try) for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) not in top:
                hidden += [f"sandbox/{name}.py:{getattr(node, 'lineno', 0)} imports {target} in a function or class"
                           for target in sorted(_imported(node, known))]  # fmt: skip
    assert not hidden, "\n".join(hidden)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
