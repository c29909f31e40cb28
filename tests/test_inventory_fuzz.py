"""Malformed hosts.yaml files: each ends in one InventoryError line, never a traceback.

A table of hand-written breakages of every key golive reads today, plus mechanical
ones (every scalar replaced by values of the wrong type). The end-to-end exit status 4
is proven in tests/test_plugin.py::test_bad_inventory_is_a_one_line_usage_error.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import yaml

from golive.errors import InventoryError
from golive.inventory import load_inventory
from tests.conftest import REPO

VALID = {
    "window": "24h",
    "defaults": {"command_timeout": "30s", "disk": {"critical_percent": 90}, "listeners": {"allow": [80, 443]}},
    "hosts": {
        "web1": {"backend": "ssh://deploy@127.0.0.1:2222", "connect_timeout": "5s", "sshd": {"config": "/etc/ssh/x"}},
        "db1": {"backend": "local://", "sudo": False, "disk": {"mounts": ["/"], "warning_percent": 80}},
    },
    "credentials": {"vault": {"token_env": "GOLIVE_FUZZ_TOKEN"}},
    "waivers": [{"criterion": "SEC-01", "target": "web1", "reason": "r", "owner": "o", "expires": "2026-12-01"}],
    "rubric": {"critical_cap": 69, "categories": {"Security": 15}},
}

HANDWRITTEN = [
    "hosts: {web1: {backend: local://}",
    "hosts:\n\tweb1: {}",
    "[1, 2, 3]",
    "just a string",
    "42",
    "hosts: 5",
    "hosts: [web1]",
    "hosts: {web1: null}",
    "hosts: {web1: {backend: null}}",
    "hosts: {web1: {backend: 42}}",
    "hosts: {web1: {backend: 'ftp://x'}}",
    "hosts: {web1: {backend: 'local:/'}}",
    "hosts: {web1: {backend: ''}}",
    "hosts: {web1: {backend: local://, command_timeout: 24hours}}",
    "hosts: {web1: {backend: local://, command_timeout: -5}}",
    "hosts: {web1: {backend: local://, command_timeout: [1]}}",
    "hosts: {web1: {backend: local://, connect_timeout: soon}}",
    "hosts: {web1: {backend: local://, sudo: 'sometimes'}}",
    "hosts: {web1: {backend: local://, disk: 90}}",
    "hosts: {web1: {backend: local://, disk: {critical_percent: 0}}}",
    "hosts: {web1: {backend: local://, disk: {critical_percent: 101}}}",
    "hosts: {web1: {backend: local://, disk: {warning_percent: lots}}}",
    "hosts: {web1: {backend: local://, disk: {mounts: /}}}",
    "hosts: {web1: {backend: local://, disk: {size: 1}}}",
    "hosts: {web1: {backend: local://, listeners: {allow: 443}}}",
    "hosts: {web1: {backend: local://, listeners: {allow: [99999]}}}",
    "hosts: {web1: {backend: local://, listeners: {allow: ['443/sctp']}}}",
    "hosts: {web1: {backend: local://, listeners: {deny: [22]}}}",
    "hosts: {web1: {backend: local://, sshd: {config: [a]}}}",
    "hosts: {web1: {backend: local://, sshd: yes}}",
    "hosts: {web1: {backend: local://, ssh_config: {a: 1}}}",
    "defaults: {backend: 5}",
    "defaults: {command_timeout: forever}",
    "defaults: []",
    "credentials: {vault: {token_env: GOLIVE_SURELY_UNSET_VAR}}",
    "credentials: {vault: {token_env: 'has space'}}",
    "credentials: {vault: {token: literal-secret}}",
    "credentials: {vault: []}",
    "waivers: {criterion: SEC-01}",
    "waivers: [{criterion: SEC-01, target: web1, reason: r, owner: o}]",
    "waivers: [{criterion: SEC-01, target: web1, reason: r, owner: o, expires: someday}]",
    "waivers: [{criterion: SEC-01, target: web1, reason: r, owner: o, expires: 2099-01-01}]",
    "waivers: [{criterion: SEC1, target: web1, reason: r, owner: o, expires: 2026-12-01}]",
    "waivers: [{criterion: SEC-01, target: web1, reason: '', owner: o, expires: 2026-12-01}]",
    "waivers: [{criterion: SEC-01, target: web1, reason: r, owner: '', expires: 2026-12-01}]",
    "waivers: [{criterion: SEC-01, target: web1, reason: r, owner: o, expires: 2026-12-01, extra: 1}]",
    "rubric: {critical_cap: 150}",
    "rubric: {ready_score: high}",
    "rubric: {severity_weights: {blocker: 4}}",
    "rubric: {categories: [Security]}",
    "rubric: {max_waiver_days: -1}",
    "rubric: {grades: {A: top}}",
    "window: 24hours",
    "window: [1h]",
    "unknown_section: {}",
    "hosts:\n  web1: {backend: local://}\n  web1: {backend: 'ssh://x@h'}",
    "hosts: {web1: {backend: local://, endpoints: [], endpoints: []}}",
    "hosts: {web1: {backend: local://, repos: [{name: a, path: /a}, {name: a, path: /b}]}}",
    "hosts: {web1: {backend: local://, documents: [{name: d, path: /a}, {name: d, path: /b}]}}",
    "hosts: {web1: {backend: local://, backups: {restore_tests: [{name: r, path: /a}, {name: r, path: /b}]}}}",
    "hosts: {web1: {backend: local://, scheduled: [{name: j, timer: a.timer}, {name: j, cron: b}]}}",
]


def mechanical() -> list[str]:
    """Every scalar of the valid inventory replaced by a wrong-typed value."""
    variants = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, [*path, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, [*path, index])
        else:
            yield path

    for path in walk(VALID, []):
        for wrong in ({"nested": "mapping"}, ["a", "list"]):
            broken = yaml.safe_load(yaml.safe_dump(VALID))
            target = broken
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = wrong
            variants.append(yaml.safe_dump(broken))
    return variants


def duplicated() -> list[str]:
    """The valid inventory with one of its mapping keys written twice (YAML would keep the last)."""
    lines = yaml.safe_dump(VALID, default_flow_style=False).splitlines()
    return [
        "\n".join([*lines[: index + 1], line, *lines[index + 1 :]])
        for index, line in enumerate(lines)
        if ":" in line and not line.lstrip().startswith("- ")
    ]


VARIANTS = HANDWRITTEN + mechanical() + duplicated()


def test_there_are_at_least_fifty_variants():
    assert len(HANDWRITTEN) >= 50
    assert len(VARIANTS) >= 80


def test_the_valid_inventory_loads(tmp_path):
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(VALID))
    inventory = load_inventory(path, today=dt.date(2026, 11, 23), environ={"GOLIVE_FUZZ_TOKEN": "t0k3n"})
    assert sorted(h.name for h in inventory.hosts) == ["db1", "web1"]


@pytest.mark.parametrize("text", VARIANTS, ids=[f"v{index:03d}" for index in range(len(VARIANTS))])
def test_each_variant_is_one_line_naming_the_file(tmp_path, text):
    path = tmp_path / "hosts.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError) as caught:
        load_inventory(path, today=dt.date(2026, 11, 23), environ={"GOLIVE_FUZZ_TOKEN": "t0k3n"})
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert len(message) < 600


@pytest.mark.e2e
@pytest.mark.parametrize("index", range(0, len(HANDWRITTEN), 11))
def test_end_to_end_usage_error(tmp_path, index):
    path = tmp_path / "hosts.yaml"
    path.write_text(HANDWRITTEN[index])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--inventory={path}",
         f"--report-dir={tmp_path / 'reports'}", "tests_infra"],
        cwd=REPO, capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR: {path}: ")
    assert not (tmp_path / "reports" / "readiness.json").exists()
