"""The scoring model, pinned with exact numbers."""

import pytest

from golive.rubric import DEFAULT_RUBRIC, CriterionOutcome, gains, grade, shown, weighted_score

CATEGORIES = list(DEFAULT_RUBRIC.categories)


def outcome(cid, category, severity, result):
    return CriterionOutcome(cid, category, severity, result)


def test_users_proposal_scores_66_1_not_68():
    # The catalogue's worked example: 60, 85, 70, 75, 55, 65, 90, 40 with the default weights.
    scores = dict(zip(CATEGORIES, [60, 85, 70, 75, 55, 65, 90, 40], strict=True))
    assert round(weighted_score(scores, DEFAULT_RUBRIC), 1) == 66.1


def test_category_score_weights_severities():
    # Availability: critical pass (3) + warning fail (2) + acceptable pass (1) -> 4/6 = 66.7
    graded = grade(
        [
            outcome("AVL-01", "Availability", "critical", "passed"),
            outcome("AVL-05", "Availability", "warning", "failed"),
            outcome("AVL-09", "Availability", "acceptable", "passed"),
        ]
    )
    availability = graded.categories[0]
    assert availability.score == pytest.approx(400 / 6)
    assert (availability.counted, availability.passed) == (3, 2)
    # every other category has no evidence and scores 0: 66.67 * 20 / 100
    assert shown(graded.score) == 13.3
    assert graded.letter == "Failing"
    assert not graded.ready


def test_all_passed_everywhere_is_100_and_ready():
    graded = grade([outcome(f"X-{i:02d}", name, "critical", "passed") for i, name in enumerate(CATEGORIES)])
    assert (graded.score, graded.letter, graded.ready) == (100.0, "A+++", True)


def test_a_critical_failure_caps_at_69_and_blocks_ready():
    results = [outcome(f"X-{i:02d}", name, "warning", "passed") for i, name in enumerate(CATEGORIES)]
    results += [outcome(f"Y-{i:02d}", name, "warning", "passed") for i, name in enumerate(CATEGORIES)]
    results.append(outcome("SEC-04", "Security", "critical", "failed"))
    graded = grade(results)
    # Security: 2+2 of 2+2+3 -> 57.14; total = (100*85 + 57.142857*15)/100 = 93.57 -> capped
    assert shown(graded.uncapped_score) == 93.5  # 93.57, truncated
    assert graded.score == 69
    assert graded.letter == "C+"
    assert graded.critical_failures == ("SEC-04",)
    assert not graded.ready


def test_ready_needs_80():
    results = [outcome(f"X-{i:02d}", name, "warning", "passed") for i, name in enumerate(CATEGORIES)]
    results.append(outcome("ACC-01", "Acceptance", "warning", "failed"))
    results.append(outcome("ACC-03", "Acceptance", "warning", "failed"))
    graded = grade(results)
    # Acceptance 1/3 passed -> 33.3; total = 90 + 3.33 = 93.3
    assert shown(graded.score) == 93.3
    assert graded.letter == "A+"
    assert graded.ready
    low = grade([*results, *(outcome(f"Z-{i:02d}", "Availability", "warning", "failed") for i in range(3))])
    # Availability 1/4 -> 25; total = 93.33 - 15 = 78.3
    assert shown(low.score) == 78.3
    assert low.letter == "B+"
    assert not low.ready


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        (95, "A+++"),
        (94.9, "A+"),
        (90, "A+"),
        (85, "A"),
        (80, "A-"),
        (75, "B+"),
        (70, "B"),
        (65, "C+"),
        (60, "C"),
        (59.9, "Failing"),
    ],
)
def test_letters_by_lower_bound(score, letter):
    assert DEFAULT_RUBRIC.letter(score) == letter


def test_waived_and_not_applicable_do_not_count():
    graded = grade(
        [
            outcome("AVL-01", "Availability", "critical", "passed"),
            outcome("AVL-02", "Availability", "critical", "waived"),
            outcome("AVL-03", "Availability", "critical", "not_applicable"),
        ]
    )
    assert graded.categories[0].score == 100
    assert graded.categories[0].counted == 1
    assert graded.critical_failures == ()


def test_overrides_merge_into_defaults():
    custom = DEFAULT_RUBRIC.merged(categories={"Acceptance": 0}, critical_cap=50, grades=None)
    assert custom.categories["Acceptance"] == 0
    assert custom.categories["Availability"] == 20
    assert custom.critical_cap == 50
    scores = dict(zip(CATEGORIES, [60, 85, 70, 75, 55, 65, 90, 40], strict=True))
    # without Acceptance: (6610 - 400) / 90 = 69.0
    assert round(weighted_score(scores, custom), 1) == 69.0


def test_gains_rank_fixes_by_points():
    results = [outcome(f"X-{i:02d}", name, "warning", "passed") for i, name in enumerate(CATEGORIES)]
    results += [
        outcome("AVL-05", "Availability", "warning", "failed"),
        outcome("DOC-03", "Documentation", "warning", "failed"),
        outcome("CHG-01", "Change Control", "warning", "failed"),
    ]
    ranked = gains(results)
    # each category goes from 50 to 100 when fixed: + 50 * weight / 100
    assert ranked == [("AVL-05", 10.0), ("DOC-03", 7.5), ("CHG-01", 4.0)]


def test_grade_claims_are_judged_against_the_measured_grade():
    from golive.rubric import judge_grade_claim

    measured = grade([outcome(f"X-{i:02d}", name, "warning", "passed") for i, name in enumerate(CATEGORIES[:6])])
    # six of eight categories at 100: (20+10+12+15+15+10) = 82.0 A-
    assert (measured.score, measured.letter) == (82.0, "A-")
    assert judge_grade_claim(95, "A+++", measured, DEFAULT_RUBRIC) == (
        False,
        "claimed score 95 > measured 82.0; claimed grade A+++ (from 95) > measured A- (82.0)",
    )
    assert judge_grade_claim(80, None, measured, DEFAULT_RUBRIC)[0]
    assert judge_grade_claim(None, "A-", measured, DEFAULT_RUBRIC)[0]
    assert not judge_grade_claim(None, "A++", measured, DEFAULT_RUBRIC)[0]


def test_thresholds_compare_the_unrounded_score_and_display_truncates():
    from golive.rubric import RubricConfig

    # 100 in a category weighing 79.95 of 100, nothing in the rest: 79.95 exactly
    config = RubricConfig(
        categories={"Availability": 79.95, "Reliability": 20.05},
        severity_weights=DEFAULT_RUBRIC.severity_weights,
        grades=DEFAULT_RUBRIC.grades,
    )
    graded = grade([outcome("AVL-01", "Availability", "critical", "passed")], config)
    assert graded.score == pytest.approx(79.95)
    assert (graded.letter, graded.ready) == ("B+", False)  # not A- / READY from a rounded 80.0
    assert shown(graded.score) == 79.9
    assert shown(80.0) == 80.0 and shown(79.99999999999999) == 80.0  # float noise is not a fraction
    assert shown(74.19999999999999) == 74.2


def test_rubric_overrides_are_named():
    assert DEFAULT_RUBRIC.overrides() == []
    custom = DEFAULT_RUBRIC.merged(ready_score=60, categories={"Acceptance": 0})
    assert custom.overrides() == ["ready_score=60 (default 80)", "categories.Acceptance=0 (default 10)"]
