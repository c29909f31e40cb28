"""A kubeconfig on the runner is vetted when the inventory loads (K8S-01..06): exec
plugins refused unless allowed, no credential without TLS verification, every
credential registered for redaction; a bad one is one line naming file and key (exit 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golive.errors import InventoryError
from golive.inventory import load_inventory
from tests.conftest import write_inventory


def kubeconfig(path: Path, user: dict, **cluster: object) -> Path:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "prod",
        "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443", **cluster}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "prod", "context": {"cluster": "c", "user": "u"}}],
    }  # fmt: skip
    path.write_text(json.dumps(config))
    return path


def load(tmp_path: Path, extra: str = "") -> object:
    inventory = write_inventory(tmp_path / "hosts.yaml", f"kubernetes:\n  prod:\n    kubeconfig: kubeconfig\n{extra}")
    return load_inventory(inventory)


EXEC = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "aws", "args": ["eks", "get-token"]}}


def test_exec_plugin_refused_unless_allowed(tmp_path: Path) -> None:
    kubeconfig(tmp_path / "kubeconfig", EXEC)
    with pytest.raises(InventoryError) as refused:
        load(tmp_path)
    assert refused.value.key == "kubernetes.prod.kubeconfig"
    assert "exec plugin" in refused.value.problem and "allow_exec_plugins: true" in refused.value.problem
    load(tmp_path, "    allow_exec_plugins: true\n")


def test_insecure_skip_tls_verify_with_a_credential_refused(tmp_path: Path) -> None:
    kubeconfig(tmp_path / "kubeconfig", {"token": "tok-abcdef123"}, **{"insecure-skip-tls-verify": True})
    with pytest.raises(InventoryError) as refused:
        load(tmp_path)
    assert "insecure-skip-tls-verify" in refused.value.problem


def test_plain_http_with_a_credential_refused(tmp_path: Path) -> None:
    kubeconfig(tmp_path / "kubeconfig", {"token": "tok-abcdef123"}, server="http://10.0.0.1:8080")
    with pytest.raises(InventoryError, match="plain HTTP"):
        load(tmp_path)


def test_every_credential_is_a_secret(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("file-token-98765\n")
    kubeconfig(tmp_path / "kubeconfig", {"token": "tok-abcdef123", "client-key-data": "S0VZLUxJTkUtU0VDUkVU"})
    inventory = load(tmp_path)
    assert {"tok-abcdef123", "S0VZLUxJTkUtU0VDUkVU", "KEY-LINE-SECRET"} <= set(inventory.secrets)


def test_via_names_a_host_and_a_context_must_exist(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "hosts.yaml", "kubernetes:\n  prod: {via: nowhere}\n")
    with pytest.raises(InventoryError, match=r"kubernetes\.prod\.via"):
        load_inventory(inventory)
    kubeconfig(tmp_path / "kubeconfig", {"token": "tok-abcdef123"})
    with pytest.raises(InventoryError, match="context 'staging' is not in"):
        load(tmp_path, "    context: staging\n")
