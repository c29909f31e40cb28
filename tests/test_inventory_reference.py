"""docs/inventory.md and docs/hosts.schema.json are generated from the inventory model and stay in sync."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from golive import inventory_reference
from tests.conftest import REPO

DOCS = REPO / "docs"
REGENERATE = "regenerate them with: python -m golive.inventory_reference docs"


class YamlAsEditorsReadIt(yaml.SafeLoader):
    """Dates stay strings, as a YAML language server sees them before validating."""


YamlAsEditorsReadIt.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((DOCS / "hosts.schema.json").read_text()))


def errors(document: str) -> list[str]:
    return [error.message for error in validator().iter_errors(yaml.load(document, YamlAsEditorsReadIt))]


def test_the_committed_files_are_the_generated_ones(tmp_path):
    inventory_reference.write(tmp_path)
    for name in ("inventory.md", "hosts.schema.json"):
        assert (DOCS / name).read_text() == (tmp_path / name).read_text(), f"docs/{name} is stale: {REGENERATE}"


def test_every_key_has_exactly_one_description():
    assert inventory_reference.undescribed() == [], "describe these keys in the model or in inventory_keys.yaml"
    assert inventory_reference.unused_entries() == [], "inventory_keys.yaml names keys the model lacks or describes"


def test_the_reference_has_a_row_for_every_key_of_every_section():
    text = (DOCS / "inventory.md").read_text()
    for model in inventory_reference.models():
        for name in model.model_fields:
            assert re.search(rf"^\| `{name}` \| .+ \| .+ \|$", text, re.MULTILINE), f"{model.__name__}.{name}"
    assert "| `command_timeout` | duration | `30s` |" in text
    assert "| `build_cache_max` | size | `1GB` |" in text


def test_the_annotated_example_validates_against_the_schema():
    example = (DOCS / "hosts.example.yaml").read_text()
    assert example.startswith("# yaml-language-server: $schema=hosts.schema.json\n")
    assert errors(example) == []


@pytest.mark.parametrize(
    ("hosts_yaml", "complaint"),
    [
        ("hosts: {web1: {backend: 'local://', command_timeout: 24hours}}", "24hours"),
        ("hosts: {web1: {backend: 'local://', disk: {critical: 90}}}", "critical"),
        ("defaults: {endpoints: [{name: home}]}", "'url' is a required property"),
        ("waivers: [{criterion: SEC-01, target: '*', reason: r, owner: o}]", "'expires' is a required property"),
    ],
)
def test_the_schema_refuses_what_the_model_refuses(hosts_yaml, complaint):
    assert any(complaint in message for message in errors(hosts_yaml)), errors(hosts_yaml)


def test_the_schema_accepts_what_the_model_converts():
    host = [
        "backend: 'ssh://ops@web1'",
        "command_timeout: 90",
        "listeners: {allow: [80, '53/udp']}",
        "containers: {build_cache_max: 2GiB}",
        "endpoints: [{name: home, url: 'https://a.example', expect_status: 200}]",
        "services: [{unit: app.service, packages: [nginx, 'python3-yaml >= 6.0']}]",
    ]
    assert errors("hosts:\n  web1:\n" + "".join(f"    {line}\n" for line in host)) == []
