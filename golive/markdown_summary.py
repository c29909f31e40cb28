"""The run as a short Markdown summary: for a CI job's page or a merge-request comment.

``render`` writes the verdict (a gate run's gate line first), the category table, the
critical failures with their failing targets and the top fixes, from the record alone
(so a merge of shards summarises like a single run). Every text a target or the
inventory could have written is escaped: it stays text, never markup, a link or HTML.
"""

from __future__ import annotations

import re

from golive.outcomes import Outcome, Severity
from golive.record import PARTIAL_GRADE, gate_line
from golive.record_schema import CriterionEntry, Record

TARGETS_SHOWN = 10
"""Failing targets listed per critical failure; the rest are counted."""
FIXES_SHOWN = 5
MESSAGE_CHARS = 200

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MENTION = re.compile(r"@(?=\w)")
_JOINER = "\u200d"
"""Between ``@`` and a name: the text reads the same, but mentions no one (GitHub, GitLab)."""
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "~": "&#126;"}  # not every Markdown escapes ``\~``


def escape(value: object) -> str:
    """Text as Markdown that renders as the same text: one line, markup characters
    backslash-escaped, ``<``, ``>``, ``&`` and ``~`` as entities (no HTML, no table cell break,
    no link), ``@name`` defused by a zero-width joiner after the ``@`` (no mention, so a target
    cannot notify anyone through a merge-request comment). Callers never start a line with
    it, so it opens no block (list, heading)."""
    text = " ".join(str(value).split())

    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        return _ENTITIES.get(char, "\\" + char)

    return _MENTION.sub("@" + _JOINER, _SPECIAL.sub(one, text))


def render(record: Record, report_path: str = "") -> str:
    """The summary as Markdown (GitHub and GitLab flavoured)."""
    lines = ["## golive readiness", ""]
    judged = record.get("gate")
    state = "READY" if record["ready"] else "NOT READY"
    score = f"{record['score']:.1f}/100 {escape(record['grade'])} {state}"
    if judged is not None:
        mark = "✅" if judged["passed"] else "❌"
        lines += [f"{mark} **{escape(gate_line(record))}**", "", f"{escape(PARTIAL_GRADE)}: {score}"]
    else:
        lines.append(f"{'✅' if record['ready'] else '❌'} **{score}**")
    lines += [""] + [f"- {escape(reason)}" for reason in _caveats(record)]
    if lines[-1]:
        lines.append("")
    lines += _categories(record)
    lines += _critical_failures(record)
    lines += _fixes(record)
    if report_path:
        lines += [f"Evidence: {escape(report_path)}", ""]
    return "\n".join(lines)


def _caveats(record: Record) -> list[str]:
    caveats = []
    if record["critical_failures"]:
        caveats.append(f"critical failures: {', '.join(record['critical_failures'])}")
    if record["partial_reasons"]:
        caveats.append(f"partial run: {'; '.join(record['partial_reasons'])}")
    if record["incomplete_reasons"]:
        caveats.append(f"INCOMPLETE run: {'; '.join(record['incomplete_reasons'])}")
    if record["rubric_overridden"]:
        caveats.append(f"rubric overridden: {', '.join(record['rubric_overridden'])}")
    return caveats


def _categories(record: Record) -> list[str]:
    lines = ["### Categories", "", "| Category | Weight | Score | Criteria passed |", "|---|--:|--:|--:|"]
    for c in record["categories"]:
        counted = f"{c['passed']} of {c['counted']}" if c["counted"] else "none judged"
        lines.append(f"| {escape(c['name'])} | {c['weight']:g} | {c['score']:.1f} | {counted} |")
    return [*lines, ""]


def _critical_failures(record: Record) -> list[str]:
    failed = [c for c in record["criteria"] if c["severity"] == Severity.CRITICAL and c["outcome"] == Outcome.FAILED]
    if not failed:
        return []
    lines = ["### Critical failures", ""]
    for criterion in failed:
        lines.append(f"- **{escape(criterion['id'])}** {escape(criterion['title'])}")
        lines += _failing_targets(criterion)
    return [*lines, ""]


def _failing_targets(criterion: CriterionEntry) -> list[str]:
    failing = [i for i in criterion["instances"] if Outcome(i["outcome"]).is_failure]
    lines = []
    for instance in failing[:TARGETS_SHOWN]:
        message = instance["message"]
        if len(message) > MESSAGE_CHARS:
            message = message[: MESSAGE_CHARS - 1] + "…"
        reason = f": {escape(message)}" if message else ""
        lines.append(f"  - on {escape(instance['target'] or 'the fleet')}{reason}")
    if len(failing) > TARGETS_SHOWN:
        lines.append(f"  - … and {len(failing) - TARGETS_SHOWN} more")
    return lines


def _fixes(record: Record) -> list[str]:
    fixes = record["fixes"][:FIXES_SHOWN]
    if not fixes:
        return []
    lines = ["### Top fixes", "", "| Criterion | Severity | Points | Fix |", "|---|---|--:|---|"]
    for fix in fixes:
        lines.append(
            f"| {escape(fix['id'])} {escape(fix['title'])} | {escape(fix['severity'])} | +{fix['points']:.1f} "
            f"| {escape(fix['remediation'])} |"
        )
    return [*lines, ""]
