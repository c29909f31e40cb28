"""golive's pytest plugin (the ``pytest11`` entry point): options and configuration.

``pytest_addoption`` and ``pytest_configure`` are the only module-level hooks. The
configure hook loads the inventory, creates the run's state (``golive.session``),
registers golive's fixtures (``golive.fixtures``) and the objects whose methods are the
rest of golive's hooks: ``golive.run_session.GoliveSession`` (collection, reports,
grading, the verdict) and, when their plugins are active, ``golive.optional_hooks``
(pytest-xdist, pytest-html).
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import signal
from dataclasses import replace
from pathlib import Path
from types import TracebackType

import pytest

from golive import criteria, fixtures, sharding, shipped
from golive.errors import InventoryError, TargetError
from golive.inventory import Inventory, load_inventory, load_rubric
from golive.optional_hooks import PytestHtmlHooks, XdistHooks
from golive.redact import redact
from golive.run_session import GoliveSession
from golive.session import RunState, start


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("golive", "golive production readiness")
    group.addoption("--inventory", metavar="PATH", help="the fleet inventory (default: hosts.yaml in the rootdir)")
    group.addoption(
        "--rubric", metavar="FILE", help="a YAML file overriding the rubric (same keys as the rubric: section)"
    )
    group.addoption(
        "--report-dir",
        metavar="DIR",
        default="reports",
        help="where readiness.html and readiness.json go (default: reports)",
    )
    group.addoption("--fail-under", metavar="SCORE", type=float, help="also fail the run when the score is below SCORE")
    group.addoption(
        "--shard",
        dest="golive_shard",
        metavar="K/N",
        help="run only the hosts of shard K of N (CI matrix); merge the JSON records with python -m golive merge",
    )
    group.addoption(
        "--metrics-file",
        metavar="PATH",
        help="also write the grade as Prometheus metrics (for node exporter's textfile collector, e.g. golive.prom)",
    )
    group.addoption(
        "--summary-md",
        metavar="FILE",
        help="also write a Markdown summary (verdict, categories, critical failures, top fixes), "
        "e.g. --summary-md=$GITHUB_STEP_SUMMARY",
    )
    group.addoption(
        "--criteria-reference",
        metavar="PATH",
        help="with --collect-only: write the criteria reference (Markdown) generated from the collected criteria",
    )
    group.addoption(
        "--baseline",
        metavar="FILE",
        help="compare with this readiness.json (e.g. the last accepted phase) instead of the previous run",
    )
    group.addoption(
        "--gate",
        action="store_true",
        help="exit status decided only by critical failures and --fail-under (warnings never block)",
    )
    parser.addini(
        "golive_suite", "directories holding criteria (each test there must be a criterion)", type="paths", default=[]
    )
    parser.addini("golive_inventory", "default inventory file, relative to the rootdir", default="hosts.yaml")
    group.addoption(
        "--golive-criteria",
        dest="golive_criteria",
        action="store_true",
        default=None,
        help="also run golive's own criteria (installed with golive), whatever paths the run names",
    )
    group.addoption(
        "--no-golive-criteria",
        dest="golive_criteria",
        action="store_false",
        help="run only your own criteria (golive_suite); where golive's are part of the suite the run is partial",
    )
    parser.addini(
        "golive_criteria",
        "when golive's own criteria run: auto (when no test paths are named and no testpaths set), "
        "always (whenever no test paths are named), never",
        default="auto",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for line in criteria.MARKERS:
        config.addinivalue_line("markers", line)
    _refuse_hijacked_rootdir(config)
    shard = None
    if config.getoption("golive_shard"):
        try:
            shard = sharding.parse_shard(config.getoption("golive_shard"))
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    try:
        inventory = _load_inventory(config)
    except InventoryError as exc:
        raise pytest.UsageError(str(exc)) from None
    redact.add(inventory.secrets)
    state = RunState(inventory, shard=shard)
    start(config, state)
    _include_shipped_criteria(config, state)
    if not is_worker(config):
        report_dir = Path(config.getoption("report_dir"))
        state.json_path = report_dir / "readiness.json"
        if not config.getoption("htmlpath", None):
            # golive writes the page from the record (golive.html_report.page), as a merge does;
            # pytest-html's page, with golive's columns and evidence, only under --html
            state.html_path = report_dir / "readiness.html"
            state.html_is_ours = True
        else:
            state.html_path = Path(config.getoption("htmlpath"))
        if config.pluginmanager.hasplugin("html"):
            config.pluginmanager.register(PytestHtmlHooks(state), "golive.html")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(XdistHooks(state), "golive.xdist")
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            state.previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    config.pluginmanager.register(GoliveSession(config, state), "golive.run")
    if _collects(config):
        for name in fixtures.PLUGINS:
            if not config.pluginmanager.has_plugin(name):
                config.pluginmanager.register(importlib.import_module(name), name)
        from golive.host_lookahead import HostLookahead  # imports the checks, as the fixtures just did

        config.pluginmanager.register(HostLookahead(config, state), "golive.lookahead")


def _collects(config: pytest.Config) -> bool:
    """Whether this process collects tests, and so needs golive's fixtures (their modules
    import what the criteria read with: HTTP, TLS, log patterns, ...). xdist's controller
    does not: its workers collect and run, it hands them tests and takes their reports
    (the same test as xdist's own; collect-only and fixture listings stay in the process)."""
    if is_worker(config) or not config.pluginmanager.hasplugin("xdist"):
        return True
    option = config.option
    if option.collectonly or getattr(option, "showfixtures", False) or getattr(option, "show_fixtures_per_test", False):
        return True
    return getattr(option, "dist", "no") == "no" or not getattr(option, "tx", None)


_VALUE_OPTIONS = (
    "--inventory", "--rubric", "--report-dir", "--fail-under", "--shard", "--metrics-file", "--criteria-reference",
    "--baseline", "--summary-md",
)  # fmt: skip


def _refuse_hijacked_rootdir(config: pytest.Config) -> None:
    """pytest picks the rootdir before plugins add their options, so in ``--report-dir
    /tmp/x`` it takes ``/tmp/x`` for a test path: for a path outside the current
    directory the rootdir moves, and the ini file, testpaths and hosts.yaml are lost.
    Refuse that run with the fix rather than check the wrong thing."""
    args = list(config.invocation_params.args)
    here = config.invocation_params.dir.resolve()
    for option, value in itertools.pairwise(args):
        if option in _VALUE_OPTIONS and not (here / value).resolve().is_relative_to(here):
            raise pytest.UsageError(
                f"write {option}={value} (with '='): given apart, pytest takes {value} for a test path "
                f"when it chooses the rootdir (it chose {config.rootpath})"
            )


def _include_shipped_criteria(config: pytest.Config, state: RunState) -> None:
    """Add golive's installed criteria to the run's paths when it should grade with them
    (see golive.shipped); a path already in the run or in the user's suite is not added twice."""
    value = str(config.getini("golive_criteria")).strip().lower()
    try:
        mode = shipped.Mode(value)
    except ValueError:
        raise pytest.UsageError(
            f"golive_criteria = {value!r} in {config.inipath}: use one of auto, always, never"
        ) from None
    state.shipped = shipped.decide(
        mode,
        config.getoption("golive_criteria"),
        named_paths=config.args_source is pytest.Config.ArgsSource.ARGS,
        testpaths_set=bool(config.getini("testpaths")),
        inventory=state.inventory.path is not None,
    )
    state.shipped_directory = shipped.criteria_directory()
    if state.shipped_directory is None or not state.shipped.collected:
        return  # (xdist's workers decide alike, from the same command line)
    present = [(config.invocation_params.dir / arg.split("::", 1)[0]).resolve() for arg in config.args]
    if not any(state.shipped_directory.is_relative_to(path) for path in present):
        config.args.append(str(state.shipped_directory))


def _load_inventory(config: pytest.Config) -> Inventory:
    explicit = config.getoption("inventory")
    rubric_file = config.getoption("rubric")
    path = Path(explicit) if explicit else config.rootpath / config.getini("golive_inventory")
    if not explicit and not path.exists():
        inventory = Inventory.empty()
        if rubric_file:
            inventory = load_inventory_rubric_only(inventory, Path(rubric_file))
        return inventory
    return load_inventory(path, Path(rubric_file) if rubric_file else None)


def load_inventory_rubric_only(inventory: Inventory, rubric_file: Path) -> Inventory:
    return replace(inventory, rubric=load_rubric(rubric_file, inventory.rubric))


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a cancelled CI job) ends the run like Ctrl-C: reports are still
    written, marked incomplete, never READY."""
    raise KeyboardInterrupt(f"golive: stopped by signal {signum}")


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_without_traceback(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> pytest.TestReport | None:
    """Reports of failures whose traceback is never shown, made without walking it.

    A target error's report is made from its reason alone (the session's report wrapper
    replaces the text with the reason anyway): formatting its traceback (parsing the
    source of every frame) cost more than the test itself. A ``pytest.fail(...,
    pytrace=False)`` (a failed verdict) shows only its message, yet pytest filters the
    whole traceback first, pytest's and pluggy's frames included: its report is made from
    the traceback as that filter would leave it, from the test function on (the same text
    and location)."""
    excinfo = call.excinfo
    if excinfo is None:
        return None
    if excinfo.errisinstance(TargetError):
        try:
            raise pytest.fail.Exception(str(excinfo.value), pytrace=False)
        except pytest.fail.Exception:
            replacement: pytest.ExceptionInfo[BaseException] | None = pytest.ExceptionInfo.from_current()
    elif excinfo.errisinstance(pytest.fail.Exception) and not item.config.getoption("fulltrace", False):
        replacement = _from_test_function(item, excinfo)
    else:
        replacement = None
    if replacement is None:
        return None
    call.excinfo = replacement
    try:
        return pytest.TestReport.from_item_and_call(item, call)
    finally:
        call.excinfo = excinfo


def _from_test_function(
    item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]
) -> pytest.ExceptionInfo[BaseException] | None:
    """A message-only failure (``pytrace=False``) raised under the test function, with its
    traceback starting at the test function's frame; None for any other failure."""
    failure = excinfo.value
    function = getattr(item, "function", None)
    if not isinstance(failure, pytest.fail.Exception) or failure.pytrace or function is None:
        return None
    code = getattr(inspect.unwrap(function), "__code__", None)
    frame: TracebackType | None = excinfo.tb
    while frame is not None and frame.tb_frame.f_code is not code:
        frame = frame.tb_next
    if frame is None:
        return None
    return pytest.ExceptionInfo.from_exc_info((type(failure), failure, frame))
