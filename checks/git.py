"""Config repos on hosts (CHG-01/02, SEC-07/08), from one batched command per host.

Per declared repo: the index against HEAD and against the working tree, untracked
paths, the upstream and the ahead count, the tracked paths, secret-looking content
in the committed tree and in the lines the last ``history_commits`` commits added,
and whether ``git check-ignore`` ignores the required patterns. The content scans
run on the host and print only rule, path and line (or commit): the matched text
never leaves the host. Each reads git once for every rule (one ``git grep`` of HEAD,
one ``git log -p``) and sorts the lines by rule with ``grep -E`` in the C locale (a
line that is not UTF-8 is read as bytes, never as a binary file); the repo's top
directory and HEAD are asked once per repo, by the script's shared part. Compose
files and the repo's ``.env`` are read too (for CHG-03/04), as private sections whose
contents never reach the evidence.

A repo's config, attributes and hooks belong to whoever can write its ``.git``, and
golive may run as root: every git call goes through ``GIT``, which runs nothing the
repo configures. ``safe.directory=*`` lets it read repos owned by others; system and
global config are skipped (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL=/dev/null``);
command-line ``-c`` overrides win over the repo's config and anything it includes
(``include.path``/``includeIf``): ``core.fsmonitor``, ``core.hooksPath``, pagers,
``diff.external``, ``log.showSignature``/``gpg.program``, ``credential.helper``,
``core.sshCommand``, ``protocol.allow``. Per-driver settings cannot be overridden by
name (``filter.<any>.clean/smudge/process``, ``diff.<any>.textconv/command``; listing
them first would leave the repo's owner a window to add one), so no call lets git
convert content: the working tree is never compared by git (``git
status`` would run clean filters on files whose stat changed, or that look racy);
golive hashes tracked files byte for byte (``hash-object --no-filters``) and compares
with the index itself, diffs run with ``--no-textconv --no-ext-diff``, and ``git grep``
reads committed blobs only. ``--no-optional-locks`` keeps git from rewriting the
index. Files git converts on commit (filter, eol, ident, encoding attributes) are
compared byte for byte and said so when they differ.
"""

from __future__ import annotations

import fnmatch
import hashlib
import posixpath
from dataclasses import dataclass

from golive import facts as fact_script
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import Host, Repo
from golive.redact import shorten

GIT_ENVIRONMENT = (
    "GIT_CONFIG_NOSYSTEM=1",
    "GIT_CONFIG_GLOBAL=/dev/null",
    "GIT_ATTR_NOSYSTEM=1",
    "GIT_OPTIONAL_LOCKS=0",
    "GIT_TERMINAL_PROMPT=0",
    "GIT_PAGER=cat",
    "HOME=/nonexistent",
    "XDG_CONFIG_HOME=/nonexistent",
)
GIT_OVERRIDES = (
    "safe.directory=*",
    "core.quotepath=off",
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "diff.external=",
    "log.showSignature=false",
    "gpg.program=false",
    "credential.helper=",
    "protocol.allow=never",
)
_GIT_PROGRAM = " ".join(("git --no-pager --no-optional-locks", *(f"-c {fact_script.quote(o)}" for o in GIT_OVERRIDES)))
GIT = " ".join((*GIT_ENVIRONMENT, _GIT_PROGRAM))
"""The one way golive calls git on a host (checks/documents.py too): see the module docstring."""
_XARGS_GIT = " ".join((*GIT_ENVIRONMENT, "xargs -0 -r", _GIT_PROGRAM))
"""``GIT`` run by ``xargs -0 -r`` on the paths it reads (the environment is xargs', and so git's)."""
DIFF = "--no-color --no-textconv --no-ext-diff --no-renames"
"""Options of every git command that diffs: no repo-configured program sees content."""

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
    """A secret found by a rule at a path (and line, or the commit that added it); never the secret."""

    path: str
    line: int | None
    rule: str
    commit: str | None = None

    def __str__(self) -> str:
        if self.commit:
            return f"{self.path} ({self.rule}, added in commit {self.commit[:12]})"
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


EXIT_MARK = "golive-exit"
"""Ends a piped git command's output with its exit status (sh has no pipefail)."""

_HEAD_SCAN = (
    f"/^{EXIT_MARK} [0-9]+$/ {{e = substr($0, {len(EXIT_MARK) + 2}) + 0; seen = 1; next}}\n"
    '/^[0-9]+[:]/ {n = $0; sub(/[:].*/, "", n); print r " " f ":" n; next}\n'
    '/^HEAD[:]/ {f = $0; sub(/^HEAD[:]/, "", f); next}\n'
    'length($0) {print "git: " $0; bad = 1}\n'
    "END {exit (!seen || bad ? 2 : e == 1 ? 0 : e)}"
)
"""``git grep --heading -n`` output and errors → ``rule path:line``; the matched text is dropped on the host.

git grep exits 1 both when nothing matches and when it cannot read a blob (it says so
on stderr): any line that is neither a file heading nor a match fails the scan."""

_KEEP = "-e '^$' -e '^[^0-9]' -e '^[0-9]+([^0-9:]|$)'"
"""``grep`` options keeping every line of ``git grep --heading -n`` output but its matches (``N:text``):
the headings, git's errors and the exit mark, for a rule's scan of the one ``git grep`` of all rules."""

_ADDED_LINES = (
    f"/^{EXIT_MARK} [0-9]+$/ {{print; next}}\n"
    "/^commit [0-9a-f]+$/ {c = $2; h = 0; next}\n"
    "/^diff --git / {h = 1; next}\n"
    'h && /^[+][+][+] / {p = substr($0, 5); sub(/\\t$/, "", p); sub(/^b[/]/, "", p)\n'
    '  if (substr(p, 1, 3) == q "b/") p = q substr(p, 4); next}\n'
    "/^@@/ {h = 0; next}\n"
    '!h && /^[+]/ {l = substr($0, 2); gsub(/\t/, " ", l); print l "\t" c " " p}'
)
"""``git log -p`` → one line per added line: its text, a tab, the commit and the path."""

_HISTORY_REPORT = (
    f"/^{EXIT_MARK} [0-9]+$/ {{e = substr($0, {len(EXIT_MARK) + 2}) + 0; seen = 1; next}}\n"
    '{print r " " $NF}\n'
    "END {exit (seen ? e : 2)}"
)
"""Matching added lines → ``rule commit path``: the text before the tab never leaves the host."""

_WORKTREE = (
    "nl='\n'; kinds=; files=0\n"
    "for e do\n"
    "  p=${e#*\t}; t=${e%% *}; r=${e#* }; m=${r%% *}\n"
    '  case "$t$m" in S*|[a-z]*|?160000) k="=" ;;\n'
    '  *) if [ -L "$p" ]; then k=l\n'
    '     elif [ -f "$p" ]; then k=f; [ -x "$p" ] && k=x; files=$((files + 1))\n'
    '     elif [ -e "$p" ]; then k=d\n'
    "     else k=-; fi ;;\n"
    "  esac\n"
    "  kinds=$kinds$k\n"
    "done\n"
    'hashes=$(i=$kinds; for e do k=${i%"${i#?}"}; i=${i#?}; case $k in f|x) printf \'%s\\0\' "${e#*\t}" ;; esac; done'
    " | {xargs_git} hash-object --no-filters -- 2>/dev/null) || hashes=\n"
    'n=0; for h in $hashes; do n=$((n + 1)); done; [ "$n" = "$files" ] || hashes=\n'
    "for e do\n"
    "  p=${e#*\t}; t=${e%% *}; r=${e#* }; m=${r%% *}; r=${r#* }; s=${r%% *}\n"
    '  k=${kinds%"${kinds#?}"}; kinds=${kinds#?}\n'
    "  case $k in\n"
    '  =) echo "="; continue ;;\n'
    '  l) h=$(printf %s "$(readlink -- "$p")" | {git} hash-object --stdin 2>/dev/null) || h=unreadable ;;\n'
    '  f|x) if [ -n "$hashes" ]; then h=${hashes%%"$nl"*}; case $hashes in *"$nl"*) hashes=${hashes#*"$nl"} ;; '
    "*) hashes= ;; esac\n"
    '       else h=$({git} hash-object --no-filters -- "$p" 2>/dev/null) || h=unreadable; fi ;;\n'
    "  *) h=- ;;\n"
    "  esac\n"
    '  case "$m$k $h" in "100644f $s"|"100755x $s"|"120000l $s") echo "=";; *) echo "$k $h $s";; esac\n'
    "done"
)
"""Per index entry (``ls-files -s -v -z``), in index order: ``=`` when the file is what the index says
(or git would not look: skip-worktree, assume-unchanged, submodule), else its kind, raw hash and the
index's hash. Each entry's kind is looked at once; the regular files are hashed by as few ``git
hash-object`` calls as ``xargs`` needs, in index order, and one by one (an unreadable one said so)
when those did not hash every one of them (a file gone or unreadable meanwhile)."""

CONVERTING = ("filter", "text", "eol", "ident", "working-tree-encoding")
"""Attributes under which git converts a file on commit: such a file is compared byte for byte."""


def _scan(regex: str) -> str:
    """The ERE, anchored so it must start in the text before the first tab."""
    return f"^[^\t]*({regex})"


def _sections(repo: Repo) -> list[Section]:
    cd = f"cd {fact_script.quote(repo.path)} || exit 3\n"
    shared_top, shared_head = _variables(repo.path)
    top = (
        f'{cd}top=${{{shared_top}:-}}; [ -n "$top" ] || top=$({GIT} rev-parse --show-toplevel) && cd "$top" || exit 3\n'
    )
    key = repo.name
    head = f'[ -n "${{{shared_head}:-}}" ] || {GIT} rev-parse -q --verify HEAD >/dev/null || exit 0\ns=0\n'
    patterns = " ".join(f"-e {fact_script.quote(regex)}" for _, regex in CONTENT_RULES)
    greps = f'found=$({GIT} grep --heading -n -I -E {patterns} HEAD -- 2>&1; echo "{EXIT_MARK} $?")\n' + "\n".join(
        f"printf '%s\\n' \"$found\" | LC_ALL=C grep -E {_KEEP} -e {fact_script.quote(f'^[0-9]+:.*({regex})')}"
        f" | awk -v r={rule} {fact_script.quote(_HEAD_SCAN)} || s=$?"
        for rule, regex in CONTENT_RULES
    )
    log = f"{GIT} log -p -U0 {DIFF} --format='commit %H' --max-count={repo.history_commits} HEAD --"
    history = f'added=$({{ {log}; echo "{EXIT_MARK} $?"; }} | awk {fact_script.quote(_ADDED_LINES)})\n' + "\n".join(
        f"printf '%s\\n' \"$added\" | LC_ALL=C grep -E -e '^{EXIT_MARK} ' -e {fact_script.quote(_scan(regex))}"
        f" | awk -F '\t' -v r={rule} {fact_script.quote(_HISTORY_REPORT)} || s=$?"
        for rule, regex in CONTENT_RULES
    )
    worktree = _WORKTREE.replace("{xargs_git}", _XARGS_GIT).replace("{git}", GIT)
    base = (
        f"base=${{{shared_head}:-}}; [ -n \"$base\" ] || base=$({GIT} rev-parse -q --verify 'HEAD^{{tree}}')"
        f" || base=$({GIT} hash-object -t tree /dev/null) || exit 3\n"
    )
    found = [
        Section(f"{key}:staged", f'{top}{base}{GIT} diff-index --cached --name-status {DIFF} "$base" --'),
        Section(f"{key}:index", f"{top}{GIT} ls-files -s -v"),
        Section(
            f"{key}:worktree", f"{top}{GIT} ls-files -s -v -z | xargs -0 -r sh -c {fact_script.quote(worktree)} sh"
        ),
        Section(f"{key}:filemode", f"{top}{GIT} config --bool core.filemode; exit 0"),
        Section(f"{key}:untracked", f"{top}{GIT} ls-files -o --exclude-standard --directory --no-empty-directory"),
        Section(
            f"{key}:attributes",
            f"{top}{GIT} ls-files | {GIT} check-attr --stdin {' '.join(CONVERTING)} | awk '!/: (unspecified|unset)$/'",
        ),
        Section(
            f"{key}:upstream",
            f"{cd}{GIT} rev-parse --abbrev-ref --symbolic-full-name '@{{u}}' && {GIT} rev-list --count '@{{u}}..HEAD'",
        ),
        Section(f"{key}:files", f"{cd}{GIT} ls-files"),
        Section(f"{key}:content", f"{cd}{head}{greps}\nexit $s"),
        Section(f"{key}:history", f"{cd}{head}{history}\nexit $s" if repo.history_commits else "exit 0"),
        Section(
            f"{key}:ignore",
            f"{cd}printf '%s\\n' {' '.join(fact_script.quote(p) for pattern in repo.ignored for p in probes(pattern))}"
            f" | {GIT} check-ignore --no-index --stdin; test $? -le 1",
        ),
        Section(
            f"{key}:env",
            f"{cd}test -f {fact_script.quote(repo.env_file)} || exit 4\ncat -- {fact_script.quote(repo.env_file)}",
            private=True,
        ),
    ]
    for index, path in enumerate(repo.compose):
        found.append(
            Section(
                f"{key}:compose:{index}",
                f"{cd}test -f {fact_script.quote(path)} || exit 4\ncat -- {fact_script.quote(path)}",
                private=True,
            )
        )
    return found


def _variables(path: str) -> tuple[str, str]:
    """The shell variables the script's shared part sets for the repo at ``path``: its top
    directory, and HEAD's commit (empty: none yet, or unreadable: the sections ask git again)."""
    suffix = hashlib.sha256(path.encode()).hexdigest()[:16]
    return f"golive_top_{suffix}", f"golive_head_{suffix}"


def _shared(repos: tuple[Repo, ...]) -> str:
    """What every section of a repo would otherwise ask git for itself, asked once per repo."""
    found = []
    for path in dict.fromkeys(repo.path for repo in repos):
        top, head = _variables(path)
        cd = f"cd {fact_script.quote(path)}"
        found.append(f"{top}=$({cd} && {GIT} rev-parse --show-toplevel) || {top}=")
        found.append(f"{head}=$({cd} && {GIT} rev-parse -q --verify HEAD) || {head}=")
    return "\n".join(found)


def _all_sections(repos: tuple[Repo, ...]) -> list[Section]:
    return [part for each in repos for part in _sections(each)]


def command(host: Host) -> str | None:
    """The host's repo fact command (None when it declares no repo)."""
    return fact_script.script(_all_sections(host.repos), _shared(host.repos)) if host.repos else None


fact_command(command, criteria=("SEC-07", "SEC-08", "CHG-01", "CHG-02", "CHG-03", "CHG-04"))


def facts(remote: RemoteHost, repos: tuple[Repo, ...], repo: Repo) -> RepoFacts:
    """``repo``'s facts from one cached command covering every repo the host declares."""
    return RepoFacts(repo, fact_script.run(remote, _all_sections(repos), _shared(repos)))


_KINDS = {"100644": "f", "100755": "x", "120000": "l", "160000": "g"}


def _converted(found: RepoFacts) -> dict[str, list[str]]:
    """Tracked path → the converting attributes git applies to it (``check-attr`` output)."""
    attributes: dict[str, list[str]] = {}
    for line in found.section("attributes").lines:
        parts = line.rsplit(": ", 2)
        if len(parts) == 3 and parts[1] in CONVERTING:
            attributes.setdefault(parts[0], []).append(f"{parts[1]}={parts[2]}")
    return attributes


def changes(found: RepoFacts) -> list[str]:
    """``git status --porcelain``-style lines, computed without letting git read the working tree."""
    index = found.checked("index").lines
    seen = found.checked("worktree").lines
    states: dict[str, list[str]] = {}
    for line in found.checked("staged").lines:
        status, _, path = line.partition("\t")
        states.setdefault(path, [" ", " "])[0] = status[:1]
    if len(index) != len(seen):
        raise TargetError(f"{found.repo.path}: the index changed while golive read it ({len(index)} != {len(seen)})")
    filemode = found.section("filemode").text.strip() != "false"
    converted = _converted(found)
    notes: dict[str, str] = {}
    for entry, worktree in zip(index, seen, strict=True):
        meta, _, path = entry.partition("\t")
        _, mode, digest, stage = [*meta.split(), "", "", "", ""][:4]
        if stage not in ("", "0"):
            states[path] = ["U", "U"]
            continue
        if worktree == "=":
            continue
        kind, raw, indexed = [*worktree.split(), "", "", ""][:3]
        if indexed != digest:
            raise TargetError(f"{found.repo.path}: the index changed while golive read it ({path})")
        expected = _KINDS.get(mode)
        if {kind, expected} <= {"f", "x"} and raw == digest and not filemode:
            continue
        if kind == "-":
            change = "D"
        elif {kind, expected} <= {"f", "x"}:
            change = "M"
        else:
            change = "T"
        if change == "M" and raw != digest and path in converted:
            notes[path] = f" (compared byte for byte: git converts it, {', '.join(converted[path])})"
        states.setdefault(path, [" ", " "])[1] = change
    for path in found.checked("untracked").lines:
        states[path] = ["?", "?"]
    return [f"{''.join(states[path])} {_shown(path)}{notes.get(path, '')}" for path in sorted(states)]


def _shown(path: str) -> str:
    """A path as ``git status --porcelain`` prints it: quoted when it holds a space."""
    return f'"{path}"' if " " in path and not path.startswith('"') else path


def judge_clean(found: RepoFacts) -> Verdict:
    """CHG-01: the index equals HEAD, the working tree equals the index, nothing is untracked."""
    listed = changes(found)
    comparison = Comparison(f"uncommitted changes in {found.repo.path}", len(listed), "==", 0, not listed)
    if listed:
        shown = ", ".join(listed[:10]) + (" ..." if len(listed) > 10 else "")
        return Verdict(False, f"{len(listed)} uncommitted change(s) in {found.repo.path}: {shown}", [comparison])
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


def secrets_in_history(output: fact_script.Output) -> list[Finding]:
    """``rule commit path`` lines of the host-side scan of added lines."""
    found = set()
    for line in output.lines:
        rule, commit, path = [*line.split(" ", 2), "", "", ""][:3]
        if rule in dict(CONTENT_RULES) and len(commit) >= 40 and path:
            found.add(Finding(path, None, rule, commit))
    return sorted(found, key=lambda f: (f.path, f.rule, f.commit or ""))


def secrets_by_content(output: fact_script.Output) -> list[Finding]:
    """``rule path:line`` lines of the host-side scan."""
    found = []
    for line in output.lines:
        rule, _, where = line.partition(" ")
        path, _, number = where.rpartition(":")
        if rule in dict(CONTENT_RULES) and path and number.isdigit():
            found.append(Finding(path, int(number), rule))
    return found


def judge_secrets(found: RepoFacts) -> Verdict:
    """SEC-07: no tracked file is a secret by name or holds one by content, now or in recent history."""
    findings = secrets_by_name(found.tracked) + secrets_by_content(found.checked("content"))
    current = {(f.path, f.rule) for f in findings}
    findings += [f for f in secrets_in_history(found.checked("history")) if (f.path, f.rule) not in current]
    commits = found.repo.history_commits
    scanned = f" nor in the lines its last {commits} commit(s) added" if commits else " (history not scanned)"
    comparison = Comparison(f"secrets in {found.repo.path}", len(findings), "==", 0, not findings)
    if findings:
        shown = ", ".join(map(str, findings[:15])) + (" ..." if len(findings) > 15 else "")
        return Verdict(False, f"{len(findings)} secret(s) in {found.repo.path}: {shown}", [comparison])
    return Verdict(
        True, f"no secret among {len(found.tracked)} tracked file(s) of {found.repo.path}{scanned}", [comparison]
    )


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
