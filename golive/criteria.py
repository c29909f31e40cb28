"""What makes a test a criterion: one severity marker, one criterion marker, a docstring.

A criterion is spelled::

    @pytest.mark.critical
    @pytest.mark.criterion("REL-08", category="Reliability")
    def test_disk_below_critical_limit(...):
        '''Disk usage is under the critical limit on every filesystem.

        Why: a full disk stops databases and log writers mid-transaction.
        Fix: free space (docker system prune, log rotation) or grow the volume.
        '''

The docstring is the documentation: its first line is the title shown in reports,
the ``Why:`` and ``Fix:`` paragraphs are shown next to a failure.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from golive.errors import CriterionMarkError
from golive.inventory import CRITERION_ID
from golive.outcomes import SEVERITIES, Severity

MARKERS = (
    "critical: a failure blocks go-live and caps the grade (pytest -m critical is the gate).",
    "warning: a failure costs points but does not block go-live.",
    "acceptable: a tolerated condition, still measured and shown as evidence.",
    "criterion(id, category): the criterion's stable ID (e.g. SEC-01) and its rubric category.",
)

__all__ = [
    "MARKERS", "Criterion", "CriterionMarkError", "CriterionReader", "criterion_of", "is_marked", "parse_docstring",
    "reference", "selected_ids",
]  # fmt: skip


@dataclass(frozen=True)
class Criterion:
    """A criterion's identity and its documentation, taken from the test itself."""

    id: str
    category: str
    severity: Severity
    title: str
    why: str = ""
    remediation: str = ""
    description: str = ""
    keys: str = ""

    def __post_init__(self) -> None:
        # a criterion read back from a record or a worker's output names its severity as a string
        object.__setattr__(self, "severity", Severity(self.severity))

    def to_dict(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criterion:
        """The criterion of ``to_dict``'s dictionary (other keys, as in a record's entry, are ignored)."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def is_marked(item: pytest.Item) -> bool:
    """Whether the item carries any golive marker (and so must be a whole criterion)."""
    return any(next(item.iter_markers(name), None) is not None for name in (*SEVERITIES, "criterion"))


def selected_ids(items: Iterable[pytest.Item], reading: str = "fleet") -> frozenset[str] | None:
    """The IDs of the criteria among ``items`` (the run's selection); None when an item that
    asks for the ``reading`` fixture is no criterion: what it reads is unknown."""
    found: set[str] = set()
    for item in items:
        mark = item.get_closest_marker("criterion")
        identifier = (mark.args[0] if mark.args else mark.kwargs.get("id")) if mark is not None else None
        if isinstance(identifier, str):
            found.add(identifier)
        elif reading in getattr(item, "fixturenames", ()):
            return None
    return frozenset(found)


def criterion_of(item: pytest.Item, categories: Collection[str]) -> Criterion:
    """The criterion an item implements; CriterionMarkError if it is not well-formed."""
    severities = sorted({Severity(mark.name) for name in SEVERITIES for mark in item.iter_markers(name)}, key=str)
    marks = list(item.iter_markers("criterion"))
    where = item.nodeid
    if len(severities) != 1:
        found = ", ".join(severities) or "none"
        raise CriterionMarkError(
            f"{where}: needs exactly one severity marker (critical, warning or acceptable), found {found}"
        )
    if len(marks) != 1:
        raise CriterionMarkError(
            f"{where}: needs exactly one @pytest.mark.criterion(ID, category=...), found {len(marks)}"
        )
    identifier, category = _criterion_args(marks[0], where)
    if not CRITERION_ID.fullmatch(identifier):
        raise CriterionMarkError(f"{where}: criterion ID {identifier!r} should look like SEC-01")
    if category not in categories:
        raise CriterionMarkError(
            f"{where}: category {category!r} is not in the rubric (valid: {', '.join(categories)})"
        )
    title, why, remediation, description, keys = parse_docstring(getattr(item, "obj", None))
    return Criterion(identifier, category, severities[0], title or item.name, why, remediation, description, keys)


class CriterionReader:
    """``criterion_of`` for the items of one collector, each test function's read once.

    The items one function yields (one per parameter) share its markers, its parents'
    and its docstring, so they implement the same criterion: it is read from the first
    and handed to the others (tens of thousands of items on a large fleet). An item with
    markers of its own parameter (``pytest.param(..., marks=...)``) is read on its own,
    and so is a malformed one (its error names the item) or one whose title is its name."""

    def __init__(self, categories: Collection[str]) -> None:
        self.categories = categories
        self._read: dict[tuple[object, ...], Criterion] = {}

    def __call__(self, item: pytest.Item) -> Criterion:
        callspec = getattr(item, "callspec", None)
        own_marks = tuple(map(id, callspec.marks)) if callspec is not None else ()
        key = (item.parent, getattr(item, "originalname", item.name), own_marks)
        found = self._read.get(key)
        if found is None:
            found = criterion_of(item, self.categories)
            if found.title != item.name:
                self._read[key] = found
        return found


def _criterion_args(mark: pytest.Mark, where: str) -> tuple[str, str]:
    args = list(mark.args)
    identifier = args.pop(0) if args else mark.kwargs.get("id")
    category = args.pop(0) if args else mark.kwargs.get("category")
    if not isinstance(identifier, str) or not isinstance(category, str):
        raise CriterionMarkError(f"{where}: write the marker as @pytest.mark.criterion('SEC-01', category='Security')")
    return identifier, category


def parse_docstring(obj: object) -> tuple[str, str, str, str, str]:
    """(title, why, fix, description, keys) from a criterion's docstring.

    The first paragraph is the title; paragraphs starting ``Why:``, ``Fix:`` and
    ``Keys:`` (the inventory keys and defaults it reads) are taken apart.
    """
    doc = inspect.getdoc(obj) if obj is not None else None
    if not doc:
        return "", "", "", "", ""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc.strip())]
    labelled = {"why:": "", "fix:": "", "keys:": ""}
    rest = []
    for paragraph in paragraphs[1:]:
        label = paragraph[: paragraph.find(":") + 1].lower()
        if label in labelled:
            labelled[label] = paragraph[len(label) :].strip()
        else:
            rest.append(paragraph)
    return paragraphs[0], labelled["why:"], labelled["fix:"], "\n\n".join(rest), labelled["keys:"]


def reference(catalogue: Iterable[Criterion]) -> str:
    """The criteria reference in Markdown, generated from the criteria themselves."""
    lines = [
        "# Criteria reference",
        "",
        "Generated from the criteria's markers and docstrings by",
        "`pytest --collect-only -q --criteria-reference=docs/criteria.md`; do not edit by hand.",
        "",
        "| ID | severity | category | checks | inventory keys (defaults) | fix |",
        "|---|---|---|---|---|---|",
    ]
    for found in sorted(catalogue, key=lambda c: c.id):
        cells = (found.id, found.severity, found.category, found.title, found.keys, found.remediation)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
