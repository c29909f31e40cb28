"""Documentation criteria: what the documents say is true, current and actionable."""

from __future__ import annotations

import pytest

from golive.checks import containers, documents, remediation
from golive.checks.remote import Fleet, RemoteHost
from golive.errors import TargetError
from golive.evidence import Evidence
from golive.fixtures.declared import Declared
from golive.inventory import Host, Inventory


@pytest.mark.warning
@pytest.mark.criterion("DOC-02", category="Documentation")
def test_findings_have_remediation_and_runbooks_exist(
    fleet_host: Host,
    remote: RemoteHost,
    remediables: list[remediation.Remediable],
    inventory: Inventory,
    evidence: Evidence,
) -> None:
    """Declared runbooks exist, and the inventory's own critical and warning log patterns have a fix or runbook.

    Why: a failure without a documented fix is paged to whoever is on call at 3 am,
    who then has to rediscover the fix; a runbook link to a deleted file is worse.
    golive's own criteria and knowledge base ship with their fixes; what a host adds
    (runbooks, log patterns) is judged here. Not applicable where neither is declared.

    Keys: hosts.<name>.runbooks (ID to runbook path on the host); log_patterns[].remediation,
    runbook.

    Fix: give the pattern a remediation or a runbook, or map its ID to a runbook under
    runbooks: in hosts.yaml; restore or re-point missing runbooks.
    """
    if fleet_host.runbooks:
        unknown = remediation.unknown_runbooks(remediables, fleet_host.runbooks)
        if unknown:
            evidence.note(f"runbooks naming no criterion or log pattern of this run: {', '.join(unknown)}")
    missing = documents.missing_runbooks(documents.facts(remote), fleet_host) if fleet_host.runbooks else []
    evidence.conclude(remediation.judge(remediation.declared(inventory), fleet_host.runbooks, missing))


@pytest.mark.warning
@pytest.mark.criterion("DOC-03", category="Documentation")
def test_documents_exist_and_are_fresh(document: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Declared documents exist and their last git change is within the freshness limit (default 30 days).

    Why: documentation nobody touched for months describes a fleet that no longer
    exists; the audits found counts and service lists that were simply out of date.

    A last commit dated further ahead of the host's clock than clock.future_tolerance
    fails as dated in the future.

    Keys: hosts.<name>.documents[]: name, path, max_age (30d); hosts.<name>.clock.future_tolerance (5m).

    Fix: review the document against the fleet, update it and commit; documents[].max_age
    sets the limit per document.
    """
    found = documents.facts(document.remote(fleet))
    evidence.conclude(documents.judge_freshness(found, document.item, document.host.clock.future_tolerance))


@pytest.mark.critical
@pytest.mark.criterion("DOC-01", category="Documentation")
def test_documented_claims_match_measurement(
    claims: Declared, fleet: Fleet, inventory: Inventory, evidence: Evidence
) -> None:
    """Documented claims (container count, service list, host list) equal what this run measured.

    Why: numbers in documentation are trusted without checking; the audits found a
    document claiming 83 containers on a host that ran 62, and service lists of a
    fleet that no longer existed.

    Keys: claims (containers, services, hosts) per host in hosts.yaml, and a claims:
    mapping in the YAML front matter of each documents[] entry. Measured in the same
    run: containers = containers running on the host (docker inspect, State.Status
    running, ignore globs not applied); services = the distinct compose service labels
    (com.docker.compose.service) of running containers, so a container started by hand
    is counted but is no service; hosts = the inventory's host names. Lists compare as sets.

    Fix: update the document (or claims: in hosts.yaml) to what runs, or bring the
    fleet back to what is documented; the evidence names each claim with both values.
    """
    host = claims.host
    remote = claims.remote(fleet)
    found = documents.documented_claims(documents.facts(remote) if host.documents else {}, host)
    if not found:
        pytest.skip(f"not applicable: {host.name} and its documents claim nothing")
    measured: dict[str, object] = {"hosts": sorted(h.name for h in inventory.hosts)}
    if any(name in ("containers", "services") for _, name, _ in found):
        running = containers.facts(remote)
        if running.engine_problem is not None:
            raise TargetError(f"{running.engine_problem} (documents claim containers or services)")
        up = [c for c in running.containers if c.is_running]
        measured["containers"] = len(up)
        measured["services"] = sorted({c.compose_service for c in up if c.compose_service})
        evidence.note(f"{host.name}: {len(up)} running of {len(running.containers)} container(s)")
    verdict, notes = documents.judge_claims(found, measured)
    for note in notes:
        evidence.note(note)
    evidence.conclude(verdict)
