"""Services deployed as systemd units (REL-13/14, SEC-12/13, CHG-05/06): the facts, one batch per host.

For every ``services[]`` entry of a host, one fact script (``golive/facts/script.py``)
registered with ``remote.fact_command`` reads, in the host's single round trip:

- ``systemctl show`` of the unit (enablement, ``Restart=``, start-limit, ``User=``,
  ``EnvironmentFile=`` lines) and the enablement of the units that pull it in;
- ``systemd-analyze security UNIT`` (exposure score and the settings behind it);
- every config and env file: metadata (``stat``) and contents as base64, in the private
  section ``files`` (withheld from evidence; values registered for redaction on arrival);
- ``stat`` of the declared paths and of ``secret_files``, and ``id`` of the users involved;
- the declared packages' installed versions from dpkg, rpm or apk (whichever the host
  has), each constraint compared by that package manager's own ordering on the host;
- a virtualenv's ``pyvenv.cfg`` and the header of every ``*.dist-info/METADATA`` (and
  ``*.egg-info/PKG-INFO``) in it, and in the system site when the venv includes it.

Nothing of the service runs: not its interpreter, not ``pip`` (the service user can
change both, so running them would run code of the target).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from golive import facts as fact_script
from golive.checks import config_files
from golive.checks.systemd import BOOTED
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import Host, Service

q = fact_script.quote
SYSTEMD = "[ -d /run/systemd/system ] || exit 99; "
UNIT_PROPS = "Id,LoadState,UnitFileState,ActiveState,SubState,Result,Restart,User,DynamicUser,NRestarts"
PULLER_PROPS = "WantedBy,RequiredBy,TriggeredBy,UpheldBy,BoundBy"
STAT = "%F|%U|%G|%a"
FILE_FUNCTION = (
    '_f() { if [ ! -e "$2" ]; then printf \'file\\t%s\\t%s\\tmissing\\n\' "$1" "$2"; return; fi; '
    f"s=$(stat -L -c '{STAT}' -- \"$2\" 2>/dev/null); "
    'if [ "$1" = stat ]; then printf \'file\\t%s\\t%s\\t%s\\n\' "$1" "$2" "$s"; return; fi; '
    'if c=$(base64 < "$2" 2>/dev/null); then '
    'printf \'file\\t%s\\t%s\\t%s\\tb64:%s\\n\' "$1" "$2" "$s" "$(printf \'%s\' "$c" | tr -d \'\\n\')"; '
    'else printf \'file\\t%s\\t%s\\t%s\\tunreadable\\n\' "$1" "$2" "$s"; fi; }\n'
)
PATH_FUNCTION = f"_p() {{ printf 'path\\t%s\\t' \"$1\"; stat -c '{STAT}' -- \"$1\" 2>/dev/null || echo missing; }}\n"
USER_FUNCTION = (
    '_u() { [ -n "$1" ] || return 0; '
    'printf \'user\\t%s\\t%s\\t%s\\n\' "$1" "$(id -u -- "$1" 2>/dev/null)" "$(id -Gn -- "$1" 2>/dev/null)"; }\n'
)
# Each package manager's own version ordering, as -1/0/1 of installed vs wanted.
COMPARE = {
    "dpkg": '_c() { if dpkg --compare-versions "$1" lt "$2"; then echo -1; '
    'elif dpkg --compare-versions "$1" eq "$2"; then echo 0; else echo 1; fi; }\n',
    "rpm": "_c() { rpm --eval \"%{lua: print(rpm.vercmp('$1', '$2'))}\"; }\n",
    "apk": "_c() { case $(apk version -t \"$1\" \"$2\") in '<') echo -1;; '=') echo 0;; *) echo 1;; esac; }\n",
}
INSTALLED = {
    "dpkg": "v=$(dpkg-query -W -f='${{db:Status-Abbrev}}${{Version}}' {name} 2>/dev/null); "
    'case "$v" in "ii "*) v=${{v#"ii "}};; *) v=;; esac',
    "rpm": "v=$(rpm -q --qf '%|EPOCH?{{%{{EPOCH}}:}}|%{{VERSION}}-%{{RELEASE}}' {name} 2>/dev/null) || v=",
    "apk": "v=$(apk info -e -v {name} 2>/dev/null | head -n 1); v=${{v#{bare}-}}",
}
MANAGER = (
    "if command -v dpkg-query >/dev/null 2>&1; then m=dpkg; elif command -v rpm >/dev/null 2>&1; then m=rpm; "
    "elif command -v apk >/dev/null 2>&1; then m=apk; else echo 'manager none'; exit 3; fi; echo \"manager $m\"\n"
)
METADATA = ("*.dist-info/METADATA", "*.egg-info/PKG-INFO", "*.egg-info")
HEADER = "Name|Version|Requires-Dist"


def _packages(services: tuple[Service, ...]) -> str | None:
    wanted = {p.name: p for s in services for p in s.packages}
    if not wanted:
        return None
    lines = [MANAGER]
    for manager in ("dpkg", "rpm", "apk"):
        body = [COMPARE[manager]]
        for name, package in wanted.items():
            compare = f' && c=$(_c "$v" {q(package.wanted)})' if package.wanted else ""
            body.append(
                f'{INSTALLED[manager].format(name=q(name), bare=name)}; c=; [ -n "$v" ]{compare}; '
                f'printf \'pkg\\t%s\\t%s\\t%s\\n\' {q(name)} "$v" "$c"'
            )
        lines.append(f"if [ $m = {manager} ]; then\n" + "\n".join(body) + "\nfi")
    return "\n".join(lines)


def _venv(path: str) -> str:
    """pyvenv.cfg and the header lines of every installed distribution's metadata."""
    site = [f"{q(path)}/lib/python3*/site-packages/{pattern}" for pattern in METADATA]
    system = [f"$prefix/{where}/{pattern}" for where in ("lib/python3/dist-packages", "lib/python3*/site-packages",
              "local/lib/python3*/dist-packages") for pattern in METADATA]  # fmt: skip
    reader = f"sed '/^$/q' \"$m\" | grep -E '^({HEADER}):'"
    return (
        f"cat {q(path)}/pyvenv.cfg || exit 3\n"
        f'for m in {" ".join(site)}; do [ -f "$m" ] && {{ printf \'dist\\tvenv\\t%s\\n\' "$m"; {reader}; }}; done\n'
        f"if grep -qiE '^include-system-site-packages *= *true' {q(path)}/pyvenv.cfg; then\n"
        f"prefix=$(sed -n 's/^home *= *//p' {q(path)}/pyvenv.cfg); prefix=${{prefix%/bin}}\n"
        f'for m in {" ".join(system)}; do [ -f "$m" ] && {{ printf \'dist\\tsystem\\t%s\\n\' "$m"; {reader}; }}; done\n'
        "fi; true"
    )


def sections(host: Host) -> list[Section]:
    """The batch for a host's services: one section per kind of fact, per service where it varies;
    the sections holding file contents are private (withheld from evidence)."""
    found = [Section("booted", BOOTED)]
    files, users, paths = [FILE_FUNCTION], [USER_FUNCTION], [PATH_FUNCTION]
    for index, service in enumerate(host.services):
        unit = q(service.unit)
        found.append(Section(
            f"unit:{index}",
            f"{SYSTEMD}systemctl show --no-pager -p {UNIT_PROPS} {unit}; "
            f"for u in $(systemctl show -p {PULLER_PROPS} --value {unit}); do "
            "printf 'puller\\t%s\\t%s\\t%s\\n' \"$u\" \"$(systemctl is-enabled -- \"$u\" 2>/dev/null)\" "
            "\"$(systemctl is-active -- \"$u\" 2>/dev/null)\"; done",
        ))  # fmt: skip
        found.append(Section(f"security:{index}", f"{SYSTEMD}systemd-analyze security --no-pager {unit}"))
        files += [f"_f {q(c.format)} {q(c.path)}\n" for c in service.config]
        files += [f"_f env {q(e.path)}\n" for e in service.env_files]
        files.append(
            f"[ -d /run/systemd/system ] && systemctl show -p EnvironmentFiles --value {unit} | "
            f'while read -r p rest; do [ -n "$p" ] || continue; '
            f'printf \'unitenv\\t{index}\\t%s\\t%s\\n\' "$p" "$rest"; _f env "$p"; done\n'
        )
        names = {service.user} | {p.writable_by for p in service.paths} | {p.not_writable_by for p in service.paths}
        users += [f"_u {q(name)}\n" for name in sorted(n for n in names if n)]
        users.append(f'[ -d /run/systemd/system ] && _u "$(systemctl show -p User --value {unit})"\n')
        paths += [f"_p {q(p.path)}\n" for p in service.paths]
        if service.venv is not None:
            found.append(Section(f"venv:{index}", _venv(service.venv.path)))
            if isinstance(service.venv.requirements, str):
                found.append(Section(f"requirements:{index}", f"cat {q(service.venv.requirements)}", private=True))
    files += [f"_f stat {q(path)}\n" for path in host.secret_files]
    found += [Section("files", "".join(files) + "true", private=True), Section("users", "".join(users) + "true"),
              Section("paths", "".join(paths) + "true")]  # fmt: skip
    packages = _packages(host.services)
    if packages is not None:
        found.append(Section("packages", packages))
    return found


def _command(host: Host) -> str | None:
    if not host.services and not host.secret_files:
        return None
    return fact_script.script(sections(host))


def _secrets_in(output: str) -> list[str]:
    """Values of the config and env files in a fact command's output, as soon as it arrives."""
    files = fact_script.parse(output).get("files")
    if files is None:
        return []
    return [value for record in _file_records(files.text) if record.content is not None
            for value in config_files.secret_values(record.content, record.format)]  # fmt: skip


fact_command(_command, secrets=_secrets_in, criteria=("REL-13", "REL-14", "SEC-12", "SEC-13", "CHG-05", "CHG-06"))


@dataclass(frozen=True)
class FileFact:
    """A file as ``stat`` (following links) and, for a config or env file, ``base64`` saw it."""

    format: str
    path: str
    state: str  # "present", "missing" or "unreadable"
    kind: str = ""
    owner: str = ""
    group: str = ""
    mode: int | None = None
    content: str | None = field(default=None, repr=False)

    @property
    def exists(self) -> bool:
        return self.state != "missing"


def _stat(text: str) -> tuple[str, str, str, int | None]:
    parts = text.split("|")
    if len(parts) != 4:
        return "", "", "", None
    kind, owner, group, mode = parts
    return kind, owner, group, int(mode, 8) if mode and all(c in "01234567" for c in mode) else None


def _file_records(text: str) -> list[FileFact]:
    found = []
    for line in text.splitlines():
        fields = line.split("\t")
        if fields[0] != "file" or len(fields) < 4:
            continue
        fmt, path, status = fields[1], fields[2], fields[3]
        if status == "missing":
            found.append(FileFact(fmt, path, "missing"))
            continue
        kind, owner, group, mode = _stat(status)
        payload = fields[4] if len(fields) > 4 else ""
        content = None
        if payload.startswith("b64:"):
            try:
                content = base64.b64decode(payload[4:], validate=True).decode("utf-8", errors="replace")
            except (binascii.Error, ValueError):
                content = None
        state = "unreadable" if fmt != "stat" and content is None else "present"
        found.append(FileFact(fmt, path, state, kind, owner, group, mode, content))
    return found


@dataclass(frozen=True)
class Account:
    """A user of the host: uid and group names (``id``); uid None: no such user."""

    name: str
    uid: int | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Distribution:
    """An installed Python distribution's metadata header, where it was found (venv or system)."""

    name: str
    version: str
    requires: tuple[str, ...]
    site: str
    path: str


@dataclass
class ServiceFacts:
    """Everything read about a host's declared services."""

    host: str
    booted: bool
    pid1: str
    units: dict[int, dict[str, str]] = field(default_factory=dict)
    pullers: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    unit_env_files: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)
    security: dict[int, fact_script.Output] = field(default_factory=dict)
    files: dict[tuple[str, str], FileFact] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    paths: dict[str, FileFact] = field(default_factory=dict)
    manager: str | None = None
    packages: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    venvs: dict[int, fact_script.Output] = field(default_factory=dict)
    requirements: dict[int, fact_script.Output] = field(default_factory=dict)
    read: dict[str, fact_script.Output] = field(default_factory=dict)


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and "\t" not in line)


def facts(remote: RemoteHost, host: Host) -> ServiceFacts:
    """The host's service facts (one cached, batched command)."""
    found = fact_script.run(remote, sections(host))
    booted = found.get("booted")
    result = ServiceFacts(remote.name, booted is not None and booted.exit_status == 0,
                          booted.text.strip() if booted else "unknown", read=found)  # fmt: skip
    for key, output in found.items():
        kind, _, index = key.partition(":")
        if kind == "unit":
            result.units[int(index)] = _props(output.text) if output.exit_status == 0 else {}
            result.pullers[int(index)] = [
                (f[1], f[2], f[3])
                for f in (line.split("\t") for line in output.lines)
                if f[0] == "puller" and len(f) == 4
            ]
        elif kind == "security":
            result.security[int(index)] = output
        elif kind == "venv":
            result.venvs[int(index)] = output
        elif kind == "requirements":
            result.requirements[int(index)] = output
    if "files" in found:
        for line in found["files"].lines:
            fields = line.split("\t")
            if fields[0] == "unitenv" and len(fields) >= 3:
                result.unit_env_files.setdefault(int(fields[1]), []).append(
                    (fields[2].lstrip("-"), "ignore_errors=yes" in "\t".join(fields[3:]))
                )
        result.files = {(r.format, r.path): r for r in _file_records(found["files"].text)}
    for line in found.get("users", fact_script.Output("", 1)).lines:
        fields = line.split("\t")
        if fields[0] == "user" and len(fields) == 4:
            uid = int(fields[2]) if fields[2].isdigit() else None
            result.accounts[fields[1]] = Account(fields[1], uid, tuple(fields[3].split()))
    for line in found.get("paths", fact_script.Output("", 1)).lines:
        fields = line.split("\t")
        if fields[0] == "path" and len(fields) == 3:
            kind, owner, group, mode = _stat(fields[2])
            state = "missing" if fields[2] == "missing" else "present"
            result.paths[fields[1]] = FileFact("stat", fields[1], state, kind, owner, group, mode)
    packages = found.get("packages")
    if packages is not None:
        for line in packages.lines:
            fields = line.split("\t")
            if line.startswith("manager "):
                result.manager = line.split()[1]
            elif fields[0] == "pkg" and len(fields) == 4:
                order = int(fields[3]) if fields[3].lstrip("-").isdigit() else None
                result.packages[fields[1]] = (fields[2], order)
    return result


def distributions(output: fact_script.Output) -> list[Distribution]:
    """The metadata headers printed by a ``venv:`` section."""
    found: list[Distribution] = []
    current: dict[str, list[str]] | None = None
    site = path = ""

    def close() -> None:
        if current and current.get("Name") and current.get("Version"):
            found.append(Distribution(current["Name"][0], current["Version"][0],
                                      tuple(current.get("Requires-Dist", [])), site, path))  # fmt: skip

    for line in output.text.splitlines():
        if line.startswith("dist\t"):
            close()
            _, site, path = [*line.split("\t"), "", ""][:3]
            current = {}
        elif current is not None and ":" in line:
            key, _, value = line.partition(":")
            if key in ("Name", "Version", "Requires-Dist"):
                current.setdefault(key, []).append(value.strip())
    close()
    return found


def pyvenv_cfg(output: fact_script.Output) -> dict[str, str]:
    """pyvenv.cfg's keys (the lines before the first ``dist`` record)."""
    found = {}
    for line in output.text.splitlines():
        if line.startswith("dist\t"):
            break
        key, separator, value = line.partition("=")
        if separator:
            found[key.strip().lower()] = value.strip()
    return found
