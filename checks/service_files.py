"""Judges of a service's files: configuration complete (REL-14), secrets private (SEC-13),
the deployment's structure (CHG-06). Pure functions of ``checks/services.py``'s facts.

REL-14 records key NAMES only: a file's contents were withheld from evidence as they
arrived, and its values registered for redaction. Write permission (CHG-06) is judged
from the mode bits, the owner, the group and the user's groups as ``id`` lists them
(POSIX ACLs and the parent directories' search permission are not read); nothing is
written to find out.
"""

from __future__ import annotations

from dataclasses import dataclass

from golive.checks import config_files
from golive.checks.services import Account, FileFact, ServiceFacts
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.inventory import Host, Service

SECRET_MODE = 0o640
KINDS = {"file": ("regular file", "regular empty file"), "directory": ("directory",), "symlink": ("symbolic link",)}


@dataclass(frozen=True)
class ConfigToCheck:
    """A file REL-14 judges: declared (config or env file) or one of the unit's EnvironmentFiles."""

    format: str
    path: str
    required_keys: tuple[str, ...]
    optional: bool
    origin: str


def configs_of(found: ServiceFacts, index: int, service: Service) -> list[ConfigToCheck]:
    """The service's config files, its declared env files, and the unit's own EnvironmentFiles."""
    files = [ConfigToCheck(c.format, c.path, c.required_keys, False, "declared") for c in service.config]
    files += [ConfigToCheck("env", e.path, e.required_keys, e.optional, "declared") for e in service.env_files]
    declared = {e.path for e in service.env_files}
    files += [ConfigToCheck("env", path, (), optional, "EnvironmentFile=")
              for path, optional in found.unit_env_files.get(index, []) if path not in declared]  # fmt: skip
    return files


def judge_configuration(found: ServiceFacts, files: list[ConfigToCheck], what: str) -> Verdict:
    """REL-14: each file exists (an optional one may be absent), parses, and defines its required keys."""
    comparisons = []
    unreadable = []
    for file in files:
        fact = found.files.get((file.format, file.path))
        subject = f"{file.path} ({file.format}{', ' + file.origin if file.origin != 'declared' else ''})"
        if fact is None or not fact.exists:
            state = "absent" + (" (optional: EnvironmentFile=-)" if file.optional else "")
            comparisons.append(Comparison(subject, state, "is", "present", file.optional))
            continue
        if fact.content is None:
            unreadable.append(file.path)
            continue
        try:
            parsed = config_files.parse(fact.content, file.format)
        except config_files.ConfigError as exc:
            comparisons.append(Comparison(subject, str(exc), "is", "parsed", False))
            continue
        comparisons.append(Comparison(subject, f"parses ({len(parsed.keys)} key(s))", "is", "parsed", True))
        if file.required_keys:
            missing = [key for key in file.required_keys if not parsed.has(key)]
            measured = f"missing {', '.join(missing)}" if missing else f"all {len(file.required_keys)} defined"
            comparisons.append(Comparison(f"{file.path} required keys", measured, "==", "all defined", not missing))
    if unreadable:
        raise TargetError(f"{found.host}: cannot read {', '.join(unreadable)} (run with sudo: true, or as its owner)")
    return Verdict.from_comparisons(comparisons, what)


def secret_files_of(found: ServiceFacts, host: Host) -> list[tuple[FileFact, tuple[str, ...]]]:
    """Every secret-bearing file that exists, with the owners it may have (root, the service's user)."""
    found_files: list[tuple[FileFact, tuple[str, ...]]] = []
    users = {s.user for s in host.services if s.user}
    users |= {props.get("User", "") for props in found.units.values() if props.get("User")}
    for path in host.secret_files:
        fact = found.files.get(("stat", path)) or FileFact("stat", path, "missing")
        found_files.append((fact, ("root", *sorted(users))))
    for index, service in enumerate(host.services):
        user = service.user or (found.units.get(index) or {}).get("User", "")
        owners = ("root", user) if user and user != "root" else ("root",)
        paths = [e.path for e in service.env_files] + [p for p, _ in found.unit_env_files.get(index, [])]
        for path in dict.fromkeys(paths):
            env_file = found.files.get(("env", path))
            if env_file is not None and env_file.exists:  # an absent env file is REL-14's finding
                found_files.append((env_file, owners))
    return found_files


def judge_secret_files(found: ServiceFacts, files: list[tuple[FileFact, tuple[str, ...]]]) -> Verdict:
    """SEC-13: no permission bit outside 0640 (``mode & ~0o640 == 0``), owner root or the service's user."""
    comparisons = []
    for fact, owners in files:
        if not fact.exists:
            comparisons.append(Comparison(f"{fact.path}", "absent", "is", "present", False))
            continue
        if fact.mode is None:
            raise TargetError(f"{found.host}: stat of {fact.path} printed no mode")
        mode = f"{fact.mode:04o}"
        extra = fact.mode & ~SECRET_MODE
        comparisons.append(Comparison(f"{fact.path} mode", mode, "within", f"{SECRET_MODE:04o}", extra == 0))
        comparisons.append(Comparison(f"{fact.path} owner", fact.owner, "in", "/".join(owners), fact.owner in owners))
    return Verdict.from_comparisons(comparisons, f"secret file checks on {found.host}")


def can_write(fact: FileFact, account: Account) -> bool:
    """Whether ``account`` may write ``fact`` (for a directory: create files in it) by its mode bits."""
    if account.uid == 0:
        return True
    mode = fact.mode or 0
    if fact.owner == account.name:
        bits = (mode >> 6) & 0o7
    elif fact.group in account.groups:
        bits = (mode >> 3) & 0o7
    else:
        bits = mode & 0o7
    needed = 0o3 if fact.kind == "directory" else 0o2
    return bits & needed == needed


def judge_paths(found: ServiceFacts, service: Service) -> Verdict:
    """CHG-06: each declared path exists with its type, owner, group and mode, and is writable
    (or not) by the users named."""
    comparisons = []
    for wanted in service.paths:
        fact = found.paths.get(wanted.path)
        if fact is None or not fact.exists:
            comparisons.append(Comparison(wanted.path, "absent", "is", "present", False))
            continue
        if wanted.type is not None:
            ok = fact.kind in KINDS[wanted.type]
            comparisons.append(Comparison(f"{wanted.path} type", fact.kind, "is", wanted.type, ok))
        if wanted.owner is not None:
            comparisons.append(Comparison(f"{wanted.path} owner", fact.owner, "==", wanted.owner,
                                          fact.owner == wanted.owner))  # fmt: skip
        if wanted.group is not None:
            comparisons.append(Comparison(f"{wanted.path} group", fact.group, "==", wanted.group,
                                          fact.group == wanted.group))  # fmt: skip
        if wanted.mode is not None:
            mode = f"{fact.mode or 0:04o}"
            comparisons.append(Comparison(f"{wanted.path} mode", mode, "==", f"{int(wanted.mode, 8):04o}",
                                          fact.mode == int(wanted.mode, 8)))  # fmt: skip
        for user, expected in ((wanted.writable_by, True), (wanted.not_writable_by, False)):
            if user is None:
                continue
            account = found.accounts.get(user)
            if account is None or account.uid is None:
                comparisons.append(Comparison(f"{wanted.path} writable by {user}", "no such user", "is",
                                              "known", False))  # fmt: skip
                continue
            writable = can_write(fact, account)
            shown = f"{'writable' if writable else 'not writable'} ({fact.owner}:{fact.group} {fact.mode or 0:04o})"
            limit = "writable" if expected else "not writable"
            comparisons.append(Comparison(f"{wanted.path} by {user}", shown, "is", limit, writable == expected))
    return Verdict.from_comparisons(comparisons, f"path checks of {found.host}/{service.name}")
