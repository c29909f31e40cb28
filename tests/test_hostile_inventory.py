"""Every string of the inventory that can reach a shell, set to shell syntax, runs nothing.

The model is walked field by field (no hand-picked list): each string field of a host
(of ``log_patterns`` and of ``kubernetes`` clusters) gets values carrying ``$(…)``, backquotes, ``;``, ``|``,
``&&``, quotes and line breaks, each of which would create its own marker file if a
shell ran it. A value the model refuses is fine when it is refused for that key with
the usual one-line error; every accepted value goes into one inventory of local://
hosts (and ssh:// hosts for the connection keys, to a closed loopback port), and the
whole suite runs against it in a fresh network namespace. No marker may appear.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from golive.errors import InventoryError
from golive.inventory import HostSettings, InventoryFile, KubeCluster, LogPattern, load_inventory
from tests.conftest import REPO, load_json, run_golive

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

# one piece per way out of a quoting context: unquoted, '…', "…", a line of its own
PIECES = ("x';touch{s}{m};'", '";touch{s}{m};"', "$(touch{s}{m})", "`touch{s}{m}`", ";touch{s}{m};", "|touch{s}{m}|",
          "&touch{s}{m}&", "\ntouch{s}{m}\n", "\r\ntouch{s}{m}\r\n")  # fmt: skip
# every piece in one value (with spaces, or ${IFS} and no line break for keys refusing whitespace),
# then a few alone for keys that refuse some characters and not others
PAYLOADS: tuple[tuple[str, tuple[int, ...]], ...] = (
    (" ", tuple(range(9))), ("${IFS}", tuple(range(7))), ("${IFS}", (2,)), ("${IFS}", (3,)), ("${IFS}", (4,)),
    ("${IFS}", (0,)), (" ", (7,)),
)  # fmt: skip
# connection keys: tried through ssh:// hosts, where they reach testinfra's ssh command line
CONNECTION = {"backend", "ssh_config", "ssh_identity_file"}
FREE_FORM = {"custom"}  # passed to a team's own criteria, never to golive's commands
# a declared command is a program to run by design: its hostile part goes in its arguments
COMMANDS = {"BackupLocation.command": "echo ", "KubeCluster.kubectl": "echo "}
# the way into a cluster: set by the test (an inventory host), not a shell's business
CHOSEN = {"KubeCluster.via", "KubeCluster.kubeconfig"}
# what a single (not listed) model needs beside the field tried, for its own cross-field rules
REQUIRED = {"KubeCluster": {"via": "h"}, "KubeManifests": {"repo": "h/r", "paths": ["p.yaml"]}}
# names of credentials: entries, refused at load unless they name one (tests/test_inventory.py)
REFERENCES = {"credential"}
# a valid instance of every model that lives in a list (several where the kinds exclude each other)
BASES: dict[str, list[dict[str, Any]]] = {
    "BackupLocation": [{"name": "b", "path": "/nonexistent/b"}, {"name": "b", "command": "true", "format": "lines"}],
    "RestoreTest": [{"name": "r", "path": "/nonexistent/r"}],
    "Repo": [{"name": "r", "path": "/nonexistent/r"}],
    "Document": [{"name": "d", "path": "/nonexistent/d"}],
    "AcceptanceDocument": [{"phase": "p", "path": "/nonexistent/p"}],
    "ContainerExemption": [{"container": "c", "criteria": ["REL-03"], "reason": "r"}],
    "TcpDependency": [{"name": "t", "address": "127.0.0.1", "port": 9, "timeout": "1s"}],
    "ScheduledJob": [{"name": "j", "cron": "golive-none"}, {"name": "j", "timer": "golive-none.timer"}],
    "Endpoint": [{"name": "e", "url": "http://127.0.0.1:9/", "internal": True, "samples": 1}],
    "LogPattern": [{"id": "p", "regex": "golive-none", "severity": "warning", "explanation": "x", "remediation": "x"}],
    "Service": [{"unit": "golive-none.service"}],
    "ConfigFile": [{"path": "/nonexistent/c", "format": "yaml"}],
    "EnvFile": [{"path": "/nonexistent/e"}],
    "PackageWanted": [{"name": "golive-none"}],
    "Virtualenv": [{"path": "/nonexistent/v"}],
    "ServicePath": [{"path": "/nonexistent/p"}],
}


def payloads(marks: Path, key: str) -> list[str]:
    """The hostile values of a key: each piece creates its own marker file if a shell runs it."""
    return [
        "".join(PIECES[piece].format(s=separator, m=marks / f"{key}.{number}.{piece}") for piece in pieces)
        for number, (separator, pieces) in enumerate(PAYLOADS)
    ]


def _models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for kind in (annotation, *typing.get_args(annotation)):
        for inner in (kind, *typing.get_args(kind)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found.append(inner)
    return found


def _is_strings(annotation: Any) -> str | None:
    """'str', 'tuple' or 'dict' for a field holding strings; None otherwise."""
    args = typing.get_args(annotation)
    if annotation is str or (str in args and type(None) in args and len(args) == 2):
        return "str"
    origin = typing.get_origin(annotation)
    if origin is tuple and args[:1] == (str,):
        return "tuple"
    if origin is dict and args == (str, str):
        return "dict"
    for arg in args:
        if typing.get_origin(arg) is tuple and typing.get_args(arg)[:1] == (str,):
            return "tuple"
    return None


def _value(kind: str, payload: str) -> Any:
    return {"str": payload, "tuple": [payload], "dict": {payload: payload}}[kind]


def _shapes(payload: str) -> list[str]:
    """The payload as it is, and shaped as an absolute path for keys that take only paths."""
    return [payload, "/" + payload.replace("\n", "").replace("\r", "")]


def _rename(entry: dict[str, Any], field: str, number: int) -> None:
    """Each entry of a named list its own name."""
    for unique in ("name", "id", "phase", "unit"):
        if unique in entry and field != unique and isinstance(entry[unique], str):
            entry[unique] = f"n{number}.service" if unique == "unit" else f"n{number}"


def _refused_for(error: ValidationError, field: str) -> bool:
    return any(field in [str(part) for part in problem["loc"]] for problem in error.errors())


class Hostile:
    """The accepted hostile values, as one host's settings per payload index, and the refused ones."""

    def __init__(self, marks: Path) -> None:
        self.marks = marks
        self.refused: list[str] = []
        self.accepted: list[str] = []
        self.hosts: dict[int, dict[str, Any]] = {}
        self.patterns: list[dict[str, Any]] = []

    def fill(self, model: type[BaseModel], target: dict[str, Any], index: int, prefix: str) -> None:
        """Set every string field of a single (not listed) ``model`` in ``target``, recursing."""
        for name, field in model.model_fields.items():
            if (
                name in FREE_FORM
                or (model is HostSettings and name in CONNECTION)
                or f"{model.__name__}.{name}" in CHOSEN
            ):
                continue
            key = f"{prefix}{name}"
            kind = _is_strings(field.annotation)
            if kind is not None:
                accepted = None
                command = COMMANDS.get(f"{model.__name__}.{name}", "")
                for payload in _shapes(command + payloads(self.marks, key)[index]):
                    try:
                        model.model_validate({**REQUIRED.get(model.__name__, {}), name: _value(kind, payload)})
                    except ValidationError as error:
                        assert _refused_for(error, name), f"{key}: refused for another reason: {error}"
                        continue
                    accepted = payload
                    break
                if accepted is None:
                    self.refused.append(key)
                    continue
                target[name] = _value(kind, accepted)
                self.accepted.append(key)
                continue
            for inner in _models(field.annotation):
                if typing.get_origin(field.annotation) is tuple:
                    target[name] = self.listed(inner, index, f"{key}[].")
                else:
                    target[name] = dict(REQUIRED.get(inner.__name__, {}))
                    self.fill(inner, target[name], index, f"{key}.")

    def listed(self, model: type[BaseModel], index: int, prefix: str) -> list[dict[str, Any]]:
        """One entry of a listed ``model`` per string field, that field hostile, the rest valid."""
        assert model.__name__ in BASES, f"{prefix}: add a valid {model.__name__} to BASES"
        entries = []
        for name, field in model.model_fields.items():
            kind = _is_strings(field.annotation)
            if name in REFERENCES:
                continue
            if kind is None:
                for inner in _models(field.annotation):  # nested models: their hostile entries, inside a valid one
                    nested = self.listed(inner, index, f"{prefix}{name}[].")
                    for value in [nested] if typing.get_origin(field.annotation) is tuple else nested:
                        entry = {**BASES[model.__name__][0], name: value}
                        model.model_validate(entry)
                        _rename(entry, name, len(entries))
                        entries.append(entry)
                continue
            payload = COMMANDS.get(f"{model.__name__}.{name}", "") + payloads(self.marks, f"{prefix}{name}")[index]
            outcome = None
            for base in BASES[model.__name__]:
                for shaped in _shapes(payload):
                    entry = {**base, name: _value(kind, shaped)}
                    try:
                        model.model_validate(entry)
                    except ValidationError as error:
                        if _refused_for(error, name):
                            outcome = "refused"
                        continue
                    _rename(entry, name, len(entries))
                    entries.append(entry)
                    outcome = "accepted"
                    break
                if outcome == "accepted" or (outcome == "refused" and base is BASES[model.__name__][-1]):
                    break
            assert outcome is not None, f"{prefix}{name}: no base of {model.__name__} takes a value for it"
            (self.accepted if outcome == "accepted" else self.refused).append(f"{prefix}{name}")
        return entries

    def host(self, index: int) -> dict[str, Any]:
        settings: dict[str, Any] = {"backend": "local://", "command_timeout": "10s"}
        self.fill(HostSettings, settings, index, "")
        settings["logs"]["containers"] = False  # the runner's own engine is not this test's subject
        return settings


@pytest.mark.root
def test_no_inventory_string_reaches_a_shell_as_syntax(tmp_path: Path, netns: str) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    hostile = Hostile(marks)
    hosts: dict[str, Any] = {}
    patterns: list[dict[str, Any]] = []
    count = len(PAYLOADS)
    for index in range(count):
        hosts[f"local{index}"] = hostile.host(index)
    for index, payload in enumerate(payloads(marks, "connection")[:2]):
        hosts[f"ssh{index}"] = {
            "backend": f"ssh://{payload.replace(chr(10), '').replace(chr(13), '')}@127.0.0.1:9",
            "ssh_config": payload, "ssh_identity_file": payload, "connect_timeout": "2s",
        }  # fmt: skip
        patterns += [{**p, "id": f"i{index}-{p['id']}"} for p in hostile.listed(LogPattern, index, "log_patterns[].")]
    clusters: dict[str, Any] = {}
    for index in range(count):  # kubectl runs on the host named by via, its words and arguments hostile
        clusters[f"k{index}"] = {"via": f"local{index}", "timeout": "10s"}
        hostile.fill(KubeCluster, clusters[f"k{index}"], index, "kubernetes.")
        clusters[f"k{index}"]["manifests"]["repo"] = f"local{index}/{hosts[f'local{index}']['repos'][0]['name']}"
    assert {"scheduled[].crontabs", "logs.files", "logs.units", "repos[].path", "endpoints[].url"} <= set(
        hostile.accepted + hostile.refused
    )
    assert "scheduled[].crontabs" in hostile.refused and "logs.files" in hostile.accepted
    assert {"kubernetes.kubectl", "kubernetes.namespaces", "kubernetes.nodes"} <= set(hostile.accepted)
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump({"hosts": hosts, "log_patterns": patterns, "kubernetes": clusters}))
    inventory = load_inventory(path)  # every accepted value, together, is a valid inventory
    assert len(inventory.hosts) == count + 2
    InventoryFile.model_validate(yaml.safe_load(path.read_text()))

    result = run_golive(
        REPO, "tests_infra", f"--inventory={path}", f"--report-dir={tmp_path / 'reports'}",
        prefix=["ip", "netns", "exec", netns], timeout=900,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    record = load_json(tmp_path / "reports" / "readiness.json")
    commands = [
        e["command"]
        for c in record["criteria"]
        for i in c["instances"]
        for e in i["evidence"]
        if e["kind"] == "command" and i["target"].startswith("local")
    ]
    assert any("touch" in command for command in commands), "the hostile values never reached a command"
    kubectl = [
        e["command"]
        for c in record["criteria"]
        if c["id"].startswith("K8S-")
        for i in c["instances"]
        for e in i["evidence"]
        if e["kind"] == "command"
    ]
    assert any("touch" in command for command in kubectl), "the hostile cluster values never reached kubectl"
    assert sorted(p.name for p in marks.iterdir()) == []


def test_a_refused_value_is_one_line_naming_its_key(tmp_path: Path) -> None:
    crontab = {"name": "j", "cron": "x", "crontabs": ["/etc/cron.d/$(touch /tmp/x)"]}
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump({"hosts": {"box": {"backend": "local://", "scheduled": [crontab]}}}))
    with pytest.raises(InventoryError) as raised:
        load_inventory(path)
    assert "\n" not in str(raised.value)
    assert raised.value.key == "hosts.box.scheduled[0].crontabs"
