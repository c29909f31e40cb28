"""A report row's evidence in HTML, and the facts section each row links to.

A row shows its decision first: the comparisons as a table, the verdict, then the part
of each fact it was judged from (``excerpt``). The whole of each fact, and each fact
script, is shown once, per host, in the section ``facts_html`` builds. Everything that
came from a target or the inventory is escaped here.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
from typing import Any

from golive import evidence_store
from golive.record_schema import Record


def escape(value: object) -> str:
    """Text as HTML, quotes included, so it is safe in content and attributes."""
    return html.escape(str(value), quote=True)


_e = escape

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


def evidence_html(
    entries: list[dict[str, Any]], store: evidence_store.Store | None = None, target: str = "", said: str = ""
) -> str:
    """A row's evidence, decision first: the comparisons as a table, the verdict, then the
    part of each fact it was judged from; the command behind a collapsed element, a long
    fact script only as a link to its host's section (``facts_html``), where it is shown once.
    A verdict whose summary is ``said`` (the reason shown above the evidence) is not repeated."""
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
        if kind == "verdict" and entry["summary"] == said:
            continue
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


def compact_html(entries: list[dict[str, Any]]) -> str:
    """A row that did not fail, in one line: its verdict, notes and claims, and links to
    the facts it was judged from (their output is in the facts section)."""
    said, facts = [], []
    concluded = any(e.get("kind") == "verdict" for e in entries)
    for entry in entries:
        kind = entry.get("kind")
        if kind == "verdict":
            said.append(_e(_short(entry["summary"])))
        elif kind == "note" and not concluded:
            said.append(f'<span class="note">{_e(_short(entry["text"]))}</span>')
        elif kind == "grade_claim":
            said.append(f"grade claimed by {_e(entry['source'])}: {_e(entry['score'])} {_e(entry['letter'])}")
        elif kind == "http" and not concluded:
            said.append(
                f"{_e(entry['request'])} → {_e(entry['status'] if entry['status'] is not None else 'no answer')}"
            )
        elif kind == "command":
            key = _e(evidence_store.fact_id(entry))
            facts.append(f'<a href="#fact-{key}">{key}</a>')
    judged = f" · from {', '.join(facts)}" if facts else ""
    return " · ".join(said) + judged


_COMPACT_CHARS = 300
"""A row that did not fail shows this much of each text; the rest is in readiness.json."""


def _short(text: str) -> str:
    return text if len(text) <= _COMPACT_CHARS else text[: _COMPACT_CHARS - 1] + "…"


_FACT_SCRIPT = """<script>
(() => {
  const chunks = {};
  const chunk = (id) => chunks[id] ??= (async () => {
    const bytes = Uint8Array.from(atob(document.getElementById("facts-" + id).textContent), (c) => c.charCodeAt(0));
    const text = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(text).text());
  })();
  document.addEventListener("toggle", async (event) => {
    const box = event.target;
    if (!box.open || !box.dataset || !box.dataset.fact || box.dataset.shown) return;
    box.dataset.shown = "1";
    const [stdout, stderr] = (await chunk(box.dataset.chunk))[box.dataset.fact];
    box.querySelector("pre").textContent = stdout;
    if (stderr) {
      const more = document.createElement("pre");
      more.className = "stderr";
      more.textContent = stderr;
      box.append(more);
    }
  }, true);
})();
</script>"""
"""Fills a fact's output in when its element is opened: text only (``textContent``), never markup."""


def _packed(facts: dict[str, dict[str, Any]]) -> str:
    """Facts' output as gzip in base64: only ``A-Za-z0-9+/=``, inert in any HTML context."""
    data = json.dumps({k: [str(f.get("stdout", "")), str(f.get("stderr") or "")] for k, f in facts.items()})
    return base64.b64encode(gzip.compress(data.encode(), 6, mtime=0)).decode("ascii")


def facts_html(record: Record, packed: bool = False) -> str:
    """Each fact once, per host: exit status, duration, the host's round trips, the criteria
    that read it and its whole output; each fact script once, after them. Rows link here.

    ``packed``: the outputs are embedded compressed, one block per fact script (the same
    fact of every host side by side, which compresses well), and shown as text when their
    element is opened; without JavaScript the page says where they are (readiness.json)."""
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
            if packed:
                opened = f'<details data-fact="{_e(key)}" data-chunk="{_e(script)}">'
                body = f"<pre>{_NO_SCRIPT.format(key=_e(key))}</pre>"
            else:
                opened, body = "<details>", f"<pre>{_e(stdout)}</pre>{stderr}"
            items.append(
                f'<div class="golive-fact" id="fact-{_e(key)}"><p><b>{_e(key)}</b> exit {_e(fact.get("exit_status"))}'
                f'{duration}{batched} · script <a href="#script-{_e(script)}">{_e(script)}</a>'
                f" · read by {_e(', '.join(sorted(readers.get(key, ()))))}</p>"
                f"{opened}<summary>output ({len(stdout.splitlines())} line(s))</summary>{body}</details></div>"
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
    blocks = ""
    if packed:
        by_script: dict[str, dict[str, dict[str, Any]]] = {}
        for key, fact in store.facts.items():
            by_script.setdefault(str(fact.get("script")), {})[key] = fact
        blocks = "".join(
            f'<script type="application/x-golive-facts" id="facts-{_e(script)}">{_packed(facts)}</script>'
            for script, facts in by_script.items()
        )
        blocks += _FACT_SCRIPT
    return (
        '<h3 id="golive-facts">Facts gathered, per host</h3>'
        + (
            '<noscript><p class="note">Each fact\'s whole output is embedded compressed and shown, when opened, by '
            "the page's script; without JavaScript, read it in readiness.json under facts → its id → stdout.</p>"
            "</noscript>"
            if packed
            else ""
        )
        + "".join(sections)
        + f"<h3>Fact scripts</h3>{scripts}{blocks}"
    )


_NO_SCRIPT = "without JavaScript: readiness.json, facts → {key}"
