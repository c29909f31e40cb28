"""Evidence stored once: a fact's command and output kept in one place, rows refer to it.

A host's facts are gathered once and read by many criteria, so the same command and
output would otherwise be repeated in every row that judged from it (on a large fleet,
most of the report). The record keeps each distinct command result once, under
``facts`` keyed by a content id, and each distinct script once, under ``scripts`` (hosts
given the same fact script share it); an instance's evidence keeps a small reference::

    record["scripts"]["s07c2e1f0a9b3"] = "echo '@@golive-... section ...'; ..."
    record["facts"]["f3a9c0d1e2b4"] = {"script": "s07c2e1f0a9b3", "host": "h1", "exit_status": 0,
                                       "stdout": "...", "stderr": "", "duration": 0.012,
                                       "batched": True}
    instance["evidence"][0] = {"kind": "command", "fact": "f3a9c0d1e2b4", "host": "h1",
                               "cached": True}

``expand`` turns a record back into the self-contained shape (every command entry
carrying ``command``, ``stdout`` ... again), for readers that want one instance alone.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FACT_FIELDS = ("host", "exit_status", "stdout", "stderr", "duration", "batched")
"""What a stored fact holds besides its script's id; a reference keeps ``host`` and ``cached``."""


def _digest(prefix: str, text: str) -> str:
    return prefix + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def fact_id(entry: Mapping[str, Any]) -> str:
    """A command entry's content id: the same command with the same result on the same
    host has the same id in every process (xdist workers, shards, the HTML rows)."""
    if "fact" in entry:
        return str(entry["fact"])
    return _digest("f", json.dumps([entry.get(k) for k in ("host", "command", "exit_status", "stdout", "stderr")]))


def script_id(command: str) -> str:
    """A script's content id: hosts given the same fact script share it."""
    return _digest("s", command)


@dataclass
class Store:
    """The run's distinct command results (``facts``) and their scripts (``scripts``), by id."""

    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    _ids: dict[tuple[int, int], tuple[Any, Any, tuple[Any, ...], str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """Content ids of entries already seen, by the identity of their output and command:
    the tests reading one fact record the same strings (``RemoteHost.record``), hashed once."""

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]]) -> Store:
        """The union of the stores of ``records`` (shards of one run)."""
        store = cls()
        for record in records:
            store.facts.update(record.get("facts") or {})
            store.scripts.update(record.get("scripts") or {})
        return store

    def intern(self, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """``entries`` with every command entry stored here and replaced by a reference."""
        kept = []
        for entry in entries:
            if entry.get("kind") != "command" or "fact" in entry:
                kept.append(entry)
                continue
            key = self._fact_id(entry)
            if key not in self.facts:
                command = str(entry.get("command", ""))
                script = script_id(command)
                self.scripts.setdefault(script, command)
                self.facts[key] = {"script": script, **{k: entry.get(k) for k in FACT_FIELDS}}
            kept.append({"kind": "command", "fact": key, "host": entry.get("host", ""), "cached": entry.get("cached")})
        return kept

    def _fact_id(self, entry: Mapping[str, Any]) -> str:
        stdout, command = entry.get("stdout"), entry.get("command")
        rest = (entry.get("host"), entry.get("exit_status"), entry.get("stderr"))
        seen = self._ids.get((id(stdout), id(command)))
        # the same objects (held here, so their ids are not reused) with the same rest: the same content
        if seen is not None and seen[0] is stdout and seen[1] is command and seen[2] == rest:
            return seen[3]
        key = fact_id(entry)
        self._ids[(id(stdout), id(command))] = (stdout, command, rest, key)
        return key

    def fact(self, key: str) -> dict[str, Any]:
        """A stored fact with its script's text as ``command``."""
        stored = self.facts.get(key, {})
        return {**stored, "command": self.scripts.get(str(stored.get("script")), "")}

    def resolve(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """A command entry with its stored fact's fields (an entry already whole is returned as is)."""
        if entry.get("kind") != "command" or "fact" not in entry:
            return dict(entry)
        return {**self.fact(str(entry["fact"])), **entry}

    def referenced(self, criteria: Iterable[Mapping[str, Any]]) -> Store:
        """The part of this store the instances of ``criteria`` (record-shaped) refer to,
        facts ordered by host."""
        used = {
            str(entry["fact"])
            for criterion in criteria
            for instance in criterion["instances"]
            for entry in instance["evidence"]
            if entry.get("kind") == "command" and "fact" in entry
        }
        keys = sorted(used & self.facts.keys(), key=lambda k: (self.facts[k].get("host") or "", k))
        facts = {key: self.facts[key] for key in keys}
        scripts = {
            str(f["script"]): self.scripts[str(f["script"])] for f in facts.values() if f["script"] in self.scripts
        }
        return Store(facts, dict(sorted(scripts.items())))


def expand(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose command entries carry their fact again (no ``facts`` needed)."""
    store = Store.of([record])
    whole = copy.deepcopy({k: v for k, v in record.items() if k not in ("facts", "scripts")})
    for criterion in whole["criteria"]:
        for instance in criterion["instances"]:
            instance["evidence"] = [store.resolve(entry) for entry in instance["evidence"]]
    return whole
