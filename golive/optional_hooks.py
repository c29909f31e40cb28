"""golive's hooks of other plugins: pytest-xdist's and pytest-html's.

``golive.plugin`` registers each object only when its plugin is active (``-p no:html``
works), on the controller or the single process.
"""

from __future__ import annotations

from typing import Any

import pytest

from golive import html_report, report_wire
from golive.criteria import Criterion
from golive.session import RunState


class XdistHooks:
    """pytest-xdist's hooks: how reports travel, what the workers found, scheduling by host."""

    def __init__(self, state: RunState) -> None:
        self.state = state

    def pytest_configure_node(self, node: Any) -> None:
        # a worker on this interpreter sends its reports and each test's events as blobs
        # (golive.report_wire)
        node.workerinput[report_wire.WORKER_INPUT] = report_wire.interpreter()
        report_wire.read_test_events(node)

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


class PytestHtmlHooks:
    """pytest-html's hooks: the grade above the table, criterion columns, evidence per row."""

    def __init__(self, state: RunState) -> None:
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
        found = self.state.ledger.criterion(data.get("criterion", {}))
        cells.insert(1, f'<td class="col-criterion">{html_report.escape(found.get("id", ""))}</td>')
        cells.insert(2, f'<td class="col-severity">{html_report.escape(found.get("severity", ""))}</td>')
        cells.insert(3, f'<td class="col-target">{html_report.escape(data.get("target", ""))}</td>')

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        # the ledger learnt the report's facts in the session's logreport hook, which runs first
        found = getattr(report, "golive", None) or {}
        if found.get("evidence"):
            facts = self.state.ledger.facts
            data.insert(0, html_report.evidence_html(found["evidence"], facts, target=found.get("target", "")))
