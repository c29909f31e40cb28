"""Acceptance criteria: each phase signed off, and no grade claimed above the measured one."""

from __future__ import annotations

import pytest

from golive.checks import documents
from golive.checks.remote import Fleet
from golive.evidence import Evidence
from golive.fixtures.declared import Declared


@pytest.mark.warning
@pytest.mark.criterion("ACC-01", category="Acceptance")
def test_phase_acceptance_document_signed_off(acceptance_document: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """Each declared phase has an acceptance document with sign-off fields (who, date, grade).

    Why: "phase complete" without a name, a date and a grade is a claim nobody owns;
    the audits found phases declared done that nobody had accepted.

    Keys: hosts.<name>.acceptance[]: phase, path, fields (who, date, grade).

    Fix: add "Signed off by:", "Date: YYYY-MM-DD" and "Grade: B (72/100)" lines (or the
    same keys in YAML front matter) to the phase's acceptance document.
    """
    found = documents.facts(acceptance_document.remote(fleet))
    evidence.conclude(documents.judge_sign_off(found, acceptance_document.item))


@pytest.mark.critical
@pytest.mark.criterion("ACC-02", category="Acceptance")
def test_claimed_grade_not_above_measured(acceptance_document: Declared, fleet: Fleet, evidence: Evidence) -> None:
    """A grade claimed in a declared acceptance document is not higher than the grade this run measures.

    Why: the audits claimed A+++ (95/100) where an honest count gave 68; a go-live
    decision made on the claim ships every failure the claim hid.

    Keys: hosts.<name>.acceptance[] (the Grade: line or front matter of each document).

    Fix: replace the claimed grade with the one golive measures (shown next to it), or
    fix the failures until the measured grade reaches the claim.
    """
    accepted = acceptance_document.item
    signed = documents.sign_off(documents.facts(acceptance_document.remote(fleet)), accepted)
    grade = signed.grade if signed is not None else None
    if grade is None:
        pytest.skip(f"{accepted.path} claims no grade (ACC-01 reports the missing field)")
    evidence.note(f"{accepted.path} claims: Grade {grade.text}")
    evidence.claim_grade(f"{accepted.path}: Grade {grade.text}", score=grade.score, letter=grade.letter)
