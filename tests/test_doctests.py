"""The examples in golive's docstrings (``>>>``) run and hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import golive
import golive.checks
import golive.facts
import golive.fixtures


def test_docstring_examples_hold() -> None:
    """checks/ and fixtures/ install as golive.checks and golive.fixtures, so each is walked on its own."""
    names = sorted(
        module.name
        for package in (golive, golive.facts, golive.checks, golive.fixtures)
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")
        if module.name != "golive.__main__"
    )
    assert "golive.checks.remote" in names and "golive.units" in names
    attempted = failed = 0
    for name in names:
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        attempted += result.attempted
        failed += result.failed
    assert attempted > 0, "no docstring example found"
    assert failed == 0, f"{failed} of {attempted} docstring examples failed (their output is above)"
