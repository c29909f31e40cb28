"""What golive knows how to fix (DOC-02): every critical or warning finding it can
report must come with remediation text or a runbook, and declared runbooks must exist.

Sources of findings register here, each a function of the criteria catalogue and the
inventory returning ``Remediable`` items: the collected criteria (their ``Fix:``
paragraph) and the log knowledge base's known patterns (shipped and the inventory's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from golive.checks.log_patterns import knowledge_base
from golive.criteria import Criterion
from golive.evidence import Comparison, Verdict
from golive.inventory import Inventory
from golive.outcomes import Severity

JUDGED_SEVERITIES = (Severity.CRITICAL, Severity.WARNING)


@dataclass(frozen=True)
class Remediable:
    """Something golive can report as failed, and what it says to do about it."""

    id: str
    severity: str
    kind: str
    remediation: str


RemediationSource = Callable[[Mapping[str, Criterion], Inventory], Iterable[Remediable]]
SOURCES: list[RemediationSource] = []


def remediation_source(source: RemediationSource) -> RemediationSource:
    """Register a source of findings (called with the criteria catalogue)."""
    SOURCES.append(source)
    return source


@remediation_source
def criteria(catalogue: Mapping[str, Criterion], inventory: Inventory) -> list[Remediable]:
    """Every collected criterion, with its docstring's ``Fix:`` paragraph."""
    return [Remediable(c.id, c.severity, "criterion", c.remediation) for c in catalogue.values()]


@remediation_source
def log_patterns(catalogue: Mapping[str, Criterion], inventory: Inventory) -> list[Remediable]:
    """Every known log pattern (LOG-01..04), with its remediation or runbook."""
    return [
        Remediable(p.id, p.severity, "log pattern", " ".join(filter(None, (p.remediation, p.runbook))))
        for p in knowledge_base(inventory.log_patterns)
    ]


def remediables(catalogue: Mapping[str, Criterion], inventory: Inventory) -> list[Remediable]:
    return [item for source in SOURCES for item in source(catalogue, inventory)]


def unknown_runbooks(items: list[Remediable], runbooks: Mapping[str, str]) -> list[str]:
    """Runbook IDs naming no known item: a typo, or a criterion outside this run's paths."""
    known = {item.id for item in items}
    return sorted(set(runbooks) - known)


def declared(inventory: Inventory) -> list[Remediable]:
    """The inventory's own log patterns: the findings it adds to what golive ships.

    golive's criteria (their ``Fix:`` paragraphs) and its knowledge base ship with
    their fixes and are held to that by golive's own tests: judging them on every
    host would pass whatever the host documents.
    """
    return [
        Remediable(p.id, p.severity, "log pattern", " ".join(filter(None, (p.remediation, p.runbook))))
        for p in inventory.log_patterns
    ]


def judge(items: list[Remediable], runbooks: Mapping[str, str], missing: list[str]) -> Verdict:
    """The declared critical and warning items have remediation text or a runbook; declared runbooks exist.

    ``items`` are what the inventory declares (``declared``); not applicable when it
    declares neither such an item nor a runbook.
    """
    judged = [item for item in items if item.severity in JUDGED_SEVERITIES]
    bare = [f"{item.kind} {item.id}" for item in judged if not item.remediation.strip() and item.id not in runbooks]
    comparisons = []
    if judged:
        comparisons.append(
            Comparison(f"declared critical/warning findings without remediation text or runbook (of {len(judged)})",
                       ", ".join(bare) or 0, "==", 0, not bare)
        )  # fmt: skip
    if runbooks:
        comparisons.append(
            Comparison(f"declared runbooks missing or empty (of {len(runbooks)})", ", ".join(missing) or 0, "==", 0,
                       not missing)
        )  # fmt: skip
    return Verdict.from_comparisons(comparisons, "declared runbooks or critical/warning log patterns")
