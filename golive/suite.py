"""The criteria a suite declares, read from its source files without importing them.

What pytest collected is not evidence of what the suite holds: ``--ignore``,
``--ignore-glob``, a conftest's ``collect_ignore`` or a module that failed to import
drop criteria silently. So golive reads every ``criterion("ID", ...)`` mark in the
files of the suite directories with Python's ``ast`` (nothing runs) and compares
that catalogue with the criteria that ran.
"""

from __future__ import annotations

import ast
import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")


def declared_criteria(
    directories: Iterable[Path],
    python_files: Iterable[str] = DEFAULT_PYTHON_FILES,
    skip_directories: Iterable[str] = (),
) -> dict[str, Path]:
    """Each criterion ID marked in the test files under ``directories``, with its file.

    ``python_files`` and ``skip_directories`` are pytest's ``python_files`` and
    ``norecursedirs`` globs, so the files read are the ones pytest would collect."""
    patterns, skipped = tuple(python_files), tuple(skip_directories)
    found: dict[str, Path] = {}
    for directory in directories:
        for path in _test_files(Path(directory), patterns, skipped):
            for criterion_id in criterion_ids(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(criterion_id, path)
    return dict(sorted(found.items()))


def criterion_ids(source: str) -> list[str]:
    """The literal IDs of ``criterion("ID", ...)`` calls (``pytest.mark.criterion`` or a
    bare ``criterion``) in Python source; none when it does not parse (pytest reports that
    module as a collection error)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    ids = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        first = node.args[0]
        if name == "criterion" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            ids.append(first.value)
    return ids


def _test_files(directory: Path, patterns: tuple[str, ...], skipped: tuple[str, ...]) -> list[Path]:
    if directory.is_file():
        return [directory]
    files: list[Path] = []
    for root, subdirectories, names in os.walk(directory):
        subdirectories[:] = sorted(
            d for d in subdirectories if d != "__pycache__" and not any(fnmatch.fnmatch(d, g) for g in skipped)
        )
        files.extend(Path(root) / n for n in sorted(names) if any(fnmatch.fnmatch(n, p) for p in patterns))
    return files
