"""Evidence stored once: a fact's command and output kept in one place, rows refer to it.

A host's facts are gathered once and read by many criteria, so the same command and
output would otherwise be repeated in every row that judged from it (on a large fleet,
most of the report). The record keeps each distinct command result once, under
``facts`` keyed by a content id; an instance's evidence keeps a small reference::

    record["facts"]["f3a9c0d1e2b4"] = {"host": "h1", "command": "...", "exit_status": 0,
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
from typing import Any

FACT_FIELDS = ("host", "command", "exit_status", "stdout", "stderr", "duration", "batched")
"""What a stored fact holds; a reference keeps ``host`` and ``cached`` besides its id."""


def fact_id(entry: Mapping[str, Any]) -> str:
    """A command entry's content id: the same command with the same result on the same
    host has the same id in every process (xdist workers, shards, the HTML rows)."""
    if "fact" in entry:
        return str(entry["fact"])
    key = json.dumps([entry.get(k) for k in ("host", "command", "exit_status", "stdout", "stderr")])
    return "f" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def intern(entries: Iterable[dict[str, Any]], facts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` with every command entry stored in ``facts`` and replaced by a reference."""
    kept = []
    for entry in entries:
        if entry.get("kind") != "command" or "fact" in entry:
            kept.append(entry)
            continue
        key = fact_id(entry)
        facts.setdefault(key, {k: entry.get(k) for k in FACT_FIELDS})
        kept.append(
            {"kind": "command", "fact": key, "host": entry.get("host", ""), "cached": entry.get("cached", False)}
        )
    return kept


def resolve(entry: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A command entry with its stored fact's fields (an entry already whole is returned as is)."""
    if entry.get("kind") != "command" or "fact" not in entry:
        return dict(entry)
    stored = facts.get(str(entry["fact"]), {})
    return {**stored, **entry}


def referenced(criteria: Iterable[Mapping[str, Any]], facts: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The facts the instances of ``criteria`` (record-shaped) refer to, ordered by host."""
    used = {
        str(entry["fact"])
        for criterion in criteria
        for instance in criterion["instances"]
        for entry in instance["evidence"]
        if entry.get("kind") == "command" and "fact" in entry
    }
    return {key: facts[key] for key in sorted(used & facts.keys(), key=lambda k: (facts[k].get("host") or "", k))}


def expand(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose command entries carry their fact again (no ``facts`` needed)."""
    facts = record.get("facts") or {}
    whole = copy.deepcopy({k: v for k, v in record.items() if k != "facts"})
    for criterion in whole["criteria"]:
        for instance in criterion["instances"]:
            instance["evidence"] = [resolve(entry, facts) for entry in instance["evidence"]]
    return whole
