"""hosts_from: a real Ansible inventory of sandbox hosts, reached over ssh with its own
connection variables (ansible_host, ansible_user, the private key file, and a ProxyCommand
into each host's network namespace in ansible_ssh_extra_args): no ssh_config is involved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.checks.remote import RemoteHost
from golive.inventory import load_inventory
from sandbox.fleet import BareFleet, Fleet
from tests.conftest import REPO, run_golive
from tests.sandbox.conftest import running_fleet

pytest.importorskip("ansible", reason="the golive[ansible] extra (ansible-core) is not installed")


@pytest.fixture(scope="module")
def two_hosts() -> Iterator[Fleet]:
    yield from running_fleet(lambda run_dir, prefix: BareFleet(run_dir, ("h1", "h2"), prefix))  # type: ignore[arg-type]


def ansible_inventory(fleet: Fleet, directory: Path) -> Path:
    """An INI inventory with group_vars/, as a team keeps it for its playbooks."""
    (directory / "group_vars").mkdir(parents=True)
    (directory / "group_vars" / "app.yml").write_text(
        "ansible_user: root\n"
        f"ansible_ssh_private_key_file: {fleet.ssh.key}\n"
        f"ansible_ssh_common_args: >-\n  -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes\n"
        f"  -o UserKnownHostsFile={fleet.ssh.known_hosts} -o GlobalKnownHostsFile=/dev/null\n"
        "  -o StrictHostKeyChecking=yes -o LogLevel=ERROR\n"
    )
    lines = [
        f"{host.name} ansible_host={host.alias} "
        f'ansible_ssh_extra_args=\'-o "ProxyCommand=ip netns exec {host.alias} nc 127.0.0.1 %p" '
        f"-o HostKeyAlias={host.alias}'"
        for host in fleet.hosts
    ]
    (directory / "hosts.ini").write_text("[app]\n" + "\n".join(lines) + "\n")
    return directory / "hosts.ini"


def test_ansible_hosts_are_reached_with_their_own_connection_variables(two_hosts: Fleet, tmp_path: Path):
    ansible_inventory(two_hosts, tmp_path / "ansible")
    hosts_yaml = tmp_path / "hosts.yaml"
    hosts_yaml.write_text(
        "hosts_from: {ansible: ansible/hosts.ini, groups: [app]}\n"
        "group_defaults:\n  app: {connect_timeout: 5s, command_timeout: 20s, disk: {mounts: [/]}}\n"
    )
    inventory = load_inventory(hosts_yaml)
    assert [host.name for host in inventory.hosts] == ["h1", "h2"]
    for host, sandbox_host in zip(inventory.hosts, two_hosts.hosts, strict=True):
        assert host.backend == f"ssh://root@{sandbox_host.alias}" and host.ssh_config is None
        answer = RemoteHost(host).run("hostname; id -u")
        assert answer.exit_status == 0, answer.stderr
        assert answer.stdout.split() == [sandbox_host.alias, "0"]

    reports = tmp_path / "reports"
    result = run_golive(
        REPO, "tests_infra/test_reliability.py", "-k", "disk", f"--inventory={hosts_yaml}", f"--report-dir={reports}"
    )
    record = json.loads((reports / "readiness.json").read_text())
    outcomes = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}
    for name in ("h1", "h2"):
        instance = outcomes[("REL-08", name)]
        # judged from facts read over ssh (the machine's disk decides which), never an error
        assert instance["outcome"] in ("passed", "failed"), (instance, result.stdout[-2000:])
        assert "/" in json.dumps(instance["evidence"])
