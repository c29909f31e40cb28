"""``python -m golive init``: a starter hosts.yaml from what the hosts run, then one run.

It connects read-only to each ``--host`` (any testinfra backend), reads the facts the
criteria read (containers, listeners) and what ``golive.checks.discovery`` lists
(systemd units and timers, git working trees, backup directories, TLS virtual hosts
of readable configs and certificates on listening TLS ports),
and writes an inventory in which every entry says, in a comment, where it came from.
Listeners on all addresses are written as comments under ``listeners.allow``: a person
accepts them, golive never does. The text is loaded back through
``golive.inventory`` before it is written; an existing file is never replaced without
``--force``. Then the suite runs once against it and its verdict line is printed.

Like ``golive.plugin`` it sits on top of the layers: it uses the checks, nothing
below imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from golive import record, shipped
from golive.checks import containers, discovery, listeners
from golive.errors import InventoryError, TargetError
from golive.facts import Fleet
from golive.inventory import DEFAULT_ALLOWED_PORTS, Host, load_inventory

_PLAIN = re.compile(r"^[A-Za-z0-9_./@+-]+$")
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class HostSpec:
    """One ``--host``: ``[NAME=]SPEC``, a testinfra backend spec."""

    name: str
    backend: str

    @classmethod
    def parse(cls, text: str) -> HostSpec:
        name, sep, backend = text.partition("=")
        if not sep or "://" in name:
            name, backend = "", text
        if "://" not in backend:
            raise InventoryError(
                "command line", f"--host {text}", "not a testinfra backend spec (ssh://user@web1, local://)"
            )
        if not name:
            address = backend.split("://", 1)[1].split("?", 1)[0]
            address = address.rsplit("@", 1)[-1].split(":", 1)[0].strip("/[]")
            name = address or "local"
        name = _NAME.sub("-", name).strip("-.") or "host"
        return cls(name, backend)


@dataclass
class Entry:
    """One value of the inventory and the comment saying where it came from."""

    text: str
    comment: str
    commented_out: bool = False


@dataclass
class Found:
    """What init found on one host, as inventory entries."""

    spec: HostSpec
    problems: list[str] = field(default_factory=list)
    sshd: Entry | None = None
    expected: list[Entry] = field(default_factory=list)
    compose_projects: list[Entry] = field(default_factory=list)
    units: list[Entry] = field(default_factory=list)
    scheduled: list[Entry] = field(default_factory=list)
    listeners: list[Entry] = field(default_factory=list)
    repos: list[Entry] = field(default_factory=list)
    backups: list[Entry] = field(default_factory=list)
    endpoints: list[Entry] = field(default_factory=list)


def scalar(value: str | int | bool) -> str:
    """A YAML scalar: plain when unambiguous, else double-quoted (JSON is valid YAML)."""
    if isinstance(value, bool | int):
        return json.dumps(value)
    if _PLAIN.fullmatch(value) and not re.fullmatch(r"[-+.0-9eE]+|true|false|yes|no|on|off|null|~", value, re.I):
        return value
    return json.dumps(value)


def flow(mapping: dict[str, str | int | bool | Sequence[str]]) -> str:
    items = []
    for key, value in mapping.items():
        shown = scalar(value) if isinstance(value, str | int | bool) else "[" + ", ".join(map(scalar, value)) + "]"
        items.append(f"{key}: {shown}")
    return "{" + ", ".join(items) + "}"


def _unique(name: str, taken: set[str]) -> str:
    name = _NAME.sub("-", name).strip("-.") or "entry"
    candidate, index = name, 2
    while candidate in taken:
        candidate, index = f"{name}-{index}", index + 1
    taken.add(candidate)
    return candidate


def discover(spec: HostSpec, host: Host, fleet: Fleet) -> Found:
    """Read one host; every read that fails is a problem noted in the file, not a stop."""
    found = Found(spec)
    remote = fleet[host]
    try:
        facts = discovery.discover(remote)
    except TargetError as exc:
        found.problems.append(str(exc))
        return found
    _containers(found, remote)
    _listeners(found, remote)
    if facts.sshd_config:
        found.sshd = Entry(scalar(facts.sshd_config), "the listening sshd's -f (its command line)")
    for unit in facts.services:
        found.units.append(Entry(scalar(unit.name), f"active ({unit.state}), {unit.reason} (systemctl)"))
    names: set[str] = set()
    for unit in facts.timers:
        name = _unique(unit.name.removesuffix(".timer"), names)
        job = flow({"name": name, "timer": unit.name, "max_age": unit.max_age})
        if unit.triggered:
            found.scheduled.append(Entry(job, f"active timer, {unit.reason} (systemctl)"))
        else:
            found.scheduled.append(
                Entry(job, f"active timer, {unit.reason}, never ran yet (systemctl): uncomment once it has", True)
            )
    names = set()
    for tree in facts.trees:
        entry: dict[str, str | int | bool | Sequence[str]] = {"name": _unique(tree.name, names), "path": tree.path}
        if tree.compose:
            entry["compose"] = list(tree.compose)
        found.repos.append(Entry(flow(entry), "git working tree (find)"))
    names = set()
    for backup in facts.backups:
        name = _unique(backup.name, names)
        if backup.kind == "archives":
            found.backups.append(
                Entry(
                    flow({"name": name, "path": backup.path, "glob": backup.glob}),
                    f"{backup.count} dated archive(s), newest dated {backup.newest} (find)",
                )
            )
        else:
            command = f"{backup.kind} {'-r' if backup.kind == 'restic' else 'list --json'} {backup.path}"
            command += " snapshots --json --no-lock" if backup.kind == "restic" else ""
            found.backups.append(
                Entry(
                    flow({"name": name, "command": command, "format": backup.kind}),
                    f"{backup.kind} repository (find): needs its password in the host's environment",
                    commented_out=True,
                )
            )
    names = set()
    for site in facts.sites:
        endpoint: dict[str, str | int | bool | Sequence[str]] = {
            "name": _unique(site.server_name.split(".", 1)[0], names),
            "url": f"https://{site.address}:{site.port}/",
            "server_name": site.server_name,
            "internal": True,
        }
        origin = f"in {site.source}" if site.source.startswith("/") else f"from {site.source}"
        found.endpoints.append(Entry(flow(endpoint), f"TLS server {site.server_name} {origin}"))
    return found


def _containers(found: Found, remote: object) -> None:
    facts = containers.facts(remote)  # type: ignore[arg-type]
    if facts.engine_problem:
        if "not installed" not in facts.engine_problem:
            found.problems.append(facts.engine_problem)
        return
    running = [c for c in facts.containers if c.status == "running"]
    projects: dict[str, int] = {}
    for container in running:
        if container.compose_project:
            projects[container.compose_project] = projects.get(container.compose_project, 0) + 1
        else:
            found.expected.append(Entry(scalar(container.name), f"running, image {container.image} (docker ps)"))
    for project, count in sorted(projects.items()):
        found.compose_projects.append(Entry(scalar(project), f"{count} running container(s) (docker compose labels)"))


def _listeners(found: Found, remote: object) -> None:
    try:
        sockets = listeners.listeners(remote)  # type: ignore[arg-type]
    except TargetError as exc:
        found.problems.append(str(exc))
        return
    seen: set[str] = set()
    for socket in sockets:
        if not socket.on_all_addresses or socket.allowed_by(DEFAULT_ALLOWED_PORTS):
            continue
        port = str(socket.port) if socket.protocol == "tcp" else f"{socket.port}/{socket.protocol}"
        if port in seen:
            continue
        seen.add(port)
        found.listeners.append(
            Entry(
                port,
                f"{socket} listens on all addresses (ss): uncomment to accept it, or bind it to one address",
                commented_out=True,
            )
        )


def render(found: Sequence[Found], ssh_config: str | None, today: dt.date) -> str:
    """The inventory text: each host's keys, each entry with its origin."""
    lines = [
        f"# Written by `python -m golive init` on {today.isoformat()} from what it read on each host.",
        "# Every entry says where it came from. Review it: what runs is not always what should run.",
        "# Keys golive could not discover (endpoints you publish, documents, runbooks, monitoring)",
        "# are described in golive's docs/hosts.example.yaml.",
        "hosts:",
    ]
    for host in found:
        lines.append(f"  {scalar(host.spec.name)}:")
        lines.extend(f"    # not read: {_one_line(problem)}" for problem in host.problems)
        lines.append(f"    backend: {scalar(host.spec.backend)}")
        if ssh_config and host.spec.backend.startswith(("ssh://", "paramiko://")):
            lines.append(f"    ssh_config: {scalar(ssh_config)}")
        if host.sshd is not None:
            lines.append(f"    sshd: {{config: {host.sshd.text}}}  # {_one_line(host.sshd.comment)}")
        if host.expected or host.compose_projects:
            lines.append("    containers:")
            _list(lines, "      expected", host.expected, 8)
            _list(lines, "      compose_projects", host.compose_projects, 8)
        if host.units:
            lines.append("    systemd:")
            _list(lines, "      units", host.units, 8)
        _list(lines, "    scheduled", host.scheduled, 6)
        if host.listeners:
            lines.append("    listeners:")
            lines.append("      allow:  # SEC-01: golive's default ports, and what init saw (commented out)")
            lines.extend(f"        - {port}" for port in DEFAULT_ALLOWED_PORTS)
            _items(lines, host.listeners, 8)
        _list(lines, "    repos", host.repos, 6)
        if host.backups:
            lines.append("    backups:")
            _list(lines, "      locations", host.backups, 8)
        _list(lines, "    endpoints", host.endpoints, 6)
    return "\n".join(lines) + "\n"


def _list(lines: list[str], key: str, entries: list[Entry], indent: int) -> None:
    if not entries:
        return
    if all(entry.commented_out for entry in entries):
        lines.append(f"{key}: []")
    else:
        lines.append(f"{key}:")
    _items(lines, entries, indent)


def _items(lines: list[str], entries: Iterable[Entry], indent: int) -> None:
    pad = " " * indent
    for entry in entries:
        prefix = "# " if entry.commented_out else ""
        lines.append(f"{pad}{prefix}- {entry.text}  # {_one_line(entry.comment)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def hosts_of(specs: Sequence[HostSpec], ssh_config: str | None, scratch: Path) -> list[Host]:
    """The hosts as golive.inventory builds them (its validation, its defaults)."""
    extra: dict[str, str | int | bool | Sequence[str]] = {"ssh_config": ssh_config} if ssh_config else {}
    scratch.write_text(
        "hosts:\n" + "".join(f"  {scalar(s.name)}: {flow({'backend': s.backend, **extra})}\n" for s in specs)
    )
    return list(load_inventory(scratch).hosts)


def write(path: Path, text: str, force: bool) -> None:
    """Validate ``text`` as an inventory, then write it in one rename."""
    if path.exists() and not force:
        raise InventoryError(str(path), "", "exists; init never replaces it (use --force, or --output another path)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_inventory(Path(name))
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


def run_suite(inventory: Path) -> tuple[int, str]:
    """The suite once against ``inventory`` (golive's criteria, and the repo's own
    tests_infra/ beside it if any); its exit status and verdict line."""
    where = inventory.resolve().parent
    reports = where / "reports"
    paths = [str(p) for p in (shipped.criteria_directory(), where / "tests_infra") if p is not None and p.is_dir()]
    command = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header", f"--rootdir={where}",
        f"--inventory={inventory.resolve()}", f"--report-dir={reports}", "--golive-criteria", *paths,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=where, capture_output=True, text=True)
    path = reports / "readiness.json"
    if result.returncode not in (0, 1) or not path.exists():
        return result.returncode, (result.stdout[-2000:] + result.stderr[-2000:]).strip()
    return result.returncode, record.verdict_line(record.read_json(path), str(reports / "readiness.html"))


def main(host_texts: Sequence[str], output: Path, force: bool, ssh_config: str | None, run: bool) -> int:
    """Discover, write, run; 0 once written and graded (whatever the verdict), 4 on bad input."""
    try:
        if output.exists() and not force:
            raise InventoryError(
                str(output), "", "exists; init never replaces it (use --force, or --output another path)"
            )
        specs = [HostSpec.parse(text) for text in host_texts or ["local://"]]
        if len({s.name for s in specs}) != len(specs):
            raise InventoryError("command line", "--host", "two hosts with the same name; name them NAME=SPEC")
        with tempfile.TemporaryDirectory() as scratch:
            hosts = hosts_of(specs, ssh_config, Path(scratch) / "hosts.yaml")
        fleet = Fleet()
        found = []
        for spec, host in zip(specs, hosts, strict=True):
            print(f"golive init: reading {spec.name} ({spec.backend}) ...", flush=True)
            found.append(discover(spec, host, fleet))
        write(output, render(found, ssh_config, dt.date.today()), force)
    except InventoryError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 4
    for each in found:
        for problem in each.problems:
            print(f"golive init: {each.spec.name}: not read: {problem}", file=sys.stderr)
    print(f"golive init: wrote {output}")
    if not run:
        return 0
    code, line = run_suite(output)
    print(line)
    return 0 if code in (0, 1) else code
