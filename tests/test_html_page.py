"""The report page built from the record (golive/html_report.py's ``page``): readable
without JavaScript where it matters, small where it can be, and inert whatever a target sent."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
from types import SimpleNamespace

import pytest

from golive import html_report
from golive.criteria import Criterion
from golive.record import finalize
from golive.results import Ledger
from golive.rubric import DEFAULT_RUBRIC
from tests import headless
from tests.conftest import debian_tool

PLANTED = "<script>document.documentElement.setAttribute('data-pwned', 'fact')</script>"


def _record(hosts: int = 3) -> dict:
    """A fleet whose first host fails AVL-01; each host's one fact carries a planted script."""
    ledger = Ledger()
    avl = Criterion("AVL-01", "Availability", "critical", "Endpoints answer.")
    rel = Criterion("REL-06", "Reliability", "acceptable", "Memory limits.")
    for h in range(hosts):
        fact = {"kind": "command", "host": f"h{h}", "command": "cat /srv/status", "exit_status": 0,
                "stdout": f"status of h{h}\n{PLANTED}\n" + "line\n" * 50, "stderr": "", "duration": 0.01,
                "cached": False, "batched": True}  # fmt: skip
        for criterion, failed in ((avl, h == 0), (rel, False)):
            verdict = {"kind": "verdict", "passed": not failed, "summary": f"h{h}: {'down' if failed else 'up'}"}
            data = {"criterion": criterion.to_dict(), "target": f"h{h}", "evidence": [dict(fact), verdict],
                    "message": f"h{h}: down" if failed else "", "error": False}  # fmt: skip
            report = SimpleNamespace(nodeid=f"t::{criterion.id}[h{h}]", when="call", duration=0.0, failed=failed,
                                     skipped=False, golive=data)  # fmt: skip
            ledger.add_report(report)
    return finalize(ledger.results(), DEFAULT_RUBRIC, [], dt.date.today(), run={}, facts=ledger.facts)  # type: ignore[typeddict-item]


def _packed(page: str) -> dict:
    blocks = re.findall(r'<script type="application/x-golive-facts" id="facts-([0-9a-z]+)">([^<]*)</script>', page)
    found: dict = {}
    for _, text in blocks:
        found.update(json.loads(gzip.decompress(base64.b64decode(text))))
    return found


def test_failures_are_static_other_rows_one_line_and_fact_outputs_packed():
    record = _record()
    page = html_report.page(record)
    failures = page[page.index('id="golive-failures"') : page.index("Criteria, every instance")]
    # the failing instance, its reason and its evidence, in the HTML itself
    assert "<b>h0</b>" in failures and "h0: down" in failures and "status of h0" in failures
    assert "h1" not in failures
    # a row that passed: one line, linking to its fact
    assert re.search(r"<tr><td>h1</td><td>h1: up · from <a href=\"#fact-f[0-9a-f]+\">", page)
    # each fact's whole output once, compressed, and a note for a browser without JavaScript
    packed = _packed(page)
    assert set(packed) == set(record["facts"])
    assert all(packed[key][0] == fact["stdout"] for key, fact in record["facts"].items())
    assert "<noscript>" in page and "readiness.json" in page
    # the planted script shows escaped in the failing row's excerpt, never as markup
    assert PLANTED not in page and "&lt;script&gt;document.documentElement" in failures


def test_a_passing_rows_fact_output_is_only_in_the_packed_block():
    page = html_report.page(_record())
    assert "status of h1" not in page and "status of h2" not in page  # passed on h1, h2: one line each
    assert "status of h0" in page  # the failing row's excerpt


OPEN_ALL = """<script>
window.addEventListener("load", () => {
  for (const box of document.querySelectorAll("details[data-fact]")) box.open = true;
  setTimeout(() => {
    const out = document.createElement("pre");
    out.id = "golive-opened";
    out.textContent = [...document.querySelectorAll("details[data-fact] pre")].map((p) => p.textContent).join("\\n");
    document.body.appendChild(out);
  }, 3000);
});
</script>"""


@pytest.mark.root
def test_a_planted_script_in_a_packed_fact_stays_text_when_opened(tmp_path):
    chromium = debian_tool("chromium", "chromium")
    page = tmp_path / "readiness.html"
    page.write_text(html_report.page(_record()).replace("</body>", OPEN_ALL + "</body>"))
    dom = headless.dom(chromium, page, budget_ms=10000)
    assert not re.search(r"<[a-z]+[^<>]*\bdata-pwned=", dom), "a planted script ran"
    opened = re.search(r'<pre id="golive-opened">(.*?)</pre>', dom, re.DOTALL)
    assert opened, dom[-2000:]
    # every fact was decompressed into its element, the planted script as text
    assert opened.group(1).count("&lt;script&gt;document.documentElement") == 3
    assert "status of h2" in opened.group(1)
