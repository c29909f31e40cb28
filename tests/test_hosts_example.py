"""docs/hosts.example.yaml loads, and it shows every key the inventory model has."""

from __future__ import annotations

import datetime as dt
import shutil
import typing

import pytest
import yaml
from pydantic import BaseModel

from golive.inventory import HostSettings, InventoryFile, load_inventory
from tests.conftest import REPO

EXAMPLE = REPO / "docs" / "hosts.example.yaml"
ENVIRONMENT = {"GRAFANA_TOKEN": "t0k3n-example", "STATUS_USER": "status", "STATUS_PASSWORD": "pw-example"}
FREE_FORM = {"runbooks", "custom", "labels", "log_labels", "categories", "severity_weights", "grades"}
NAMED = {"credentials", "kubernetes"}  # mappings of a name (chosen by the user) to a section
GROUPED = "group_defaults"  # host keys per group: shown under defaults: and hosts:


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        for kind in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (kind, *typing.get_args(kind)):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and name not in FREE_FORM:
                    paths |= model_paths(inner, f"{path}.*." if name in NAMED else f"{path}.")
    return paths


def example_paths(node: object, prefix: str = "") -> set[str]:
    paths = set()
    items = node.items() if isinstance(node, dict) else []
    for key, value in items:
        path = f"{prefix}{key}"
        paths.add(path)
        if key in FREE_FORM:
            continue
        if key in NAMED:
            for child in value.values():
                paths |= example_paths(child, f"{path}.*.")
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                paths |= example_paths(child, f"{path}.")
    return paths


def test_the_example_is_a_valid_inventory():
    pytest.importorskip("ansible", reason="hosts_from: needs the golive[ansible] extra (ansible-core)")
    inventory = load_inventory(EXAMPLE, today=dt.date(2026, 11, 23), environ=ENVIRONMENT)
    assert [host.name for host in inventory.hosts] == ["web1", "web2"]
    web1, web2 = inventory.hosts
    assert web1.backend == "ssh://deploy@203.0.113.10:22" and web1.ssh_args == ("-o", "ProxyJump=bastion.example.com")
    assert web2.backend == "ssh://deploy@203.0.113.11" and web2.sudo and web2.command_timeout == 60


def test_the_example_without_hosts_from_is_valid_without_ansible(tmp_path):
    document = yaml.safe_load(EXAMPLE.read_text())
    del document["hosts_from"], document["group_defaults"]
    copy = tmp_path / "hosts.yaml"
    copy.write_text(yaml.safe_dump(document))
    shutil.copy(EXAMPLE.parent / "kubeconfig.example.yaml", tmp_path)
    inventory = load_inventory(copy, today=dt.date(2026, 11, 23), environ=ENVIRONMENT)
    assert [host.name for host in inventory.hosts] == ["web1"]


def test_every_key_is_shown():
    document = yaml.safe_load(EXAMPLE.read_text())
    shown = example_paths(document)
    host = next(iter(document["hosts"].values()))
    shown |= {f"hosts.*.{path}" for path in example_paths(host) | example_paths(document["defaults"])}
    wanted = {p for p in model_paths(InventoryFile) if not p.startswith(("hosts.", "defaults.", f"{GROUPED}."))}
    wanted |= {f"hosts.*.{path}" for path in model_paths(HostSettings)}
    missing = sorted(wanted - shown)
    assert missing == [], f"docs/hosts.example.yaml lacks: {', '.join(missing)}"
