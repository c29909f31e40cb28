"""hosts.yaml → a validated, typed inventory, loaded once per session.

The inventory says what the fleet is and what "ready" means for it. Secrets never
live in it: a key ending in ``_env`` names an environment variable, whose value is
read here and registered for redaction before anything can print it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import ipaddress
import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from golive import kubeconfig, strict_yaml
from golive.errors import InventoryError
from golive.rubric import DEFAULT_RUBRIC, MAX_WAIVER_DAYS, RubricConfig
from golive.units import parse_duration, parse_size

Duration = Annotated[float, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]
CRITERION_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d{2,3}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BACKEND_SCHEMES = (
    "local", "ssh", "paramiko", "docker", "podman", "ansible", "kubectl",
    "openshift", "winrm", "lxc", "salt", "chroot",
)  # fmt: skip
ModelT = TypeVar("ModelT", bound=BaseModel)
DEFAULT_ALLOWED_PORTS = ("80", "443", "25", "465", "587", "110", "995", "143", "993")


class Section(BaseModel):
    """Strict base: unknown keys are errors that list the valid ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = [key for key in data if key not in cls.model_fields]
            if unknown:
                valid = ", ".join(cls.model_fields)
                raise ValueError(f"unknown key {unknown[0]!r} (valid keys: {valid})")
        return data


class DiskPolicy(Section):
    """REL-08/09: which filesystems are judged and their limits in percent used."""

    critical_percent: float = Field(90, gt=0, le=100)
    warning_percent: float = Field(85, gt=0, le=100)
    mounts: tuple[str, ...] | None = None
    ignore_mounts: tuple[str, ...] = ()
    ignore_types: tuple[str, ...] = (
        "tmpfs", "devtmpfs", "squashfs", "overlay", "proc", "sysfs", "cgroup2",
        "iso9660", "ramfs", "nsfs", "fuse.snapfuse",
    )  # fmt: skip


class ListenerPolicy(Section):
    """SEC-01: ports allowed on all addresses, as ``443`` (tcp and udp) or ``53/udp``."""

    allow: tuple[str, ...] = DEFAULT_ALLOWED_PORTS

    @field_validator("allow", mode="before")
    @classmethod
    def _ports(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise ValueError("expected a list of ports like [80, 443, '53/udp']")
        ports = []
        for entry in value:
            text = str(entry)
            if not re.fullmatch(r"\d{1,5}(/(tcp|udp))?", text) or int(text.split("/")[0]) > 65535:
                raise ValueError(f"expected a port like 443 or '53/udp', got {entry!r}")
            ports.append(text)
        return tuple(ports)


class SshdPolicy(Section):
    """SEC-09: which sshd configuration ``sshd -T`` reads (default: the system's)."""

    config: str | None = None


NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
CRONTAB_PATH = re.compile(r"[A-Za-z0-9._/@+,:%*?\[\]-]+")
DAY = 86400.0


class BackupLocation(Section):
    """BAK-01/02: where one series of backups lands, as files or as a snapshot listing.

    ``path`` + ``glob``: backup files in a directory (their mtime and size);
    ``command`` + ``format``: a read-only command listing snapshots, e.g.
    ``restic -r /srv/restic --password-file F snapshots --json --no-lock`` (``restic``),
    ``borg list --json REPO`` (``borg``), or lines ``<epoch> <bytes> <name>`` (``lines``).
    The command runs as one program with its arguments (quoted as ``sh`` would split
    them), without a shell: no pipes, variables or redirections.
    """

    name: str = Field(pattern=NAME)
    path: str | None = None
    glob: str = Field("*", pattern=r"^[A-Za-z0-9._*?\[\]-]+$")
    command: str | None = None
    format: str | None = Field(None, pattern=r"^(restic|borg|lines)$")
    max_age: Duration = 26 * 3600.0
    min_size_ratio: float = Field(0.5, ge=0, le=1)

    @field_validator("command")
    @classmethod
    def _command_line(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                words = shlex.split(value)
            except ValueError as exc:
                raise ValueError(
                    f"expected a command line like 'restic snapshots --json' ({exc}), got {value!r}"
                ) from None
            if not words:
                raise ValueError("expected a command line like 'restic snapshots --json', got an empty one")
        return value

    def argv(self) -> list[str]:
        """The snapshot command's program and arguments."""
        return shlex.split(self.command or "")

    @model_validator(mode="after")
    def _one_source(self) -> BackupLocation:
        if (self.path is None) == (self.command is None):
            raise ValueError("set either path (with glob) or command (with format)")
        if self.command is not None and self.format is None:
            raise ValueError("a command needs format: restic, borg or lines")
        return self


class RestoreTest(Section):
    """BAK-03: a file recording restore tests; its newest dated line matching ``pattern`` counts."""

    name: str = Field(pattern=NAME)
    path: str
    pattern: str = "restor"
    max_age: Duration = 30 * DAY


class BackupPolicy(Section):
    """BAK-01..04: backup locations, restore-test records and DR playbooks/scripts."""

    locations: tuple[BackupLocation, ...] = ()
    restore_tests: tuple[RestoreTest, ...] = ()
    dr: tuple[str, ...] = ()


class Repo(Section):
    """CHG-01..04, SEC-07/08: a git working tree on the host holding configuration."""

    name: str = Field(pattern=NAME)
    path: str
    compose: tuple[str, ...] = ()
    env_file: str = ".env"
    ignored: tuple[str, ...] = (".env", "*.key", "*.pem")
    history_commits: int = Field(200, ge=0)
    """SEC-07: how many commits back from HEAD the added lines are scanned for secrets (0: HEAD only)."""
    project: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """CHG-03/04: the compose project (default: the file's ``name:``, .env's COMPOSE_PROJECT_NAME, its directory)."""


class Document(Section):
    """DOC-03 (and DOC-01 through its front matter): a document in a git repo on the host."""

    name: str = Field(pattern=NAME)
    path: str
    max_age: Duration = 30 * DAY


class AcceptanceDocument(Section):
    """ACC-01/02: a phase's acceptance document with sign-off fields; its claimed grade."""

    phase: str = Field(pattern=NAME)
    path: str
    fields: tuple[str, ...] = ("who", "date", "grade")


class Claims(Section):
    """DOC-01: what the documentation claims about the host, compared with what runs."""

    containers: int | None = Field(None, ge=0)
    services: tuple[str, ...] | None = None
    hosts: tuple[str, ...] | None = None


class Endpoint(Section):
    """AVL-01/03/05, SEC-02..06, SEC-11: one URL the host serves (or, if ``internal``, uses).

    ``server_name`` is the name sent as SNI and Host when the URL's host is an IP
    address (curl's ``--resolve``); ``resolve_to`` is the address the URL's name must
    resolve to; ``ca_bundle`` verifies the certificate instead of the system store;
    ``internal`` makes requests (and name lookups) from the host, not the runner;
    ``credential`` names an entry of ``credentials:`` used by AVL-01 and AVL-05. A
    credential travels only over TLS that verifies (``ca_bundle``, else the system
    store; for an ``internal`` endpoint both are the host's), or over plain HTTP to
    loopback; an ``http://`` URL to any other host cannot carry one.
    """

    name: str = Field(pattern=NAME)
    url: str = Field(pattern=r"^https?://[^/\s]+(/\S*)?$")
    expect_status: tuple[int, ...] | None = None
    protected: bool = False
    login_location: str = "login"
    latency_budget: Duration = 2.0
    samples: int = Field(3, ge=1, le=50)
    resolve_to: str | None = None
    ca_bundle: str | None = None
    server_name: str | None = None
    internal: bool = False
    credential: str | None = None
    http_url: str | None = Field(None, pattern=r"^http://[^/\s]+(/\S*)?$")

    @field_validator("expect_status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        values = value if isinstance(value, (list, tuple)) else [value]
        for status in values:
            if value is not None and (not isinstance(status, int) or not 100 <= status <= 599):
                raise ValueError(f"expected an HTTP status like 200 or a list like [200, 204], got {status!r}")
        return None if value is None else tuple(values)

    @field_validator("resolve_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"expected an IP address like 192.0.2.10, got {value!r}") from None
        return value


class HttpSettings(Section):
    """How golive makes HTTP requests and TLS handshakes for this host's endpoints."""

    user_agent: str = "golive/0.1 (production readiness check)"
    timeout: Duration = 10.0
    tls_expiry_critical_days: float = Field(7, ge=0)
    tls_expiry_warning_days: float = Field(21, ge=0)


class ContainerExemption(Section):
    """A container excused from some container criteria, for a stated reason."""

    container: str
    criteria: tuple[str, ...] = Field(min_length=1)
    reason: str = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for criterion in value:
            if not CRITERION_ID.fullmatch(criterion):
                raise ValueError(f"expected criterion IDs like REL-03, got {criterion!r}")
        return value


class ContainerPolicy(Section):
    """AVL-02, REL-01..07, REL-10, REL-11: the containers of the host's Docker engine.

    ``expected`` names containers that must run; ``compose_projects`` names compose
    projects whose containers must all run; ``ignore`` (globs of names) are never
    judged; ``exempt`` excuses one container from listed criteria with a reason.
    """

    expected: tuple[str, ...] = ()
    compose_projects: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exempt: tuple[ContainerExemption, ...] = ()
    restarts_per_day: float = Field(3, ge=0)
    restart_policies: tuple[str, ...] = ("unless-stopped", "always", "on-failure")
    build_cache_max: Size = 10**9
    docker_socket_allow: tuple[str, ...] = ()
    """SEC-10: containers (by name) allowed to mount the docker socket (a proxy reading labels, say)."""

    def exemptions(self, criterion: str) -> dict[str, str]:
        """Container name → reason, for the containers exempt from ``criterion``."""
        return {e.container: e.reason for e in self.exempt if criterion in e.criteria}


class TcpDependency(Section):
    """AVL-04: a TCP service this host needs, probed from the host itself."""

    name: str = Field(pattern=NAME)
    address: str = Field(pattern=r"^[A-Za-z0-9._:-]+$")
    port: int = Field(ge=1, le=65535)
    timeout: Duration = 3.0


class SystemdPolicy(Section):
    """AVL-06: units that must be active; failed units tolerated (globs), if any."""

    units: tuple[str, ...] = ()
    ignore_failed: tuple[str, ...] = ()


class ScheduledJob(Section):
    """REL-12: a systemd timer, or a cron entry (a fixed string of its crontab line).

    A cron entry records no exit status: ``stamp`` names a file the job touches on
    success, judged against ``max_age``; ``crontabs`` are the files searched.
    """

    name: str = Field(pattern=NAME)
    timer: str | None = None
    cron: str | None = None
    crontabs: tuple[str, ...] = ("/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*")
    stamp: str | None = None
    max_age: Duration = 26 * 3600.0

    @field_validator("crontabs")
    @classmethod
    def _crontab_globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # globs expand on the host, so these reach its shell unquoted: only path and glob characters
        for glob in value:
            if not CRONTAB_PATH.fullmatch(glob):
                raise ValueError(
                    f"expected a file path or glob like /etc/cron.d/* (letters, digits, / . _ - @ + , : % * ? [ ]), "
                    f"got {glob!r}"
                )
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ScheduledJob:
        if (self.timer is None) == (self.cron is None):
            raise ValueError("set either timer (a systemd timer unit) or cron (a string of its crontab line)")
        return self


class ClockPolicy(Section):
    """REL-15 and every age golive measures: the host's clock and timestamps in the future.

    ``max_offset``: how far the host's clock may be from the runner's, beyond the
    measurement's uncertainty; ``future_tolerance``: how far ahead of the host's clock
    (the runner's, for Loki) a timestamp may be before it fails as dated in the future
    (backups, restore records, commits, cron stamps, the newest Loki line); ``sync``:
    judge the time-sync tool's state (false for a container, whose clock is its
    machine's and is judged on the machine).
    """

    max_offset: Duration = 2.0
    future_tolerance: Duration = 300.0
    sync: bool = True


ABSOLUTE_PATH = r"^/[^\x00\n]*$"
UNIT = r"^[A-Za-z0-9@:._\\-]+$"
PACKAGE_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.+_-]*)\s*(?:(<<|<=|>=|>>|==|=|!=|<|>)\s*(\S+))?\s*$")
CONFIG_FORMATS = ("yaml", "json", "toml", "ini", "env")


class ConfigFile(Section):
    """REL-14: a configuration file of a service, its format, and the keys it must define
    (dotted for nested keys: ``database.host``; ``section.key`` for ini)."""

    path: str = Field(pattern=ABSOLUTE_PATH)
    format: str = Field(pattern=r"^(yaml|json|toml|ini|env)$")
    required_keys: tuple[str, ...] = ()


class EnvFile(Section):
    """REL-14/SEC-13: an EnvironmentFile of a service (``KEY=VALUE`` lines); ``optional``
    as systemd's ``EnvironmentFile=-PATH``: absent passes."""

    path: str = Field(pattern=ABSOLUTE_PATH)
    required_keys: tuple[str, ...] = ()
    optional: bool = False


class PackageWanted(Section):
    """CHG-05: a package of the host's package manager (dpkg, rpm or apk) and an optional
    version constraint (``>= 1.2``, ``= 2.0-1``, ``<< 3``), compared by that manager."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.+_-]*$")
    version: str | None = Field(None, pattern=r"^(<<|<=|>=|>>|==|=|!=|<|>)\s*[A-Za-z0-9.+~:_-]+$")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            match = PACKAGE_CONSTRAINT.fullmatch(data)
            if match is None:
                raise ValueError(f"expected a package like 'nginx' or 'python3-yaml >= 6.0', got {data!r}")
            name, operator, version = match.groups()
            return {"name": name, "version": f"{operator} {version}" if operator else None}
        return data

    @property
    def operator(self) -> str | None:
        return None if self.version is None else re.match(r"[<>=!]+", self.version).group(0)  # type: ignore[union-attr]

    @property
    def wanted(self) -> str | None:
        return None if self.version is None else self.version[len(self.operator or "") :].strip()


class Virtualenv(Section):
    """CHG-05: a Python virtualenv of a service and what must be installed in it:
    ``requirements`` is a requirements file on the host or an inline list of PEP 440
    specifiers (``PyYAML==6.0``)."""

    path: str = Field(pattern=ABSOLUTE_PATH)
    requirements: str | tuple[str, ...] = ()

    @field_validator("requirements")
    @classmethod
    def _requirements(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, str):
            if not re.fullmatch(ABSOLUTE_PATH, value):
                raise ValueError(f"expected an absolute path of a requirements file, or a list, got {value!r}")
            return value
        for entry in value:
            try:
                Requirement(entry)
            except InvalidRequirement as exc:
                raise ValueError(f"not a PEP 508 requirement: {entry!r} ({str(exc).splitlines()[0]})") from None
        return value


class ServicePath(Section):
    """CHG-06: a path of the deployment and what it must be. ``mode`` is octal
    (``"0750"``); ``writable_by`` / ``not_writable_by`` name users whose write permission
    is judged from the mode, owner, group and the user's groups (nothing is written)."""

    path: str = Field(pattern=ABSOLUTE_PATH)
    type: str | None = Field(None, pattern=r"^(file|directory|symlink)$")
    owner: str | None = None
    group: str | None = None
    mode: str | None = Field(None, pattern=r"^0?[0-7]{3,4}$")
    writable_by: str | None = None
    not_writable_by: str | None = None


class Service(Section):
    """REL-13/14, SEC-12/13, CHG-05/06: a service deployed as a systemd unit.

    ``user``: the user it must run as (default: whatever the unit's ``User=`` says, which
    must not be root). ``env_files``: added to the unit's own ``EnvironmentFile=`` lines.
    """

    unit: str = Field(pattern=UNIT)
    user: str | None = Field(None, pattern=r"^[a-z_][a-z0-9_.-]*\$?$")
    config: tuple[ConfigFile, ...] = ()
    env_files: tuple[EnvFile, ...] = ()
    packages: tuple[PackageWanted, ...] = ()
    venv: Virtualenv | None = None
    paths: tuple[ServicePath, ...] = ()
    exposure_max: float = Field(5.0, ge=0, le=10)

    @property
    def name(self) -> str:
        return self.unit.removesuffix(".service")


class HostMonitoring(Section):
    """MON-03/06: how the monitoring stack names this host.

    ``addresses``: addresses (or names) Prometheus scrapes it under, matched with a
    target's ``instance`` (default: the address in ``backend``); ``labels``: target
    labels that mark its targets (default ``{<prometheus.host_label>: <host name>}``);
    ``log_labels``: Loki stream labels of its logs (default ``{<loki.host_label>: <host name>}``).
    """

    addresses: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    log_labels: dict[str, str] = {}


class LogPattern(Section):
    """LOG-01..04: a known log line, its meaning and what to do about it.

    ``regex`` (Python syntax) is searched in each message; it needs a literal part of
    at least 3 characters (the host keeps candidate lines by it). ``scope``: globs of
    container names or images (unit names, file paths) it applies to (default: all).
    ``rate``: for ``acceptable`` patterns, the tolerated peak, like ``20/h``.
    ``example`` must match and ``counterexample`` must not (required in the shipped file).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    regex: str
    severity: str
    explanation: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    runbook: str | None = None
    scope: tuple[str, ...] = ()
    rate: str | None = None
    example: str | None = None
    counterexample: str | None = None

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        from golive.checks.log_patterns import SEVERITIES

        if value not in SEVERITIES:
            raise ValueError(f"expected one of {', '.join(SEVERITIES)}, got {value!r}")
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        from golive.checks.log_patterns import MIN_LITERAL, required_literals

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex {value!r}: {exc}") from None
        literals = required_literals(value)
        if not literals or min(map(len, literals)) < MIN_LITERAL:
            raise ValueError(
                f"regex {value!r} needs a literal part of at least {MIN_LITERAL} characters "
                "(a word of the message): the host keeps candidate lines by it"
            )
        return value

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        from golive.checks.log_patterns import parse_rate

        if value is not None:
            parse_rate(value)
        return value

    @field_validator("example", "counterexample")
    @classmethod
    def _examples(cls, value: str | None, info: ValidationInfo) -> str | None:
        regex = info.data.get("regex")
        if value is not None and regex is not None:
            matched = re.search(regex, value) is not None
            if info.field_name == "example" and not matched:
                raise ValueError(f"the regex does not match its example {value!r}")
            if info.field_name == "counterexample" and matched:
                raise ValueError(f"the regex matches its counterexample {value!r}")
        return value

    @model_validator(mode="after")
    def _rate_for_acceptable(self) -> LogPattern:
        if self.severity == "acceptable" and self.rate is None:
            raise ValueError(f"{self.id}: an acceptable pattern needs rate: (the tolerated peak, like 20/h)")
        if self.severity != "acceptable" and self.rate is not None:
            raise ValueError(f"{self.id}: rate: is only for acceptable patterns (this one is {self.severity})")
        return self


class LogPolicy(Section):
    """LOG-01..04: which logs of the host are read, and how much of them.

    Every container's logs (``docker logs --since <window>``) unless ``containers:
    false``, except names matching ``exclude``; journald ``units`` where systemd runs;
    the last ``max_file_bytes`` of each declared log ``files``. The host keeps only
    candidate lines (an error word, a level or status statement or a pattern's
    literal) and at most ``max_lines`` of them per source (the newest); ``examples``
    lines are shown per pattern. ``access_error_statuses``: the statuses that make an
    access-log line an error (``5xx``, ``4xx`` or exact ones like ``429``; default
    ``[5xx]``). ``unknown_warnings``: ``report`` (default) lists warning-level lines no
    pattern matches under LOG-02; ``ignore`` does not.
    """

    containers: bool = True
    exclude: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    max_lines: int = Field(5000, ge=10, le=1_000_000)
    max_file_bytes: Size = 64 * 2**20
    examples: int = Field(3, ge=1, le=20)
    access_error_statuses: tuple[str, ...] = ("5xx",)
    unknown_warnings: Literal["report", "ignore"] = "report"

    @field_validator("access_error_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        from golive.checks.log_levels import parse_statuses

        value = (value,) if isinstance(value, (str, int)) else value
        value = tuple(str(item) for item in value) if isinstance(value, (list, tuple)) else value
        if isinstance(value, tuple):
            parse_statuses(value)
        return value

    @field_validator("exclude")
    @classmethod
    def _globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for glob in value:
            if not re.fullmatch(r"[A-Za-z0-9._*?\[\]-]+", glob):
                raise ValueError(f"expected a container name glob like 'test-*', got {glob!r}")
        return value

    @field_validator("units", "files")
    @classmethod
    def _one_line(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # quoted for the shell; a line break would only break the framing of the output
        for entry in value:
            if not entry or "\n" in entry or "\r" in entry:
                raise ValueError(f"expected a unit name or a file path on one line, got {entry!r}")
        return value


class HostSettings(Section):
    """Everything a host can set; ``defaults:`` uses the same keys."""

    backend: str | None = None
    ssh_config: str | None = None
    ssh_identity_file: str | None = None
    sudo: bool = False
    command_timeout: Duration = 30.0
    connect_timeout: Duration = 10.0
    max_fact_output: Size = Field(64 * 2**20, ge=1)
    """The most output (stdout, and stderr, each) one fact command may send; more is that fact's error."""
    disk: DiskPolicy = DiskPolicy()
    listeners: ListenerPolicy = ListenerPolicy()
    sshd: SshdPolicy = SshdPolicy()
    backups: BackupPolicy = BackupPolicy()
    repos: tuple[Repo, ...] = ()
    documents: tuple[Document, ...] = ()
    acceptance: tuple[AcceptanceDocument, ...] = ()
    claims: Claims = Claims()
    runbooks: dict[str, str] = {}
    containers: ContainerPolicy = ContainerPolicy()
    dependencies: tuple[TcpDependency, ...] = ()
    systemd: SystemdPolicy = SystemdPolicy()
    scheduled: tuple[ScheduledJob, ...] = ()
    services: tuple[Service, ...] = ()
    secret_files: tuple[Annotated[str, Field(pattern=ABSOLUTE_PATH)], ...] = ()
    """SEC-13: files holding secrets, besides every EnvironmentFile of a declared service."""
    clock: ClockPolicy = ClockPolicy()
    endpoints: tuple[Endpoint, ...] = ()
    http: HttpSettings = HttpSettings()
    monitoring: HostMonitoring = HostMonitoring()
    logs: LogPolicy = LogPolicy()
    custom: dict[str, Any] = {}
    """Settings of a team's own criteria: golive passes them through unvalidated."""

    @field_validator("services")
    @classmethod
    def _one_entry_per_unit(cls, value: tuple[Service, ...]) -> tuple[Service, ...]:
        names = [service.name for service in value]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"unit {twice[0]!r} is declared twice; declare each service once")
        return value

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str | None) -> str | None:
        if value is None:
            return value
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in BACKEND_SCHEMES:
            raise ValueError(
                f"expected a testinfra backend like local://, ssh://user@host:22 or docker://name, got {value!r}"
            )
        return value


class Host(HostSettings):
    """One host of the fleet; ``name`` is its key under ``hosts:``."""

    name: str
    backend: str

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Host({self.name!r}, backend={self.backend!r})"


class Credential(Section):
    """Names of environment variables holding a secret; never the secret itself."""

    username_env: str | None = None
    password_env: str | None = None
    token_env: str | None = None

    @field_validator("username_env", "password_env", "token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.fullmatch(value):
            raise ValueError(f"expected an environment variable name, got {value!r}")
        return value


class Waiver(Section):
    """A known failure accepted for a while, by a named owner, for a reason."""

    criterion: str
    target: str
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date

    @field_validator("criterion")
    @classmethod
    def _criterion(cls, value: str) -> str:
        if not CRITERION_ID.fullmatch(value):
            raise ValueError(f"expected a criterion ID like SEC-01, got {value!r}")
        return value

    @field_validator("owner", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank; a waiver names who owns the risk (owner) and why it is accepted (reason)")
        return value

    def days_left(self, today: dt.date) -> int:
        return (self.expires - today).days

    def is_expired(self, today: dt.date) -> bool:
        return self.expires < today

    def covers(self, criterion: str, target: str) -> bool:
        return self.criterion == criterion and self.target in (target, "*")


class RubricSection(Section):
    """Overrides of the default rubric (from a ``rubric:`` section or ``--rubric``)."""

    categories: dict[str, float] | None = None
    severity_weights: dict[str, float] | None = None
    grades: dict[str, float] | None = None
    ready_score: float | None = Field(None, ge=0, le=100)
    critical_cap: float | None = Field(None, ge=0, le=100)
    max_waiver_days: int | None = Field(None, ge=0)

    @field_validator("severity_weights")
    @classmethod
    def _severities(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        allowed = set(DEFAULT_RUBRIC.severity_weights)
        for key in value or {}:
            if key not in allowed:
                raise ValueError(f"unknown severity {key!r} (valid: {', '.join(sorted(allowed))})")
        return value

    @field_validator("max_waiver_days")
    @classmethod
    def _waiver_cap(cls, value: int | None) -> int | None:
        if value is not None and value > MAX_WAIVER_DAYS:
            raise ValueError(
                f"{value} is above the hard limit of {MAX_WAIVER_DAYS} days; choose {MAX_WAIVER_DAYS} or less"
            )
        return value

    def apply(self, base: RubricConfig) -> RubricConfig:
        return base.merged(
            categories=self.categories,
            severity_weights=self.severity_weights,
            grades=self.grades,
            ready_score=self.ready_score,
            critical_cap=self.critical_cap,
            max_waiver_days=self.max_waiver_days,
        )


class MonitoringApi(Section):
    """One monitoring system's HTTP API; ``credential`` names a ``credentials:`` entry
    (``token`` → bearer token, ``username``/``password`` → basic auth)."""

    url: str = Field(pattern=r"^https?://[^/\s]+(/\S*)?$")
    credential: str | None = None
    timeout: Duration = 10.0
    ca_bundle: str | None = None


class PrometheusApi(MonitoringApi):
    """MON-01..04: ``host_label`` maps targets to hosts; ``probe_jobs`` (default: every
    ``probe_success`` series) selects blackbox probes; ``alert_severities`` fail MON-04."""

    host_label: str = Field("host", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    probe_jobs: tuple[str, ...] | None = None
    alert_severities: tuple[str, ...] = ("critical",)


class LokiApi(MonitoringApi):
    """MON-06: ``host_label`` names a host's streams; a host's newest line must be
    younger than ``freshness``; ``tenant`` is sent as X-Scope-OrgID."""

    host_label: str = Field("host", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    freshness: Duration = 900.0
    tenant: str | None = None


class GrafanaDashboard(Section):
    """MON-07: a dashboard that must exist, by ``uid`` or by exact ``title``."""

    uid: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one_key(self) -> GrafanaDashboard:
        if (self.uid is None) == (self.title is None):
            raise ValueError("set either uid or title")
        return self

    def __str__(self) -> str:
        return f"uid {self.uid}" if self.uid is not None else f"title {self.title!r}"


class GrafanaApi(MonitoringApi):
    """MON-07: the dashboards that must exist; every datasource's health is checked."""

    dashboards: tuple[GrafanaDashboard, ...] = ()


class MonitoringSettings(Section):
    """The monitoring stack golive reads (MON-01..07); an undeclared system is not applicable."""

    prometheus: PrometheusApi | None = None
    alertmanager: MonitoringApi | None = None
    loki: LokiApi | None = None
    grafana: GrafanaApi | None = None

    def declared(self) -> dict[str, MonitoringApi]:
        """System name → its API settings, for the systems the inventory declares."""
        systems = {"prometheus": self.prometheus, "alertmanager": self.alertmanager}
        systems |= {"loki": self.loki, "grafana": self.grafana}
        return {name: api for name, api in systems.items() if api is not None}


KUBE_GLOB = r"^[A-Za-z0-9*?\[\]._-]+/[A-Za-z0-9*?\[\]._-]+$"


class KubeManifests(Section):
    """K8S-03: manifests in a config repo declared on a host (``repo: <host>/<repo name>``),
    multi-document YAML files relative to the repo's path (kustomize output not required)."""

    repo: str = Field(pattern=r"^[^/\s]+/[A-Za-z0-9][A-Za-z0-9._-]*$")
    paths: tuple[str, ...] = Field(min_length=1)

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for path in value:
            if not path or "\n" in path or path.startswith("/"):
                raise ValueError(f"expected a path relative to the repo, got {path!r}")
        return value


class KubeCluster(Section):
    """K8S-01..06: one Kubernetes (or k3s) cluster, read with ``kubectl get ... -o json``.

    Reached either ``via`` an inventory host, where ``kubectl`` runs with that host's own
    kubeconfig (``kubectl: k3s kubectl`` on a k3s server), or from the runner with a
    ``kubeconfig`` file and its ``context`` (default: its current-context). A kubeconfig
    whose user runs an exec credential plugin is refused unless ``allow_exec_plugins``;
    one that skips TLS verification while carrying a credential is refused.
    """

    via: str | None = None
    kubeconfig: str | None = None
    context: str | None = Field(None, pattern=r"^[^\s]+$")
    kubectl: str = Field("kubectl", min_length=1)
    allow_exec_plugins: bool = False
    timeout: Duration = 30.0
    namespaces: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    pending_max: Duration = 600.0
    restarts_per_day: float = Field(3, ge=0)
    nodes: tuple[str, ...] = ()
    workloads: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()
    manifests: KubeManifests | None = None

    @field_validator("ignore", "workloads")
    @classmethod
    def _namespaced(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if not re.fullmatch(KUBE_GLOB, entry):
                raise ValueError(f"expected namespace/name (globs allowed in ignore), got {entry!r}")
        return value

    @field_validator("kubectl")
    @classmethod
    def _kubectl(cls, value: str) -> str:
        if "\n" in value or not value.strip():
            raise ValueError(f"expected a command like kubectl or 'k3s kubectl', got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> KubeCluster:
        if (self.via is None) == (self.kubeconfig is None):
            raise ValueError("set either via (an inventory host running kubectl) or kubeconfig (a file on the runner)")
        if self.via is not None and self.allow_exec_plugins:
            raise ValueError("allow_exec_plugins is for a kubeconfig on the runner; via uses the host's own")
        return self

    def kubeconfig_file(self, inventory_file: Path | None) -> Path | None:
        """The kubeconfig's path; a relative one is relative to the inventory file."""
        if self.kubeconfig is None:
            return None
        file = Path(self.kubeconfig).expanduser()
        return file if file.is_absolute() or inventory_file is None else inventory_file.parent / file

    def selects(self, namespace: str, name: str) -> bool:
        """Whether ``namespace/name`` is judged: in the declared namespaces, not ignored."""
        if self.namespaces is not None and namespace not in self.namespaces:
            return False
        return not any(fnmatch.fnmatchcase(f"{namespace}/{name}", glob) for glob in self.ignore)


class InventoryFile(Section):
    """The top-level shape of hosts.yaml."""

    hosts: dict[str, dict[str, Any]] = {}
    defaults: HostSettings = HostSettings()
    credentials: dict[str, Credential] = {}
    waivers: tuple[Waiver, ...] = ()
    rubric: RubricSection = RubricSection()
    window: Duration = 86400.0
    monitoring: MonitoringSettings = MonitoringSettings()
    log_patterns: tuple[LogPattern, ...] = ()
    kubernetes: dict[Annotated[str, Field(pattern=NAME)], KubeCluster] = {}

    @model_validator(mode="after")
    def _monitoring_credentials(self) -> InventoryFile:
        for name, api in self.monitoring.declared().items():
            if api.credential is not None and api.credential not in self.credentials:
                known = ", ".join(self.credentials) or "none declared"
                raise ValueError(
                    f"monitoring.{name}.credential: {api.credential!r} is not under credentials: (known: {known})"
                )
            if (api.credential is not None or has_userinfo(api.url)) and sends_in_clear(api.url):
                raise ValueError(f"monitoring.{name}.url: " + _IN_CLEAR.format(url=without_userinfo(api.url)))
        return self


class Inventory:
    """The validated inventory: hosts, credentials, waivers and the rubric."""

    def __init__(
        self,
        path: Path | None,
        digest: str,
        hosts: tuple[Host, ...],
        credentials: dict[str, dict[str, str]],
        waivers: tuple[Waiver, ...],
        rubric: RubricConfig,
        window: float,
        monitoring: MonitoringSettings | None = None,
        log_patterns: tuple[LogPattern, ...] = (),
        kubernetes: dict[str, KubeCluster] | None = None,
        kube_secrets: tuple[str, ...] = (),
    ) -> None:
        self.kubernetes = kubernetes or {}
        self.kube_secrets = kube_secrets
        self.log_patterns = log_patterns
        self.monitoring = monitoring or MonitoringSettings()
        self.path = path
        self.digest = digest
        self.hosts = hosts
        self.credentials = credentials
        self.waivers = waivers
        self.rubric = rubric
        self.window = window

    @classmethod
    def empty(cls) -> Inventory:
        return cls(None, "", (), {}, (), DEFAULT_RUBRIC, 86400.0)

    @property
    def secrets(self) -> list[str]:
        """Every secret value the inventory made golive read, for redaction."""
        return [value for fields in self.credentials.values() for value in fields.values()] + list(self.kube_secrets)

    def host(self, name: str) -> Host:
        return next(host for host in self.hosts if host.name == name)


def load_inventory(
    path: Path,
    rubric_file: Path | None = None,
    today: dt.date | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Inventory:
    """Read and validate ``path``; raise InventoryError with one precise line."""
    raw, digest, lines = _read_yaml_lines(path)
    document = _validate(InventoryFile, raw, str(path))
    rubric = document.rubric.apply(DEFAULT_RUBRIC)
    if rubric_file is not None:
        rubric_raw, _ = _read_yaml(rubric_file)
        rubric = _validate(RubricSection, rubric_raw, str(rubric_file)).apply(rubric)
    hosts = tuple(_host(name, settings, document.defaults, path) for name, settings in document.hosts.items())
    credentials = _resolve_credentials(document.credentials, environ, str(path))
    _check_names(hosts, lines, str(path))
    _check_endpoints(hosts, document.credentials, str(path))
    today = today or dt.date.today()
    for index, waiver in enumerate(document.waivers):
        if waiver.days_left(today) > rubric.max_waiver_days:
            raise InventoryError(
                str(path),
                f"waivers[{index}].expires",
                f"{waiver.expires} is more than {rubric.max_waiver_days} days ahead; "
                "choose an earlier date (rubric.max_waiver_days sets the limit)",
            )
    _check_pattern_ids(document.log_patterns, str(path))
    kube_secrets = _check_clusters(document.kubernetes, hosts, path)
    return Inventory(
        path, digest, hosts, credentials, document.waivers, rubric, document.window, document.monitoring,
        document.log_patterns, document.kubernetes, kube_secrets,
    )  # fmt: skip


def _read_yaml(path: Path) -> tuple[dict[str, Any], str]:
    raw, digest, _ = _read_yaml_lines(path)
    return raw, digest


def _read_yaml_lines(path: Path) -> tuple[dict[str, Any], str, strict_yaml.Lines]:
    """The file's top-level mapping, its digest and the line of each key; a key given twice is an error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InventoryError(str(path), "", f"cannot read it ({exc.strerror}); pass an existing file") from None
    try:
        raw, lines = strict_yaml.load_with_lines(data)
    except strict_yaml.DuplicateKey as exc:
        raise InventoryError(
            str(path),
            exc.key,
            f"given twice, at {path}:{exc.first} and {path}:{exc.second}; keep one (YAML would silently use the last)",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InventoryError(str(path), where, f"{problem}; fix the YAML syntax") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InventoryError(str(path), "", "expected a mapping at the top level (hosts:, waivers:, ...)")
    return raw, hashlib.sha256(data).hexdigest(), lines


def _validate(model: type[ModelT], raw: Any, file: str, prefix: str = "") -> ModelT:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join([prefix] * bool(prefix) + [_key_part(part) for part in error["loc"]])
        key = key.replace(".[", "[")
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] not in ("value_error", "missing", "extra_forbidden"):
            message = f"{message}, got {error.get('input')!r}"
        raise InventoryError(file, key, message) from None


def _key_part(part: str | int) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)


def _host(name: str, settings: dict[str, Any], defaults: HostSettings, path: Path) -> Host:
    if not isinstance(settings, Mapping):
        raise InventoryError(str(path), f"hosts.{name}", "expected a mapping with at least backend:")
    merged = _deep_merge(defaults.model_dump(exclude_unset=True), dict(settings))
    merged["name"] = name
    if merged.get("backend") is None:
        raise InventoryError(
            str(path), f"hosts.{name}.backend", "missing; set a testinfra backend like local:// or ssh://user@host"
        )
    return _validate(Host, merged, str(path), prefix=f"hosts.{name}")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), dict(value))
        else:
            merged[key] = value
    return merged


def _resolve_credentials(
    credentials: dict[str, Credential], environ: Mapping[str, str], file: str
) -> dict[str, dict[str, str]]:
    resolved: dict[str, dict[str, str]] = {}
    for name, credential in credentials.items():
        fields: dict[str, str] = {}
        for field, env_name in credential.model_dump(exclude_none=True).items():
            if env_name not in environ:
                raise InventoryError(
                    file,
                    f"credentials.{name}.{field}",
                    f"environment variable {env_name} is not set; export it before the run",
                )
            fields[field.removesuffix("_env")] = environ[env_name]
        resolved[name] = fields
    return resolved


# A host's lists whose entries are told apart by a key: two entries with the same value
# would share facts and test ids, and one would silently stand for both.
_NAMED_LISTS = (
    ("repos", "name"), ("documents", "name"), ("acceptance", "phase"), ("dependencies", "name"),
    ("scheduled", "name"), ("endpoints", "name"), ("backups.locations", "name"), ("backups.restore_tests", "name"),
)  # fmt: skip


def _check_names(hosts: tuple[Host, ...], lines: strict_yaml.Lines, file: str) -> None:
    """Within a host, each entry of a named list has its own name (hosts themselves are keys)."""
    for host in hosts:
        for field, key in _NAMED_LISTS:
            entries: Any = host
            for part in field.split("."):
                entries = getattr(entries, part)
            first: dict[str, int] = {}
            for index, entry in enumerate(entries):
                value = getattr(entry, key)
                if value not in first:
                    first[value] = index
                    continue
                where = f"hosts.{host.name}.{field}[{index}].{key}"
                earlier, later = (_line(lines, host.name, field, i, key) for i in (first[value], index))
                at = f", at {file}:{earlier} and {file}:{later}" if earlier and later else ""
                raise InventoryError(file, where, f"{value!r} is used twice{at}; give each {key} its own value")


def _line(lines: strict_yaml.Lines, host: str, field: str, index: int, key: str) -> int | None:
    """The line of a list entry's key, in the host's own settings or in ``defaults:``."""
    found = lines.get(f"hosts.{host}.{field}[{index}].{key}")
    return found if found is not None else lines.get(f"defaults.{field}[{index}].{key}")


def _check_endpoints(hosts: tuple[Host, ...], credentials: Mapping[str, Credential], file: str) -> None:
    """Endpoint names are unique per host; a credential reference names a ``credentials:`` entry."""
    for host in hosts:
        seen: set[str] = set()
        for index, endpoint in enumerate(host.endpoints):
            key = f"hosts.{host.name}.endpoints[{index}]"
            if endpoint.name in seen:
                raise InventoryError(
                    file, f"{key}.name", f"{endpoint.name!r} is used twice; give each endpoint its own name"
                )
            seen.add(endpoint.name)
            if endpoint.credential is not None and endpoint.credential not in credentials:
                known = ", ".join(credentials) or "none declared"
                raise InventoryError(
                    file, f"{key}.credential", f"{endpoint.credential!r} is not under credentials: (known: {known})"
                )
            if (endpoint.credential is not None or has_userinfo(endpoint.url)) and sends_in_clear(endpoint.url):
                raise InventoryError(file, f"{key}.url", _IN_CLEAR.format(url=without_userinfo(endpoint.url)))


def _check_clusters(clusters: Mapping[str, KubeCluster], hosts: tuple[Host, ...], path: Path) -> tuple[str, ...]:
    """``via`` and ``manifests.repo`` name declared hosts and repos; a runner's kubeconfig
    may be used (``golive.kubeconfig``). Returns the kubeconfigs' secrets, for redaction."""
    by_name = {host.name: host for host in hosts}
    secrets: list[str] = []
    for name, cluster in clusters.items():
        key = f"kubernetes.{name}"
        if cluster.via is not None and cluster.via not in by_name:
            known = ", ".join(by_name) or "none declared"
            raise InventoryError(str(path), f"{key}.via", f"{cluster.via!r} is not under hosts: (known: {known})")
        if cluster.manifests is not None:
            host_name, _, repo_name = cluster.manifests.repo.partition("/")
            host = by_name.get(host_name)
            if host is None or all(repo.name != repo_name for repo in host.repos):
                raise InventoryError(
                    str(path), f"{key}.manifests.repo",
                    f"{cluster.manifests.repo!r} names no repo of hosts.{host_name}.repos; write <host>/<repo name>",
                )  # fmt: skip
        file = cluster.kubeconfig_file(path)
        if file is not None:
            try:
                loaded = kubeconfig.load(file, cluster.context, cluster.allow_exec_plugins)
            except kubeconfig.KubeconfigRefused as refused:
                raise InventoryError(str(path), f"{key}.kubeconfig", str(refused)) from None
            secrets += loaded.secrets
    return tuple(secrets)


_IN_CLEAR = (
    "{url} is plain HTTP to a host other than loopback, and a credential sent there would cross the network "
    "unencrypted; use its https:// URL (with ca_bundle for a private CA) or drop the credential"
)


def has_userinfo(url: str) -> bool:
    """The URL carries ``user:password@``: a credential of its own."""
    return "@" in urlsplit(url).netloc


def without_userinfo(url: str) -> str:
    """The URL without its ``user:password@``, fit to show."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def sends_in_clear(url: str) -> bool:
    """An ``http://`` URL to a host other than loopback: whatever it carries crosses the
    network unencrypted, so no credential may go there (``localhost`` or a loopback address
    never leaves the machine that makes the request)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    hostname = (parts.hostname or "").rstrip(".").lower()
    if hostname == "localhost":
        return False
    try:
        return not ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return True


class LogPatternFile(Section):
    """A knowledge base file: a top-level ``log_patterns:`` list, as in hosts.yaml."""

    log_patterns: tuple[LogPattern, ...] = ()


def load_log_patterns(path: Path, require_examples: bool = False) -> tuple[LogPattern, ...]:
    """Read and validate a knowledge base file; raise InventoryError with one precise line."""
    raw, _ = _read_yaml(path)
    patterns = _validate(LogPatternFile, raw, str(path)).log_patterns
    _check_pattern_ids(patterns, str(path))
    if require_examples:
        for index, pattern in enumerate(patterns):
            for key in ("example", "counterexample"):
                if getattr(pattern, key) is None:
                    raise InventoryError(
                        str(path), f"log_patterns[{index}].{key}", "missing; every shipped pattern needs both examples"
                    )
    return patterns


def _check_pattern_ids(patterns: tuple[LogPattern, ...], file: str) -> None:
    seen: set[str] = set()
    for index, pattern in enumerate(patterns):
        if pattern.id in seen:
            raise InventoryError(file, f"log_patterns[{index}].id", f"{pattern.id!r} is used twice; ids must be unique")
        seen.add(pattern.id)
