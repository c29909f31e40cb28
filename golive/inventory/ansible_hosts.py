"""Hosts from an Ansible inventory: ``hosts_from: {ansible: PATH, groups: [...]}``.

The inventory (INI or YAML, a file or a directory, with its ``group_vars/`` and
``host_vars/``) is read with Ansible's own parser (``ansible-core``, the optional
extra ``golive[ansible]``); nothing in it is run or templated. Each host's
connection variables become golive settings:

- ``ansible_connection``: ``ssh`` (the default) → ``backend: ssh://USER@HOST:PORT``
  from ``ansible_host``, ``ansible_port`` and ``ansible_user``; ``local`` →
  ``local://``; ``docker`` → ``docker://[USER@]CONTAINER``;
- ``ansible_become`` (with ``sudo`` to root) → ``sudo: true``;
- ``ansible_ssh_private_key_file`` → ``ssh_identity_file``;
- ``ansible_ssh_common_args`` then ``ansible_ssh_extra_args`` → ``ssh_args`` (split as
  a shell would, each word quoted again where golive runs ssh).

A password (``ansible_password``, ``ansible_become_password`` ...) is refused, since
golive reaches hosts with keys only, and so is a vault-encrypted or templated
connection value: golive neither decrypts nor evaluates them.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from golive.errors import InventoryError
from golive.inventory.section import Section

PASSWORDS = (
    "ansible_password", "ansible_ssh_pass", "ansible_ssh_password", "ansible_become_password",
    "ansible_become_pass", "ansible_sudo_pass", "ansible_sudo_password",
)  # fmt: skip
CONNECTION = (
    "ansible_connection", "ansible_host", "ansible_ssh_host", "ansible_port", "ansible_ssh_port", "ansible_user",
    "ansible_ssh_user", "ansible_become", "ansible_become_method", "ansible_become_user",
    "ansible_ssh_private_key_file", "ansible_private_key_file", "ansible_ssh_common_args", "ansible_ssh_extra_args",
)  # fmt: skip
_VAULTED = frozenset({"EncryptedString", "AnsibleVaultEncryptedUnicode"})
_KEYS_ONLY = "golive reaches hosts with keys only (ansible_ssh_private_key_file or an ssh agent)"


class AnsibleSource(Section):
    """Hosts from an Ansible inventory (a file or directory, relative to hosts.yaml), all
    of them or those in ``groups``; ``group_defaults:`` sets golive keys per Ansible group."""

    ansible: str = Field(min_length=1)
    """The Ansible inventory: an INI or YAML file or a directory, relative to hosts.yaml;
    its ``group_vars/`` and ``host_vars/`` are read with it (needs ``golive[ansible]``)."""
    groups: tuple[str, ...] = ()
    """Only the hosts of these groups (and their child groups); empty: every host."""


@dataclass(frozen=True)
class AnsibleHost:
    """One host of the Ansible inventory: its groups in Ansible's order (parents before
    children, siblings by name) and the golive settings its connection variables give."""

    name: str
    groups: tuple[str, ...]
    settings: dict[str, Any]


@dataclass(frozen=True)
class AnsibleInventory:
    """The selected hosts, in the inventory's order, and every group name it defines."""

    hosts: tuple[AnsibleHost, ...]
    groups: frozenset[str]


def source_path(source: AnsibleSource, inventory_file: Path) -> Path:
    """The Ansible inventory's path; a relative one is relative to hosts.yaml."""
    path = Path(source.ansible).expanduser()
    return path if path.is_absolute() else inventory_file.parent / path


def read(source: AnsibleSource, inventory_file: Path) -> AnsibleInventory:
    """The hosts ``source`` selects; InventoryError with one line for anything golive cannot use."""
    path = source_path(source, inventory_file)
    try:
        from ansible.errors import AnsibleError
        from ansible.inventory.helpers import sort_groups
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.vars.manager import VariableManager
    except ImportError:
        raise InventoryError(
            str(inventory_file), "hosts_from.ansible",
            "reading an Ansible inventory needs ansible-core; install it with pip install 'golive[ansible]'",
        ) from None  # fmt: skip
    if not path.exists():
        raise InventoryError(str(inventory_file), "hosts_from.ansible", f"{path} does not exist; name an inventory")
    try:
        loader = DataLoader()
        manager = InventoryManager(loader=loader, sources=[str(path)])
        variables = VariableManager(loader=loader, inventory=manager)
        groups = frozenset(manager.groups)
        for index, group in enumerate(source.groups):
            if group not in groups:
                known = ", ".join(sorted(groups - {"all", "ungrouped"})) or "none"
                raise InventoryError(
                    str(inventory_file), f"hosts_from.groups[{index}]", f"{group!r} is no group of {path} ({known})"
                )
        hosts = []
        for host in manager.get_hosts(",".join(source.groups) or "all"):
            found = variables.get_vars(host=host, include_hostvars=False)
            ordered = tuple(group.name for group in sort_groups(host.get_groups()))
            hosts.append(AnsibleHost(host.name, ordered, connection_settings(host.name, found, path)))
    except AnsibleError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fix = (
            "golive does not decrypt vault files: keep connection variables in clear"
            if "vault" in problem.lower()
            else "fix the inventory"
        )
        raise InventoryError(str(path), "", f"Ansible cannot read it ({problem}); {fix}") from None
    if not hosts:
        raise InventoryError(str(path), "", "no hosts read from it; name an Ansible inventory (INI or YAML) with hosts")
    return AnsibleInventory(tuple(hosts), groups)


def connection_settings(name: str, variables: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """golive settings from one host's Ansible variables (see the module's docstring)."""
    for key in PASSWORDS:
        if key in variables:
            raise InventoryError(str(path), f"{name}.{key}", f"a password; {_KEYS_ONLY}: remove it")
    found = {key: _literal(name, key, variables[key], path) for key in CONNECTION if key in variables}
    address = found.get("ansible_host", found.get("ansible_ssh_host", name))
    port = found.get("ansible_port", found.get("ansible_ssh_port"))
    user = found.get("ansible_user", found.get("ansible_ssh_user"))
    connection = found.get("ansible_connection", "ssh")
    settings: dict[str, Any] = {}
    if connection in ("ssh", "smart"):
        host = f"[{address}]" if ":" in address else address
        settings["backend"] = f"ssh://{user + '@' if user else ''}{host}{':' + port if port else ''}"
    elif connection == "local":
        settings["backend"] = "local://"
    elif connection == "docker":
        settings["backend"] = f"docker://{user + '@' if user else ''}{address}"
    else:
        raise InventoryError(
            str(path), f"{name}.ansible_connection", f"{connection!r} is not supported; use ssh, local or docker"
        )
    if _true(found.get("ansible_become", "false")):
        if found.get("ansible_become_method", "sudo") != "sudo" or found.get("ansible_become_user", "root") != "root":
            raise InventoryError(
                str(path), f"{name}.ansible_become_method",
                "golive becomes root with sudo only; drop the other become method or user for golive's hosts",
            )  # fmt: skip
        settings["sudo"] = True
    key_file = found.get("ansible_ssh_private_key_file", found.get("ansible_private_key_file"))
    if key_file is not None:
        settings["ssh_identity_file"] = str(Path(key_file).expanduser())
    words: list[str] = []
    for key in ("ansible_ssh_common_args", "ansible_ssh_extra_args"):
        try:
            words += shlex.split(found.get(key, ""))
        except ValueError as exc:
            raise InventoryError(str(path), f"{name}.{key}", f"cannot split it as a shell would ({exc})") from None
    if words:
        settings["ssh_args"] = words
    return settings


def _literal(name: str, key: str, value: Any, path: Path) -> str:
    """A connection variable as plain text; vault-encrypted or templated values are refused."""
    if type(value).__name__ in _VAULTED:
        raise InventoryError(
            str(path), f"{name}.{key}", "vault-encrypted; golive does not decrypt: set it in clear or under hosts:"
        )
    text = str(value)
    if "{{" in text or "{%" in text:
        raise InventoryError(
            str(path), f"{name}.{key}", f"a template ({text!r}); golive evaluates none: set a literal value"
        )
    return text


def _true(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "on", "1", "y", "t")
