"""golive's pytest plugin: the only module that talks to pytest's hooks.

It loads the inventory, checks that every criterion is well-formed, carries each
test's criterion and evidence on its reports (so xdist's controller sees them),
grades the run with the rubric, sets the exit status and writes the reports.
"""

from __future__ import annotations

import datetime as dt
import getpass
import importlib
import itertools
import json
import platform
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import golive
from golive import criteria, evidence, fixtures, history, html_report, metrics, record, sharding, shipped, suite
from golive.criteria import Criterion, CriterionMarkError
from golive.errors import InventoryError, TargetError
from golive.evidence import Evidence
from golive.facts import Fleet
from golive.inventory import Inventory, load_inventory
from golive.redact import redact
from golive.results import Ledger

CRITERION = pytest.StashKey[Criterion]()
EVIDENCE = pytest.StashKey[Evidence]()
_SENT = pytest.StashKey[int]()
_STATE = pytest.StashKey["GoliveState"]()
_SELECTION_OPTIONS = {
    "markexpr": "-m", "keyword": "-k", "deselect": "--deselect", "lf": "--lf",
    "failedfirst": None, "stepwise": "--sw", "golive_shard": "--shard",
}  # fmt: skip


@dataclass
class GoliveState:
    """What one pytest session knows about the golive run."""

    inventory: Inventory
    shard: tuple[int, int] | None = None
    fleet: Fleet = field(default_factory=Fleet)
    ledger: Ledger = field(default_factory=Ledger)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started_monotonic: float = field(default_factory=time.monotonic)
    deselected: int = 0
    html_path: Path | None = None
    html_is_ours: bool = False
    json_path: Path | None = None
    record: dict[str, Any] | None = None
    round_trips: dict[str, int] = field(default_factory=dict)
    catalogue: dict[str, Criterion] = field(default_factory=dict)
    nothing_declared: set[str] = field(default_factory=set)
    collection_errors: list[str] = field(default_factory=list)
    crashed_workers: list[str] = field(default_factory=list)
    previous_sigterm: Any = None
    shipped: shipped.Inclusion = field(default_factory=lambda: shipped.Inclusion(False, False))
    shipped_directory: Path | None = None

    def add_round_trips(self, counts: dict[str, int]) -> None:
        """Remote commands per host, summed over this process and xdist's workers."""
        for host, count in counts.items():
            self.round_trips[host] = self.round_trips.get(host, 0) + count


def state_of(config: pytest.Config) -> GoliveState:
    return config.stash[_STATE]


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
    state = GoliveState(inventory, shard=shard)
    config.stash[_STATE] = state
    _include_shipped_criteria(config, state)
    if not is_worker(config):
        report_dir = Path(config.getoption("report_dir"))
        state.json_path = report_dir / "readiness.json"
        if not config.getoption("htmlpath", None):
            state.html_path = report_dir / "readiness.html"
            # pytest-html writes its page in place; it writes a hidden partial file instead,
            # which pytest_unconfigure renames into place (atomic: never half a report)
            config.option.htmlpath = str(_pending(state.html_path))
            config.option.self_contained_html = True
            state.html_is_ours = True
        else:
            state.html_path = Path(config.getoption("htmlpath"))
        config.pluginmanager.register(_ReportListener(state), "golive.ledger")
        if config.pluginmanager.hasplugin("html"):
            config.pluginmanager.register(_PytestHtmlHooks(state), "golive.html")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_XdistHooks(state), "golive.xdist")
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            state.previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    for name in fixtures.PLUGINS:
        if not config.pluginmanager.has_plugin(name):
            config.pluginmanager.register(importlib.import_module(name), name)


_VALUE_OPTIONS = (
    "--inventory", "--rubric", "--report-dir", "--fail-under", "--shard", "--metrics-file", "--criteria-reference",
    "--baseline",
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


def _include_shipped_criteria(config: pytest.Config, state: GoliveState) -> None:
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
    from golive.inventory import RubricSection, _read_yaml, _validate

    raw, _ = _read_yaml(rubric_file)
    inventory.rubric = _validate(RubricSection, raw, str(rubric_file)).apply(inventory.rubric)
    return inventory


def pytest_report_header(config: pytest.Config) -> str:
    inventory = state_of(config).inventory
    source = inventory.path or "none (no hosts.yaml)"
    return f"golive {golive.__version__}: inventory {source}, {len(inventory.hosts)} host(s)"


def _suite_directories(config: pytest.Config) -> list[Path]:
    """The user's criteria directories, and golive's own where they are part of the suite."""
    own: list[Path] = config.getini("golive_suite") or [config.rootpath / "tests_infra"]
    state = config.stash.get(_STATE, None)
    if state is None or state.shipped_directory is None or not state.shipped.in_suite:
        return own
    if any(state.shipped_directory == Path(d).resolve() for d in own):
        return own
    return [*own, state.shipped_directory]


def _in_suite(item: pytest.Item) -> bool:
    return any(item.path.is_relative_to(directory) for directory in _suite_directories(item.config))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """A test in the suite that is not a whole criterion fails its module's collection."""
    report = yield
    if not report.passed or not report.result:
        return report
    categories = state_of(collector.config).inventory.rubric.categories
    problems = []
    for node in report.result:
        if not isinstance(node, pytest.Function) or not (_in_suite(node) or criteria.is_marked(node)):
            continue
        try:
            found = criteria.criterion_of(node, categories)
        except CriterionMarkError as exc:
            problems.append(str(exc))
            continue
        node.stash[CRITERION] = found
        node.user_properties.extend(
            [("criterion", found.id), ("severity", found.severity), ("category", found.category)]
        )
    if problems:
        report.outcome = "failed"
        report.longrepr = "golive: not a well-formed criterion:\n" + "\n".join(dict.fromkeys(problems))
        report.result = []
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the whole catalogue of collected criteria, before -m/-k deselect any."""
    state = state_of(config)
    for item in items:
        found = item.stash.get(CRITERION, None)
        if found is not None:
            state.catalogue.setdefault(found.id, found)
    # a criterion whose subject the inventory does not declare is not collected (it is
    # reported as not applicable), rather than pytest's "got empty parameter set" skip
    for item in items:
        if _nothing_declared(item) and CRITERION in item.stash:
            state.nothing_declared.add(item.stash[CRITERION].id)
    items[:] = [item for item in items if not _nothing_declared(item)]
    if state.shard is not None:
        index, total = state.shard
        hosts = [host.name for host in state.inventory.hosts]
        mine = [sharding.shard_of(sharding.host_of(item.nodeid, hosts), hosts, total) == index for item in items]
        if not all(mine):
            config.hook.pytest_deselected(items=[item for item, ours in zip(items, mine, strict=True) if not ours])
            items[:] = [item for item, ours in zip(items, mine, strict=True) if ours]


def _nothing_declared(item: pytest.Item) -> bool:
    mark = item.get_closest_marker("skip")
    return mark is not None and str(mark.kwargs.get("reason", "")).startswith("got empty parameter set")


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    """Under --collect-only, list the criteria readably: ID, severity, category, instances, title."""
    if not config.option.collectonly:
        return []
    state = state_of(config)
    counts: dict[str, int] = {}
    for item in items:
        found = item.stash.get(CRITERION, None)
        if found is not None:
            counts[found.id] = counts.get(found.id, 0) + 1
    destination = config.getoption("criteria_reference")
    if destination:
        record.write_atomically(Path(destination), criteria.reference(state.catalogue.values()))
    lines = [f"golive: {len(counts)} criteria selected of {len(state.catalogue)} collected"]
    for found in sorted(state.catalogue.values(), key=lambda c: c.id):
        if found.id in counts:
            lines.append(
                f"  {found.id:<8} {found.severity:<10} {found.category:<15} ×{counts[found.id]:<3} {found.title}"
            )
    return lines


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        state_of(items[0].config).deselected += len(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    with evidence.collecting(item.stash.setdefault(EVIDENCE, Evidence())):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    with evidence.collecting(item.stash.setdefault(EVIDENCE, Evidence())):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Carry criterion, target, new evidence and the reason on the report; redact it."""
    report = yield
    _redact_report(report)
    found = item.stash.get(CRITERION, None)
    if found is None:
        return report
    entries = item.stash.setdefault(EVIDENCE, Evidence()).entries
    sent = item.stash.get(_SENT, 0)
    item.stash[_SENT] = len(entries)
    callspec = getattr(item, "callspec", None)
    data: dict[str, Any] = {
        "criterion": found.to_dict(),
        "target": callspec.id if callspec else "",
        "evidence": entries[sent:],
        "message": "",
        "error": False,
    }
    if call.excinfo is not None:
        data["error"] = call.excinfo.errisinstance(TargetError)
        data["message"] = evidence.clean(_reason(call.excinfo), 2000)
        if data["error"]:
            report.longrepr = f"could not check: {data['message']}"
    report.golive = data
    return report


def _reason(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    value = excinfo.value
    if isinstance(value, pytest.skip.Exception) or isinstance(value, pytest.fail.Exception):
        return str(value.msg)
    if isinstance(value, TargetError):
        return str(value)
    return excinfo.exconly()


_MAX_REPORT_TEXT = 20000


def _redact_report(report: pytest.TestReport) -> None:
    """Failure text and captured output are cleaned like evidence: no secret, no control
    code (terminal escapes), bounded size; pytest's own text is kept when already clean."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        cleaned = evidence.clean(text, _MAX_REPORT_TEXT)
        if cleaned != text:
            report.longrepr = cleaned
    report.sections = [(title, evidence.clean(content, _MAX_REPORT_TEXT)) for title, content in report.sections]


class _ReportListener:
    """Feeds every test report to the ledger, on the controller or the single process."""

    def __init__(self, state: GoliveState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.state.ledger.add_report(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # a module that failed to import may hold criteria nobody will ever see run
        if report.failed:
            self.state.collection_errors.append(report.nodeid or "the session")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Grade the run, write the JSON, adjust the exit status for CI."""
    config = session.config
    state = state_of(config)
    if is_worker(config):
        config.workeroutput["golive_round_trips"] = state.fleet.round_trips()  # type: ignore[attr-defined]
        config.workeroutput["golive_catalogue"] = [c.to_dict() for c in state.catalogue.values()]  # type: ignore[attr-defined]
        config.workeroutput["golive_nothing_declared"] = sorted(state.nothing_declared)  # type: ignore[attr-defined]
        return
    state.add_round_trips(state.fleet.round_trips())
    state.ledger.declare(state.catalogue.values())  # criteria with nothing to check: not applicable
    results = state.ledger.results()
    nothing = not any(result.instances for result in results)
    if nothing and (config.option.collectonly or not _meant_to_grade(config, state)):
        return  # e.g. golive's own self-tests: not a readiness run
    ran = {r.criterion.id for r in results if r.instances} | state.nothing_declared
    state.record = record.finalize(
        results,
        state.inventory.rubric,
        state.inventory.waivers,
        dt.date.today(),
        run=_run_metadata(session, state),
        judge_claims=not config.getoption("golive_shard"),  # a shard sees part of the grade: the merge judges
        selection=_partial_reasons(session, state),
        not_run=set(_suite_criteria(config)) - ran,
        incomplete=[
            *_incomplete_reasons(session, state, exitstatus),
            *(_why_nothing(session, state) if nothing else []),
        ],
    )
    _add_history(config, state, state.record)
    if state.json_path is not None:
        record.write_json(state.record, state.json_path)
    if config.getoption("metrics_file"):
        record.write_atomically(Path(config.getoption("metrics_file")), metrics.render(state.record))
    if int(exitstatus) in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        gate = config.getoption("gate")
        code = record.exit_status(state.record, config.getoption("fail_under"), gate)
        session.exitstatus = code if gate else max(code, int(exitstatus))  # other tests' failures count too


def _add_history(config: pytest.Config, state: GoliveState, current: dict[str, Any]) -> None:
    """Trend and changes from reports/history/ (or --baseline); keep this run if it is whole."""
    if state.json_path is None:
        return
    directory = state.json_path.parent / "history"
    # a run is compared with earlier runs of the same inventory file, not of another fleet
    past = [r for r in history.load(directory) if r["run"].get("inventory") == current["run"]["inventory"]]
    baseline = config.getoption("baseline")
    if baseline:
        try:
            reference = json.loads(Path(baseline).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise pytest.UsageError(f"--baseline {baseline}: not a readable golive record ({exc})") from None
        current["changes"] = history.changes(reference, current, f"baseline {baseline}")
    elif past:
        current["changes"] = history.changes(past[-1], current, "the previous run")
    current["history"] = history.trend(past, current)
    if current["complete"] and not current["partial"]:
        history.save(directory, current)


def _meant_to_grade(config: pytest.Config, state: GoliveState) -> bool:
    """A run with golive's criteria, a criterion collected, an inventory and no test path
    named, or a path overlapping a suite directory is a readiness run even when no
    criterion ran: it still writes its record."""
    if state.shipped.collected or state.catalogue or state.nothing_declared:
        return True
    if state.inventory.path is not None and config.args_source is not pytest.Config.ArgsSource.ARGS:
        return True
    here = config.invocation_params.dir
    paths = [(here / arg.split("::", 1)[0]).resolve() for arg in config.args]
    suites = [Path(d).resolve() for d in _suite_directories(config) if Path(d).exists()]
    return any(p.is_relative_to(d) or d.is_relative_to(p) for p in paths for d in suites)


def _why_nothing(session: pytest.Session, state: GoliveState) -> list[str]:
    """Why a readiness run graded nothing, said in its record."""
    if state.catalogue or state.nothing_declared:
        return ["no criterion ran (all deselected or not applicable)"]
    where = ", ".join(session.config.args)
    if state.shipped_directory is None:
        return [f"no criterion found in {where} (golive's own criteria are not installed)"]
    return [f"no criterion found in {where}"]


def _partial_reasons(session: pytest.Session, state: GoliveState) -> list[str]:
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
        if "::" in arg or not any(d.resolve().is_relative_to(path) for d in _suite_directories(config)):
            reasons.append(f"only {arg}")
    return reasons


def _suite_criteria(config: pytest.Config) -> dict[str, Path]:
    """The criteria the suite's files mark, whatever pytest collected of them."""
    return suite.declared_criteria(
        _suite_directories(config), config.getini("python_files"), config.getini("norecursedirs")
    )


def _incomplete_reasons(session: pytest.Session, state: GoliveState, exitstatus: int) -> list[str]:
    reasons = [f"collection error in {nodeid}" for nodeid in dict.fromkeys(state.collection_errors)]
    if int(exitstatus) not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        reasons.append(f"ended with {pytest.ExitCode(int(exitstatus)).name.lower()}")
    stopped = session.shouldstop or session.shouldfail
    if stopped:
        reasons.append(f"stopped early ({stopped})" if isinstance(stopped, str) else "stopped early")
    reasons.extend(f"worker {worker} crashed" for worker in state.crashed_workers)
    return reasons


def _run_metadata(session: pytest.Session, state: GoliveState) -> dict[str, Any]:
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


def _pending(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Publish the HTML report by an atomic rename, or leave none when no criterion ran."""
    state = config.stash.get(_STATE, None)
    if state is None or is_worker(config):
        return
    if state.previous_sigterm is not None:
        signal.signal(signal.SIGTERM, state.previous_sigterm)
    if not state.html_is_ours or state.html_path is None:
        return
    pending = _pending(state.html_path)
    if state.record is not None and pending.exists():
        pending.replace(state.html_path)
    else:
        pending.unlink(missing_ok=True)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a cancelled CI job) ends the run like Ctrl-C: reports are still
    written, marked incomplete, never READY."""
    raise KeyboardInterrupt(f"golive: stopped by signal {signum}")


class _XdistHooks:
    """pytest-xdist's hooks, registered only when xdist is active."""

    def __init__(self, state: GoliveState) -> None:
        self.state = state

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        if error:
            # its running test got no verdict and its facts are lost: the run is not whole
            self.state.crashed_workers.append(str(getattr(getattr(node, "gateway", None), "id", node)))
        output = getattr(node, "workeroutput", {})
        self.state.add_round_trips(output.get("golive_round_trips", {}))
        for found in output.get("golive_catalogue", []):
            self.state.catalogue.setdefault(found["id"], Criterion.from_dict(found))
        self.state.nothing_declared.update(output.get("golive_nothing_declared", []))

    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: object) -> Any:
        if config.getvalue("dist") != "load" or not self.state.inventory.hosts:
            return None
        from golive.host_scheduling import HostScheduling

        return HostScheduling(config, log, [host.name for host in self.state.inventory.hosts])


class _PytestHtmlHooks:
    """pytest-html's hooks, registered only when pytest-html is active (``-p no:html`` works)."""

    def __init__(self, state: GoliveState) -> None:
        self.state = state

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        if self.state.record is not None:
            prefix.insert(0, html_report.summary_html(self.state.record))

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "golive readiness report"

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(1, '<th class="sortable" data-column-type="criterion">Criterion</th>')
        cells.insert(2, '<th class="sortable" data-column-type="severity">Severity</th>')
        cells.insert(3, '<th class="sortable" data-column-type="target">Target</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        data = getattr(report, "golive", None) or {}
        found = data.get("criterion", {})
        cells.insert(1, f'<td class="col-criterion">{html_report.escape(found.get("id", ""))}</td>')
        cells.insert(2, f'<td class="col-severity">{html_report.escape(found.get("severity", ""))}</td>')
        cells.insert(3, f'<td class="col-target">{html_report.escape(data.get("target", ""))}</td>')

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        entries = (getattr(report, "golive", None) or {}).get("evidence") or []
        if entries:
            data.insert(0, html_report.evidence_html(entries))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = state_of(config)
    result = state.record
    if result is None:
        return
    for criterion in result["criteria"]:
        if criterion["severity"] == "critical" and criterion["outcome"] == "failed":
            terminalreporter.write_line(f"golive: CRITICAL {criterion['id']} {criterion['title']}", red=True)
    path = str(state.html_path) if state.html_path else str(state.json_path)
    line = record.verdict_line(result, path)
    terminalreporter.write_sep("=", line, green=result["ready"], red=not result["ready"], bold=True)
