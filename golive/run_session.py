"""The golive session: one object whose methods are golive's pytest hooks for a run.

``golive.plugin`` creates it in ``pytest_configure`` and registers it with pytest's
plugin manager (the way pytest-xdist registers its ``DSession``), so every hook reads
the run's state from ``self.state``. In order of the run, its hooks:

- check at collection that every test of the suite is a whole criterion, keep the
  catalogue of criteria and drop those whose subject nothing declares;
- collect each test's evidence and carry criterion, target, evidence and reason on its
  reports (so xdist's controller, which never sees the items, grades the same), each
  criterion and each fact whole only on the first report that needs it
  (``golive.report_payload``); on an xdist worker, send each report as one blob
  (``golive.report_wire``);
- feed every report to the ledger (on the controller or the single process);
- grade the run at session finish (``golive.record.finalize``), write the JSON record
  and the HTML page and set the exit status; print the verdict line.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import signal
from pathlib import Path
from typing import Any

import pytest

import golive
from golive import (
    criteria,
    evidence,
    failures_by_criterion,
    gate,
    history,
    html_report,
    markdown_summary,
    metrics,
    record,
    report_wire,
    run_scope,
    sharding,
)
from golive.errors import CriterionMarkError, InventoryError, TargetError
from golive.evidence import Evidence
from golive.outcomes import Outcome, Severity
from golive.record_schema import Record
from golive.report_payload import Payload
from golive.session import CRITERION, EVIDENCE, RunState

_SENT = pytest.StashKey[int]()
_MAX_REPORT_TEXT = 20000
_WITH_SECTIONS = ("failed", "error", "passed", "xfailed", "xpassed", "")
"""pytest's stats of reports its terminal summary prints sections or summary lines of."""


def _freeze_at_exit() -> None:
    """At the interpreter's exit, leave the objects still alive to the process's end.

    CPython's finalisation runs the cyclic garbage collector over every object still alive,
    several times: after a fleet's run (its facts, evidence and reports, given back to the
    collector when the session ended) that took 1.3–2 s of CPU, and as long again of wall
    after the last report was written, in each process (the one of ``-n 0``, each xdist
    worker). Frozen objects are not traversed; their memory goes back with the process.
    Python never promised ``__del__`` to objects alive at exit, and what must happen at exit
    does not rely on it: the reports are written and closed before, ``atexit`` handlers
    registered before this one and ``weakref.finalize`` run after it, standard streams are
    flushed."""
    gc.freeze()


class GoliveSession:
    """golive's hooks for one pytest session (on xdist's controller, its workers, or alone)."""

    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self.is_worker = hasattr(config, "workerinput")
        # a single process's reports reach its own ledger: facts go straight into its store
        self.payload = Payload(None if self.is_worker else state.ledger.facts)
        # the controller names its interpreter (golive.optional_hooks): the blob reads back there
        worker_input = getattr(config, "workerinput", {})
        self.packs_reports = worker_input.get(report_wire.WORKER_INPUT) == report_wire.interpreter()
        if self.packs_reports:
            report_wire.send_test_events(config)
        self._frozen = False
        # registered before pytest's unraisable-exception plugin registers its own cleanup
        # (golive configures first), so it runs after that plugin's last collections
        config.add_cleanup(self._unfreeze)
        atexit.unregister(_freeze_at_exit)  # once, however many sessions one interpreter runs
        atexit.register(_freeze_at_exit)

    # collection

    def pytest_report_header(self, config: pytest.Config) -> str:
        inventory = self.state.inventory
        source = inventory.path or "none (no hosts.yaml)"
        return f"golive {golive.__version__}: inventory {source}, {len(inventory.hosts)} host(s)"

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        """A test in the suite that is not a whole criterion fails its module's collection."""
        report = yield
        if not report.passed or not report.result:
            return report
        read = criteria.CriterionReader(self.state.inventory.rubric.categories)
        in_suite: dict[Path, bool] = {}  # by file: the items of one module share it
        problems = []
        for node in report.result:
            if not isinstance(node, pytest.Function):
                continue
            if node.path not in in_suite:
                in_suite[node.path] = run_scope.in_suite(node, self.state)
            if not (in_suite[node.path] or criteria.is_marked(node)):
                continue
            try:
                found = read(node)
            except CriterionMarkError as exc:
                problems.append(str(exc))
                continue
            node.stash[CRITERION] = found
            node.user_properties.extend(
                [("criterion", found.id), ("severity", str(found.severity)), ("category", found.category)]
            )
        if problems:
            report.outcome = "failed"
            report.longrepr = "golive: not a well-formed criterion:\n" + "\n".join(dict.fromkeys(problems))
            report.result = []
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Keep the whole catalogue of collected criteria, before -m/-k deselect any."""
        state = self.state
        # a criterion whose subject the inventory does not declare is not collected (it is
        # reported as not applicable), rather than pytest's "got empty parameter set" skip
        declared = []
        for item in items:
            found = item.stash.get(CRITERION, None)
            if found is not None:
                state.catalogue.setdefault(found.id, found)
            if not _nothing_declared(item):
                declared.append(item)
            elif found is not None:
                state.nothing_declared.add(found.id)
        items[:] = declared
        if state.shard is not None:
            index, total = state.shard
            hosts = [host.name for host in state.inventory.hosts]
            shards = {host: sharding.shard_of(host, hosts, total) for host in [*hosts, None]}
            names = frozenset(hosts)
            mine = [shards[sharding.host_of(item.nodeid, names)] == index for item in items]
            if not all(mine):
                config.hook.pytest_deselected(items=[item for item, ours in zip(items, mine, strict=True) if not ours])
                items[:] = [item for item, ours in zip(items, mine, strict=True) if ours]

    def pytest_report_collectionfinish(self, config: pytest.Config, items: list[pytest.Item]) -> list[str]:
        """Under --collect-only, list the criteria readably: ID, severity, category, instances, title."""
        if not config.option.collectonly:
            return []
        catalogue = self.state.catalogue
        counts: dict[str, int] = {}
        for item in items:
            found = item.stash.get(CRITERION, None)
            if found is not None:
                counts[found.id] = counts.get(found.id, 0) + 1
        destination = config.getoption("criteria_reference")
        if destination:
            record.write_atomically(Path(destination), criteria.reference(catalogue.values()))
        lines = [f"golive: {len(counts)} criteria selected of {len(catalogue)} collected"]
        for found in sorted(catalogue.values(), key=lambda c: c.id):
            if found.id in counts:
                lines.append(
                    f"  {found.id:<8} {found.severity:<10} {found.category:<15} ×{counts[found.id]:<3} {found.title}"
                )
        return lines

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.state.deselected += len(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # a module that failed to import may hold criteria nobody will ever see run
        if report.failed and not self.is_worker:
            self.state.collection_errors.append(report.nodeid or "the session")

    # running a test

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """What is alive when the tests start (modules, collected items, the inventory) lives
        to the end of the run: it is put out of the garbage collector's reach, so that its
        full collections during the run and at its end (pytest collects twice as it
        unconfigures) walk only what the tests made. Given back when the session ends (a
        session run within another one, as pytester's in-process runs, leaves it be)."""
        if gc.get_freeze_count() == 0:
            gc.freeze()
            self._frozen = True

    def _unfreeze(self) -> None:
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Any:
        with evidence.collecting(item.stash.setdefault(EVIDENCE, Evidence())):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        with evidence.collecting(item.stash.setdefault(EVIDENCE, Evidence())):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
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
            "criterion": self.payload.criterion(found),
            "target": callspec.id if callspec else "",
            "evidence": self.payload.evidence(entries[sent:]),
            "message": "",
            "error": False,
        }
        data.update(self.payload.new_facts(data["evidence"]))
        if call.excinfo is not None:
            data["error"] = call.excinfo.errisinstance(TargetError)
            data["message"] = evidence.clean(_reason(call.excinfo), 2000)
            if data["error"]:
                report.longrepr = f"could not check: {data['message']}"
        report.golive = data
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_report_to_serializable(self, config: pytest.Config, report: Any) -> Any:
        """On an xdist worker, the report as one blob (``report_wire.packed``)."""
        data = yield
        if self.packs_reports and isinstance(data, dict):
            return report_wire.packed(data)
        return data

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_from_serializable(self, config: pytest.Config, data: dict[str, Any]) -> None:
        """The report read back before pytest rebuilds it (as a worker packed it)."""
        report_wire.unpacked(data)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # first: the facts a report carries are learnt before any other plugin reads it
        # (pytest-html's rows, ``golive.optional_hooks``)
        if not self.is_worker:
            self.state.ledger.add_report(report)

    # the end of the run

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Grade the run, write the JSON, adjust the exit status for CI."""
        config, state = session.config, self.state
        if self.is_worker:
            config.workeroutput["golive_round_trips"] = state.own_round_trips()  # type: ignore[attr-defined]
            config.workeroutput["golive_catalogue"] = [c.to_dict() for c in state.catalogue.values()]  # type: ignore[attr-defined]
            config.workeroutput["golive_nothing_declared"] = sorted(state.nothing_declared)  # type: ignore[attr-defined]
            return
        state.add_round_trips(state.own_round_trips())
        state.ledger.declare(state.catalogue.values())  # criteria with nothing to check: not applicable
        results = state.ledger.results()
        nothing = not any(result.instances for result in results)
        if nothing and (config.option.collectonly or not run_scope.meant_to_grade(config, state)):
            return  # e.g. golive's own self-tests: not a readiness run
        ran = {r.criterion.id for r in results if r.instances} | state.nothing_declared
        state.record = record.finalize(
            results,
            state.inventory.rubric,
            state.inventory.waivers,
            dt.date.today(),
            run=run_scope.run_metadata(session, state),
            judge_claims=not config.getoption("golive_shard"),  # a shard sees part of the grade: the merge judges
            selection=run_scope.partial_reasons(session, state),
            not_run=set(run_scope.suite_criteria(config, state)) - ran,
            incomplete=[
                *run_scope.incomplete_reasons(session, state, exitstatus),
                *(run_scope.why_nothing(session, state) if nothing else []),
            ],
            facts=state.ledger.facts,
            severity_gate=gate.Selection.of(config.option.markexpr or "", bool(config.getoption("gate"))),
        )
        self._add_history(state.record)
        if state.json_path is not None:
            record.write_json(state.record, state.json_path)
        if state.html_is_ours and state.html_path is not None:
            record.write_atomically(state.html_path, html_report.page(state.record))
        if config.getoption("metrics_file"):
            record.write_atomically(Path(config.getoption("metrics_file")), metrics.render(state.record))
        if config.getoption("summary_md"):
            summary = markdown_summary.render(state.record, self._report_path())
            record.write_atomically(Path(config.getoption("summary_md")), summary)
        if int(exitstatus) in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            critical_only = config.getoption("gate")
            code = record.exit_status(state.record, config.getoption("fail_under"), critical_only)
            # other tests' failures count too
            session.exitstatus = code if critical_only else max(code, int(exitstatus))

    def _add_history(self, current: Record) -> None:
        """Trend and changes from reports/history/ (or --baseline); keep this run if it is whole."""
        if self.state.json_path is None:
            return
        directory = self.state.json_path.parent / "history"
        # a run is compared with earlier runs of the same inventory file, not of another fleet
        past = [r for r in history.load(directory) if r["run"].get("inventory") == current["run"]["inventory"]]
        baseline = self.config.getoption("baseline")
        if baseline:
            try:
                reference = record.read_json(Path(baseline))
            except InventoryError as exc:
                raise pytest.UsageError(f"--baseline {exc}") from None
            current["changes"] = history.changes(reference, current, f"baseline {baseline}")
        elif past:
            current["changes"] = history.changes(past[-1], current, "the previous run")
        current["history"] = history.trend(past, current)
        if current["complete"] and not current["partial"]:
            history.save(directory, current)

    def _report_path(self) -> str:
        return str(self.state.html_path) if self.state.html_path else str(self.state.json_path)

    @pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_terminal_summary")
    def pytest_terminal_summary_without_criterion_sections(self, terminalreporter: Any, config: pytest.Config) -> Any:
        """Under the default traceback style, the criterion blocks stand for pytest's
        failure sections and short-summary lines of criterion instances (other tests'
        failures print as pytest prints them); ``--tb=short`` etc. prints both.

        An xdist worker's terminal is the null device (execnet's) and the controller prints
        the run's summary from the same reports: a worker's summary shows no report, where
        pytest's search of each shown report's teardown grew as failures times tests."""
        if self.is_worker:
            stats = terminalreporter.stats
            unseen = {which: stats.pop(which) for which in _WITH_SECTIONS if which in stats}
            try:
                return (yield)
            finally:
                stats.update(unseen)
        result = self.state.record
        if result is None or config.option.tbstyle != "auto":
            return (yield)
        judged = failures_by_criterion.judged_nodeids(result)
        hidden = {}
        for which in ("failed", "error"):
            reports = terminalreporter.stats.get(which, [])
            hidden[which] = reports
            terminalreporter.stats[which] = [r for r in reports if getattr(r, "nodeid", None) not in judged]
        try:
            return (yield)
        finally:
            terminalreporter.stats.update(hidden)

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        state = self.state
        result = state.record
        if result is None:
            return
        blocks = failures_by_criterion.blocks(result)
        if blocks:
            waived = failures_by_criterion.waived(result)
            title = f"golive: {len(blocks)} failing criteri{'a' if len(blocks) != 1 else 'on'}"
            title += f" ({waived} waived instance{'s' * (waived != 1)} not shown)" if waived else ""
            terminalreporter.write_sep("=", title, red=True)
            for block in blocks:
                terminalreporter.write_sep("_", block.headline, red=True, bold=block.severity == Severity.CRITICAL)
                for line in block.lines:
                    terminalreporter.write_line(line)
        for criterion in result["criteria"]:
            if criterion["severity"] == Severity.CRITICAL and criterion["outcome"] == Outcome.FAILED:
                terminalreporter.write_line(f"golive: CRITICAL {criterion['id']} {criterion['title']}", red=True)
        lead, *rest = record.verdict_lines(result, self._report_path())
        judged = result.get("gate")
        good = judged["passed"] if judged is not None else result["ready"]
        terminalreporter.write_sep("=", lead, green=good, red=not good, bold=True)
        for line in rest:
            terminalreporter.write_line(line)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Put back the SIGTERM handler the run replaced."""
        state = self.state
        if self.is_worker:
            return
        if state.previous_sigterm is not None:
            signal.signal(signal.SIGTERM, state.previous_sigterm)


def _nothing_declared(item: pytest.Item) -> bool:
    mark = item.get_closest_marker("skip")
    return mark is not None and str(mark.kwargs.get("reason", "")).startswith("got empty parameter set")


def _reason(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    value = excinfo.value
    if isinstance(value, pytest.skip.Exception) or isinstance(value, pytest.fail.Exception):
        return str(value.msg)
    if isinstance(value, TargetError):
        return str(value)
    return excinfo.exconly()


def _redact_report(report: pytest.TestReport) -> None:
    """Failure text and captured output are cleaned like evidence: no secret, no control
    code (terminal escapes), bounded size; pytest's own text is kept when already clean."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        cleaned = evidence.clean(text, _MAX_REPORT_TEXT)
        if cleaned != text:
            report.longrepr = cleaned
    report.sections = [(title, evidence.clean(content, _MAX_REPORT_TEXT)) for title, content in report.sections]
