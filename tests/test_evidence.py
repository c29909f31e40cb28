"""A verdict's contract (golive/evidence.py): a pass rests on a comparison; nothing to judge is said."""

from __future__ import annotations

import pytest

from golive.evidence import Comparison, Evidence, Verdict


def test_no_comparison_is_not_applicable_never_a_pass():
    verdict = Verdict.from_comparisons([], "containers on h1")
    assert not verdict.passed and not verdict.applicable
    assert verdict.summary == "no containers on h1 to judge"


def test_a_passing_verdict_without_a_comparison_cannot_be_built():
    with pytest.raises(ValueError, match="needs at least one comparison"):
        Verdict(True, "all fine")
    with pytest.raises(ValueError, match="not applicable"):
        Verdict(True, "nothing", [Comparison("x", 1, "==", 1, True)], applicable=False)


def test_conclude_skips_what_is_not_applicable_with_its_reason():
    evidence = Evidence()
    with pytest.raises(pytest.skip.Exception, match="not applicable: no containers on h1 to judge"):
        evidence.conclude(Verdict.from_comparisons([], "containers on h1"))
    assert evidence.entries[-1] == {"kind": "note", "text": "not applicable: no containers on h1 to judge"}


def test_conclude_refuses_a_pass_that_lost_its_comparisons():
    verdict = Verdict(True, "ok", [Comparison("x", 1, "==", 1, True)])
    verdict.comparisons.clear()
    with pytest.raises(ValueError, match="needs at least one comparison"):
        Evidence().conclude(verdict)


def test_comparisons_still_decide():
    ok, bad = Comparison("a", 1, "<=", 2, True), Comparison("b", 3, "<=", 2, False)
    assert Verdict.from_comparisons([ok], "limits").passed
    failed = Verdict.from_comparisons([ok, bad], "limits")
    assert not failed.passed and failed.applicable and failed.summary == "b: 3, at most 2"
    worse = Verdict.from_comparisons([ok, bad, Comparison("c", 4, "<=", 2, False)], "limits")
    assert worse.summary == "2 of 3 limits failed: b: 3, at most 2; c: 4, at most 2"
