"""What a run was: its metadata, and how much of the suite it covered.

Plain functions of pytest's config and session and the run's state, read by the
plugin when it grades: a run narrowed by ``-m``/``-k``/paths is *partial*, one that
did not reach its end is *incomplete*; neither is ever READY.
"""

from __future__ import annotations

import datetime as dt
import getpass
import platform
import socket
import subprocess
import time
from pathlib import Path

import pytest

import golive
from golive import suite
from golive.record_schema import RunMetadata
from golive.session import RunState

_SELECTION_OPTIONS = {
    "markexpr": "-m", "keyword": "-k", "deselect": "--deselect", "lf": "--lf",
    "failedfirst": None, "stepwise": "--sw", "golive_shard": "--shard",
}  # fmt: skip


def suite_directories(config: pytest.Config, state: RunState | None) -> list[Path]:
    """The user's criteria directories, and golive's own where they are part of the suite."""
    own: list[Path] = config.getini("golive_suite") or [config.rootpath / "tests_infra"]
    if state is None or state.shipped_directory is None or not state.shipped.in_suite:
        return own
    if any(state.shipped_directory == Path(d).resolve() for d in own):
        return own
    return [*own, state.shipped_directory]


def in_suite(item: pytest.Item, state: RunState) -> bool:
    return any(item.path.is_relative_to(directory) for directory in suite_directories(item.config, state))


def meant_to_grade(config: pytest.Config, state: RunState) -> bool:
    """A run with golive's criteria, a criterion collected, an inventory and no test path
    named, or a path overlapping a suite directory is a readiness run even when no
    criterion ran: it still writes its record."""
    if state.shipped.collected or state.catalogue or state.nothing_declared:
        return True
    if state.inventory.path is not None and config.args_source is not pytest.Config.ArgsSource.ARGS:
        return True
    here = config.invocation_params.dir
    paths = [(here / arg.split("::", 1)[0]).resolve() for arg in config.args]
    suites = [Path(d).resolve() for d in suite_directories(config, state) if Path(d).exists()]
    return any(p.is_relative_to(d) or d.is_relative_to(p) for p in paths for d in suites)


def why_nothing(session: pytest.Session, state: RunState) -> list[str]:
    """Why a readiness run graded nothing, said in its record."""
    if state.catalogue or state.nothing_declared:
        return ["no criterion ran (all deselected or not applicable)"]
    where = ", ".join(session.config.args)
    if state.shipped_directory is None:
        return [f"no criterion found in {where} (golive's own criteria are not installed)"]
    return [f"no criterion found in {where}"]


def partial_reasons(session: pytest.Session, state: RunState) -> list[str]:
    """How the run was narrowed: selection options, deselected tests, paths short of the suite."""
    config = session.config
    reasons = []
    for option, spelling in _SELECTION_OPTIONS.items():
        value = getattr(config.option, option, None)
        if value and spelling:
            reasons.append(f"{spelling} {value if not isinstance(value, bool) else ''}".strip())
    if state.deselected and not reasons:
        reasons.append(f"{state.deselected} test(s) deselected")
    for arg in config.args:
        path_part = arg.split("::", 1)[0]
        path = (config.invocation_params.dir / path_part).resolve()
        if "::" in arg or not any(d.resolve().is_relative_to(path) for d in suite_directories(config, state)):
            reasons.append(f"only {arg}")
    return reasons


def suite_criteria(config: pytest.Config, state: RunState) -> dict[str, Path]:
    """The criteria the suite's files mark, whatever pytest collected of them."""
    return suite.declared_criteria(
        suite_directories(config, state), config.getini("python_files"), config.getini("norecursedirs")
    )


def incomplete_reasons(session: pytest.Session, state: RunState, exitstatus: int) -> list[str]:
    """Why the run did not reach its end: collection errors, an interruption, crashed workers."""
    reasons = [f"collection error in {nodeid}" for nodeid in dict.fromkeys(state.collection_errors)]
    if int(exitstatus) not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        reasons.append(f"ended with {pytest.ExitCode(int(exitstatus)).name.lower()}")
    stopped = session.shouldstop or session.shouldfail
    if stopped:
        reasons.append(f"stopped early ({stopped})" if isinstance(stopped, str) else "stopped early")
    reasons.extend(f"worker {worker} crashed" for worker in state.crashed_workers)
    return reasons


def run_metadata(session: pytest.Session, state: RunState) -> RunMetadata:
    """Who ran what, where and when: the record's ``run`` section."""
    finished = dt.datetime.now(dt.UTC)
    inventory = state.inventory
    return {
        "golive_version": golive.__version__,
        "suite_commit": _git_commit(session.config.rootpath),
        "inventory": str(inventory.path) if inventory.path else None,
        "inventory_sha256": inventory.digest or None,
        "hosts": len(inventory.hosts),
        "started": state.started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_seconds": round(time.monotonic() - state.started_monotonic, 2),
        "runner": f"{getpass.getuser()}@{socket.gethostname()}",
        "python": platform.python_version(),
        "pytest": pytest.__version__,
        "workers": getattr(session.config.option, "numprocesses", None) or 0,
        "round_trips": dict(sorted(state.round_trips.items())),
        "shard": list(state.shard) if state.shard else None,
        "args": " ".join(session.config.invocation_params.args),
    }


def _git_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
