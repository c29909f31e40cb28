"""logrotate rules (REL-11's second part): every log file a host declares is rotated.

One read-only command per host, in the host's batched facts, prints
``/etc/logrotate.conf`` and every file of ``/etc/logrotate.d``, following ``include``
directives (a file, or every file of a directory) on the host, and says where
``logrotate`` is installed. The rules are parsed here: a rule is one or more path
patterns (globs, optionally double-quoted) before a ``{ ... }`` block; a declared
file is covered when one pattern matches it as glob(3) does (``*`` never crosses
``/``). Evidence names the rule's file and line.
"""

from __future__ import annotations

import fnmatch
import shlex
from dataclasses import dataclass

from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, fact_command

MARK = "@@golive-logrotate"
ROOTS = ("/etc/logrotate.conf", "/etc/logrotate.d")
# What logrotate itself skips in an included directory (its default tabooext list).
TABOO = (",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist", ".dpkg-new", ".dpkg-old",
         ".dpkg-tmp", ".rhn-cfg-tmp-*", ".rpmnew", ".rpmorig", ".rpmsave", ".swp", ".ucf-dist", ".ucf-new",
         ".ucf-old", "~")  # fmt: skip
MAX_FILES = 200
COMMAND = (
    f"m={MARK}; "
    'echo "$m logrotate $(command -v logrotate || echo absent)"; '
    f"queue={shlex.quote(' '.join(ROOTS))}; seen=' '; n=0\n"
    'while [ -n "$queue" ] && [ "$n" -lt ' + str(MAX_FILES) + " ]; do\n"
    '  set -- $queue; [ "$#" -gt 0 ] || break; f=$1; shift; queue="$*"\n'
    '  case "$seen" in *" $f "*) continue;; esac; seen="$seen$f "; n=$((n + 1))\n'
    '  if [ -d "$f" ]; then for g in "$f"/*; do [ -f "$g" ] && queue="$queue $g"; done; continue; fi\n'
    '  if [ ! -r "$f" ]; then echo "$m missing $f"; continue; fi\n'
    '  echo "$m file $f"; cat -- "$f"; echo\n'
    '  queue="$queue $(awk \'$1 == "include" { print $2 }\' "$f")"\n'
    "done"
)
fact_command(lambda host: COMMAND if host.logs.files else None, criteria=("REL-11",))


@dataclass(frozen=True)
class Rule:
    """One logrotate rule: its patterns and where it is written."""

    file: str
    line: int
    patterns: tuple[str, ...]

    def covers(self, path: str) -> str | None:
        """The pattern matching ``path``, if any."""
        return next((p for p in self.patterns if glob_match(p, path)), None)


@dataclass
class LogrotateFacts:
    host: str
    binary: str | None
    rules: list[Rule]
    files: list[str]
    missing: list[str]


def glob_match(pattern: str, path: str) -> bool:
    """glob(3) semantics on absolute paths: component by component, ``*`` never matches ``/``."""
    wanted, parts = pattern.rstrip("/").split("/"), path.rstrip("/").split("/")
    return len(wanted) == len(parts) and all(fnmatch.fnmatchcase(p, w) for w, p in zip(wanted, parts, strict=True))


def _taboo(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, f"*{ext}") for ext in TABOO)


def parse_config(name: str, text: str) -> list[Rule]:
    """The rules of one logrotate config file (patterns before ``{``; scripts skipped)."""
    rules: list[Rule] = []
    pending: list[str] = []
    start = 0
    depth = 0
    in_script = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_script:
            in_script = line != "endscript"
            continue
        if not line or line.startswith("#"):
            continue
        if depth:
            if line.split()[0] in ("postrotate", "prerotate", "firstaction", "lastaction", "preremove"):
                in_script = True
            elif line.startswith("}"):
                depth = 0
            continue
        head, brace, _ = line.partition("{")
        try:
            words = shlex.split(head, comments=False)
        except ValueError:
            words = head.split()
        if words and (words[0].startswith(("/", "~")) or head.lstrip().startswith('"')):
            if not pending:
                start = number
            pending += words
        elif words and not pending:
            continue  # a global directive (weekly, include, ...)
        if brace:
            if pending:
                rules.append(Rule(name, start, tuple(pending)))
            pending = []
            depth = 1
            if "}" in line.partition("{")[2]:
                depth = 0
    return rules


def parse(host: str, output: str) -> LogrotateFacts:
    binary: str | None = None
    chunks: dict[str, list[str]] = {}
    missing: list[str] = []
    current: list[str] | None = None
    for line in output.split("\n"):
        if line.startswith(MARK + " "):
            word, _, rest = line[len(MARK) + 1 :].partition(" ")
            if word == "logrotate":
                binary = None if rest.strip() == "absent" else rest.strip()
            elif word == "file":
                current = None if _taboo(rest) else chunks.setdefault(rest, [])
            elif word == "missing":
                missing.append(rest)
                current = None
            continue
        if current is not None:
            current.append(line)
    rules = [rule for name, lines in chunks.items() for rule in parse_config(name, "\n".join(lines))]
    return LogrotateFacts(host, binary, rules, list(chunks), missing)


def facts(remote: RemoteHost) -> LogrotateFacts:
    """The host's logrotate rules (one cached command, batched with the host's other facts)."""
    return parse(remote.name, remote.run(COMMAND).stdout)


def judge(found: LogrotateFacts, files: tuple[str, ...]) -> Verdict:
    """REL-11: logrotate is installed and a rule covers each declared log file."""
    comparisons = [Comparison(f"{found.host} logrotate command", found.binary or "absent", "is", "installed",
                              found.binary is not None)]  # fmt: skip
    for path in files:
        match = next(((rule, pattern) for rule in found.rules if (pattern := rule.covers(path))), None)
        where = f"{match[0].file}:{match[0].line} ({match[1]})" if match else "no rule"
        comparisons.append(Comparison(f"{found.host}:{path} logrotate rule", where, "covers", path, match is not None))
    read = f"{len(found.files)} logrotate config file(s) ({', '.join(found.files[:5]) or 'none'})"
    verdict = Verdict.from_comparisons(comparisons, f"logrotate checks of {read}")
    return verdict
