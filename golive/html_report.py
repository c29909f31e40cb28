"""HTML fragments for the pytest-html report: the grade summary and each row's evidence.

Everything that came from a target or the inventory is escaped here; the fragments
are inserted into pytest-html's self-contained page, which opens offline.
"""

from __future__ import annotations

import html

from golive.outcomes import Outcome, Severity
from golive.record_schema import CategoryEntry, EvidenceEntry, Record

_STYLE = """
<style>
body{display:flex;flex-direction:column}
#environment-header,#environment{order:9}
.golive{font-family:system-ui,sans-serif;margin:0 0 1.5em}
.golive .verdict{font-size:1.6em;font-weight:700;padding:.4em .6em;border-radius:6px;display:inline-block}
.golive .ready{background:#d9f2d9;color:#145214}.golive .not-ready{background:#f9d6d5;color:#7a1411}
.golive table{border-collapse:collapse;margin:.5em 0}
.golive td,.golive th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.golive .tag{font-size:.8em;padding:.1em .4em;border-radius:3px;background:#eee;margin-left:.4em}
.golive .critical{color:#a00;font-weight:700}
.golive-evidence{white-space:normal;font-family:monospace}
.golive-evidence pre{white-space:pre-wrap;margin:.2em 0 .6em;background:#f6f6f6;padding:.3em;
  max-height:30em;overflow:auto}
.golive-evidence .fail{color:#a00;font-weight:700}.golive-evidence .ok{color:#070}
@media print{
  .golive-evidence pre{max-height:none;overflow:visible}
  .extras-row,.extras-row.hidden{display:table-row!important}
  .logwrapper{max-height:none!important;overflow:visible!important}
  .logwrapper .log{top:0!important;height:auto!important}
  .logexpander,.controls,.filter,.summary__reload,#show_all_details,#hide_all_details{display:none!important}
  #environment-header,#environment{display:none}
}
</style>
"""


def escape(value: object) -> str:
    """Text as HTML, quotes included, so it is safe in content and attributes."""
    return html.escape(str(value), quote=True)


_e = escape


def summary_html(record: Record, report_path: str = "") -> str:
    """The report's opening block: verdict, categories, critical failures, fixes, metadata."""
    state = "READY" if record["ready"] else "NOT READY"
    css = "ready" if record["ready"] else "not-ready"
    tags = []
    tags.append("partial run" if record["partial"] else "complete selection")
    if not record["complete"]:
        tags.append("INCOMPLETE run")
    parts = [
        _STYLE,
        '<div class="golive" id="golive-summary">',
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
    parts.append(_critical_failures(record))
    parts.append(_fixes(record))
    parts.append(_waivers(record))
    parts.append(_run_metadata(record))
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


def _categories_table(record: Record) -> str:
    rows = []
    for category in record["categories"]:
        rows.append(
            f"<tr><td>{_e(category['name'])}</td><td>{category['weight']:g}</td><td>{category['score']:.1f}</td>"
            f"<td>{category['passed']}/{category['counted']}</td></tr>"
        )
    table = (
        '<h3>Categories</h3><table id="golive-categories"><tr><th>Category</th><th>Weight</th><th>Score</th>'
        "<th>Criteria passed</th></tr>" + "".join(rows) + "</table>"
    )
    return table + _chart(record["categories"])


def _chart(categories: list[CategoryEntry]) -> str:
    bar_height, label_width, width = 18, 130, 300
    height = bar_height * len(categories) + 4
    bars = []
    for index, category in enumerate(categories):
        y = index * bar_height + 2
        score = max(0.0, min(100.0, category["score"]))
        color = "#2e7d32" if score >= 80 else "#f9a825" if score >= 60 else "#c62828"
        bars.append(
            f'<text x="0" y="{y + 13}" font-size="12">{_e(category["name"])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{width * score / 100:.1f}" '
            f'height="{bar_height - 4}" fill="{color}"/>'
            f'<text x="{label_width + width * score / 100 + 4:.1f}" y="{y + 13}" font-size="12">{int(score)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="golive-chart" width="{label_width + width + 40}" '
        f'height="{height}" role="img" aria-label="category scores">' + "".join(bars) + "</svg>"
    )


_CHANGE_ROWS = (("Newly failing", "newly_failing"), ("Fixed", "fixed"), ("Still failing", "still_failing"))


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
    failed = [c for c in record["criteria"] if c["severity"] == Severity.CRITICAL and c["outcome"] == Outcome.FAILED]
    if not failed:
        return ""
    items = []
    for criterion in failed:
        targets = [i for i in criterion["instances"] if Outcome(i["outcome"]).is_failure]
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
        for f in record["fixes"]
    )
    return (
        '<h3>Fixes ranked by points gained</h3><table id="golive-fixes"><tr><th>Criterion</th><th>Severity</th>'
        f"<th>Title</th><th>Points</th></tr>{rows}</table>"
    )


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


def evidence_html(entries: list[EvidenceEntry]) -> str:
    """A test row's evidence: commands, HTTP exchanges, comparisons, notes, verdict."""
    if not entries:
        return ""
    blocks = []
    for entry in entries:
        kind = entry.get("kind")
        if kind == "command":
            cached = " (cached fact)" if entry.get("cached") else ""
            cached += " (fetched in the host's batch)" if entry.get("batched") else ""
            blocks.append(
                f"<div><b>$ {_e(entry['command'])}</b> on {_e(entry['host'])} → exit {_e(entry['exit_status'])}{cached}"
                f"<pre>{_e(entry['stdout'])}</pre>"
                + (f"<pre>{_e(entry['stderr'])}</pre>" if entry.get("stderr") else "")
                + "</div>"
            )
        elif kind == "http":
            headers = "\n".join(f"{k}: {v}" for k, v in entry["headers"].items())
            blocks.append(
                f"<div><b>{_e(entry['request'])}</b> → {_e(entry['status'])} {_e(entry['error'])}"
                f"<pre>{_e(headers)}\n\n{_e(entry['body'])}</pre></div>"
            )
        elif kind == "comparison":
            mark = '<span class="ok">ok</span>' if entry["passed"] else '<span class="fail">FAIL</span>'
            blocks.append(
                f"<div>{mark} {_e(entry['subject'])}: {_e(entry['measured'])}{_e(entry['unit'])} "
                f"{_e(entry['operator'])} {_e(entry['limit'])}{_e(entry['unit'])}</div>"
            )
        elif kind == "verdict":
            mark = "ok" if entry["passed"] else "fail"
            blocks.append(f'<div class="{mark}">Verdict: {_e(entry["summary"])}</div>')
        else:
            blocks.append(f"<div>{_e(entry.get('text', entry))}</div>")
    return '<div class="golive-evidence"><b>Evidence</b>' + "".join(blocks) + "</div>"


def page(record: Record) -> str:
    """A whole self-contained report page from a record alone (used for merged shards)."""
    sections = []
    for criterion in record["criteria"]:
        rows = []
        for instance in criterion["instances"]:
            rows.append(
                f'<div class="golive-instance"><b>{_e(instance["target"] or instance["nodeid"])}</b>: '
                f"{_e(instance['outcome'])} {_e(instance['message'])}{evidence_html(instance['evidence'])}</div>"
            )
        sections.append(
            f'<section class="golive-criterion" id="criterion-{_e(criterion["id"])}">'
            f"<h3>{_e(criterion['id'])} {_e(criterion['title'])} "
            f'<span class="tag">{_e(criterion["severity"])}</span><span class="tag">{_e(criterion["category"])}</span>'
            f'<span class="tag">{_e(criterion["outcome"])}</span></h3>{"".join(rows)}</section>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>golive readiness report</title>'
        "</head><body><h1>golive readiness report</h1>"
        + summary_html(record)
        + '<h2>Criteria</h2><div class="golive">'
        + "".join(sections)
        + "</div></body></html>\n"
    )
