"""A kubeconfig file on the runner, checked before ``kubectl`` may use it (K8S-01..06).

A kubeconfig holds credentials (bearer tokens, client keys, passwords) and can name
programs to run (exec credential plugins, auth providers). golive reads it once when
the inventory loads: every credential in it is handed over for redaction, a context
whose user runs a program is refused unless the cluster allows exec plugins, and a
context that sends a credential without verifying TLS (``insecure-skip-tls-verify``,
or plain ``http://`` to a host other than loopback) is refused.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

SECRET_FIELDS = ("token", "password", "client-key-data", "client-certificate-data")
SECRET_FILES = ("tokenFile", "client-key")
CREDENTIAL_FIELDS = ("token", "tokenFile", "password", "client-key-data", "client-key", "exec", "auth-provider")


class KubeconfigRefused(ValueError):
    """The kubeconfig cannot be used as declared; the message says why and what to do."""


@dataclass(frozen=True)
class Kubeconfig:
    """What golive needs from a kubeconfig: the context used and the secrets to redact."""

    path: Path
    context: str
    server: str
    secrets: tuple[str, ...]


def load(path: Path, context: str | None, allow_exec_plugins: bool) -> Kubeconfig:
    """Read ``path``; KubeconfigRefused when it cannot be read or must not be used."""
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise KubeconfigRefused(f"cannot read {path} ({exc.strerror}); point it at the cluster's kubeconfig") from None
    except yaml.YAMLError:
        raise KubeconfigRefused(f"{path} is not valid YAML; export it again (kubectl config view --raw)") from None
    if not isinstance(raw, dict):
        raise KubeconfigRefused(f"{path} is not a kubeconfig (expected a mapping with clusters, users, contexts)")
    secrets = tuple(_secrets(raw))
    name = context or raw.get("current-context")
    if not name:
        raise KubeconfigRefused(f"{path} has no current-context; set context: to one of its contexts")
    contexts = _named(raw, "contexts", "context")
    if name not in contexts:
        known = ", ".join(contexts) or "none"
        raise KubeconfigRefused(f"context {name!r} is not in {path} (contexts: {known})")
    chosen = contexts[name]
    cluster = _named(raw, "clusters", "cluster").get(str(chosen.get("cluster")), {})
    user = _named(raw, "users", "user").get(str(chosen.get("user")), {})
    runs = [key for key in ("exec", "auth-provider") if user.get(key)]
    if runs and not allow_exec_plugins:
        raise KubeconfigRefused(
            f"context {name!r} authenticates with an {runs[0]} plugin, a program golive would run; "
            "set allow_exec_plugins: true if you trust it, or use a token or client certificate"
        )
    server = str(cluster.get("server", ""))
    credential = any(user.get(key) for key in CREDENTIAL_FIELDS)
    if credential and cluster.get("insecure-skip-tls-verify"):
        raise KubeconfigRefused(
            f"context {name!r} skips TLS verification (insecure-skip-tls-verify) but sends a credential; "
            "give the cluster its certificate-authority(-data) instead"
        )
    if credential and _in_clear(server):
        raise KubeconfigRefused(
            f"context {name!r} sends a credential over plain HTTP to {server}; use the cluster's https:// address"
        )
    return Kubeconfig(path, str(name), server, secrets)


def _named(raw: dict[str, Any], section: str, key: str) -> dict[str, dict[str, Any]]:
    entries = raw.get(section) or []
    found: dict[str, dict[str, Any]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get(key), dict):
            found[str(entry.get("name"))] = entry[key]
    return found


def _secrets(raw: dict[str, Any]) -> list[str]:
    """Every credential of every user, as written and decoded, plus the contents of files they name."""
    found: list[str] = []
    for user in _named(raw, "users", "user").values():
        for key in SECRET_FIELDS:
            value = user.get(key)
            if isinstance(value, str) and value:
                found.append(value)
                found += _decoded(value)
        for key in SECRET_FILES:
            value = user.get(key)
            if isinstance(value, str) and value:
                try:
                    found += [line.strip() for line in Path(value).read_text().splitlines() if line.strip()]
                except (OSError, UnicodeDecodeError):
                    pass  # kubectl will say it cannot read it; nothing of it can leak
        provider = user.get("auth-provider")
        if isinstance(provider, dict) and isinstance(provider.get("config"), dict):
            found += [str(v) for k, v in provider["config"].items() if "token" in k.lower() or "secret" in k.lower()]
    return found


def _decoded(value: str) -> list[str]:
    """The lines of a base64 ``*-data`` value (a key's PEM lines), which kubectl may echo decoded."""
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("-----")]


def _in_clear(server: str) -> bool:
    """``http://`` to a host other than loopback (as ``inventory.sends_in_clear``)."""
    parts = urlsplit(server)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        return host != "localhost" and not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True
