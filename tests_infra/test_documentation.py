"""Documentation criteria: what the documents say is true, current and actionable."""

from __future__ import annotations

import pytest

from golive.checks import documents, remediation
from golive.checks.remote import Fleet, RemoteHost
from golive.criteria import Criterion
from golive.evidence import Evidence
from golive.fixtures.declared import Declared
from golive.inventory import Host, Inventory


@pytest.mark.warning
@pytest.mark.criterion("DOC-02", category="Documentation")
def test_findings_have_remediation_and_runbooks_exist(
    fleet_host: Host,
    remote: RemoteHost,
    criteria_catalogue: dict[str, Criterion],
    inventory: Inventory,
    evidence: Evidence,
) -> None:
    """Every critical and warning criterion and known log pattern has a fix or runbook; declared runbooks exist.

    Why: a failure without a documented fix is paged to whoever is on call at 3 am,
    who then has to rediscover the fix; a runbook link to a deleted file is worse.

    Fix: give the criterion a Fix: paragraph (or the pattern a remediation), or map its
    ID to a runbook under runbooks: in hosts.yaml; restore or re-point missing runbooks.
    """
    items = remediation.remediables(criteria_catalogue, inventory)
    missing = documents.missing_runbooks(documents.facts(remote), fleet_host) if fleet_host.runbooks else []
    evidence.note(f"{len(items)} findings known: " + ", ".join(sorted({f"{i.kind} {i.id}" for i in items})))
    evidence.conclude(remediation.judge(items, fleet_host.runbooks, missing))


@pytest.mark.warning
@pytest.mark.criterion("DOC-03", category="Documentation")
def test_documents_exist_and_are_fresh(document: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared documents exist and their last git change is within the freshness limit (default 30 days).

    Why: documentation nobody touched for months describes a fleet that no longer
    exists; the audits found counts and service lists that were simply out of date.

    Fix: review the document against the fleet, update it and commit; documents[].max_age
    sets the limit per document.
    """
    found = documents.facts(document.remote(fleet))
    evidence.conclude(documents.judge_freshness(found, document.item))
