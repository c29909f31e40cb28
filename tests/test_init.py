"""``python -m golive init`` without a fleet: specs, the written YAML, refusals.

Discovery against real hosts is tests/sandbox/test_init.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from golive.errors import InventoryError
from golive.init import Entry, Found, HostSpec, render, write
from golive.inventory import load_inventory


@pytest.mark.parametrize(
    ("text", "name", "backend"),
    [
        ("ssh://deploy@web1.example.org:2222", "web1.example.org", "ssh://deploy@web1.example.org:2222"),
        ("db=ssh://10.0.0.5", "db", "ssh://10.0.0.5"),
        ("docker://sd", "sd", "docker://sd"),
        ("local://", "local", "local://"),
    ],
)
def test_host_specs(text, name, backend):
    assert HostSpec.parse(text) == HostSpec(name, backend)


def test_a_host_that_is_not_a_spec_is_refused():
    with pytest.raises(InventoryError, match="not a testinfra backend spec"):
        HostSpec.parse("web1")


def test_the_written_inventory_loads_and_says_where_each_entry_came_from(tmp_path: Path):
    found = Found(HostSpec("web1", "ssh://deploy@web1"))
    found.expected.append(Entry("traefik", "running, image traefik:3 (docker ps)"))
    found.units.append(Entry("nginx.service", "active (running), enabled (systemctl)"))
    found.listeners.append(Entry("5432", "tcp 0.0.0.0:5432 (postgres) listens on all addresses (ss)", True))
    found.repos.append(Entry('{name: infra, path: /srv/infra, compose: ["docker-compose.yml"]}', "git (find)"))
    found.problems.append("could not read\nthe journal")
    text = render([found], "~/.ssh/config", dt.date(2026, 12, 1))
    path = tmp_path / "hosts.yaml"
    write(path, text, force=False)
    host = load_inventory(path).hosts[0]
    assert host.containers.expected == ("traefik",)
    assert host.systemd.units == ("nginx.service",)
    assert "5432" not in host.listeners.allow  # never accepted silently
    assert "# - 5432  # tcp 0.0.0.0:5432 (postgres) listens on all addresses (ss)" in text
    assert "# not read: could not read the journal" in text
    assert host.repos[0].compose == ("docker-compose.yml",)
    assert yaml.safe_load(text)["hosts"]["web1"]["ssh_config"] == "~/.ssh/config"


def test_an_existing_file_is_never_replaced_without_force(tmp_path: Path):
    path = tmp_path / "hosts.yaml"
    path.write_text("hosts: {}\n")
    result = subprocess.run(
        [sys.executable, "-m", "golive", "init", "--host=local://", f"--output={path}", "--no-run"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "exists" in result.stderr and "--force" in result.stderr
    assert path.read_text() == "hosts: {}\n"


@pytest.mark.e2e
def test_init_reads_the_local_host_and_grades_it(tmp_path: Path):
    """local:// reads this machine (read-only); the run on the new inventory prints its verdict."""
    result = subprocess.run(
        [sys.executable, "-m", "golive", "init", "--host=box=local://"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert list(yaml.safe_load((tmp_path / "hosts.yaml").read_text())["hosts"]) == ["box"]
    assert "golive:" in result.stdout.splitlines()[-1] and "reports/readiness.html" in result.stdout
    assert (tmp_path / "reports" / "readiness.json").exists()
