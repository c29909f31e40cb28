"""Systemd units, scheduled jobs and services deployed as units (config, env files, packages, paths)."""

from __future__ import annotations

import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from pydantic import Field, field_validator, model_validator

from golive.inventory.section import ABSOLUTE_PATH, NAME, Duration, Section


class SystemdPolicy(Section):
    """AVL-06: units that must be active; failed units tolerated (globs), if any."""

    units: tuple[str, ...] = ()
    ignore_failed: tuple[str, ...] = ()


CRONTAB_PATH = re.compile(r"[A-Za-z0-9._/@+,:%*?\[\]-]+")


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
