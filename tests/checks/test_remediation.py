"""What DOC-02 leaves to golive itself: everything it ships comes with its fix.

DOC-02 judges what an inventory adds (runbooks, log patterns); the shipped criteria
(docs/criteria.md, proven current by tests/test_criteria_reference.py) and the shipped
knowledge base are held to having a fix here.
"""

from __future__ import annotations

from golive.checks import remediation
from golive.checks.log_patterns import shipped_patterns
from tests.conftest import REPO


def test_every_shipped_critical_or_warning_criterion_has_a_fix():
    rows = [line.split(" | ") for line in (REPO / "docs" / "criteria.md").read_text().splitlines()
            if line.startswith("| ") and line[2:5].isalpha() and line[5] == "-"]  # fmt: skip
    assert len(rows) >= 50
    bare = [row[0] for row in rows if row[1] in remediation.JUDGED_SEVERITIES and not row[-1].strip(" |")]
    assert bare == []


def test_every_shipped_log_pattern_has_a_remediation():
    assert [p.id for p in shipped_patterns() if not (p.remediation or p.runbook or "").strip()] == []
