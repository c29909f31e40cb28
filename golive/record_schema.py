"""The run record's shape: ``reports/readiness.json``, schema version 1.

Typed dictionaries, so the record is plain JSON as written and read, and mypy checks
every key the grading, the merge, the history and the reports use. ``SCHEMA`` is
written in every record; a change that renames or removes a key raises it. Outcomes
and severities are ``golive.outcomes``' enums, written as their strings.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from golive.outcomes import Outcome, Severity

SCHEMA = 1
"""The version of the record's shape this golive writes and reads."""

EvidenceEntry = dict[str, Any]
"""One thing a test ran, requested, compared or concluded (``golive.evidence``: its ``kind`` says which)."""


class WaiverMark(TypedDict):
    """On a waived instance: who waived it, why, until when, and the outcome it had."""

    owner: str
    reason: str
    expires: str
    outcome: Outcome


class InstanceEntry(TypedDict):
    """One parametrized run of a criterion against one target."""

    nodeid: str
    target: str
    outcome: Outcome
    message: str
    duration: float
    waiver: WaiverMark | None
    evidence: list[EvidenceEntry]


class CriterionEntry(TypedDict):
    """A criterion (its identity and documentation), its outcome and its instances."""

    id: str
    category: str
    severity: Severity
    title: str
    why: str
    remediation: str
    description: str
    keys: str
    outcome: Outcome
    instances: list[InstanceEntry]


class CategoryEntry(TypedDict):
    name: str
    weight: float
    score: float
    counted: int
    passed: int


class Fix(TypedDict):
    """A failed criterion and the points fixing it alone would gain."""

    id: str
    title: str
    severity: Severity
    points: float
    remediation: str


class WaiverStatus(TypedDict):
    """A waiver of the inventory, whether it is active and which instances it covers."""

    criterion: str
    target: str
    owner: str
    reason: str
    expires: str
    days_left: int
    status: str
    covers: list[str]


class RubricEntry(TypedDict):
    categories: dict[str, float]
    severity_weights: dict[str, float]
    grades: dict[str, float]
    ready_score: float
    critical_cap: float
    max_waiver_days: int


class RunMetadata(TypedDict):
    """Who ran what, where and when."""

    golive_version: str
    suite_commit: str | None
    inventory: str | None
    inventory_sha256: str | None
    hosts: int
    started: str
    finished: str
    duration_seconds: float
    runner: str
    python: str
    pytest: str
    workers: int
    round_trips: dict[str, int]
    shard: list[int] | None
    args: str
    shards: NotRequired[int]
    """Only in a merged record: how many shards it was merged from."""


class Changes(TypedDict):
    """Per criterion, compared with an earlier run: newly failing, fixed, still failing."""

    since: str
    since_finished: str
    since_score: float
    newly_failing: list[str]
    fixed: list[str]
    still_failing: list[str]


class TrendPoint(TypedDict):
    finished: str
    score: float
    grade: str


class GateFailure(TypedDict):
    """A selected criterion that failed the gate, and the targets it failed on."""

    id: str
    severity: Severity
    targets: list[str]


class GateVerdict(TypedDict):
    """The verdict of a run selected by severity (``-m critical``): do the selected criteria hold?"""

    selection: str
    """The marker expression that selected the criteria (``critical``)."""
    severities: list[Severity]
    blocking: list[Severity]
    """The selected severities whose failure fails the gate (only critical under ``--gate``)."""
    criteria: int
    """How many selected criteria were judged (passed, failed or waived)."""
    held: int
    failed: list[GateFailure]
    hosts: int
    not_judged: list[str]
    """Selected criteria that ran but judged nothing (each instance skipped), e.g. a grade claim."""
    passed: bool


class HistoryCriterion(TypedDict):
    """What the history keeps of a criterion: its identity and its outcome."""

    id: str
    title: str
    category: str
    severity: Severity
    outcome: Outcome


class Grade(TypedDict):
    """A run's grade as every record states it: the score, the letter, the verdict and
    what caps it, by category."""

    score: float
    uncapped_score: float
    score_unrounded: float
    grade: str
    ready: bool
    partial: bool
    complete: bool
    critical_failures: list[str]
    categories: list[CategoryEntry]


class HistoryRecord(Grade):
    """What the history (``reports/history/``) keeps of a run: what a later run is compared
    by (grade, categories, each criterion's outcome, the run's metadata), not its instances,
    evidence or facts (``golive.history.summary``)."""

    criteria: list[HistoryCriterion]
    run: RunMetadata


class Record(Grade):
    """A graded run (or a merge of shards): everything every report is rendered from."""

    schema: int
    partial_reasons: list[str]
    not_run: list[str]
    incomplete_reasons: list[str]
    rubric_overridden: list[str]
    criteria: list[CriterionEntry]
    facts: dict[str, dict[str, Any]]
    """Each command result once, keyed by content id; evidence entries refer to it (``fact``)."""
    scripts: dict[str, str]
    """Each fact script once, keyed by id; a fact refers to its script."""
    fixes: list[Fix]
    waivers: list[WaiverStatus]
    rubric: RubricEntry
    run: RunMetadata
    changes: NotRequired[Changes]
    """Since the previous run or ``--baseline``: added when there is one."""
    history: NotRequired[list[TrendPoint]]
    """The kept runs' scores and this one's: added when the run keeps a history."""
    gate: NotRequired[GateVerdict]
    """Only in a run selected by severity (``-m critical``): the gate's verdict, which it leads with."""
