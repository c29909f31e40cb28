"""The weighted rubric: criterion outcomes in, score, letter and READY out.

Pure functions over plain values, so the scoring model is pinned by exact numbers
in tests and is the same on a single run, under xdist and after a shard merge.

Scores are compared with the thresholds unrounded (79.95 is below 80) and shown
with one decimal, truncated (79.95 shows 79.9), so a displayed score never crosses
a threshold the score itself did not reach.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from golive.outcomes import Outcome, Severity

MAX_WAIVER_DAYS = 90
"""No rubric override lets a waiver run longer than this."""


def exact(value: float) -> float:
    """``value`` without binary floating-point noise (80 stays 80, not 79.99999999999999)."""
    return round(value, 9)


def shown(value: float) -> float:
    """One decimal, truncated toward zero: never rounded up across a threshold."""
    return math.trunc(exact(value) * 10) / 10


@dataclass(frozen=True)
class RubricConfig:
    """Category weights, severity weights, letter bounds and the READY rule."""

    categories: Mapping[str, float]
    severity_weights: Mapping[str, float]
    grades: Mapping[str, float]
    ready_score: float = 80.0
    critical_cap: float = 69.0
    max_waiver_days: int = MAX_WAIVER_DAYS

    def merged(self, **overrides: object) -> RubricConfig:
        """A copy with the given non-None fields overridden (mappings merged)."""
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            current = getattr(self, name)
            if isinstance(current, Mapping):
                if not isinstance(value, Mapping):
                    raise TypeError(f"rubric {name} takes a mapping, not {value!r}")
                value = {**current, **value}
            changes[name] = value
        return replace(self, **changes)

    def letter(self, score: float) -> str:
        """The highest grade whose lower bound the (unrounded) score reaches."""
        for name, bound in sorted(self.grades.items(), key=lambda item: -item[1]):
            if exact(score) >= bound:
                return name
        return "Failing"

    def overrides(self, base: RubricConfig | None = None) -> list[str]:
        """Each setting that differs from the default rubric, as ``key=value (default d)``."""
        base = base or DEFAULT_RUBRIC
        changed = []
        for name in ("ready_score", "critical_cap", "max_waiver_days"):
            if getattr(self, name) != getattr(base, name):
                changed.append(f"{name}={getattr(self, name):g} (default {getattr(base, name):g})")
        for name in ("categories", "severity_weights", "grades"):
            mine, default = getattr(self, name), getattr(base, name)
            for key in sorted(set(mine) | set(default)):
                if mine.get(key) != default.get(key):
                    was = f"default {default[key]:g}" if key in default else "not in the default"
                    now = f"{mine[key]:g}" if key in mine else "removed"
                    changed.append(f"{name}.{key}={now} ({was})")
        return changed


DEFAULT_RUBRIC = RubricConfig(
    categories={
        "Availability": 20, "Reliability": 10, "Monitoring": 12, "Security": 15,
        "Documentation": 15, "Backup/DR": 10, "Change Control": 8, "Acceptance": 10,
    },
    severity_weights={Severity.CRITICAL: 3, Severity.WARNING: 2, Severity.ACCEPTABLE: 1},
    grades={"A+++": 95, "A+": 90, "A": 85, "A-": 80, "B+": 75, "B": 70, "C+": 65, "C": 60},
)  # fmt: skip


@dataclass(frozen=True)
class CriterionOutcome:
    """One criterion's result as the rubric sees it."""

    id: str
    category: str
    severity: Severity
    outcome: Outcome

    @property
    def counted(self) -> bool:
        return self.outcome in (Outcome.PASSED, Outcome.FAILED)


@dataclass(frozen=True)
class CategoryScore:
    name: str
    weight: float
    score: float
    counted: int
    passed: int


@dataclass(frozen=True)
class Grade:
    """The rubric's verdict on a run; scores are unrounded (``shown()`` displays them)."""

    score: float
    uncapped_score: float
    letter: str
    ready: bool
    categories: tuple[CategoryScore, ...]
    critical_failures: tuple[str, ...] = field(default=())

    @property
    def capped(self) -> bool:
        return self.score < self.uncapped_score


def category_score(outcomes: Iterable[CriterionOutcome], config: RubricConfig) -> tuple[float, int, int]:
    """100 × Σ w·passed / Σ w over counted criteria; 0 when none counted."""
    total = earned = 0.0
    counted = passed = 0
    for outcome in outcomes:
        if not outcome.counted:
            continue
        weight = config.severity_weights[outcome.severity]
        total += weight
        counted += 1
        if outcome.outcome == Outcome.PASSED:
            earned += weight
            passed += 1
    return (100.0 * earned / total if total else 0.0), counted, passed


def weighted_score(category_scores: Mapping[str, float], config: RubricConfig) -> float:
    """The category scores averaged with the category weights."""
    total_weight = sum(config.categories.values())
    if not total_weight:
        return 0.0
    return sum(config.categories[name] * category_scores.get(name, 0.0) for name in config.categories) / total_weight


def grade(outcomes: Iterable[CriterionOutcome], config: RubricConfig = DEFAULT_RUBRIC) -> Grade:
    """Score a run: category scores, the weighted total, the cap and READY."""
    outcomes = list(outcomes)
    categories = []
    for name, weight in config.categories.items():
        score, counted, passed = category_score((o for o in outcomes if o.category == name), config)
        categories.append(CategoryScore(name, weight, score, counted, passed))
    uncapped = exact(weighted_score({c.name: c.score for c in categories}, config))
    critical_failures = tuple(
        sorted({o.id for o in outcomes if o.severity == Severity.CRITICAL and o.outcome == Outcome.FAILED})
    )
    score = min(uncapped, config.critical_cap) if critical_failures else uncapped
    ready = score >= config.ready_score and not critical_failures
    return Grade(score, uncapped, config.letter(score), ready, tuple(categories), critical_failures)


def gains(outcomes: Iterable[CriterionOutcome], config: RubricConfig = DEFAULT_RUBRIC) -> list[tuple[str, float]]:
    """Each failed criterion with the points fixing it alone would gain, best first."""
    outcomes = list(outcomes)
    now = grade(outcomes, config)
    ranked = []
    for index, outcome in enumerate(outcomes):
        if outcome.outcome != Outcome.FAILED:
            continue
        fixed = grade([*outcomes[:index], replace(outcome, outcome=Outcome.PASSED), *outcomes[index + 1 :]], config)
        uncapped_gain = fixed.uncapped_score - now.uncapped_score
        ranked.append((outcome.id, round(fixed.score - now.score, 1), uncapped_gain))
    # under the critical cap most fixes gain nothing yet: the uncapped gain breaks the tie
    ranked.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return [(cid, points) for cid, points, _ in ranked]


def judge_grade_claim(
    score: float | None, letter: str | None, measured: Grade, config: RubricConfig
) -> tuple[bool, str]:
    """Whether a claimed score or letter is no higher than the measured grade."""
    problems = []
    if score is not None and score > measured.score:
        problems.append(f"claimed score {score:g} > measured {shown(measured.score):.1f}")
    if letter is not None:
        bound = config.grades.get(letter)
        if bound is None:
            problems.append(f"claimed grade {letter!r} is not a grade of the rubric")
        elif bound > measured.score:
            problems.append(
                f"claimed grade {letter} (from {bound:g}) > measured {measured.letter} ({shown(measured.score):.1f})"
            )
    claimed = " / ".join(str(v) for v in (score, letter) if v is not None)
    if problems:
        return False, "; ".join(problems)
    return True, f"claimed {claimed} is not above the measured {shown(measured.score):.1f} {measured.letter}"
