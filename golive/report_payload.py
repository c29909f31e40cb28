"""What a test report carries for golive, each thing whole once per process.

Every report (setup, call and teardown of every test) carries its criterion, target,
evidence and reason in ``report.golive``; under pytest-xdist each one is serialised by
its worker and again read by the controller. A criterion has many instances and a
host's facts are read by many criteria, so whole on every report they would be sent
over and over: a process's ``Payload`` puts a criterion whole on the first report of
it and its ID alone after, and stores each command result (``golive.evidence_store``),
the report carrying a reference and, the first time, the fact itself::

    report.golive = {"criterion": {"id": "AVL-01"}, "target": "web1/site",
                     "evidence": [{"kind": "command", "fact": "f3a9c0d1e2b4", ...}, ...],
                     "facts": {"f3a9c0d1e2b4": {...}}, "scripts": {"s07c2e1f0a9b3": "..."},
                     "message": "", "error": False}

A process's reports reach the controller in order, so a reference always follows the
report that carried its fact; the controller's ``golive.results.Ledger`` learns the
criteria and facts as they come (``learn``), and the JSON record is the same. A single
process (no xdist) stores the facts in its ledger's store directly: its reports carry
references only. How a report travels from a worker: ``golive.report_wire``.
"""

from __future__ import annotations

from typing import Any

from golive.criteria import Criterion
from golive.evidence_store import Store


class Payload:
    """One process's criteria and facts already sent on a report; ``store``: the reader's own
    (a single process's ``Ledger.facts``), where the facts are stored at once and never sent."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = Store() if store is None else store
        self._shared = store is not None
        self._criteria: set[str] = set()
        self._facts: set[str] = set()
        self._scripts: set[str] = set()

    def criterion(self, found: Criterion) -> dict[str, str]:
        """The criterion whole the first time, its ID alone after."""
        if found.id in self._criteria:
            return {"id": found.id}
        self._criteria.add(found.id)
        return found.to_dict()

    def evidence(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``entries`` with each command result stored and replaced by its reference."""
        return self.store.intern(entries)

    def new_facts(self, evidence: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The stored facts (and their scripts) ``evidence`` refers to that no earlier report
        carried: ``{"facts": ..., "scripts": ...}``, or nothing (always, when the store is
        the reader's own)."""
        if self._shared:
            return {}
        facts = {}
        for entry in evidence:
            key = entry.get("fact")
            if entry.get("kind") == "command" and key in self.store.facts and key not in self._facts:
                self._facts.add(key)
                facts[key] = self.store.facts[key]
        if not facts:
            return {}
        scripts = {}
        for fact in facts.values():
            script = fact["script"]
            if script not in self._scripts and script in self.store.scripts:
                self._scripts.add(script)
                scripts[script] = self.store.scripts[script]
        return {"facts": facts, "scripts": scripts}
