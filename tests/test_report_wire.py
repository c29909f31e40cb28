"""golive.report_wire: a report travels from an xdist worker as one blob and reads back as it was."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from golive import report_wire
from tests.conftest import criteria_project


def _report() -> dict[str, Any]:
    """A serialised report as pytest makes it: tuples, nested dictionaries, text, numbers."""
    return {
        "location": ("tests_infra/test_availability.py", 18, "test_endpoint[web1/é]"),
        "keywords": {"test_endpoint[web1/é]": 1, "critical": 1, "criterion": 1},
        "outcome": "failed",
        "longrepr": {
            "reprcrash": {"path": "x.py", "lineno": 3, "message": "Failed"},
            "chain": [({"a": 1}, None, None)],
        },
        "when": "call",
        "user_properties": [("criterion", "AVL-01"), ("severity", "critical")],
        "sections": [("Captured stdout call", "out\n")],
        "duration": 0.1 + 0.2,
        "start": 1796211177.8762395,
        "golive": {"criterion": {"id": "AVL-01"}, "evidence": [{"kind": "note", "text": "é\x00"}], "error": False},
        "nodeid": "tests_infra/test_availability.py::test_endpoint[web1/é]",
        "$report_type": "TestReport",
    }


def test_a_report_travels_as_one_blob_and_reads_back_exactly() -> None:
    data = _report()
    sent = report_wire.packed(copy.deepcopy(data))
    assert set(sent) == {"$report_type", report_wire.KEY} and isinstance(sent[report_wire.KEY], bytes)
    sent.update(item_index=4, worker_id="gw1", testrun_uid="abc")  # what xdist adds on its way
    report_wire.unpacked(sent)
    expected = {**data, "item_index": 4, "worker_id": "gw1", "testrun_uid": "abc"}
    assert sent == expected
    assert list(sent) == list(expected)  # the order too
    assert type(sent["location"]) is tuple and all(type(p) is tuple for p in sent["user_properties"])
    assert type(sent["longrepr"]["chain"][0]) is tuple


def test_what_marshal_cannot_write_travels_as_it_is() -> None:
    class Text(str):
        pass

    for data in ({**_report(), "extra": Text("x")}, {**_report(), "extra": object()}, {"nodeid": "not a report"}):
        assert report_wire.packed(data) is data
        before = dict(data)
        report_wire.unpacked(data)
        assert data == before


def test_a_tests_events_leave_with_its_completion_as_one_message_and_read_back_in_order() -> None:
    """A worker holds a test's start, reports and end; its completion sends them with it as one
    blob; any other event first sends what is held; the controller handles each event, in order,
    as if it had come alone."""
    sent: list[Any] = []
    logged: list[str] = []
    events = report_wire.TestEvents(sent.append, lambda _, name, kwargs: logged.append(name))
    location = ("tests_infra/test_x.py", 3, "test_y[web1]")
    test = [
        ("logstart", {"nodeid": "n1", "location": location}),
        ("testreport", {"data": {**_report(), "item_index": 0}}),
        ("testreport", {"data": {**_report(), "when": "teardown"}}),
        ("logfinish", {"nodeid": "n1", "location": location}),
        ("runtest_protocol_complete", {"item_index": 0, "duration": 0.25}),
    ]
    for name, kwargs in test[:-1]:
        events(name, **copy.deepcopy(kwargs))
    assert sent == []
    events(test[-1][0], **test[-1][1])
    assert len(sent) == 1 and sent[0][0] == report_wire.EVENTS and set(sent[0][1]) == {"blob"}
    events("warning_recorded", nodeid="n2", when="call")  # nothing held: goes alone
    events("logstart", nodeid="n3", location=location)
    events("workerfinished", workeroutput={})  # what is held goes first, with it
    assert logged == [name for name, _ in test] + ["warning_recorded", "logstart", "workerfinished"]

    handled: list[Any] = []
    node = type("Node", (), {"process_from_remote": staticmethod(handled.append)})()
    report_wire.read_test_events(node)
    for message in sent:
        node.process_from_remote(message)
    node.process_from_remote("END")  # xdist's end marker passes through
    assert handled[:5] == test and [type(event[1]) for event in handled[:5]] == [dict] * 5
    assert handled[5:] == [
        ("warning_recorded", {"nodeid": "n2", "when": "call"}),
        ("logstart", {"nodeid": "n3", "location": location}),
        ("workerfinished", {"workeroutput": {}}),
        "END",
    ]
    assert type(handled[0][1]["location"]) is tuple


def test_events_marshal_cannot_write_travel_one_by_one_as_xdist_sends_them() -> None:
    sent: list[Any] = []
    events = report_wire.TestEvents(sent.append, lambda *_: None)
    odd = object()
    events("logstart", nodeid="n1", location=("x.py", 1, "t"))
    events("testreport", data={"extra": odd})
    events("runtest_protocol_complete", item_index=0, duration=0.1)
    assert sent == [
        ("logstart", {"nodeid": "n1", "location": ("x.py", 1, "t")}),
        ("testreport", {"data": {"extra": odd}}),
        ("runtest_protocol_complete", {"item_index": 0, "duration": 0.1}),
    ]


def test_xdist_workers_send_blobs_and_the_controller_sees_the_workers_reports(pytester: pytest.Pytester) -> None:
    """Under -n 2 each report leaves its worker as one blob, and every report the controller
    hands its plugins has the fields the worker's had, with the same values and types
    (xdist adds its item_index, worker_id, testrun_uid and node, pytest the report type)."""
    folder = criteria_project(pytester, 'hosts:\n  a: {backend: "local://"}\n  b: {backend: "local://"}\n')
    (folder / "test_wire.py").write_text(
        '''
import pytest


@pytest.mark.critical
@pytest.mark.criterion("AVL-01", category="Availability")
def test_reads(fleet_host, remote):
    """Reads a fact, prints, fails on b."""
    remote.run("echo wire-canary")
    print("captured é")
    assert fleet_host.name == "a"


@pytest.mark.warning
@pytest.mark.criterion("AVL-05", category="Availability")
def test_skips(fleet_host):
    """Skips."""
    pytest.skip("not applicable: nothing here")
'''
    )
    pytester.makeconftest(
        """
import json
import pytest


ADDED = ("item_index", "worker_id", "testrun_uid", "node", "$report_type")


def _fields(report):
    keep = {k: v for k, v in vars(report).items() if k not in ADDED}
    keep["longrepr"] = str(report.longrepr)
    return repr(sorted((k, repr(v), type(v).__name__) for k, v in keep.items()))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_report_to_serializable(config, report):
    data = yield
    if hasattr(config, "workerinput"):
        with open(config.rootpath / f"sent-{config.workerinput['workerid']}.jsonl", "a") as f:
            f.write(json.dumps({"keys": sorted(data), "id": [report.nodeid, report.when],
                                "fields": _fields(report)}) + "\\n")
    return data


def pytest_sessionstart(session):
    config = session.config
    if hasattr(config, "workerinput"):
        interactor = next(p for p in config.pluginmanager.get_plugins() if type(p).__name__ == "WorkerInteractor")
        sender = type(interactor.sendevent).__name__
        (config.rootpath / f"sender-{config.workerinput['workerid']}.txt").write_text(sender)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_logreport(report):
    if hasattr(report, "worker_id"):  # before any plugin reads it (golive's ledger trims its payload)
        with open("received.jsonl", "a") as f:
            f.write(json.dumps({"id": [report.nodeid, report.when], "fields": _fields(report)}) + "\\n")
    return (yield)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", "-n", "2")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    sent = [json.loads(line) for path in pytester.path.glob("sent-gw*.jsonl") for line in path.read_text().splitlines()]
    received = [json.loads(line) for line in Path(pytester.path / "received.jsonl").read_text().splitlines()]
    assert len(sent) == len(received) == 12
    assert all(one["keys"] == sorted(["$report_type", report_wire.KEY]) for one in sent)
    senders = [path.read_text() for path in pytester.path.glob("sender-gw*.txt")]
    assert senders == ["TestEvents", "TestEvents"]  # each test's events travelled as one message
    by_id = {tuple(one["id"]): one["fields"] for one in sent}
    assert {tuple(one["id"]): one["fields"] for one in received} == by_id
    record = json.loads((pytester.path / "reports" / "readiness.json").read_text())
    assert "wire-canary" in json.dumps(record["facts"])
