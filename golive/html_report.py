"""The report's summary in HTML: verdict, categories, hosts × categories, fixes, waivers.

The summary opens pytest-html's self-contained page (which opens offline), with the
stylesheet of the whole report; ``page`` builds a page from a record alone (merged
shards). Each row's evidence and the facts section are ``golive/html_evidence.py``'s.
Everything that came from a target or the inventory is escaped.
"""

from __future__ import annotations

from golive import evidence_store
from golive.html_evidence import compact_html, facts_html
from golive.html_evidence import escape as escape
from golive.html_evidence import evidence_html as evidence_html
from golive.record import PARTIAL_GRADE, gate_line
from golive.record_schema import CategoryEntry, Record

PALETTE: dict[str, tuple[str, str]] = {
    "text": ("#1f1f1f", "#ffffff"),
    "muted": ("#4a4a4a", "#ffffff"),
    "link": ("#0b57a8", "#ffffff"),
    "code": ("#1f1f1f", "#f2f2f2"),
    "tag": ("#1f1f1f", "#e6e6e6"),
    "good": ("#1b5e20", "#dff0df"),
    "fair": ("#6b4500", "#fdefd2"),
    "poor": ("#8b1a1a", "#fbe1e1"),
    "none": ("#3d3d3d", "#eeeeee"),
    "ready": ("#145214", "#d9f2d9"),
    "not-ready": ("#7a1411", "#f9d6d5"),
    "passed": ("#1b6e1b", "#ffffff"),
    "skipped": ("#8a4b00", "#ffffff"),
    "failed": ("#b00020", "#ffffff"),
    "button": ("#ffffff", "#2e7d32"),
}
"""Every text colour of the report and the background it sits on: each pair has a contrast
ratio of at least 4.5:1 (WCAG AA, measured by tests/test_html_summary.py)."""

BAR_COLOURS = {"good": "#2e7d32", "fair": "#b26a00", "poor": "#c62828", "track": "#e0e0e0"}


def _pair(name: str) -> str:
    text, background = PALETTE[name]
    return f"color:{text};background:{background}"


def _band(score: float) -> str:
    """The colour band of a score: good from 80, fair from 60, poor below."""
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"


_P = PALETTE
_STYLE = f"""
<style>
body{{display:flex;flex-direction:column;color:{_P["text"][0]};min-width:0}}
a{{color:{_P["link"][0]}}}
#results-table{{color:{_P["text"][0]}}}
#results-table td{{overflow-wrap:anywhere}}
.filters button,.collapse button{{color:{_P["link"][0]}}}
span.passed,.passed .col-result{{color:{_P["passed"][0]}}}
span.skipped,span.xfailed,span.rerun,.skipped .col-result,.xfailed .col-result,
.rerun .col-result{{color:{_P["skipped"][0]}}}
span.error,span.failed,span.xpassed,.error .col-result,.failed .col-result,
.xpassed .col-result{{color:{_P["failed"][0]}}}
.summary__reload__button{{{_pair("button")}}}
#environment-header,#environment{{order:9}}
.golive{{font-family:system-ui,sans-serif;margin:0 0 1.5em;color:{_P["text"][0]};max-width:100%}}
.golive h3{{color:{_P["text"][0]}}}
.golive p{{color:inherit}}
.golive .verdict{{font-size:1.6em;font-weight:700;padding:.4em .6em;border-radius:6px;display:inline-block}}
.golive .ready{{{_pair("ready")}}}.golive .not-ready{{{_pair("not-ready")}}}
.golive table{{border-collapse:collapse;margin:.5em 0;max-width:100%}}
.golive td,.golive th{{border:1px solid #b0b0b0;padding:.2em .6em;text-align:left;overflow-wrap:anywhere}}
.golive .tag{{font-size:.8em;padding:.1em .4em;border-radius:3px;{_pair("tag")};margin-left:.4em}}
.golive .critical{{color:{_P["failed"][0]};font-weight:700}}
.golive .good{{{_pair("good")}}}.golive .fair{{{_pair("fair")}}}.golive .poor{{{_pair("poor")}}}
.golive .none{{{_pair("none")}}}
.golive-matrix td.cell{{text-align:center;white-space:nowrap}}
.golive-matrix .count{{font-size:.85em}}
.golive-row{{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}}
.golive-evidence{{white-space:normal;color:{_P["text"][0]}}}
.golive-evidence pre,.golive-fact pre{{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2em 0 .6em;{_pair("code")};
  padding:.3em;max-height:30em;overflow:auto}}
.golive-evidence table{{border-collapse:collapse;margin:.3em 0}}
.golive-evidence td,.golive-evidence th{{border:1px solid #b0b0b0;padding:.1em .5em;text-align:left}}
.golive-evidence .fail,.golive-decided tr.cmp-fail td:last-child{{color:{_P["failed"][0]};font-weight:700}}
.golive-evidence .ok,.golive-decided tr.cmp-ok td:last-child{{color:{_P["passed"][0]}}}
.golive-evidence .note{{color:{_P["muted"][0]}}}
.golive-fact{{border-left:3px solid #b0b0b0;padding-left:.6em;margin:.4em 0}}
.golive-compact td{{padding:0 .4em;font-size:.9em}}
.golive .fail{{color:{_P["failed"][0]};font-weight:700}}.golive .note{{color:{_P["muted"][0]}}}
.golive-criterion,.golive-host,.golive-failing .golive-instance{{content-visibility:auto;
  contain-intrinsic-size:auto 12em}}
@media print{{
  body{{min-width:0}}
  .golive-criterion,.golive-host,.golive-failing .golive-instance{{content-visibility:visible}}
  .golive-evidence pre,.golive-fact pre{{max-height:none;overflow:visible}}
  .extras-row,.extras-row.hidden{{display:table-row!important}}
  .logwrapper{{max-height:none!important;overflow:visible!important}}
  .logwrapper .log{{top:0!important;height:auto!important}}
  .logexpander,.controls,.filter,.summary__reload,#show_all_details,#hide_all_details{{display:none!important}}
  #environment-header,#environment{{display:none}}
  .golive-matrix td.cell{{white-space:normal}}
  .golive-matrix{{font-size:.85em}}
  #results-table{{table-layout:fixed;width:100%}}
  #results-table td,#results-table th{{overflow-wrap:anywhere;word-break:break-word}}
}}
</style>
"""

_e = escape


def summary_html(record: Record, report_path: str = "", facts: bool = True) -> str:
    """The report's opening block: verdict, categories, critical failures, fixes, metadata
    and (``facts``) the facts section."""
    state = "READY" if record["ready"] else "NOT READY"
    css = "ready" if record["ready"] else "not-ready"
    tags = []
    tags.append("partial run" if record["partial"] else "complete selection")
    if not record["complete"]:
        tags.append("INCOMPLETE run")
    parts = [_STYLE, '<div class="golive" id="golive-summary">']
    judged = record.get("gate")
    if judged is not None:  # a run selected by severity leads with its gate; its score is a partial grade
        passed = "ready" if judged["passed"] else "not-ready"
        parts.append(
            f'<div class="verdict {passed}" id="golive-gate" data-passed="{str(judged["passed"]).lower()}">'
            f"{_e(gate_line(record))}</div>"
        )
        parts.append(f'<p id="golive-partial-grade">{_e(PARTIAL_GRADE)}:</p>')
    parts += [
        f'<div class="verdict {css}" id="golive-verdict" data-score="{record["score"]:.1f}" '
        f'data-grade="{_e(record["grade"])}" data-ready="{str(record["ready"]).lower()}">'
        f"{record['score']:.1f}/100 {_e(record['grade'])} — {state}</div>",
        "".join(f'<span class="tag">{_e(t)}</span>' for t in tags),
    ]
    if record["partial_reasons"]:
        parts.append(
            f"<p>Partial: {_e('; '.join(record['partial_reasons']))}. A partial run cannot certify readiness.</p>"
        )
    if record["not_run"]:
        parts.append(
            f'<p class="critical" id="golive-not-run">Criteria of the suite not run: '
            f"{_e(', '.join(record['not_run']))}.</p>"
        )
    if record["incomplete_reasons"]:
        parts.append(
            f'<p class="critical" id="golive-incomplete">Incomplete: {_e("; ".join(record["incomplete_reasons"]))}. '
            "An incomplete run cannot certify readiness.</p>"
        )
    if record["rubric_overridden"]:
        parts.append(
            f'<p id="golive-rubric-overridden">Rubric overridden: {_e(", ".join(record["rubric_overridden"]))}.</p>'
        )
    failures = len(record["critical_failures"])
    if failures and record["uncapped_score"] > record["score"]:
        parts.append(
            f'<p class="critical">{failures} critical failure(s) cap the score at '
            f"{record['rubric']['critical_cap']:g} (uncapped {record['uncapped_score']:.1f}).</p>"
        )
    elif failures:
        parts.append(f'<p class="critical">{failures} critical failure(s) block go-live.</p>')
    parts.append(_changes(record))
    parts.append(_categories_table(record))
    parts.append(_matrix(record))
    parts.append(_critical_failures(record))
    parts.append(_fixes(record))
    parts.append(_waivers(record))
    parts.append(_run_metadata(record))
    if facts:
        parts.append(facts_html(record))
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


def _categories_table(record: Record) -> str:
    rows = []
    for category in record["categories"]:
        band = _band(category["score"]) if category["counted"] else "none"
        rows.append(
            f"<tr><td>{_e(category['name'])}</td><td>{category['weight']:g}</td>"
            f'<td class="{band}">{category["score"]:.1f}</td>'
            f"<td>{category['passed']}/{category['counted']}</td></tr>"
        )
    table = (
        '<table id="golive-categories"><tr><th>Category</th><th>Weight</th><th>Score</th>'
        "<th>Criteria passed</th></tr>" + "".join(rows) + "</table>"
    )
    return f'<h3>Categories</h3><div class="golive-row">{table}{_chart(record["categories"])}</div>'


def _chart(categories: list[CategoryEntry]) -> str:
    """One bar per category on a full-width track, so a score of 0 still draws its row."""
    bar_height, label_width, width = 20, 130, 300
    height = bar_height * len(categories) + 4
    bars = []
    for index, category in enumerate(categories):
        y = index * bar_height + 2
        score = max(0.0, min(100.0, category["score"]))
        colour = BAR_COLOURS[_band(score)]
        bars.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{PALETTE["text"][0]}">{_e(category["name"])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{width}" height="{bar_height - 4}" fill="{BAR_COLOURS["track"]}"/>'
            f'<rect x="{label_width}" y="{y}" width="{width * score / 100:.1f}" '
            f'height="{bar_height - 4}" fill="{colour}"/>'
            f'<text x="{label_width + width + 6}" y="{y + 13}" font-size="12" fill="{PALETTE["text"][0]}">'
            f"{category['score']:.1f}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="golive-chart" width="{label_width + width + 50}" '
        f'height="{height}" role="img" aria-label="category scores">' + "".join(bars) + "</svg>"
    )


def host_of(target: str) -> str:
    """The host (or endpoint group) a target names: its first part, ``h1`` of ``h1/infra``."""
    return target.split("/", 1)[0] if target else "(fleet)"


def matrix(record: Record) -> dict[str, dict[str, tuple[int, int, float]]]:
    """Per host and category: (criteria passed, criteria counted, weighted share in %).

    A criterion counts on a host when one of its instances there passed, failed or was
    waived; it passes there when none of them failed. Shares are weighted by severity
    as the rubric weights the fleet's grade."""
    weights = record["rubric"]["severity_weights"]
    cells: dict[str, dict[str, list[float]]] = {}
    for criterion in record["criteria"]:
        outcomes: dict[str, set[str]] = {}
        for instance in criterion["instances"]:
            outcomes.setdefault(host_of(instance["target"]), set()).add(instance["outcome"])
        weight = float(weights.get(criterion["severity"], 1))
        for host, found in outcomes.items():
            if not found & {"passed", "failed", "error", "waived"}:
                continue
            passed = not found & {"failed", "error"}
            cell = cells.setdefault(host, {}).setdefault(criterion["category"], [0, 0, 0.0, 0.0])
            cell[0] += passed
            cell[1] += 1
            cell[2] += weight * passed
            cell[3] += weight
    return {
        host: {name: (int(c[0]), int(c[1]), 100 * c[2] / c[3] if c[3] else 0.0) for name, c in row.items()}
        for host, row in sorted(cells.items())
    }


def _matrix(record: Record) -> str:
    shares = matrix(record)
    if not shares:
        return ""
    names = [c["name"] for c in record["categories"]]
    head = "".join(f"<th>{_e(name)}</th>" for name in names)
    rows = []
    for host, row in shares.items():
        cells = []
        for name in names:
            if name not in row:
                cells.append('<td class="cell none" title="nothing judged">–</td>')
                continue
            passed, counted, share = row[name]
            cells.append(
                f'<td class="cell {_band(share)}">{share:.0f}% <span class="count">{passed}/{counted}</span></td>'
            )
        rows.append(f"<tr><th>{_e(host)}</th>{''.join(cells)}</tr>")
    return (
        "<h3>Hosts × categories</h3><p>Each cell: the share of the category the host meets (weighted by "
        "severity) and its criteria passed / judged there.</p>"
        f'<table class="golive-matrix" id="golive-matrix"><tr><th>Host</th>{head}</tr>{"".join(rows)}</table>'
    )


def _changes(record: Record) -> str:
    """What changed since the previous run (or the baseline), and the score over past runs."""
    parts = []
    changes = record.get("changes")
    if changes:
        rows = "".join(
            f"<tr><th>{_e(label)}</th><td>{_e(', '.join(ids) or 'none')}</td></tr>"
            for label, ids in (
                ("Newly failing", changes["newly_failing"]),
                ("Fixed", changes["fixed"]),
                ("Still failing", changes["still_failing"]),
            )
        )
        parts.append(
            f"<h3>Since {_e(changes['since'])} ({_e(changes['since_finished'])}, {changes['since_score']:.1f})</h3>"
            f'<table id="golive-changes">{rows}</table>'
        )
    points = record.get("history") or []
    if len(points) >= 2:
        width, height, step = 300, 60, 300 / (len(points) - 1)
        coordinates = " ".join(f"{i * step:.1f},{height - p['score'] * height / 100:.1f}" for i, p in enumerate(points))
        marks = "".join(
            f'<circle cx="{i * step:.1f}" cy="{height - p["score"] * height / 100:.1f}" r="2">'
            f"<title>{_e(p['finished'])}: {p['score']:.1f} {_e(p['grade'])}</title></circle>"
            for i, p in enumerate(points)
        )
        parts.append(
            f'<h3>Score over the last {len(points)} runs</h3><svg xmlns="http://www.w3.org/2000/svg" '
            f'id="golive-history" width="{width + 10}" height="{height + 10}" role="img" aria-label="score history">'
            f'<g transform="translate(5,5)"><polyline fill="none" stroke="#1565c0" points="{coordinates}"/>'
            f"{marks}</g></svg>"
        )
    return "".join(parts)


def _critical_failures(record: Record) -> str:
    failed = [c for c in record["criteria"] if c["severity"] == "critical" and c["outcome"] == "failed"]
    if not failed:
        return ""
    items = []
    for criterion in failed:
        targets = [i for i in criterion["instances"] if i["outcome"] in ("failed", "error")]
        reasons = "".join(
            f"<li><code>{_e(i['target'] or i['nodeid'])}</code>: {_e(i['message'])}</li>" for i in targets
        )
        fix = f"<p><b>Fix:</b> {_e(criterion['remediation'])}</p>" if criterion["remediation"] else ""
        items.append(f"<li><b>{_e(criterion['id'])}</b> {_e(criterion['title'])}<ul>{reasons}</ul>{fix}</li>")
    return '<h3>Critical failures</h3><ol id="golive-critical">' + "".join(items) + "</ol>"


def _fixes(record: Record) -> str:
    if not record["fixes"]:
        return ""
    rows = "".join(
        f"<tr><td>{_e(f['id'])}</td><td>{_e(f['severity'])}</td><td>{_e(f['title'])}</td><td>+{f['points']:.1f}</td></tr>"
        for f in record["fixes"][:TOP_FIXES]
    )
    more = len(record["fixes"]) - TOP_FIXES
    rest = f"<p>{more} more fix(es) in readiness.json.</p>" if more > 0 else ""
    return (
        f'<h3>Top fixes, ranked by points gained</h3><table id="golive-fixes">'
        f"<tr><th>Criterion</th><th>Severity</th><th>Title</th><th>Points</th></tr>{rows}</table>{rest}"
    )


TOP_FIXES = 10


def _waivers(record: Record) -> str:
    if not record["waivers"]:
        return ""
    rows = "".join(
        f"<tr><td>{_e(w['criterion'])}</td><td>{_e(w['target'])}</td><td>{_e(w['owner'])}</td>"
        f"<td>{_e(w['reason'])}</td><td>{_e(w['expires'])}</td>"
        f"<td>{'EXPIRED — no effect' if w['status'] == 'expired' else str(w['days_left']) + ' days left'}</td></tr>"
        for w in record["waivers"]
    )
    return (
        '<h3>Waivers</h3><table id="golive-waivers"><tr><th>Criterion</th><th>Target</th><th>Owner</th>'
        f"<th>Reason</th><th>Expires</th><th>Status</th></tr>{rows}</table>"
    )


def _run_metadata(record: Record) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in record["run"].items())
    return f'<h3>Run</h3><table id="golive-run">{rows}</table>'


FAILING = ("failed", "error")


def page(record: Record) -> str:
    """The report page, self-contained, from the record alone (a single run and a merge of
    shards alike). Without JavaScript it shows the summary, every failing instance with its
    reason and evidence, and each criterion's other instances one line each; the facts'
    whole outputs are embedded compressed and shown when opened (``facts_html``)."""
    store = evidence_store.Store.of([record])
    failures, sections = [], []
    for criterion in record["criteria"]:
        heading = (
            f"{_e(criterion['id'])} {_e(criterion['title'])} "
            f'<span class="tag">{_e(criterion["severity"])}</span><span class="tag">{_e(criterion["category"])}</span>'
        )
        failing = [i for i in criterion["instances"] if i["outcome"] in FAILING]
        if failing:
            rows = "".join(
                f'<div class="golive-instance"><p><b>{_e(i["target"] or i["nodeid"])}</b>: '
                f'<span class="fail">{_e(i["outcome"])}</span> {_e(i["message"])}</p>'
                f"{evidence_html(i['evidence'], store, i['target'], i['message'])}</div>"
                for i in failing
            )
            fix = f"<p><b>Fix:</b> {_e(criterion['remediation'])}</p>" if criterion["remediation"] else ""
            failures.append(f'<section class="golive-failing"><h4>{heading}</h4>{fix}{rows}</section>')
        by_outcome: dict[str, list[str]] = {}
        for i in criterion["instances"]:
            if i["outcome"] not in FAILING:
                said = compact_html(i["evidence"]) or _e(i["message"])
                by_outcome.setdefault(i["outcome"], []).append(
                    f"<tr><td>{_e(i['target'] or i['nodeid'])}</td><td>{said}</td></tr>"
                )
        table = "".join(
            f'<table class="golive-compact"><tr><th colspan="2">{_e(outcome)} ({len(lines)})</th></tr>'
            + "".join(lines)
            + "</table>"
            for outcome, lines in by_outcome.items()
        )
        sections.append(
            f'<section class="golive-criterion" id="criterion-{_e(criterion["id"])}">'
            f'<h3>{heading}<span class="tag">{_e(criterion["outcome"])}</span></h3>'
            f"{f'<p>{len(failing)} failing instance(s), above.</p>' if failing else ''}{table}</section>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>golive readiness report</title>'
        "</head><body><h1>golive readiness report</h1>"
        + summary_html(record, facts=False)
        + '<div class="golive"><h2 id="golive-failures">Failing instances, with their evidence</h2>'
        + ("".join(failures) or "<p>None.</p>")
        + "<h2>Criteria, every instance</h2>"
        + "".join(sections)
        + facts_html(record, packed=True)
        + "</div></body></html>\n"
    )
