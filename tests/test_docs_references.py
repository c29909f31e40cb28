"""Every self-test the documentation names as proof exists under that name."""

from __future__ import annotations

import re

from tests.conftest import REPO

REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def test_every_test_the_docs_name_exists() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    named = {(page.name, path, name) for page in pages for path, name in REFERENCE.findall(page.read_text())}
    assert named, "no page names a test: has the reference format changed?"
    missing = [
        f"{page}: {path}::{name}"
        for page, path, name in sorted(named)
        if not (REPO / path).is_file() or not re.search(rf"def {name}\b", (REPO / path).read_text())
    ]
    assert not missing, "\n".join(missing)
