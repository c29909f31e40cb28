"""The light fleet benchmarks/fleet_ssh.py runs against: hosts that share one engine,
each reached over SSH as itself, declared by an inventory golive accepts, gone after down()."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from golive.inventory import load_inventory
from sandbox import light_profile
from sandbox.light_fleet import LightFleet
from tests.sandbox.conftest import prefix_for, unavailable


def test_light_hosts_share_the_engine_and_go_without_a_trace(run_dir: Path) -> None:
    if os.geteuid() != 0:
        unavailable("needs root for namespaces and sshd")
    fleet = LightFleet(run_dir / "f", hosts=2, prefix=prefix_for(run_dir))
    try:
        fleet.up()
        light_profile.plant(fleet)
        for host in fleet.hosts:
            seen = fleet.ssh.run(
                host, "hostname; docker ps --all --format '{{.Names}}' | sort; wc -l < /srv/log/app/app.log"
            )
            lines = seen.stdout.split()
            assert lines[0] == host.alias
            assert lines[1:-1] == sorted(light_profile.CONTAINERS)
            assert lines[-1] == str(light_profile.LOG_LINES)
        inventory = run_dir / "hosts.yaml"
        inventory.write_text(yaml.safe_dump(light_profile.inventory(fleet)))
        loaded = load_inventory(inventory)
        assert [host.name for host in loaded.hosts] == ["b0001", "b0002"]
    finally:
        fleet.down()
    assert fleet.leftovers() == []
