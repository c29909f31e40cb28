"""Compose files of a config repo against what runs (CHG-03/04): no second reader.

The repo facts (``golive.checks.git``) already read each declared compose file and
the repo's ``.env`` as private sections; this module parses them on the runner:
services → ``image``, ``environment`` (list or mapping), ``env_file``; ``${VAR}``,
``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?err}`` and ``$VAR`` interpolated from
the ``.env`` (``$$`` is a literal ``$``). Running containers come from the host's
container facts (``golive.checks.containers``) and are matched to a service by the
labels compose sets (``com.docker.compose.project`` / ``.service``).

Declared values are reduced to digests at once, as the running ones are: a judge
compares digests and names keys, never a value. Keys a service takes from an
``env_file`` other than the repo's ``.env`` cannot be read here: they are named as
unverified, and a running key they could explain is not called extra.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from golive import strict_yaml
from golive.checks.containers import Container, ContainerFacts, digest
from golive.checks.git import RepoFacts
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict

_VARIABLE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True)
class Service:
    """One compose service as declared: image (tag included) and environment KEY → digest."""

    name: str
    project: str
    file: str
    image: str | None
    env: dict[str, str] = field(repr=False)
    unread_env_files: tuple[str, ...] = ()


def parse_env_file(text: str) -> dict[str, str]:
    """``KEY=value`` lines of a .env (comments, ``export``, quotes handled as compose does)."""
    found = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        found[key.strip()] = value
    return found


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's variable substitution; an unset variable without a default is empty."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, argument = match.group(3), match.group(4) or ""
        value = variables.get(name)
        if operator in (":-", ":?"):
            return value if value else (argument if operator == ":-" else "")
        if operator in ("-", "?"):
            return value if value is not None else (argument if operator == "-" else "")
        if operator == ":+":
            return argument if value else ""
        if operator == "+":
            return argument if value is not None else ""
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolated(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return interpolate(value, variables)
    if isinstance(value, list):
        return [_interpolated(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _interpolated(v, variables) for k, v in value.items()}
    return value


def with_tag(image: str) -> str:
    """``name`` → ``name:latest`` (what docker runs for an untagged image); digests and tags kept."""
    last = image.rsplit("/", 1)[-1]
    return image if ("@" in image or ":" in last) else f"{image}:latest"


def _project_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", name.lower())


def services(found: RepoFacts) -> list[Service]:
    """Every service of every declared compose file, interpolated from the repo's .env."""
    repo = found.repo
    dotenv_text = found.env_text or ""
    variables = parse_env_file(dotenv_text)
    result = []
    for path in repo.compose:
        text = found.compose_text(path)
        if text is None:
            raise TargetError(f"declared compose file {posixpath.join(repo.path, path)} does not exist")
        try:
            data = strict_yaml.load(text) or {}
        except strict_yaml.DuplicateKey as exc:
            raise TargetError(
                f"compose file {path} of {repo.path} gives {exc.key} twice, at lines {exc.first} and {exc.second}: "
                "docker compose refuses it"
            ) from None
        except yaml.YAMLError as exc:
            raise TargetError(f"compose file {path} of {repo.path} is not YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, dict):
            raise TargetError(f"compose file {path} of {repo.path} is not a mapping")
        data = _interpolated(data, variables)
        directory = posixpath.dirname(posixpath.normpath(posixpath.join(repo.path, path)))
        project = repo.project or data.get("name") or variables.get("COMPOSE_PROJECT_NAME")
        project = _project_name(project or posixpath.basename(directory))
        for name, spec in (data.get("services") or {}).items():
            spec = spec if isinstance(spec, dict) else {}
            env: dict[str, str] = {}
            unread = []
            env_files = spec.get("env_file") or []
            for entry in [env_files] if isinstance(env_files, (str, dict)) else env_files:
                file = entry.get("path", "") if isinstance(entry, dict) else str(entry)
                if posixpath.normpath(posixpath.join(posixpath.dirname(path), file)) == posixpath.normpath(
                    repo.env_file
                ):
                    env.update({k: digest(v) for k, v in variables.items()})
                else:
                    unread.append(file)
            declared = spec.get("environment") or {}
            if isinstance(declared, list):
                pairs = (item.partition("=") for item in map(str, declared))
                declared = {key: (value if sep else None) for key, sep, value in pairs}
            for key, value in declared.items():
                if value is None:  # `- KEY` passes the variable through from the environment (.env here)
                    if key in variables:
                        env[key] = digest(variables[key])
                    continue
                env[str(key)] = digest(str(value).lower() if isinstance(value, bool) else str(value))
            image = spec.get("image")
            result.append(Service(str(name), project, path, str(image) if image else None, env, tuple(unread)))
    return result


def running(containers: ContainerFacts, service: Service) -> list[Container]:
    """Containers compose created for ``service`` (by its labels), running ones first."""
    found = [
        c for c in containers.containers if c.compose_service == service.name and c.compose_project == service.project
    ]
    return sorted(found, key=lambda c: not c.is_running)


def _not_running(containers: ContainerFacts, service: Service) -> Comparison:
    found = running(containers, service)
    state = ", ".join(f"{c.name} {c.status}" for c in found) or "no container"
    return Comparison(
        f"{containers.host}: service {service.name} of project {service.project} ({service.file})",
        state,
        "is",
        "running",
        False,
    )


def judge_images(found: RepoFacts, containers: ContainerFacts) -> Verdict:
    """CHG-03: every declared service runs, from the image (tag included) its compose file declares."""
    comparisons = []
    for service in services(found):
        if service.image is None:
            comparisons.append(
                Comparison(f"service {service.name} ({service.file})", "build only", "has", "no image to compare", True)
            )
            continue
        members = [c for c in running(containers, service) if c.is_running]
        if not members:
            comparisons.append(_not_running(containers, service))
            continue
        declared = with_tag(service.image)
        for c in members:
            image = with_tag(c.image)
            comparisons.append(
                Comparison(
                    f"{containers.target(c)} image (service {service.name}, image id {c.image_id[7:19] or '?'})",
                    image,
                    "==",
                    declared,
                    image == declared,
                    reason=f"{containers.target(c)}: running {image}, compose declares {declared}",
                )
            )
    return Verdict.from_comparisons(comparisons, f"compose services of {found.repo.path}")


def env_differences(service: Service, container: Container, inherited: dict[str, str]) -> dict[str, list[str]]:
    """Keys that differ, are declared but not set, or are set at runtime only (image defaults excepted)."""
    actual = container.env_digests
    differ = sorted(k for k, v in service.env.items() if k in actual and actual[k] != v)
    missing = sorted(k for k in service.env if k not in actual)
    extra = sorted(
        k for k, v in actual.items() if k not in service.env and inherited.get(k) != v and not service.unread_env_files
    )
    return {"value differs": differ, "declared, not set": missing, "set at runtime only": extra}


def judge_environment(found: RepoFacts, containers: ContainerFacts) -> tuple[Verdict, list[str]]:
    """CHG-04: every running service's environment equals the declared one, compared by digest.

    Returns the verdict and notes (env files that could not be read). Names keys only.
    """
    comparisons = []
    notes = []
    for service in services(found):
        if service.unread_env_files:
            notes.append(
                f"service {service.name}: env_file {', '.join(service.unread_env_files)} is not read by golive; "
                "its keys are not verified and runtime-only keys are not judged"
            )
        members = [c for c in running(containers, service) if c.is_running]
        if not members:
            notes.append(f"service {service.name} has no running container: CHG-03 fails it, nothing to compare here")
            continue
        for c in members:
            differences = env_differences(service, c, containers.image_env.get(c.image_id, {}))
            shown = "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in differences.items() if keys)
            comparisons.append(
                Comparison(
                    f"{containers.target(c)} environment (service {service.name}, {len(service.env)} declared key(s))",
                    shown or "as declared",
                    "==",
                    "as declared",
                    not shown,
                )
            )
    return Verdict.from_comparisons(comparisons, f"compose services of {found.repo.path}"), notes
