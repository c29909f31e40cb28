"""The Markdown summary (golive/markdown_summary.py): what it says, and that a target's text stays text."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from golive import markdown_summary, record
from golive.criteria import Criterion
from golive.outcomes import Outcome, Severity
from golive.results import CriterionResult, Instance
from golive.rubric import DEFAULT_RUBRIC
from tests.conftest import load_json
from tests.synthetic import run
from tests.test_record import RUN

HOSTILE = (
    "x | y ` code ` <script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) "
    "*bold* _em_ ~~gone~~ &amp; \\| # not a heading\n| forged | row |\n- forged item"
)


class Elements(HTMLParser):
    """The tags of rendered HTML and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def hostile_record():
    failing = CriterionResult(
        Criterion("SEC-01", "Security", Severity.CRITICAL, f"Title {HOSTILE}", remediation=f"Fix {HOSTILE}"),
        [Instance(f"t::a[{n}]", f"h{n}{HOSTILE}", Outcome.FAILED, f"because {HOSTILE}") for n in range(13)],
    )
    passing = CriterionResult(Criterion("REL-08", "Reliability", Severity.WARNING, "Disk"), [Instance("t::b", "h1")])
    return record.finalize([passing, failing], DEFAULT_RUBRIC, [], dt.date(2026, 1, 1), run=RUN)


def test_a_targets_text_renders_as_text_never_as_markup():
    markdown = pytest.importorskip("markdown", reason="Python-Markdown comes with the docs extra (mkdocs)")
    summary = markdown_summary.render(hostile_record(), "reports/readiness.html")
    page = Elements()
    page.feed(markdown.markdown(summary, extensions=["tables"]))
    assert not {"script", "img", "a", "em", "code", "del", "s"} & set(page.tags)
    assert "strong" in page.tags  # golive's own emphasis still renders
    assert page.tags.count("tr") == 1 + 8 + 1 + 1  # categories: head and 8; fixes: head and SEC-01: no forged row
    assert page.tags.count("h1") == 0 and page.tags.count("h2") == 1
    text = "".join(page.text)
    assert " ".join(HOSTILE.split()) in " ".join(text.split())
    assert "and 3 more" in text  # 13 failing targets: 10 listed, 3 counted


def test_the_escape_keeps_one_line_and_every_character():
    assert markdown_summary.escape("a|b\nc") == "a\\|b c"
    assert markdown_summary.escape("<b>&") == "&lt;b&gt;&amp;"
    assert (
        markdown_summary.escape("`x` [y] *z* _w_ ~~s~~") == "\\`x\\` \\[y\\] \\*z\\* \\_w\\_ &#126;&#126;s&#126;&#126;"
    )


def test_summary_md_of_a_gate_run_leads_with_the_gate(suite):
    result = run(suite, "-m", "critical", "--gate", "--summary-md=reports/summary.md")
    assert result.ret == 1
    summary = (suite.path / "reports" / "summary.md").read_text()
    lines = summary.splitlines()
    assert lines[2] == "❌ **critical gate FAILED: 1 of 6 critical criteria fail on 2 hosts: SEC-04 (a)**"
    assert lines[4].startswith("partial grade over the selected criteria, not the fleet's: 62.0/100 C NOT READY")
    assert "| Security | 15 | 0.0 | 0 of 1 |" in lines
    assert "- **SEC-04** Certificate expires in more than 7 days." in lines
    assert any(line.startswith("  - on a: AssertionError: cert on a expires in 3 days") for line in lines)
    fix = "| SEC-04 Certificate expires in more than 7 days. | critical | +15.0 "
    fix += "| renew the certificate (certbot renew). |"
    assert fix in lines


def test_summary_md_of_a_whole_run(suite):
    run(suite, "--summary-md=reports/summary.md")
    single = (suite.path / "reports" / "summary.md").read_text()
    assert single.splitlines()[2] == "❌ **69.0/100 C+ NOT READY**"
    assert "critical gate" not in single and "### Top fixes" in single
    assert load_json(suite.path / "reports" / "readiness.json")["score"] == 69.0


def test_an_at_name_from_a_target_mentions_no_one():
    shown = markdown_summary.escape("contact @alice or @org/team, mail ops@example.com")
    assert "@alice" not in shown and "@org" not in shown and "@example" not in shown
    assert shown.replace("\u200d", "") == "contact @alice or @org/team, mail ops@example.com"
