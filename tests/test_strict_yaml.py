"""golive/strict_yaml.py: libyaml and PyYAML's own parser read every document alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golive import strict_yaml
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")

SHIPPED = [
    REPO / "docs" / "hosts.example.yaml",
    REPO / "golive" / "knowledge" / "log_patterns.yaml",
    *sorted((REPO / "sandbox").rglob("*.yaml")),
]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(Path(p).relative_to(REPO)))
def test_both_parsers_give_the_same_document_and_lines(path):
    data = path.read_bytes()
    assert strict_yaml.load_with_lines(data) == strict_yaml._load(yaml.SafeLoader(data))


@pytest.mark.parametrize(
    "text",
    [
        "hosts:\n  web1: {backend: 'local://', port: 0x1F, on: yes, at: 2026-01-01}\n  web2: &d {a: ~}\n  web3: *d\n",
        "a: [1, 2.5, .inf, null]\nb: |\n  two\n  lines\nc: >-\n  folded\n  text\n",
        "<<: {a: 1}\nb: 2\n",
        "",
    ],
)
def test_both_parsers_agree_on_values_and_lines(text):
    assert strict_yaml.load_with_lines(text) == strict_yaml._load(yaml.SafeLoader(text))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\tb: 1\n", "found character '\\t' that cannot start any token"),
        ("a: *x\n", "found undefined alias 'x'"),
        ("hosts: [\n", "expected the node content, but found '<stream end>'"),
    ],
)
def test_a_syntax_error_is_said_in_pyyaml_words(text, problem):
    with pytest.raises(yaml.YAMLError) as raised:
        strict_yaml.load_with_lines(text)
    assert raised.value.problem == problem  # type: ignore[attr-defined]


def test_a_key_given_twice_names_both_lines():
    with pytest.raises(strict_yaml.DuplicateKey, match=r"hosts\.web1 is given twice, at lines 2 and 3"):
        strict_yaml.load_with_lines("hosts:\n  web1: {}\n  'web1': {}\n")
