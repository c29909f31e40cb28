"""golive.report_payload: each criterion and fact whole once per process, the ledger the same."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from golive.criteria import Criterion
from golive.evidence import Evidence
from golive.outcomes import Severity
from golive.report_payload import Payload
from golive.results import Ledger

CRITERION = Criterion(
    id="AVL-01", title="Endpoints answer", severity=Severity.CRITICAL, category="Availability",
    description="", why="", keys="", remediation="",
)  # fmt: skip


def _entries(host: str) -> list[dict[str, Any]]:
    evidence = Evidence()
    evidence.command("echo facts", 0, "fact output " * 100, host=host, batched=True)
    evidence.note(f"read on {host}")
    return evidence.entries


def _report(nodeid: str, data: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(
        nodeid=nodeid, when="call", golive=data, duration=0.1, passed=True, failed=False, skipped=False
    )


def _data(payload: Payload, entries: list[dict[str, Any]]) -> dict[str, Any]:
    evidence = payload.evidence(entries)
    data = {"criterion": payload.criterion(CRITERION), "target": "h1/e", "evidence": evidence, "message": ""}
    return {**data, **payload.new_facts(evidence)}


def test_a_criterion_and_a_fact_travel_whole_once() -> None:
    payload = Payload()
    first, second = _data(payload, _entries("h1")), _data(payload, _entries("h1"))
    assert first["criterion"]["title"] == "Endpoints answer"
    assert second["criterion"] == {"id": "AVL-01"}
    assert len(first["facts"]) == 1 and len(first["scripts"]) == 1
    assert "facts" not in second
    assert first["evidence"][0]["fact"] == second["evidence"][0]["fact"]
    assert "stdout" not in second["evidence"][0]
    other = _data(payload, _entries("h2"))  # another host's output: a new fact, the same script
    assert len(other["facts"]) == 1 and other["scripts"] == {}


def test_the_ledger_records_the_same_as_from_whole_reports() -> None:
    whole, compact = Ledger(), Ledger()
    payload = Payload()
    for number, host in enumerate(["h1", "h1", "h2"]):
        entries = _entries(host)
        whole.add_report(
            _report(
                f"t{number}", {"criterion": CRITERION.to_dict(), "target": "h1/e", "evidence": copy.deepcopy(entries)}
            )
        )
        compact.add_report(_report(f"t{number}", _data(payload, entries)))
    [expected], [found] = whole.results(), compact.results()
    assert found.criterion == expected.criterion
    assert [i.to_dict() for i in found.instances] == [i.to_dict() for i in expected.instances]
    assert compact.facts == whole.facts
    assert compact.criterion({"id": "AVL-01"})["severity"] == "critical"


def test_a_single_process_stores_facts_in_its_ledger_and_sends_none() -> None:
    """Without xdist the reports reach the process's own ledger: the payload stores each fact
    there once and the reports carry references only; the record is the same."""
    whole, single = Ledger(), Ledger()
    payload = Payload(single.facts)
    for number, host in enumerate(["h1", "h1", "h2"]):
        entries = _entries(host)
        whole.add_report(
            _report(
                f"t{number}", {"criterion": CRITERION.to_dict(), "target": "h1/e", "evidence": copy.deepcopy(entries)}
            )
        )
        data = _data(payload, entries)
        assert "facts" not in data and "scripts" not in data
        single.add_report(_report(f"t{number}", data))
    [expected], [found] = whole.results(), single.results()
    assert [i.to_dict() for i in found.instances] == [i.to_dict() for i in expected.instances]
    assert single.facts == whole.facts
