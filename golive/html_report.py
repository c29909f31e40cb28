"""HTML fragments for the pytest-html report: the grade summary and each row's evidence.

Everything that came from a target or the inventory is escaped here; the fragments
are inserted into pytest-html's self-contained page, which opens offline.
"""

from __future__ import annotations

import html
import re
from typing import Any

from golive import evidence_store
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
@media print{{
  body{{min-width:0}}
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
    parts.append(_matrix(record))
    parts.append(_critical_failures(record))
    parts.append(_fixes(record))
    parts.append(_waivers(record))
    parts.append(_run_metadata(record))
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


_FRAME = re.compile(r"^@@golive-[0-9a-f]+ (?:(section) ([0-9a-f]*)|(section rc=.*)|(?:logs )?(.*))$")
_EXCERPT_LINES = 8
_EXCERPT_BLOCKS = 3
_SHORT_COMMAND = 300
"""A command up to this long is shown in the row itself; a longer script only in its host's section."""


def _frame(line: str) -> str | None:
    """A framing line of a fact's output as a readable heading (None: an ordinary line)."""
    match = _FRAME.match(line)
    if match is None:
        return None
    section, key, end, other = match.groups()
    if end is not None:
        return ""
    if section is not None:
        try:
            return f"[{bytes.fromhex(key).decode('utf-8', 'replace')}]"
        except ValueError:
            return "[section]"
    return f"[{other}]"


def _blocks(stdout: str) -> list[tuple[str, list[str]]]:
    """The output split at its framing lines: (heading, lines) per section or log source."""
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for line in stdout.splitlines():
        heading = _frame(line)
        if heading is None:
            blocks[-1][1].append(line)
        elif heading:
            blocks.append((heading, []))
    return [(heading, lines) for heading, lines in blocks if heading or lines]


def excerpt(
    stdout: str, needles: list[str], blocks_shown: int = _EXCERPT_BLOCKS, lines_shown: int = _EXCERPT_LINES
) -> tuple[str, int]:
    """The part of a fact's output a verdict was judged from: the sections (or log sources)
    mentioning a compared value or the target, a few lines each; else the first lines.
    A passing row shows less (``blocks_shown``, ``lines_shown``): on a large fleet most rows
    pass, and their whole fact is one link away. Returns the text and how many lines of the output it leaves out."""
    blocks = _blocks(stdout)
    total = sum(len(lines) + bool(heading) for heading, lines in blocks)
    wanted = [n for n in dict.fromkeys(needles) if len(n) >= 3 and n in stdout]

    def hits(text: str) -> bool:
        return any(n in text for n in wanted)

    chosen = [b for b in blocks if wanted and hits(b[0] + "\n" + "\n".join(b[1]))][:blocks_shown] or blocks[
        :blocks_shown
    ]
    shown: list[str] = []
    for heading, lines in chosen:
        if heading:
            shown.append(heading)
        matching = [line for line in lines if hits(line)] if wanted and not hits(heading) else []
        picked = (matching or lines)[:lines_shown]
        shown.extend(picked)
        if len(lines) > len(picked):
            shown.append(f"  … {len(lines) - len(picked)} more line(s)")
    return "\n".join(shown), max(0, total - len(shown))


def _needles(entries: list[dict[str, Any]], target: str) -> list[str]:
    found = [str(e.get(k, "")) for e in entries if e.get("kind") == "comparison" for k in ("measured", "subject")]
    found += [part for part in target.split("/")[1:] if part]
    return found


def _decided(comparisons: list[dict[str, Any]]) -> str:
    """The comparisons that decided a verdict, as a table: what, found, wanted, verdict."""
    if not comparisons:
        return ""
    rows = "".join(
        f'<tr class="{"cmp-ok" if c["passed"] else "cmp-fail"}"><td>{_e(c["subject"])}</td>'
        f"<td>{_e(c['measured'])}{_e(c['unit'])}</td><td>{_e(c['operator'])} {_e(c['limit'])}{_e(c['unit'])}</td>"
        f"<td>{'ok' if c['passed'] else 'FAIL'}</td></tr>"
        for c in comparisons
    )
    return (
        '<table class="golive-decided"><tr><th>What</th><th>Found</th><th>Wanted</th><th>Verdict</th></tr>'
        f"{rows}</table>"
    )


def _command_block(entry: dict[str, Any], needles: list[str], passed: bool) -> str:
    key = evidence_store.fact_id(entry)
    command = str(entry.get("command", ""))
    stdout = str(entry.get("stdout", ""))
    text, left_out = excerpt(stdout, needles, *((1, 3) if passed else (_EXCERPT_BLOCKS, _EXCERPT_LINES)))
    how = " · in the host's batch" if entry.get("batched") else ""
    more = f" · {left_out} more line(s) there" if left_out else ""
    if len(command) <= _SHORT_COMMAND:
        shown = f"<details><summary>command</summary><pre>$ {_e(command)}</pre></details>"
    else:
        script = evidence_store.script_id(command)
        shown = f' · script <a href="#script-{script}">{script}</a>'
    stderr = f'<pre class="stderr">{_e(entry["stderr"])}</pre>' if entry.get("stderr") else ""
    opening = (
        f'<p>Judged from <a href="#fact-{key}">fact {key}</a> on {_e(entry.get("host", ""))} '
        f"(exit {_e(entry.get('exit_status'))}{how}{more})"
    )
    if shown.startswith(" · "):
        return f'<div class="golive-judged">{opening}{shown}</p><pre>{_e(text)}</pre>{stderr}</div>'
    return f'<div class="golive-judged">{opening}</p><pre>{_e(text)}</pre>{stderr}{shown}</div>'


def _http_block(entry: dict[str, Any]) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in entry["headers"].items())
    status = entry["status"] if entry["status"] is not None else "no answer"
    error = f" {_e(entry['error'])}" if entry.get("error") else ""
    body = f"<pre>{_e(entry['body'])}</pre>" if entry.get("body") else ""
    head = f"<details><summary>response headers</summary><pre>{_e(headers)}</pre></details>" if headers else ""
    return f'<div class="golive-judged"><p>{_e(entry["request"])} → {_e(status)}{error}</p>{body}{head}</div>'


def evidence_html(entries: list[dict[str, Any]], store: evidence_store.Store | None = None, target: str = "") -> str:
    """A row's evidence, decision first: the comparisons as a table, the verdict, then the
    part of each fact it was judged from; the command behind a collapsed element, a long
    fact script only as a link to its host's section (``facts_html``), where it is shown once."""
    if not entries:
        return ""
    store = store or evidence_store.Store()
    entries = [store.resolve(entry) for entry in entries]
    needles = _needles(entries, target)
    verdicts = [e["passed"] for e in entries if e.get("kind") in ("comparison", "verdict")]
    passed = bool(verdicts) and all(verdicts)
    blocks = [_decided([e for e in entries if e.get("kind") == "comparison"])]
    for entry in entries:
        kind = entry.get("kind")
        if kind == "verdict":
            mark = "ok" if entry["passed"] else "fail"
            blocks.append(f'<p class="{mark}">Verdict: {_e(entry["summary"])}</p>')
        elif kind == "note":
            blocks.append(f'<p class="note">{_e(entry["text"])}</p>')
        elif kind == "grade_claim":
            blocks.append(f"<p>Grade claimed by {_e(entry['source'])}: {_e(entry['score'])} {_e(entry['letter'])}</p>")
    for entry in entries:
        if entry.get("kind") == "command":
            blocks.append(_command_block(entry, needles, passed))
        elif entry.get("kind") == "http":
            blocks.append(_http_block(entry))
    for entry in entries:
        if entry.get("kind") not in ("command", "http", "comparison", "verdict", "note", "grade_claim"):
            blocks.append(f"<p>{_e(entry.get('text', entry))}</p>")
    return '<div class="golive-evidence">' + "".join(b for b in blocks if b) + "</div>"


def facts_html(record: Record) -> str:
    """Each fact once, per host: exit status, duration, the host's round trips, the criteria
    that read it and its whole output; each fact script once, after them. Rows link here."""
    store = evidence_store.Store.of([record])
    if not store.facts:
        return ""
    readers: dict[str, set[str]] = {}
    for criterion in record["criteria"]:
        for instance in criterion["instances"]:
            for entry in instance["evidence"]:
                if entry.get("kind") == "command" and "fact" in entry:
                    readers.setdefault(str(entry["fact"]), set()).add(criterion["id"])
    by_host: dict[str, list[str]] = {}
    for key, fact in store.facts.items():
        by_host.setdefault(str(fact.get("host") or ""), []).append(key)
    trips = record["run"].get("round_trips") or {}
    sections = []
    for host, keys in sorted(by_host.items()):
        items = []
        for key in keys:
            fact = store.facts[key]
            script, stdout = str(fact.get("script")), str(fact.get("stdout", ""))
            duration = f" · {fact['duration']:g} s" if isinstance(fact.get("duration"), int | float) else ""
            batched = " · in the host's batch" if fact.get("batched") else ""
            stderr = f'<pre class="stderr">{_e(fact["stderr"])}</pre>' if fact.get("stderr") else ""
            items.append(
                f'<div class="golive-fact" id="fact-{_e(key)}"><p><b>{_e(key)}</b> exit {_e(fact.get("exit_status"))}'
                f'{duration}{batched} · script <a href="#script-{_e(script)}">{_e(script)}</a>'
                f" · read by {_e(', '.join(sorted(readers.get(key, ()))))}</p>"
                f"<details><summary>output ({len(stdout.splitlines())} line(s))</summary>"
                f"<pre>{_e(stdout)}</pre>{stderr}</details></div>"
            )
        round_trips = trips.get(host)
        count = f" · {round_trips} round trip(s)" if round_trips is not None else ""
        sections.append(
            f'<section class="golive-host"><h4>{_e(host or "local")}{count} · {len(keys)} fact(s)</h4>'
            + "".join(items)
            + "</section>"
        )
    scripts = "".join(
        f'<div class="golive-fact" id="script-{_e(key)}"><details><summary>script {_e(key)} '
        f"({text.count(chr(10)) + 1} line(s))</summary><pre>{_e(text)}</pre></details></div>"
        for key, text in store.scripts.items()
    )
    return '<h3 id="golive-facts">Facts gathered, per host</h3>' + "".join(sections) + f"<h3>Fact scripts</h3>{scripts}"


def page(record: Record) -> str:
    """A whole self-contained report page from a record alone (used for merged shards)."""
    sections = []
    store = evidence_store.Store.of([record])
    for criterion in record["criteria"]:
        rows = []
        for instance in criterion["instances"]:
            rows.append(
                f'<div class="golive-instance"><b>{_e(instance["target"] or instance["nodeid"])}</b>: '
                f"{_e(instance['outcome'])} {_e(instance['message'])}"
                f"{evidence_html(instance['evidence'], store, instance['target'])}</div>"
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
