"""Each registered fact command names the criteria that read it, and names them right.

A host's batch is built from the run's selected criteria (``fact_command(...,
criteria=...)``): a criterion missing from a registration would still get its fact, but
in a round trip of its own. The standard suite runs here on a local:// host declaring
something of every kind, with a small plugin noting which criterion asked for which
command; every registered command a criterion reads must list that criterion.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
from pathlib import Path

import pytest

import golive.checks
from golive.facts import host as facts_host
from golive.suite import declared_criteria
from tests.conftest import REPO, run_golive

PLUGIN = """
import json, os

import pytest

from golive.facts import host as facts_host
from golive.session import state_of

ASKED = []
CURRENT = [None]
_fetch = facts_host.RemoteHost.fetch


def _spied(self, command, stdin=None):
    if CURRENT[0] is not None:
        ASKED.append((CURRENT[0], self.host, command))
    return _fetch(self, command, stdin)


facts_host.RemoteHost.fetch = _spied


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    mark = item.get_closest_marker("criterion")
    CURRENT[0] = mark.args[0] if mark is not None else None
    try:
        return (yield)
    finally:
        CURRENT[0] = None


def pytest_sessionfinish(session):
    inventory = state_of(session.config).inventory
    built = {}
    for host in inventory.hosts:
        remote = facts_host.RemoteHost(host, inventory)
        for registered in facts_host._FACT_COMMANDS:
            try:
                made = remote._build(registered)
            except Exception:
                continue
            for command in [made] if isinstance(made, str) else made or ():
                built.setdefault((host.name, command), set()).update(registered.criteria or ["*"])
    read, wrong = set(), []
    for criterion, host, command in ASKED:
        readers = built.get((host.name, command))
        if readers is None:
            continue
        read.add(criterion)
        if "*" not in readers and criterion not in readers:
            wrong.append(f"{criterion} reads a command registered for {sorted(readers)} only: {command[:120]!r}")
    with open(os.environ["GOLIVE_TEST_READERS"], "w") as out:
        json.dump({"read": sorted(read), "wrong": sorted(set(wrong))}, out)
"""


def module_of(registration: facts_host._Registered) -> str:
    return str(getattr(registration.build, "func", registration.build).__module__)


def registered() -> list[facts_host._Registered]:
    for module in pkgutil.iter_modules(golive.checks.__path__):
        importlib.import_module(f"golive.checks.{module.name}")
    return [r for r in facts_host._FACT_COMMANDS if module_of(r).startswith("golive.checks")]


def test_every_registration_names_criteria_of_the_suite():
    """A typo in a registration's IDs would leave its command out of every batch that needs it."""
    suite = set(declared_criteria([REPO / "tests_infra"]))
    found = registered()
    assert len(found) >= 15
    for registration in found:
        assert registration.criteria, f"{module_of(registration)}: a shipped fact command names its readers"
        assert registration.criteria <= suite, (module_of(registration), registration.criteria - suite)


@pytest.mark.e2e
def test_every_criterion_reading_a_registered_command_is_named_by_it(tmp_path: Path):
    t = tmp_path
    for name in ("app.log", "crontab", "stamp", "c.yaml", "x.env", "req.txt", "key", "restore.log", "dr.yml",
                 "RUNBOOK.md", "ACC.md", "rb.md"):  # fmt: skip
        (t / name).write_text("a: 1\n")
    (t / "backups").mkdir()
    (t / "repo").mkdir()
    subprocess.run(["git", "init", "-q", str(t / "repo")], check=True)
    (t / "hosts.yaml").write_text(f"""
hosts:
  box:
    backend: local://
    disk: {{mounts: ['{t}']}}
    sshd: {{config: /etc/ssh/sshd_config}}
    containers: {{expected: [web]}}
    dependencies: [{{name: db, address: 127.0.0.1, port: 9, timeout: 1s}}]
    systemd: {{units: [golive-absent.service]}}
    scheduled:
      - {{name: job, cron: "run-job", crontabs: ['{t}/crontab'], stamp: '{t}/stamp', max_age: 26h}}
    services:
      - unit: golive-absent.service
        config: [{{path: '{t}/c.yaml', format: yaml, required_keys: [a]}}]
        env_files: [{{path: '{t}/x.env'}}]
        packages: [coreutils]
        venv: {{path: '{t}/venv', requirements: '{t}/req.txt'}}
        paths: [{{path: '{t}', type: directory}}]
    secret_files: ['{t}/key']
    endpoints:
      - {{name: app, url: 'http://127.0.0.1:9/', internal: true, protected: true}}
      - {{name: secure, url: 'https://localhost:9/', internal: true}}
    logs: {{files: ['{t}/app.log'], units: [golive-absent.service]}}
    backups:
      locations: [{{name: dumps, path: '{t}/backups', glob: '*.gz', max_age: 26h}}]
      restore_tests: [{{name: monthly, path: '{t}/restore.log', pattern: restor, max_age: 30d}}]
      dr: ['{t}/dr.yml']
    repos: [{{name: infra, path: '{t}/repo', compose: [docker-compose.yml], env_file: .env}}]
    documents: [{{name: runbook, path: '{t}/RUNBOOK.md', max_age: 30d}}]
    acceptance: [{{phase: phase-00, path: '{t}/ACC.md', fields: [who]}}]
    claims: {{containers: 3, hosts: [box]}}
    runbooks: {{REL-02: '{t}/rb.md'}}
""")
    (t / "readers_probe.py").write_text(PLUGIN)
    env = {"GOLIVE_TEST_READERS": str(t / "readers.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(t), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    result = run_golive(REPO, "-p", "readers_probe", f"--inventory={t / 'hosts.yaml'}", f"--report-dir={t / 'r'}",
                        env=env)  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    found = json.loads((t / "readers.json").read_text())
    assert found["wrong"] == []
    # the run did read registered facts for criteria of every kind (the test is not vacuous)
    kinds = ("LOG-01", "AVL-01", "AVL-03", "AVL-04", "AVL-06", "SEC-03", "SEC-06", "SEC-09", "SEC-11", "REL-08",
             "REL-11", "REL-12", "REL-14", "REL-15", "BAK-01", "CHG-01", "DOC-03", "ACC-01")  # fmt: skip
    assert set(kinds) <= set(found["read"]), sorted(set(kinds) - set(found["read"]))
