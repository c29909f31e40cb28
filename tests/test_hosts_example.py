"""docs/hosts.example.yaml loads, and it shows every key the inventory model has."""

from __future__ import annotations

import datetime as dt
import typing

import yaml
from pydantic import BaseModel

from golive.inventory import HostSettings, InventoryFile, load_inventory
from tests.conftest import REPO

EXAMPLE = REPO / "docs" / "hosts.example.yaml"
ENVIRONMENT = {"GRAFANA_TOKEN": "t0k3n-example", "STATUS_USER": "status", "STATUS_PASSWORD": "pw-example"}
FREE_FORM = {"runbooks", "custom", "labels", "log_labels", "categories", "severity_weights", "grades"}
NAMED = {"credentials", "kubernetes"}  # mappings of a name (chosen by the user) to a section


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
    inventory = load_inventory(EXAMPLE, today=dt.date(2026, 11, 23), environ=ENVIRONMENT)
    assert [host.name for host in inventory.hosts] == ["web1"]


def test_every_key_is_shown():
    document = yaml.safe_load(EXAMPLE.read_text())
    shown = example_paths(document)
    host = next(iter(document["hosts"].values()))
    shown |= {f"hosts.*.{path}" for path in example_paths(host) | example_paths(document["defaults"])}
    wanted = {p for p in model_paths(InventoryFile) if not p.startswith(("hosts", "defaults."))}
    wanted |= {f"hosts.*.{path}" for path in model_paths(HostSettings)}
    missing = sorted(wanted - shown)
    assert missing == [], f"docs/hosts.example.yaml lacks: {', '.join(missing)}"
