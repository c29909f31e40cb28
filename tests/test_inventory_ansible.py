"""hosts_from: an Ansible inventory read with ansible-core's parser, merged like defaults:."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from golive.checks.remote import RemoteHost
from golive.errors import InventoryError
from golive.inventory import Inventory, load_inventory

pytest.importorskip("ansible", reason="the golive[ansible] extra (ansible-core) is not installed")

INI = """\
[web]
web1 ansible_host=192.0.2.10 ansible_port=2222
web2 ansible_connection=local

[db]
db1 ansible_host=2001:db8::5 ansible_user=postgres

[edge]
web1

[prod:children]
web
db

[prod:vars]
ansible_user=deploy
ansible_ssh_private_key_file=~/.ssh/golive_ed25519
"""


def ansible_tree(tmp_path: Path, ini: str = INI) -> Path:
    (tmp_path / "ansible" / "group_vars").mkdir(parents=True)
    (tmp_path / "ansible" / "host_vars").mkdir()
    (tmp_path / "ansible" / "hosts.ini").write_text(ini)
    (tmp_path / "ansible" / "group_vars" / "web.yml").write_text("ansible_become: true\n")
    (tmp_path / "ansible" / "host_vars" / "web1.yml").write_text(
        "ansible_ssh_common_args: '-o ProxyCommand=\"ssh -W %h:%p bastion.example\"'\n"
        "ansible_ssh_extra_args: -o ConnectionAttempts=2\n"
    )
    return tmp_path / "ansible" / "hosts.ini"


def load(tmp_path: Path, text: str) -> Inventory:
    path = tmp_path / "hosts.yaml"
    path.write_text(text)
    return load_inventory(path, environ={})


def test_hosts_come_from_the_ansible_inventory_with_their_connection_variables(tmp_path):
    ansible_tree(tmp_path)
    inventory = load(tmp_path, "hosts_from: {ansible: ansible/hosts.ini}\n")
    web1, web2, db1 = (inventory.host(name) for name in ("web1", "web2", "db1"))
    assert [host.name for host in inventory.hosts] == ["web1", "web2", "db1"]
    assert web1.backend == "ssh://deploy@192.0.2.10:2222" and web1.sudo
    assert web1.ssh_identity_file == str(Path("~/.ssh/golive_ed25519").expanduser())
    assert web1.ssh_args == ("-o", "ProxyCommand=ssh -W %h:%p bastion.example", "-o", "ConnectionAttempts=2")
    assert web2.backend == "local://" and web2.sudo
    assert db1.backend == "ssh://postgres@[2001:db8::5]" and not db1.sudo and db1.ssh_args == ()


def test_group_defaults_merge_in_ansible_order_and_a_hosts_entry_wins(tmp_path):
    ansible_tree(tmp_path)
    inventory = load(
        tmp_path,
        """
hosts_from: {ansible: ansible/hosts.ini, groups: [web]}
defaults: {command_timeout: 1m, disk: {critical_percent: 97}}
group_defaults:
  prod: {command_timeout: 2m, disk: {warning_percent: 80}, listeners: {allow: [443]}}
  web: {command_timeout: 3m, listeners: {allow: [80, 443]}}
  edge: {listeners: {allow: [8443]}}
hosts:
  web2: {command_timeout: 4m}
  mail: {backend: local://}
""",
    )
    assert [host.name for host in inventory.hosts] == ["web1", "web2", "mail"]
    web1, web2, mail = inventory.hosts
    # all < prod (parent) < edge, web (children, by name): web is the last word for web1
    assert (web1.command_timeout, web1.listeners.allow) == (180, ("80", "443"))
    assert (web1.disk.critical_percent, web1.disk.warning_percent) == (97, 80)
    assert web2.command_timeout == 240 and web2.listeners.allow == ("80", "443")
    assert mail.command_timeout == 60 and mail.listeners.allow != ("80", "443")


def test_a_yaml_ansible_inventory_is_read_too(tmp_path):
    (tmp_path / "inventory.yml").write_text(
        "all:\n  children:\n    app:\n      hosts:\n        app1: {ansible_host: app1.example, ansible_become: yes}\n"
        "        box: {ansible_connection: docker, ansible_user: www}\n"
    )
    inventory = load(tmp_path, "hosts_from: {ansible: inventory.yml}\ngroup_defaults: {app: {sudo: false}}\n")
    app1, box = inventory.hosts
    assert (app1.backend, app1.sudo) == ("ssh://app1.example", False)
    assert box.backend == "docker://www@box"


@pytest.mark.parametrize(
    ("line", "vars_file", "message"),
    [
        ("web1 ansible_password=hunter2", "", "hosts.ini: web1.ansible_password: a password; golive reaches hosts"),
        ("web1 ansible_become_pass=hunter2", "", "web1.ansible_become_pass: a password"),
        ("web1 ansible_connection=winrm", "", "web1.ansible_connection: 'winrm' is not supported; use ssh, local"),
        ("web1 ansible_become=yes ansible_become_method=su", "", "web1.ansible_become_method: golive becomes root"),
        ('web1 ansible_user=\'{{ lookup("pipe", "id") }}\'', "", "web1.ansible_user: a template"),
        (
            "web1",
            "ansible_user: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3338\n",
            "web1.ansible_user: vault-encrypted; golive does not decrypt",
        ),
        ("web1 ansible_ssh_common_args='-o \"unclosed'", "", "web1.ansible_ssh_common_args: cannot split it"),
    ],
)
def test_what_golive_cannot_use_is_one_line_naming_host_and_key(tmp_path, line, vars_file, message):
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "hosts.ini").write_text(f"[web]\n{line}\n")
    if vars_file:
        (tmp_path / "host_vars" / "web1.yml").write_text(vars_file)
    with pytest.raises(InventoryError, match=re.escape(message)) as raised:
        load(tmp_path, "hosts_from: {ansible: hosts.ini}\n")
    assert "\n" not in str(raised.value) and "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hosts_from: {ansible: ansible/hosts.ini, groups: [wbe]}\n",
            r"hosts_from.groups\[0\]: 'wbe' is no group of .*hosts.ini \(db, edge, prod, web\)$",
        ),
        ("hosts_from: {ansible: ansible/hosts.ini}\ngroup_defaults: {wbe: {sudo: true}}\n", "group_defaults.wbe: no"),
        ("group_defaults: {web: {sudo: true}}\n", "group_defaults: needs hosts_from:"),
        ("hosts_from: {ansible: ansible/hosts.ini}\ngroup_defaults: {web: {sudoo: true}}\n", "group_defaults.web: unk"),
        ("hosts_from: {ansible: missing.ini}\n", "hosts.yaml: hosts_from.ansible: .*missing.ini does not exist"),
    ],
)
def test_hosts_from_mistakes_in_hosts_yaml_are_one_line(tmp_path, text, message):
    ansible_tree(tmp_path)
    with pytest.raises(InventoryError, match=message):
        load(tmp_path, text)


def test_a_vault_encrypted_vars_file_is_one_line(tmp_path):
    inventory = ansible_tree(tmp_path)
    (inventory.parent / "group_vars" / "db.yml").write_text("$ANSIBLE_VAULT;1.1;AES256\n3338\n")
    with pytest.raises(
        InventoryError, match=r"hosts.ini: Ansible cannot read it \(.*vault.*\); golive does not decrypt"
    ):
        load(tmp_path, "hosts_from: {ansible: ansible/hosts.ini}\n")


def test_a_vaulted_variable_golive_does_not_use_is_left_alone(tmp_path):
    inventory = ansible_tree(tmp_path)
    (inventory.parent / "group_vars" / "db.yml").write_text(
        "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3338\n"
    )
    assert load(tmp_path, "hosts_from: {ansible: ansible/hosts.ini}\n").host("db1").backend.startswith("ssh://")


def test_without_ansible_core_hosts_from_names_the_extra(tmp_path):
    ansible_tree(tmp_path)
    path = tmp_path / "hosts.yaml"
    path.write_text("hosts_from: {ansible: ansible/hosts.ini}\n")
    script = (
        "import sys; sys.modules['ansible'] = None\n"
        "from pathlib import Path\nfrom golive.errors import InventoryError\n"
        "from golive.inventory import load_inventory\n"
        f"try:\n    load_inventory(Path({str(path)!r}))\nexcept InventoryError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == (
        f"{path}: hosts_from.ansible: reading an Ansible inventory needs ansible-core; "
        "install it with pip install 'golive[ansible]'\n"
    )


def test_ssh_args_reach_ssh_as_the_same_words(tmp_path):
    """Each word is quoted for the shell testinfra runs ssh through: a ProxyCommand stays one option."""
    ansible_tree(tmp_path)
    web1 = load(tmp_path, "hosts_from: {ansible: ansible/hosts.ini}\n").host("web1")
    command, arguments = RemoteHost(web1).backend.backend._build_ssh_command("true")
    words = shlex.split(" ".join(command) % tuple(arguments))
    at = words.index("ProxyCommand=ssh -W %h:%p bastion.example")
    assert words[at - 1] == "-o" and words[words.index("BatchMode=yes") - 1] == "-o"
