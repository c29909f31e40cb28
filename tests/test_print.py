"""Printing the HTML report (Chromium's print-to-PDF) shows every evidence block expanded,
so the report can be filed as a PDF with a phase's acceptance."""

from __future__ import annotations

import subprocess
import tempfile

import pytest

from tests.conftest import debian_tool, load_json
from tests.synthetic import run
from tests.test_hostile_content import chromium  # noqa: F401 (a fixture)


@pytest.mark.root
def test_printed_report_shows_the_evidence_of_passed_and_failed_rows(suite, chromium):  # noqa: F811
    to_text = debian_tool("pdftotext", "poppler-utils")
    run(suite)
    report = suite.path / "reports" / "readiness.html"
    pdf = suite.path / "readiness.pdf"
    with tempfile.TemporaryDirectory() as profile:
        printed = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", f"--print-to-pdf={pdf}",
             "--no-pdf-header-footer", report.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
    text = subprocess.run([to_text, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "69.0/100 C+" in text
    # AVL-01 passed on a: its row is collapsed on screen, its evidence must print anyway
    assert "checked <b>a</b>" in text
    # a failed row's evidence, with the comparison
    assert "median: 3.1 s, must be less than 2 s" in text
    # nothing clipped at the page's edge: every criterion's ID and every host of the matrix prints
    record = load_json(suite.path / "reports" / "readiness.json")
    assert all(criterion["id"] in text for criterion in record["criteria"])
    assert "Hosts × categories" in text and "Acceptance" in text
