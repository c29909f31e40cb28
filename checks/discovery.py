"""What ``python -m golive init`` finds on a host, read-only, in one round trip.

Containers and listeners come from the facts the criteria read (``containers.facts``,
``listeners.listeners``), fetched with the host's other facts in its first batch; this
module adds the rest in one sections script: systemd units and timers, git working
trees and compose files, backup directories, readable web server configurations, and
the certificates on listening well-known TLS ports (one bounded handshake each).
Every command only lists or reads; nothing on the host changes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from golive import facts as fact_script
from golive.facts import RemoteHost, Section

ROOTS = ("/srv", "/opt", "/etc")
"""Where git working trees and backup directories are looked for (and /home/*)."""
SYSTEMD = "[ -d /run/systemd/system ] || exit 99; "
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
ARCHIVE = re.compile(r"\.(tar(\.(gz|xz|bz2|zst))?|tgz|sql(\.gz)?|dump|zip|7z|gz|xz|bz2|zst)$")
DATED = re.compile(r"(?<!\d)(\d{4}-?\d{2}-?\d{2})(?!\d)")
WEB_CONFIGS = (
    "/etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf /etc/nginx/sites-enabled/* "
    "/etc/caddy/Caddyfile /etc/traefik/*.yml /etc/traefik/*.yaml /etc/traefik/*.toml "
    "/etc/traefik/*/*.yml /etc/traefik/*/*.yaml /etc/traefik/*/*.toml"
)
FILE_MARK = "==golive-file== "
TLS_PORTS = (443, 4443, 6443, 8443, 9443, 10443)
"""Listening ports whose certificate init reads when no web server config names them."""
PORT_MARK = "==golive-port== "
MAX_PORTS = 8
"""At most this many such ports are read, each bounded by a 3-second ``timeout``."""

_ROOTS = " ".join([*ROOTS, "/home/*"])
SECTIONS = (
    Section("units", SYSTEMD + "systemctl list-units --all --type=service,timer --no-legend --plain --no-pager"),
    Section("unit_files", SYSTEMD + "systemctl list-unit-files --type=service,timer --no-legend --no-pager"),
    Section("local_units", SYSTEMD + "ls -1 /etc/systemd/system"),
    Section(
        "timers",
        SYSTEMD + "for timer in $(systemctl list-units --type=timer --state=active --no-legend --plain --no-pager "
        "| cut -d' ' -f1); do systemctl show --no-pager -p Id,LastTriggerUSec,TimersCalendar \"$timer\"; echo; done",
    ),
    Section(
        "trees",
        f'for root in {_ROOTS}; do [ -d "$root" ] && find "$root" -mindepth 2 -maxdepth 3 '
        f"\\( -name .git -o {' -o '.join(f'-name {n}' for n in COMPOSE_FILES)} \\) -print 2>/dev/null; done; true",
    ),
    Section(
        "backups",
        f'for dir in /var/backups $(for root in {_ROOTS}; do [ -d "$root" ] && find "$root" -maxdepth 2 '
        "-type d \\( -name backup -o -name backups \\) -print 2>/dev/null; done); do "
        '[ -d "$dir" ] && find "$dir" -maxdepth 3 -type f -printf \'%h\\t%f\\t%s\\n\' 2>/dev/null | head -n 5000; '
        "done; true",
    ),
    Section(
        "sshd",
        "for pid in $(ss -H -tlnp 2>/dev/null | grep -o '\"sshd\",pid=[0-9]*' | grep -o '[0-9]*$' | sort -u); do "
        "tr '\\0' ' ' < /proc/$pid/cmdline; echo; done; true",
    ),
    Section(
        "tls_ports",
        # one TLS handshake per listening well-known TLS port (</dev/null: nothing is sent after it)
        "n=0; for local in $(ss -Hltn 2>/dev/null | awk '{print $4}' | sort -u); do port=${local##*:}; "
        f"case ' {' '.join(map(str, TLS_PORTS))} ' in *\" $port \"*) ;; *) continue;; esac; "
        'case " $seen " in *" $port "*) continue;; esac; seen="$seen $port"; '
        f'n=$((n + 1)); [ "$n" -gt {MAX_PORTS} ] && break; '
        "addr=${local%:*}; addr=${addr%%%*}; "
        'case "$addr" in "*"|0.0.0.0) addr=127.0.0.1;; "[::]") addr="[::1]";; esac; '
        f'echo "{PORT_MARK}$addr $port"; timeout 3 openssl s_client -connect "$addr:$port" </dev/null 2>/dev/null '
        "| openssl x509 -noout -subject -ext subjectAltName 2>/dev/null; done; true",
    ),
    Section(
        "web",
        f'for file in {WEB_CONFIGS}; do [ -f "$file" ] && [ -r "$file" ] && '
        f'{{ echo \'{FILE_MARK}\'"$file"; head -c 262144 "$file"; echo; }}; done; true',
        private=True,
    ),
)


@dataclass(frozen=True)
class Unit:
    """A systemd service or timer that is active, and why it counts as the host's own."""

    name: str
    state: str
    reason: str
    triggered: bool = True
    """A timer: whether it has run at least once (a never-run timer is no evidence yet)."""
    max_age: str = "26h"
    """A timer: how old its last run may be, from its calendar (daily, weekly, monthly)."""


@dataclass(frozen=True)
class Tree:
    """A git working tree, with the compose files at its top."""

    path: str
    compose: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class BackupDirectory:
    """A directory holding dated archives, or a restic or borg repository."""

    path: str
    kind: str  # archives | restic | borg
    glob: str = "*"
    count: int = 0
    newest: str = ""

    @property
    def name(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "-", PurePosixPath(self.path).name)


@dataclass(frozen=True)
class Site:
    """A TLS virtual host in a readable web server configuration."""

    server_name: str
    address: str
    port: int
    source: str


@dataclass
class Discovery:
    """Everything the discovery script found on one host (containers and listeners apart)."""

    host: str
    systemd: bool = False
    services: list[Unit] = field(default_factory=list)
    timers: list[Unit] = field(default_factory=list)
    trees: list[Tree] = field(default_factory=list)
    backups: list[BackupDirectory] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    sshd_config: str | None = None
    """The config file the listening sshd was started with (``-f``), when not the default."""


def discover(remote: RemoteHost) -> Discovery:
    """One round trip: every section of the discovery script."""
    return parse(remote.name, fact_script.run(remote, SECTIONS))


def parse(host: str, found: dict[str, fact_script.Output]) -> Discovery:
    result = Discovery(host)
    units = found.get("units")
    if units is not None and units.exit_status == 0:
        result.systemd = True
        files = _unit_file_states(found.get("unit_files"))
        local = set(found["local_units"].lines) if "local_units" in found else set()
        timers = _timer_properties(found.get("timers"))
        for unit, state in _active_units(units.lines):
            why = _why_own(unit, files.get(unit, ""), local)
            if not why:
                continue
            if unit.endswith(".timer"):
                shown = timers.get(unit, {})
                triggered = shown.get("LastTriggerUSec", "n/a") not in ("", "n/a", "0")
                result.timers.append(Unit(unit, state, why, triggered, _max_age(shown.get("TimersCalendar", ""))))
            else:
                result.services.append(Unit(unit, state, why))
    if "trees" in found:
        result.trees = trees(found["trees"].lines)
    if "backups" in found:
        result.backups = backup_directories(found["backups"].lines)
    if "web" in found:
        result.sites = sites(found["web"].text)
    if "tls_ports" in found:
        named = {site.port for site in result.sites}
        result.sites += [site for site in port_certificates(found["tls_ports"].text) if site.port not in named]
    if "sshd" in found:
        result.sshd_config = sshd_config(found["sshd"].lines)
    return result


def sshd_config(command_lines: list[str]) -> str | None:
    """The ``-f FILE`` of the listening sshd's command line (one config for all of them)."""
    configs = set()
    for line in command_lines:
        words = line.split()
        for index, word in enumerate(words):
            if word == "-f" and index + 1 < len(words):
                configs.add(words[index + 1])
            elif word.startswith("-f") and len(word) > 2:
                configs.add(word[2:])
    return configs.pop() if len(configs) == 1 else None


def _unit_file_states(output: fact_script.Output | None) -> dict[str, str]:
    states = {}
    for line in output.lines if output is not None and output.exit_status == 0 else []:
        fields = line.split()
        if len(fields) >= 2:
            states[fields[0]] = fields[1]
    return states


def _timer_properties(output: fact_script.Output | None) -> dict[str, dict[str, str]]:
    """``systemctl show`` blocks (``Key=value`` lines, a blank line apart) by unit Id."""
    found: dict[str, dict[str, str]] = {}
    for block in (output.text if output is not None and output.exit_status == 0 else "").split("\n\n"):
        properties = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if properties.get("Id"):
            found[properties["Id"]] = properties
    return found


def _max_age(calendar: str) -> str:
    """A margin over the timer's period: monthly 32d, weekly 8d, else (daily or shorter) 26h."""
    # TimersCalendar: "{ OnCalendar=*-*-* 00:00:00 ; next_elapse=Tue 2026-12-01 ... }", one per calendar
    specs = [spec.strip().lower() for spec in re.findall(r"OnCalendar=([^;}]+)", calendar)]
    if any(spec == "monthly" or re.fullmatch(r"\*-\*-\d{1,2}( .*)?", spec) for spec in specs):
        return "32d"
    if any(spec == "weekly" or re.match(r"(mon|tue|wed|thu|fri|sat|sun)\w*( |$)", spec) for spec in specs):
        return "8d"
    return "26h"


def _active_units(lines: list[str]) -> list[tuple[str, str]]:
    """``(unit, sub-state)`` of each active unit in ``systemctl list-units`` output."""
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 4 and fields[1] == "loaded" and fields[2] == "active":
            found.append((fields[0], fields[3]))
    return found


def _why_own(unit: str, file_state: str, local: set[str]) -> str:
    """Why an active unit is one of the host's services (not systemd's own plumbing)."""
    if unit in local:
        return "unit file in /etc/systemd/system"
    if file_state == "enabled" and "@" not in unit and not unit.startswith(("systemd-", "getty", "serial-getty")):
        return "enabled"
    return ""


def trees(lines: list[str]) -> list[Tree]:
    """Git working trees (a ``.git`` found by ``find``) with the compose files at their top."""
    roots = sorted({str(PurePosixPath(line).parent) for line in lines if PurePosixPath(line).name == ".git"})
    compose: dict[str, list[str]] = {}
    for line in lines:
        path = PurePosixPath(line)
        if path.name in COMPOSE_FILES and str(path.parent) in roots:
            compose.setdefault(str(path.parent), []).append(path.name)
    return [Tree(root, tuple(sorted(compose.get(root, [])))) for root in roots]


def backup_directories(lines: list[str]) -> list[BackupDirectory]:
    """Directories of dated archives, restic or borg repositories, from ``dir<TAB>name<TAB>size`` lines."""
    files: dict[str, list[str]] = {}
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 3:
            files.setdefault(parts[0], []).append(parts[1])
    repositories: dict[str, str] = {}
    for directory, names in files.items():
        parent = str(PurePosixPath(directory).parent)
        if PurePosixPath(directory).name == "keys" and "config" in files.get(parent, []):
            repositories[parent] = "restic"
        if "config" in names and "README" in names and any(d.startswith(f"{directory}/data") for d in files):
            repositories[directory] = "borg"
    found = [BackupDirectory(path, kind) for path, kind in sorted(repositories.items())]
    inside = tuple(f"{path}/" for path in repositories)
    for directory, names in sorted(files.items()):
        if directory in repositories or directory.startswith(inside):
            continue
        archives = [n for n in names if ARCHIVE.search(n) and DATED.search(n)]
        if not archives:
            continue
        suffix = Counter(ARCHIVE.search(n).group(0) for n in archives).most_common(1)[0][0]  # type: ignore[union-attr]
        newest = max(DATED.search(n).group(1).replace("-", "") for n in archives)  # type: ignore[union-attr]
        found.append(BackupDirectory(directory, "archives", f"*{suffix}", len(archives), newest))
    return found


_NGINX_SERVER = re.compile(r"\bserver\s*\{")
_LISTEN = re.compile(r"^\s*listen\s+([^;]+);", re.M)
_SERVER_NAME = re.compile(r"^\s*server_name\s+([^;]+);", re.M)
_TRAEFIK_HOST = re.compile(r"Host\(\s*`([^`]+)`")
_CADDY_SITE = re.compile(r"^([A-Za-z0-9*.-]+\.[A-Za-z]{2,})(?::(\d+))?\s*(?:,[^{]*)?\{\s*$", re.M)


def sites(text: str) -> list[Site]:
    """TLS virtual hosts of nginx (``listen ... ssl`` with a ``server_name``), Caddy (site
    addresses: HTTPS by default) and Traefik (``Host(`...`)`` rules, served on 443)."""
    found: dict[tuple[str, int], Site] = {}
    for source, content in _files(text):
        if "nginx" in source:
            for block in _nginx_servers(content):
                names = [n for n in _first(_SERVER_NAME, block).split() if n not in ("_", "") and "*" not in n]
                for listen in _LISTEN.findall(block):
                    words = listen.split()
                    if "ssl" not in words and "quic" not in words:
                        continue
                    address, port = _address(words[0])
                    for name in names[:1]:
                        found.setdefault((name, port), Site(name, address, port, source))
        elif "caddy" in source.lower():
            for name, port in _CADDY_SITE.findall(content):
                found.setdefault((name, int(port or 443)), Site(name, "127.0.0.1", int(port or 443), source))
        elif "traefik" in source:
            for rule in _TRAEFIK_HOST.findall(content):
                for name in re.split(r"[`,\s]+", rule):
                    if name:
                        found.setdefault((name, 443), Site(name, "127.0.0.1", 443, source))
    return sorted(found.values(), key=lambda s: (s.server_name, s.port))


def port_certificates(text: str) -> list[Site]:
    """TLS servers found by their certificate on a listening port: the first DNS name it
    covers (else its CN), at the address and port ``ss`` showed."""
    found: dict[int, Site] = {}
    for block in text.split(PORT_MARK)[1:]:
        head, _, body = block.partition("\n")
        address, _, port = head.strip().rpartition(" ")
        if not port.isdigit() or int(port) in found:
            continue
        names = re.findall(r"DNS:([^,\s]+)", body) or re.findall(r"^subject=.*\bCN\s*=\s*([^,/\s]+)", body, re.M)
        names = [name for name in names if "*" not in name]
        if names:
            where = f"the certificate on listening port {port} (openssl s_client)"
            found[int(port)] = Site(names[0], address.strip("[]"), int(port), where)
    return sorted(found.values(), key=lambda s: (s.server_name, s.port))


def _files(text: str) -> list[tuple[str, str]]:
    parts = []
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(FILE_MARK):
            if current is not None:
                parts.append((current, "\n".join(lines)))
            current, lines = line[len(FILE_MARK) :], []
        else:
            lines.append(line)
    if current is not None:
        parts.append((current, "\n".join(lines)))
    return parts


def _nginx_servers(content: str) -> list[str]:
    """The text of each ``server { ... }`` block (braces balanced, comments dropped)."""
    content = re.sub(r"#[^\n]*", "", content)
    blocks = []
    for match in _NGINX_SERVER.finditer(content):
        depth, start = 0, match.end() - 1
        for index in range(start, len(content)):
            depth += {"{": 1, "}": -1}.get(content[index], 0)
            if depth == 0:
                blocks.append(content[start + 1 : index])
                break
    return blocks


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1) if match else ""


def _address(listen: str) -> tuple[str, int]:
    """``listen`` 's address and port: ``443``, ``10.0.0.5:443``, ``[::]:443`` (a wildcard: loopback)."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        return "127.0.0.1", 443
    if host in ("", "*", "0.0.0.0", "[::]"):
        host = "127.0.0.1"
    return host.strip("[]"), int(port)
