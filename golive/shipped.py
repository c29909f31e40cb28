"""golive's own criteria, installed with the package, and when a run includes them.

The criteria in the repo's ``tests_infra/`` install as ``golive.tests_infra``, so an
infra repo holding only ``hosts.yaml`` (and perhaps criteria of its own) grades with
them. They join a run like a directory named on the command line:

- ``golive_criteria = auto`` (the default): when the run names no test paths, the ini
  file sets no ``testpaths`` and there is an inventory (``hosts.yaml`` or ``--inventory``),
  i.e. plain ``pytest`` in an infra repo;
- ``golive_criteria = always``: whenever the run names no test paths (``testpaths`` too);
- ``golive_criteria = never``: never (a repo that keeps its own copy of them);
- ``--golive-criteria`` adds them to any run, ``--no-golive-criteria`` leaves them out.

Where a plain ``pytest`` would collect them they are part of the suite: a run that
leaves them out (or some of them) is partial, as any deselection is.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

PACKAGE = "golive.tests_infra"


class Mode(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def criteria_directory() -> Path | None:
    """Where the installed criteria are (the repo's tests_infra/ in an editable install)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except ModuleNotFoundError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@dataclass(frozen=True)
class Inclusion:
    """Whether golive's criteria are collected in a run, and whether they are in its suite."""

    collected: bool
    in_suite: bool


def decide(mode: Mode, option: bool | None, *, named_paths: bool, testpaths_set: bool, inventory: bool) -> Inclusion:
    """``option`` is ``--golive-criteria`` (True) / ``--no-golive-criteria`` (False) / neither;
    ``named_paths``: the command line named test paths; ``testpaths_set``: the ini file sets
    ``testpaths``; ``inventory``: the run has an inventory file."""
    by_default = mode is Mode.ALWAYS or (mode is Mode.AUTO and not testpaths_set and inventory)
    if option is not None:
        return Inclusion(collected=option, in_suite=option or by_default)
    return Inclusion(collected=by_default and not named_paths, in_suite=by_default)
