"""The SSH daemon's effective settings (SEC-09), from ``sshd -T``.

``sshd -T`` refuses to run where sshd was installed but never started (``Missing
privilege separation directory: /run/sshd``, which sshd's service creates at start).
There the configuration is read as sshd would: the main file and, in order, the files
its ``Include`` directives name, first value wins, up to the first ``Match`` block,
with sshd's compiled-in defaults for what no file sets. Nothing is created on the host.
"""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from dataclasses import dataclass

from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, fact_command

NOT_INSTALLED = "__golive_no_sshd__"
NEVER_STARTED = "Missing privilege separation directory"
DEFAULT_CONFIG = "/etc/ssh/sshd_config"
SAFE_ROOT_LOGIN = ("no", "prohibit-password", "without-password", "forced-commands-only")
DEFAULTS = {
    "passwordauthentication": "yes",
    "kbdinteractiveauthentication": "yes",
    "usepam": "no",
    "permitrootlogin": "prohibit-password",
}
"""OpenSSH's compiled-in defaults of the settings SEC-09 judges (what ``sshd -T`` prints when no file sets them)."""
ALIASES = {"challengeresponseauthentication": "kbdinteractiveauthentication"}
MAX_INCLUDE_DEPTH = 16
_GLOB = set("*?[")


def sshd_command(config: str | None) -> str:
    config_option = f" -f {shlex.quote(config)}" if config else ""
    return (
        'PATH="$PATH:/usr/sbin:/sbin"; '
        f"command -v sshd >/dev/null 2>&1 || {{ echo {NOT_INSTALLED}; exit 0; }}; "
        f"sshd -T{config_option}"
    )


fact_command(lambda host: sshd_command(host.sshd.config), criteria=("SEC-09",))


@dataclass(frozen=True)
class SshdSettings:
    """sshd's settings (lowercase keys and values) and where they were read."""

    values: dict[str, str]
    source: str


def effective_settings(remote: RemoteHost, config: str | None) -> SshdSettings | None:
    """sshd's effective settings, or None when sshd is not installed."""
    result = remote.run(sshd_command(config))
    if NOT_INSTALLED in result.stdout:
        return None
    if not result.succeeded and NEVER_STARTED in result.stderr:
        path = config or DEFAULT_CONFIG
        return SshdSettings(
            configured_settings(remote, path),
            f"sshd -T cannot run ({result.stderr.strip()[:200]}: sshd was never started); "
            f"read from {path} and its Include files",
        )
    if not result.succeeded:
        raise TargetError(f"{remote.name}: sshd -T failed with exit {result.exit_status}: {result.stderr.strip()}")
    settings: dict[str, str] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        settings.setdefault(key.lower(), value.strip())
    return SshdSettings(settings, "sshd -T")


def configured_settings(remote: RemoteHost, path: str) -> dict[str, str]:
    """The global settings the configuration files set, sshd's defaults for the judged ones they do not."""
    settings: dict[str, str] = {}
    _read_config(remote, path, settings, 0)
    return {**DEFAULTS, **settings}


def _read_config(remote: RemoteHost, path: str, settings: dict[str, str], depth: int) -> None:
    if depth > MAX_INCLUDE_DEPTH:
        raise TargetError(f"{remote.name}: sshd configuration includes nest deeper than {MAX_INCLUDE_DEPTH} at {path}")
    result = remote.run(f"cat -- {shlex.quote(path)}")
    if not result.succeeded:
        raise TargetError(f"{remote.name}: cannot read the sshd configuration {path}: {result.stderr.strip()[:200]}")
    for line in result.stdout.splitlines():
        words = line.strip().replace("=", " ", 1).split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0].lower()
        if keyword == "match":
            return  # what follows is conditional: the global settings end here (sshd ends it with the file)
        if keyword == "include":
            for pattern in words[1:]:
                for included in _expand(remote, pattern):
                    _read_config(remote, included, settings, depth + 1)
            continue
        if len(words) > 1:
            settings.setdefault(ALIASES.get(keyword, keyword), words[1].lower())


def _expand(remote: RemoteHost, pattern: str) -> list[str]:
    """The files an ``Include`` pattern names, sorted as glob(3) does; a glob only in the file name."""
    pattern = pattern if pattern.startswith("/") else posixpath.join("/etc/ssh", pattern)
    directory, name = posixpath.split(pattern)
    if _GLOB & set(directory):
        raise TargetError(f"{remote.name}: sshd Include {pattern}: a glob in a directory name is not followed")
    if not _GLOB & set(name):
        return [pattern]
    listing = remote.run(f"ls -1A -- {shlex.quote(directory)}")
    if not listing.succeeded:
        return []  # like sshd: an Include matching nothing is no error
    return [posixpath.join(directory, entry) for entry in sorted(listing.stdout.split("\n")) if entry
            and fnmatch.fnmatchcase(entry, name)]  # fmt: skip


def judge_password_logins(settings: dict[str, str]) -> Verdict:
    """Password authentication off (also through PAM keyboard-interactive), no root password login."""
    password = settings.get("passwordauthentication", "yes")
    keyboard = settings.get("kbdinteractiveauthentication", settings.get("challengeresponseauthentication", "no"))
    use_pam = settings.get("usepam", "no")
    root = settings.get("permitrootlogin", "prohibit-password")
    comparisons = [
        Comparison("passwordauthentication", password, "==", "no", password == "no"),
        Comparison(
            "kbdinteractiveauthentication with usepam", f"{keyboard} (usepam {use_pam})", "==", "no",
            keyboard == "no" or use_pam == "no",
        ),
        Comparison("permitrootlogin", root, "in", "/".join(SAFE_ROOT_LOGIN), root in SAFE_ROOT_LOGIN),
    ]  # fmt: skip
    return Verdict.from_comparisons(comparisons, "sshd settings")
