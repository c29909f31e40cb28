"""hosts.yaml validation: good input loads typed, bad input is one precise line."""

import dataclasses
import datetime as dt
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from golive.errors import GoliveError, InventoryError
from golive.inventory import Inventory, UnknownHost, load_inventory, load_rubric
from golive.rubric import DEFAULT_RUBRIC

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


@pytest.mark.parametrize(
    ("text", "key", "first", "second"),
    [
        ("hosts:\n  web1: {backend: local://}\n  db1: {backend: local://}\n  web1: {backend: local://}\n",
         "hosts.web1", 2, 4),
        ("hosts:\n  web1:\n    backend: local://\n    endpoints: []\n    sudo: false\n    endpoints: []\n",
         "hosts.web1.endpoints", 4, 6),
        ("hosts:\n  web1: {backend: local://}\n  'web1': {backend: 'ssh://x@h'}\n", "hosts.web1", 2, 3),
        ("window: 24h\nhosts: {}\nwindow: 1h\n", "window", 1, 3),
        ("defaults:\n  disk: {critical_percent: 90, critical_percent: 95}\n", "defaults.disk.critical_percent", 2, 2),
        ("credentials:\n  api: {token_env: A}\n  api: {token_env: B}\n", "credentials.api", 2, 3),
        ("waivers:\n  - {criterion: SEC-01, criterion: SEC-02}\n", "waivers[0].criterion", 2, 2),
    ],
)  # fmt: skip
def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path, text, key, first, second):
    with pytest.raises(InventoryError) as caught:
        load(tmp_path, text, environ={"A": "a", "B": "b"})
    error = caught.value
    path = tmp_path / "hosts.yaml"
    assert error.key == key
    assert f"at {path}:{first} and {path}:{second}" in str(error)
    assert "\n" not in str(error)


def test_a_key_given_twice_in_a_rubric_file_is_refused(tmp_path):
    with pytest.raises(InventoryError, match=r"rubric\.yaml: critical_cap: given twice, at .*:1 and .*:2"):
        load(tmp_path, "hosts: {}\n", rubric="critical_cap: 50\ncritical_cap: 60\n")


def test_a_yaml_merge_key_still_lets_a_host_override_what_it_merges(tmp_path):
    inventory = load(
        tmp_path, "hosts:\n  web1: &web {backend: local://, sudo: true}\n  web2:\n    <<: *web\n    sudo: false\n"
    )
    assert {host.name: host.sudo for host in inventory.hosts} == {"web1": True, "web2": False}


@pytest.mark.parametrize(
    ("section", "entries", "key"),
    [
        ("repos", "- {name: app, path: /srv/a}\n      - {name: app, path: /srv/b}", "repos[1].name"),
        ("documents", "- {name: dr, path: /d/a.md}\n      - {name: dr, path: /d/b.md}", "documents[1].name"),
        ("acceptance", "- {phase: p1, path: /a.md}\n      - {phase: p1, path: /b.md}", "acceptance[1].phase"),
        ("dependencies", "- {name: db, address: 10.0.0.1, port: 5432}\n      - {name: db, address: h, port: 5432}",
         "dependencies[1].name"),
        ("scheduled", "- {name: bk, timer: a.timer}\n      - {name: bk, timer: b.timer}", "scheduled[1].name"),
        ("endpoints", "- {name: site, url: 'https://a.example'}\n      - {name: site, url: 'https://b.example'}",
         "endpoints[1].name"),
    ],
)  # fmt: skip
def test_two_entries_of_a_named_list_with_one_name_are_refused(tmp_path, section, entries, key):
    text = f"hosts:\n  web1:\n    backend: local://\n    {section}:\n      {entries}\n"
    with pytest.raises(InventoryError) as caught:
        load(tmp_path, text)
    path = tmp_path / "hosts.yaml"
    assert caught.value.key == f"hosts.web1.{key}"
    assert f"is used twice, at {path}:5 and {path}:6" in str(caught.value)


def test_two_backup_locations_with_one_name_are_refused(tmp_path):
    text = (
        "defaults:\n  backups:\n    locations:\n      - {name: nightly, path: /b}\n      - {name: nightly, path: /c}\n"
        "hosts:\n  web1: {backend: local://}\n"
    )
    with pytest.raises(InventoryError) as caught:
        load(tmp_path, text)
    path = tmp_path / "hosts.yaml"
    assert caught.value.key == "hosts.web1.backups.locations[1].name"
    assert f"'nightly' is used twice, at {path}:4 and {path}:5" in str(caught.value)


def test_the_inventory_is_a_frozen_value(tmp_path):
    inventory = load(tmp_path, "hosts:\n  web1: {backend: local://}\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        inventory.rubric = inventory.rubric.merged(ready_score=10)  # type: ignore[misc]
    changed = dataclasses.replace(inventory, window=60.0)
    assert (changed.window, inventory.window) == (60.0, 86400.0) and changed.hosts == inventory.hosts


def test_a_host_not_in_the_inventory_is_a_clear_error(tmp_path):
    inventory = load(tmp_path, "hosts:\n  web1: {backend: local://}\n  db1: {backend: local://}\n")
    assert inventory.host("db1").name == "db1"
    with pytest.raises(UnknownHost, match=r"no host 'web2' in the inventory \(hosts: web1, db1\)") as raised:
        inventory.host("web2")
    assert isinstance(raised.value, GoliveError)


def test_a_rubric_file_without_an_inventory_makes_a_new_value(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("ready_score: 60\n")
    empty = Inventory.empty()
    loaded = replace(empty, rubric=load_rubric(rubric, empty.rubric))
    assert (loaded.rubric.ready_score, empty.rubric.ready_score) == (60, DEFAULT_RUBRIC.ready_score)
    rubric.write_text("ready_score: high\n")
    with pytest.raises(InventoryError, match=r"rubric.yaml: ready_score: "):
        load_rubric(rubric)


def test_validating_log_patterns_imports_nothing_from_the_checks(tmp_path):
    """The inventory is below the checks: its validators use golive.log_pattern_syntax."""
    path = tmp_path / "hosts.yaml"
    path.write_text(
        "hosts:\n  web1: {backend: local://, logs: {access_error_statuses: [5xx, 429]}}\n"
        "log_patterns:\n  - {id: slow, regex: 'slow query', severity: acceptable, rate: 20/h,\n"
        "     explanation: e, remediation: r}\n"
    )
    script = (
        "import sys; from pathlib import Path; from golive.inventory import load_inventory\n"
        f"load_inventory(Path({str(path)!r}))\n"
        "print(sorted(name for name in sys.modules if name.startswith('golive.checks')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
