"""Config repos on hosts (CHG-01/02, SEC-07/08), from one batched command per host.

Per declared repo: ``git status --porcelain``, the upstream and the ahead count,
the tracked paths, secret-looking content in the committed tree and whether
``git check-ignore`` ignores the required patterns. The content scan runs on the
host and prints only ``rule path:line``: the matched text never leaves the host.
Compose files and the repo's ``.env`` are read too (for CHG-03/04), as private
sections whose contents never reach the evidence.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass

from golive.checks import sections as fact_script
from golive.checks.remote import RemoteHost, fact_command
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.inventory import Host, Repo
from golive.redact import shorten

GIT = "git -c 'safe.directory=*' -c core.quotepath=off"

NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("env-file", (".env", ".env.*", "*.env")),
    ("private-key-file", ("*.key", "*.pem", "*.p12", "*.pfx", "*.jks")),
    ("ssh-private-key", ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")),
    ("credentials-file", (".htpasswd", ".netrc", ".pgpass", "credentials.json")),
)
"""Tracked paths that are secrets by name (basename glob)."""
NAME_EXEMPT = (".env.example", ".env.sample", ".env.template", ".env.dist", "*.example.env")

CONTENT_RULES: tuple[tuple[str, str], ...] = (
    ("private-key-block", "BEGIN ([A-Z0-9]+ )*PRIVATE KEY"),
    ("github-token", "(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})"),
    ("gitlab-token", "glpat-[A-Za-z0-9_-]{20}"),
    ("aws-access-key-id", "(AKIA|ASIA)[A-Z0-9]{16}"),
    ("slack-token", "xox[abposr]-[A-Za-z0-9-]{10,}"),
    ("jwt", "eyJ[A-Za-z0-9_-]{8,}[.]eyJ[A-Za-z0-9_-]{8,}[.][A-Za-z0-9_-]{8,}"),
    (
        "hardcoded-password",
        "(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|password|passwd|secret|token|api_key)[A-Za-z_]*"
        "[\"']?[[:space:]]*[:=][[:space:]]*[\"']?[^[:space:]\"'$]{8,}",
    ),
)
"""Committed content that looks like a secret: rule id → POSIX ERE for ``git grep -E``."""


@dataclass(frozen=True)
class Finding:
    """A secret found by a rule at a path (and line, for content rules); never the secret."""

    path: str
    line: int | None
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.rule})" if self.line else f"{self.path} ({self.rule})"


@dataclass(frozen=True)
class RepoFacts:
    """What one repo's sections printed."""

    repo: Repo
    sections: dict[str, fact_script.Output]

    def section(self, part: str) -> fact_script.Output:
        found = self.sections.get(f"{self.repo.name}:{part}")
        if found is None:
            raise TargetError(f"the fact command printed no section {self.repo.name}:{part}: the command was cut short")
        return found

    def checked(self, part: str) -> fact_script.Output:
        """A section that must have succeeded; TargetError with git's own message otherwise."""
        output = self.section(part)
        if output.exit_status != 0:
            raise TargetError(
                f"{self.repo.path}: git {part} failed (exit {output.exit_status}): "
                + shorten(output.text.strip(), 300, end=True)
            )
        return output

    @property
    def tracked(self) -> list[str]:
        return self.checked("files").lines

    def compose_text(self, path: str) -> str | None:
        """A declared compose file's text; None when it does not exist."""
        output = self.section(f"compose:{self.repo.compose.index(path)}")
        return output.text if output.exit_status == 0 else None

    @property
    def env_text(self) -> str | None:
        output = self.section("env")
        return output.text if output.exit_status == 0 else None


def probes(pattern: str) -> list[str]:
    """Paths that a .gitignore covering ``pattern`` must ignore, at the top and in a subdirectory."""
    name = pattern.lstrip("/").replace("*", "golive-probe")
    return [name, f"golive-probe-dir/{name}"]


def _sections(repo: Repo) -> tuple[list[tuple[str, str]], set[str]]:
    cd = f"cd {fact_script.quote(repo.path)} || exit 3\n"
    key = repo.name
    greps = "\n".join(
        f"{GIT} grep -n -I -E -e {fact_script.quote(regex)} HEAD -- | cut -d: -f2,3 | sed 's/^/{rule} /'"
        for rule, regex in CONTENT_RULES
    )
    found = [
        (f"{key}:status", f"{cd}{GIT} status --porcelain=v1"),
        (
            f"{key}:upstream",
            f"{cd}{GIT} rev-parse --abbrev-ref --symbolic-full-name '@{{u}}' && {GIT} rev-list --count '@{{u}}..HEAD'",
        ),
        (f"{key}:files", f"{cd}{GIT} ls-files"),
        (f"{key}:content", f"{cd}{GIT} rev-parse -q --verify HEAD >/dev/null || exit 0\n{greps}\nexit 0"),
        (
            f"{key}:ignore",
            f"{cd}printf '%s\\n' {' '.join(fact_script.quote(p) for pattern in repo.ignored for p in probes(pattern))}"
            f" | {GIT} check-ignore --no-index --stdin; test $? -le 1",
        ),
        (
            f"{key}:env",
            f"{cd}test -f {fact_script.quote(repo.env_file)} || exit 4\ncat -- {fact_script.quote(repo.env_file)}",
        ),
    ]
    private = {f"{key}:env"}
    for index, path in enumerate(repo.compose):
        found.append(
            (
                f"{key}:compose:{index}",
                f"{cd}test -f {fact_script.quote(path)} || exit 4\ncat -- {fact_script.quote(path)}",
            )
        )
        private.add(f"{key}:compose:{index}")
    return found, private


def _all_sections(repos: tuple[Repo, ...]) -> tuple[list[tuple[str, str]], set[str]]:
    wanted: list[tuple[str, str]] = []
    private: set[str] = set()
    for each in repos:
        found, hidden = _sections(each)
        wanted += found
        private |= hidden
    return wanted, private


@fact_command
def command(host: Host) -> str | None:
    """The host's repo fact command (None when it declares no repo)."""
    return fact_script.script(_all_sections(host.repos)[0]) if host.repos else None


def facts(remote: RemoteHost, repos: tuple[Repo, ...], repo: Repo) -> RepoFacts:
    """``repo``'s facts from one cached command covering every repo the host declares."""
    wanted, private = _all_sections(repos)
    return RepoFacts(repo, fact_script.run(remote, fact_script.script(wanted), private))


def judge_clean(found: RepoFacts) -> Verdict:
    """CHG-01: ``git status --porcelain`` prints nothing."""
    changes = found.checked("status").lines
    comparison = Comparison(f"uncommitted changes in {found.repo.path}", len(changes), "==", 0, not changes)
    if changes:
        shown = ", ".join(line.strip() for line in changes[:10]) + (" ..." if len(changes) > 10 else "")
        return Verdict(False, f"{len(changes)} uncommitted change(s) in {found.repo.path}: {shown}", [comparison])
    return Verdict(True, f"{found.repo.path}: working tree clean", [comparison])


def judge_pushed(found: RepoFacts) -> Verdict:
    """CHG-02: an upstream is configured and HEAD is not ahead of it."""
    output = found.section("upstream")
    lines = output.lines
    if output.exit_status != 0 or len(lines) < 2 or not lines[-1].isdigit():
        reason = shorten(output.text.strip(), 200, end=True) or f"exit {output.exit_status}"
        return Verdict(False, f"{found.repo.path}: no upstream to compare with, nothing is pushed anywhere: {reason}")
    upstream, ahead = lines[-2], int(lines[-1])
    comparison = Comparison(f"commits of {found.repo.path} ahead of {upstream}", ahead, "==", 0, ahead == 0)
    return Verdict.from_comparisons([comparison], "upstream checks")


def secrets_by_name(tracked: list[str]) -> list[Finding]:
    """Tracked paths whose name says they hold a secret."""
    found = []
    for path in tracked:
        name = posixpath.basename(path)
        if any(fnmatch.fnmatchcase(name, exempt) for exempt in NAME_EXEMPT):
            continue
        for rule, patterns in NAME_RULES:
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
                found.append(Finding(path, None, rule))
                break
    return found


def secrets_by_content(output: fact_script.Output) -> list[Finding]:
    """``rule path:line`` lines of the host-side scan."""
    found = []
    for line in output.lines:
        rule, _, where = line.partition(" ")
        path, _, number = where.rpartition(":")
        if rule and path and number.isdigit():
            found.append(Finding(path, int(number), rule))
    return found


def judge_secrets(found: RepoFacts) -> Verdict:
    """SEC-07: no tracked file is a secret by name or holds one by content."""
    findings = secrets_by_name(found.tracked) + secrets_by_content(found.checked("content"))
    comparison = Comparison(f"secrets tracked in {found.repo.path}", len(findings), "==", 0, not findings)
    if findings:
        shown = ", ".join(map(str, findings[:15])) + (" ..." if len(findings) > 15 else "")
        return Verdict(False, f"{len(findings)} secret(s) tracked in {found.repo.path}: {shown}", [comparison])
    return Verdict(True, f"no secret among {len(found.tracked)} tracked file(s) of {found.repo.path}", [comparison])


def judge_ignores(found: RepoFacts) -> Verdict:
    """SEC-08: ``git check-ignore`` ignores every required pattern, at the top and below."""
    ignored = set(found.checked("ignore").lines)
    comparisons = []
    for pattern in found.repo.ignored:
        missing = [probe for probe in probes(pattern) if probe not in ignored]
        comparisons.append(
            Comparison(
                f".gitignore of {found.repo.path} covers {pattern}",
                f"not for {', '.join(missing)}" if missing else "ignored",
                "==",
                "ignored",
                not missing,
            )
        )
    return Verdict.from_comparisons(comparisons, "ignore patterns")
