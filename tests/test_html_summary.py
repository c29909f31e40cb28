"""The report's summary is read at a glance: verdict, hosts × categories, bars, fixes,
waivers; every text colour has a contrast of at least 4.5:1; the page fits 1280 px."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile

import pytest

from golive import html_report
from tests import headless
from tests.conftest import load_json
from tests.synthetic import run
from tests.test_hostile_content import chromium  # noqa: F401 (a fixture)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#999999", "#ffffff") == pytest.approx(2.85, abs=0.01)  # pytest-html's grey: too faint


def test_every_text_colour_pair_has_a_contrast_of_at_least_4_5():
    low = {name: round(contrast(*pair), 2) for name, pair in html_report.PALETTE.items() if contrast(*pair) < 4.5}
    assert not low
    # and the stylesheet sets no text colour outside the palette
    texts = {text for text, _ in html_report.PALETTE.values()}
    used = set(re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", html_report._STYLE))
    assert used and used <= texts


def record_with(categories, criteria=()):
    return {
        "score": 0.0, "uncapped_score": 0.0, "grade": "F", "ready": False, "partial": False, "partial_reasons": [],
        "not_run": [], "complete": True, "incomplete_reasons": [], "rubric_overridden": [], "critical_failures": [],
        "categories": categories, "criteria": list(criteria), "fixes": [], "waivers": [],
        "rubric": {"severity_weights": {"critical": 3, "warning": 2, "acceptable": 1}, "critical_cap": 69},
        "run": {"finished": "2026-01-01T00:00:00+00:00"}, "facts": {},
    }  # fmt: skip


def test_the_chart_draws_every_category_when_all_score_zero():
    names = ["Availability", "Security"]
    record = record_with([{"name": n, "weight": 10, "score": 0.0, "counted": 2, "passed": 0} for n in names])
    chart = re.search(r'<svg[^>]*id="golive-chart".*?</svg>', html_report.summary_html(record)).group(0)
    tracks = re.findall(r'<rect [^>]*width="(\d+(?:\.\d+)?)"', chart)
    assert len(tracks) == 4 and sum(float(w) > 0 for w in tracks) == 2
    assert all(f">{n}<" in chart for n in names) and chart.count(">0.0<") == 2


def test_the_matrix_shows_each_hosts_share_of_each_category():
    def instance(target, outcome):
        return {"target": target, "outcome": outcome, "evidence": [], "nodeid": target, "message": ""}

    criteria = [
        {"id": "SEC-01", "category": "Security", "severity": "critical", "outcome": "failed",
         "title": "t", "remediation": "", "instances": [instance("h1", "passed"), instance("h2/web", "failed")]},
        {"id": "SEC-02", "category": "Security", "severity": "warning", "outcome": "passed",
         "instances": [instance("h1", "passed"), instance("h2", "passed")]},
        {"id": "REL-01", "category": "Reliability", "severity": "warning", "outcome": "passed",
         "instances": [instance("h1", "skipped")]},
    ]  # fmt: skip
    categories = [
        {"name": n, "weight": 10, "score": 50.0, "counted": 2, "passed": 1} for n in ("Security", "Reliability")
    ]
    record = record_with(categories, criteria)
    assert html_report.matrix(record) == {"h1": {"Security": (2, 2, 100.0)}, "h2": {"Security": (1, 2, 40.0)}}
    shown = html_report.summary_html(record)
    assert '<td class="cell poor">40% <span class="count">1/2</span></td>' in shown
    assert '<td class="cell none" title="nothing judged">–</td>' in shown


PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92
    : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) { if (c.length >= 3 && !(c.length === 4 && c[3] === 0)) return c; } }
    return [255, 255, 255]; };
  const low = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || ["SCRIPT", "STYLE"].includes(el.tagName)) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push([el.tagName, el.className, el.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
  }
  const out = document.createElement("pre");
  out.id = "golive-probe";
  out.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth, low});
  document.body.appendChild(out);
}, 500));
</script>"""


def probe(browser: str, page, shot=None) -> dict:
    """Open ``page`` at 1280 px in headless Chromium; the probe's measurements from the DOM."""
    probed = page.with_name("probed.html")
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    flags = [browser, *headless.FLAGS, "--window-size=1280,1000", "--hide-scrollbars", "--virtual-time-budget=5000"]
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [*flags, f"--user-data-dir={profile}", "--dump-dom", probed.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if shot is not None:
            subprocess.run([*flags, f"--user-data-dir={profile}", f"--screenshot={shot}", page.as_uri()],
                           capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="golive-probe">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stdout[-2000:]
    return json.loads(
        found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


@pytest.mark.root
def test_the_report_fits_1280_px_and_all_its_text_reads_at_4_5_to_1(suite, chromium):  # noqa: F811
    run(suite)
    report = suite.path / "reports" / "readiness.html"
    measured = probe(chromium, report, suite.path / "readiness.png")
    assert measured["scrollWidth"] <= 1280
    assert measured["low"] == []
    record = load_json(suite.path / "reports" / "readiness.json")
    page = report.read_text()
    assert 'id="golive-matrix"' in page and 'id="golive-chart"' in page and 'id="golive-fixes"' in page
    assert "days left" in page and all(c["id"] in page for c in record["criteria"])
