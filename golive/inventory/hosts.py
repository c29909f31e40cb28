"""A host and everything it can set (``hosts:`` entries and ``defaults:``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from golive.inventory.backups import BackupPolicy
from golive.inventory.containers import ContainerPolicy
from golive.inventory.documents import AcceptanceDocument, Claims, Document, Repo
from golive.inventory.endpoints import Endpoint, HttpSettings, TcpDependency
from golive.inventory.logs import LogPolicy
from golive.inventory.monitoring import HostMonitoring
from golive.inventory.section import ABSOLUTE_PATH, Duration, Section, Size
from golive.inventory.services import ScheduledJob, Service, SystemdPolicy
from golive.inventory.system import ClockPolicy, DiskPolicy, ListenerPolicy, SshdPolicy

BACKEND_SCHEMES = (
    "local", "ssh", "paramiko", "docker", "podman", "ansible", "kubectl",
    "openshift", "winrm", "lxc", "salt", "chroot",
)  # fmt: skip


class HostSettings(Section):
    """Everything a host can set; ``defaults:`` uses the same keys."""

    backend: str | None = None
    ssh_config: str | None = None
    ssh_identity_file: str | None = None
    ssh_args: tuple[str, ...] = ()
    """More ssh client options for an ``ssh://`` backend, one word each (``[-o, "ProxyJump=bastion"]``)."""
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

    @field_validator("ssh_args")
    @classmethod
    def _ssh_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for word in value:
            if not word or "\n" in word or "\x00" in word:
                raise ValueError(f"expected ssh options one word each, like ['-o', 'ProxyJump=bastion'], got {word!r}")
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
