"""Dependencies point one way: core ← checks ← fixtures ← criteria, the plugin on top.

Every import of golive's modules (at module level, inside functions and under
``TYPE_CHECKING`` alike) is read with ``ast`` from the source tree, mapped to the
installed name (``checks/x.py`` is ``golive.checks.x``, see pyproject.toml's
package-dir) and checked: no module imports a module of a higher layer, and no
import cycle exists among golive's modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"golive": ROOT / "golive", "golive.checks": ROOT / "checks", "golive.fixtures": ROOT / "fixtures",
           "golive.tests_infra": ROOT / "tests_infra"}  # fmt: skip
"""Installed package → source directory (pyproject.toml's [tool.setuptools.package-dir])."""

LAYERS = ("core", "checks", "fixtures", "criteria", "top")
TOP = ("golive.plugin", "golive.run_session", "golive.run_scope", "golive.optional_hooks", "golive.host_scheduling",
       "golive.host_lookahead", "golive.__main__", "golive.init")  # fmt: skip
"""Modules above every layer: the pytest plugin and its hook objects, and the commands; nothing below imports them."""

KNOWN_BACK_EDGES: set[tuple[str, str]] = set()
"""Back-edges not removed yet: none left, and none may be added."""


def layer_of(module: str) -> str:
    if any(module == top or module.startswith(top + ".") for top in TOP):
        return "top"
    for package, layer in (("golive.checks", "checks"), ("golive.fixtures", "fixtures"),
                           ("golive.tests_infra", "criteria")):  # fmt: skip
        if module == package or module.startswith(package + "."):
            return layer
    return "core"


def modules() -> dict[str, Path]:
    """Every golive module by its installed name."""
    found = {}
    for package, directory in SOURCES.items():
        for path in sorted(directory.rglob("*.py")):
            if package == "golive" and any(path.is_relative_to(d) for d in SOURCES.values() if d != directory):
                continue
            parts = list(path.relative_to(directory).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The golive modules ``module`` imports, wherever in the file the import stands."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from golive.checks import remote`` imports golive.checks.remote, ``from x import name`` x
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for name in names:
            # the longest known module the name starts with (``from golive import record`` is golive.record)
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module and name != "golive":
                targets.add(name)
    return targets


def graph() -> dict[str, set[str]]:
    known = modules()
    return {module: imports(module, path, set(known)) for module, path in known.items()}


def test_the_tree_is_read_as_installed() -> None:
    found = modules()
    assert {"golive.plugin", "golive.rubric", "golive.checks.remote", "golive.fixtures.hosts"} <= set(found)
    assert any(name.startswith("golive.tests_infra.test_") for name in found)


def test_no_module_imports_a_higher_layer() -> None:
    back_edges = {
        (module, target)
        for module, targets in graph().items()
        for target in targets
        if LAYERS.index(layer_of(target)) > LAYERS.index(layer_of(module))
    }
    assert back_edges - KNOWN_BACK_EDGES == set(), "imports against the layers"


def test_criteria_and_fixtures_do_not_import_each_other_sideways() -> None:
    """A criterion module imports no other criterion module: each stands alone."""
    edges = graph()
    sideways = {(m, t) for m, ts in edges.items() for t in ts if layer_of(m) == layer_of(t) == "criteria"}
    assert sideways == set()


def test_no_import_cycle() -> None:
    edges = {module: targets - {t for m, t in KNOWN_BACK_EDGES if m == module} for module, targets in graph().items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from golive.plugin import x", {"golive.plugin"}),
        ("def f():\n    from golive import plugin", {"golive.plugin"}),
        ("from . import remote", {"golive.checks.remote"}),
        ("import golive.checks.remote as r", {"golive.checks.remote"}),
    ],
)
def test_every_kind_of_import_is_seen(tmp_path: Path, source: str, expected: set[str]) -> None:
    path = tmp_path / "m.py"
    path.write_text(source + "\n")
    known = {"golive.plugin", "golive.checks", "golive.checks.remote", "golive.checks.m"}
    assert imports("golive.checks.m", path, known) == expected
