"""hosts.yaml validation: good input loads typed, bad input is one precise line."""

import datetime as dt
from pathlib import Path

import pytest

from golive.errors import InventoryError
from golive.inventory import load_inventory

TODAY = dt.date(2026, 11, 23)


def load(tmp_path: Path, text: str, environ=None, rubric: str | None = None):
    path = tmp_path / "hosts.yaml"
    path.write_text(text)
    rubric_path = None
    if rubric is not None:
        rubric_path = tmp_path / "rubric.yaml"
        rubric_path.write_text(rubric)
    return load_inventory(path, rubric_path, today=TODAY, environ=environ or {})


def test_loads_hosts_with_defaults_merged(tmp_path):
    inventory = load(
        tmp_path,
        """
defaults:
  command_timeout: 1m
  disk: {critical_percent: 95}
hosts:
  web1: {backend: "ssh://deploy@127.0.0.1:2222", disk: {warning_percent: 70}}
  db1: {backend: local://, command_timeout: 5s}
window: 26h
""",
    )
    web1, db1 = inventory.hosts
    assert web1.name == "web1" and web1.backend == "ssh://deploy@127.0.0.1:2222"
    assert web1.command_timeout == 60 and db1.command_timeout == 5
    assert (web1.disk.critical_percent, web1.disk.warning_percent) == (95, 70)
    assert (db1.disk.critical_percent, db1.disk.warning_percent) == (95, 85)
    assert inventory.window == 93600
    assert len(inventory.digest) == 64


def test_credentials_are_read_from_the_environment_and_registered_as_secrets(tmp_path):
    inventory = load(
        tmp_path,
        "credentials:\n  grafana: {token_env: GRAFANA_TOKEN}\n",
        environ={"GRAFANA_TOKEN": "s3cr3t-value"},
    )
    assert inventory.credentials == {"grafana": {"token": "s3cr3t-value"}}
    assert inventory.secrets == ["s3cr3t-value"]


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (
            "hosts:\n  web1: {backend: local://, bakend: x}\n",
            "hosts.web1",
            "unknown key 'bakend' (valid keys: backend,",
        ),
        ("hostz: {}\n", "", "unknown key 'hostz'"),
        (
            "hosts:\n  web1: {backend: local://, command_timeout: 24hours}\n",
            "hosts.web1.command_timeout",
            "expected a duration like",
        ),
        (
            "hosts:\n  web1: {backend: 'http//nope'}\n",
            "hosts.web1.backend",
            "expected a testinfra backend like local://",
        ),
        ("hosts:\n  web1: {backend: local://, sudo: maybe}\n", "hosts.web1.sudo", "valid boolean"),
        ("hosts:\n  web1: {command_timeout: 5s}\n", "hosts.web1.backend", "missing; set a testinfra backend"),
        ("hosts:\n  web1: [local://]\n", "hosts.web1", "valid dictionary"),
        (
            "hosts:\n  web1: {backend: local://, disk: {critical_percent: 150}}\n",
            "hosts.web1.disk.critical_percent",
            "less than or equal to 100",
        ),
        (
            "hosts:\n  web1: {backend: local://, listeners: {allow: [80, http]}}\n",
            "hosts.web1.listeners.allow",
            "expected a port like 443",
        ),
        (
            "credentials:\n  grafana: {token_env: GRAFANA_TOKEN}\n",
            "credentials.grafana.token_env",
            "environment variable GRAFANA_TOKEN is not set",
        ),
        (
            "credentials:\n  grafana: {token_env: 'not a name'}\n",
            "credentials.grafana.token_env",
            "expected an environment variable name",
        ),
        ("window: forever\n", "window", "expected a duration like"),
        ("- just\n- a list\n", "", "expected a mapping at the top level"),
        ("hosts: [\n", "line 2", "fix the YAML syntax"),
        (
            "waivers:\n  - {criterion: SEC-01, target: web1, reason: r, owner: o}\n",
            "waivers[0].expires",
            "Field required",
        ),
        (
            "waivers:\n  - {criterion: sec1, target: web1, reason: r, owner: o, expires: 2026-12-01}\n",
            "waivers[0].criterion",
            "expected a criterion ID",
        ),
        (
            "waivers:\n  - {criterion: SEC-01, target: web1, reason: r, owner: o, expires: 2027-06-01}\n",
            "waivers[0].expires",
            "more than 90 days ahead",
        ),
        ("rubric:\n  severity_weights: {blocker: 5}\n", "rubric.severity_weights", "unknown severity 'blocker'"),
        (
            "hosts:\n  web1:\n    backend: local://\n    services:\n      - {unit: n.service, config: [{path: n.yaml, "
            "format: yaml}]}\n",
            "hosts.web1.services[0].config[0].path",
            "String should match pattern",
        ),
        (
            "hosts:\n  web1:\n    backend: local://\n    services:\n      - {unit: n.service, config: [{path: /n, "
            "format: xml}]}\n",
            "hosts.web1.services[0].config[0].format",
            "String should match pattern",
        ),
        (
            "hosts:\n  web1:\n    backend: local://\n    services:\n      - {unit: n.service, packages: ['curl >']}\n",
            "hosts.web1.services[0].packages[0]",
            "expected a package like",
        ),
        (
            "hosts:\n  web1:\n    backend: local://\n    services:\n      - {unit: n, venv: {path: /v, "
            "requirements: ['pyyaml=6']}}\n",
            "hosts.web1.services[0].venv.requirements",
            "not a PEP 508 requirement",
        ),
        (
            "hosts:\n  web1:\n    backend: local://\n    services: [{unit: n}, {unit: n.service}]\n",
            "hosts.web1.services",
            "declared twice",
        ),
    ],
)
def test_bad_input_is_one_line_naming_file_key_and_fix(tmp_path, text, key, fragment):
    with pytest.raises(InventoryError) as caught:
        load(tmp_path, text)
    error = caught.value
    assert error.file.endswith("hosts.yaml")
    assert error.key == key
    assert fragment in str(error)
    assert "\n" not in str(error)


def test_rubric_file_overrides_the_section(tmp_path):
    inventory = load(tmp_path, "rubric:\n  critical_cap: 60\n  ready_score: 85\n", rubric="critical_cap: 50\n")
    assert inventory.rubric.critical_cap == 50
    assert inventory.rubric.ready_score == 85
    assert inventory.rubric.categories["Security"] == 15


def test_expired_waivers_load_but_are_expired(tmp_path):
    inventory = load(
        tmp_path,
        "waivers:\n  - {criterion: SEC-01, target: web1, reason: r, owner: o, expires: 2026-11-01}\n",
    )
    assert inventory.waivers[0].is_expired(TODAY)


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(InventoryError, match="cannot read it"):
        load_inventory(tmp_path / "nope.yaml")
