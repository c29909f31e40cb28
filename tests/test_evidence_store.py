"""Evidence is stored once: a fact read by many rows is kept in one place, in the JSON
record and in the HTML report, and rows refer to it."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from golive import evidence_store
from golive.criteria import Criterion
from golive.html_evidence import evidence_html, excerpt
from golive.record import finalize, write_json
from golive.results import Ledger
from golive.rubric import DEFAULT_RUBRIC
from tests.conftest import criteria_project, load_json

SCRIPT = "\n".join(f"echo '@@golive-0123abcd section {f'key{i}'.encode().hex()}'; cat /etc/f{i}" for i in range(40))
OUTPUT = "\n".join(f"@@golive-0123abcd section {f'key{i}'.encode().hex()}\nvalue-{i}\n@@golive-0123abcd section rc=0"
                   for i in range(40))  # fmt: skip


def command_entry(cached: bool = False) -> dict[str, object]:
    return {"kind": "command", "host": "h1", "command": SCRIPT, "exit_status": 0, "stdout": OUTPUT, "stderr": "",
            "duration": 0.01, "cached": cached, "batched": True}  # fmt: skip


def test_a_fact_read_by_many_rows_is_stored_once_and_expands_back():
    store = evidence_store.Store()
    rows = [store.intern([command_entry(cached=i > 0), {"kind": "note", "text": "n"}]) for i in range(5)]
    # the same script on another host is another fact, but the same script
    other = store.intern([{**command_entry(), "host": "h2"}])
    assert len(store.facts) == 2 and list(store.scripts.values()) == [SCRIPT]
    key = rows[0][0]["fact"]
    assert all(row[0] == {"kind": "command", "fact": key, "host": "h1", "cached": i > 0} for i, row in enumerate(rows))
    assert other[0]["fact"] != key
    instances = [{"evidence": row} for row in rows]
    record = {"criteria": [{"id": "X-01", "instances": instances}], "facts": store.facts, "scripts": store.scripts}
    whole = evidence_store.expand(record)
    assert "facts" not in whole and "scripts" not in whole
    script = evidence_store.script_id(SCRIPT)
    assert whole["criteria"][0]["instances"][1]["evidence"][0] == {
        **command_entry(cached=True),
        "fact": key,
        "script": script,
    }


def test_the_row_shows_the_decision_first_and_the_section_judged_from():
    comparison = {"kind": "comparison", "subject": "f7 mode", "measured": "value-7", "operator": "==",
                  "limit": "value-8", "unit": "", "passed": False}  # fmt: skip
    verdict = {"kind": "verdict", "passed": False, "summary": "f7 mode differs"}
    shown = evidence_html([command_entry(), comparison, verdict], target="h1/key7")
    table = shown.index('class="golive-decided"')
    assert table < shown.index("Verdict: f7 mode differs") < shown.index("Judged from")
    assert "<td>value-7</td><td>== value-8</td><td>FAIL</td>" in shown
    # the section that holds the compared value, by its name, and not the other 39
    assert "[key7]\nvalue-7" in shown and "value-8\n" not in shown and "value-30" not in shown
    # the script is not repeated in the row: a link to its one copy
    key, script = evidence_store.fact_id(command_entry()), evidence_store.script_id(SCRIPT)
    assert "cat /etc/f0" not in shown and f'href="#fact-{key}"' in shown and f'href="#script-{script}"' in shown
    short = evidence_html([{**command_entry(), "command": "df -P -k"}], target="h1")
    assert "<details><summary>command</summary><pre>$ df -P -k</pre></details>" in short


def test_an_excerpt_without_a_match_shows_the_first_lines_and_counts_the_rest():
    text, left_out = excerpt("\n".join(f"line {i}" for i in range(100)), ["nothing-like-this"])
    assert text.startswith("line 0\nline 1") and "92 more line(s)" in text and left_out == 100 - 9


def test_json_and_html_hold_a_shared_fact_once(pytester: pytest.Pytester):
    folder = criteria_project(pytester, "hosts:\n  a: {backend: 'local://'}\n")
    criteria = "".join(
        f"""
@pytest.mark.criterion("OPS-0{i}", category="Reliability")
@pytest.mark.warning
def test_ops0{i}(fleet_host, evidence):
    '''Reads the shared fact.'''
    evidence.command(SCRIPT, 0, "shared-output-line\\n" * 50, host=fleet_host.name, batched=True)
    evidence.conclude(Verdict.from_comparisons([Comparison("lines", 50, "==", 50, True)], "counts"))
"""
        for i in range(1, 6)
    )
    (folder / "test_shared.py").write_text(
        "import pytest\nfrom golive.evidence import Comparison, Verdict\n"
        "SCRIPT = " + repr("echo UNIQUE-SCRIPT-TOKEN\n" * 40) + "\n" + criteria
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()[-2000:]
    raw = (pytester.path / "reports" / "readiness.json").read_text()
    record = json.loads(raw)
    assert len(record["facts"]) == 1 and len(record["scripts"]) == 1 and raw.count("UNIQUE-SCRIPT-TOKEN") == 40
    [key] = record["facts"]
    refs = [i["evidence"][0] for c in record["criteria"] for i in c["instances"]]
    assert len(refs) == 5 and all(r["fact"] == key and "stdout" not in r for r in refs)
    page = (pytester.path / "reports" / "readiness.html").read_text()
    assert page.count("UNIQUE-SCRIPT-TOKEN") == 40  # the one copy, in the facts section
    assert f'id="fact-{key}"' in page and page.count(f"#fact-{key}") >= 5
    assert load_json(pytester.path / "reports" / "readiness.json")["criteria"][0]["instances"][0]["evidence"][0][
        "command"
    ].startswith("echo UNIQUE-SCRIPT-TOKEN")


def test_a_fleets_record_holds_each_fact_once_not_once_per_row(tmp_path):
    """50 hosts, 40 rows each reading one of 8 facts (the same 8 scripts on every host):
    the record keeps 400 facts and 8 scripts, not 2,000 copies."""
    ledger = Ledger()
    crits = [Criterion(f"X-{c:02d}", "Security", "warning", f"title {c}") for c in range(40)]
    for h in range(50):
        for c, crit in enumerate(crits):
            entry = {**command_entry(cached=c >= 8), "host": f"h{h}", "command": f"{SCRIPT}\n# {c % 8}",
                     "stdout": f"{OUTPUT}\n{h} {c % 8}"}  # fmt: skip
            data = {"criterion": crit.to_dict(), "target": f"h{h}", "evidence": [entry], "message": ""}
            report = SimpleNamespace(nodeid=f"t::{crit.id}[h{h}]", when="call", duration=0.0, failed=False,
                                     skipped=False, golive=data)  # fmt: skip
            ledger.add_report(report)
    record = finalize(ledger.results(), DEFAULT_RUBRIC, [], dt.date.today(), run={}, facts=ledger.facts)
    assert (len(record["facts"]), len(record["scripts"])) == (400, 8)
    write_json(record, tmp_path / "readiness.json")
    stored = (tmp_path / "readiness.json").stat().st_size
    inline = len(json.dumps(evidence_store.expand(record), separators=(",", ":")))
    assert stored * 4 < inline


def test_a_report_keeps_references_once_the_ledger_stored_its_facts():
    ledger = Ledger()
    crit = Criterion("X-01", "Security", "warning", "title", why="a long why " * 50)
    data = {"criterion": crit.to_dict(), "target": "h1", "evidence": [command_entry()], "message": ""}
    report = SimpleNamespace(nodeid="t::X-01[h1]", when="call", duration=0.0, failed=False, skipped=False, golive=data)
    ledger.add_report(report)
    [entry] = report.golive["evidence"]
    assert "stdout" not in entry and "command" not in entry and entry["fact"] in ledger.facts.facts
    assert report.golive["criterion"] == {"id": "X-01", "severity": "warning"}
    assert ledger.facts.resolve(entry)["stdout"] == OUTPUT


def test_entries_sharing_their_strings_get_the_same_id_as_a_copy_and_others_their_own() -> None:
    """The tests reading one fact record the same string objects: their content id is
    computed once; an entry with the same strings but another exit status is another fact."""
    from golive.evidence_store import Store, fact_id

    output = "line\n" * 1000
    entry = {"kind": "command", "host": "h1", "command": "cat log", "exit_status": 0, "stdout": output,
             "stderr": "", "duration": 0.1, "cached": False, "batched": True}  # fmt: skip
    store = Store()
    first = store.intern([entry, {**entry, "cached": True}])
    copied = store.intern([{**entry, "stdout": "".join(["line\n"] * 1000)}])  # equal text, another object
    failed = store.intern([{**entry, "exit_status": 1}])
    assert first[0]["fact"] == first[1]["fact"] == copied[0]["fact"] == fact_id(entry)
    assert failed[0]["fact"] == fact_id({**entry, "exit_status": 1}) != first[0]["fact"]
    assert store == Store(store.facts, store.scripts)
