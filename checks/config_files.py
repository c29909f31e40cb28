"""A service's configuration files, parsed on the runner: YAML, JSON, TOML, INI and env.

A file's contents reach the runner in a private section of the host's fact command
(``golive/facts/script.py``: withheld from evidence) and are parsed here into key paths;
judges record key NAMES only, so no value reaches a report through them. Values that
could reach one another way (a log line, an error message repeating one) are
registered for redaction the moment the output arrives (``secret_values``), before
any criterion records evidence: as for a container's environment, the values of keys
whose name looks secret (password, token, key, dsn, ...), at any depth and in every
format. Registering every value (NOTES_MODE=production, port: 8080) would blank
ordinary words out of every report.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from golive.checks.containers import secret_env_values

FORMATS = ("yaml", "json", "toml", "ini", "env")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")


class ConfigError(ValueError):
    """A file that does not parse in its declared format; the message carries no value."""


@dataclass(frozen=True)
class Parsed:
    """What a config file defines: its key paths (dotted), and the secret values read from it."""

    keys: frozenset[str]
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def has(self, key: str) -> bool:
        return key in self.keys


def parse_env(text: str) -> dict[str, str]:
    """systemd's EnvironmentFile syntax, simply: ``KEY=VALUE`` lines, ``#``/``;`` comments,
    optional ``export``, one level of matching quotes removed."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            raise ConfigError(f"line {number} is not KEY=VALUE")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _load(text: str, fmt: str) -> object:
    """The document as Python values, or ConfigError naming where it broke (never a value)."""
    if fmt == "env":
        return parse_env(text)
    try:
        if fmt == "yaml":
            return yaml.safe_load(text)
        if fmt == "json":
            return json.loads(text)
        if fmt == "toml":
            return tomllib.loads(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"not valid YAML{where}: {exc.problem or 'syntax error'}") from None
    except yaml.YAMLError:
        raise ConfigError("not valid YAML") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {str(exc).split('(')[0].strip()}") from None
    if fmt == "ini":
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            line = getattr(exc, "lineno", None)
            raise ConfigError(f"not valid INI{f' at line {line}' if line else ''}: {type(exc).__name__}") from None
        return {section: dict(parser[section]) for section in parser.sections()} | (
            {"DEFAULT": dict(parser.defaults())} if parser.defaults() else {}
        )
    raise ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def _walk(value: object, prefix: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, item
            yield from _walk(item, path)


def _scalars(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _looks_secret(path: str) -> bool:
    return bool(secret_env_values([f"{path.rsplit('.', 1)[-1]}=x"]))


def parse(text: str, fmt: str) -> Parsed:
    """The key paths ``text`` defines in format ``fmt``; ConfigError if it does not parse.

    Secrets: every value under a key whose name looks secret (password, token, key, dsn, ...).
    """
    document = _load(text, fmt)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"the top level is a {type(document).__name__}, not a mapping of keys")
    entries = list(_walk(document))
    secrets = tuple(secret for path, value in entries if _looks_secret(path) for secret in _scalars(value))
    return Parsed(frozenset(path for path, _ in entries), secrets)


def secret_values(text: str, fmt: str) -> list[str]:
    """The values to register for redaction from a file's contents (none if it does not parse)."""
    try:
        return list(parse(text, fmt).secrets)
    except ConfigError:
        # a file that does not parse may still hold secrets: the value of each
        # `key = value` or `key: value` line whose key looks secret
        found = []
        for line in text.splitlines():
            parts = re.split(r"\s*[=:]\s*", line.strip(), maxsplit=1)
            if len(parts) == 2 and _looks_secret(parts[0]) and parts[1].strip("'\" "):
                found.append(parts[1].strip("'\" "))
        return found
