"""Documents on hosts (DOC-01..03, ACC-01/02), from one fact command per host.

Per declared document: whether it exists, its last git change (``git log -1
--format=%ct``) and its YAML front matter; per acceptance document: its front
matter and its sign-off lines (``Signed off by:``, ``Date:``, ``Grade:``); per
declared runbook: whether the file exists and is not empty. Only those extracts
leave the host, never a document's body.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from golive import facts as fact_script
from golive import strict_yaml
from golive.checks import clock
from golive.checks.git import GIT
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import RemoteHost, Section, fact_command
from golive.inventory import AcceptanceDocument, Document, Host
from golive.redact import shorten
from golive.units import format_duration

MISSING = 3
GIT_LOG = f"{GIT} log -1 --format=%ct"
# input redirection, not ``awk PROGRAM -- FILE``: mawk (Debian's awk) opens ``--`` as a file
_FRONT_MATTER = 'awk \'NR==1 && $0!="---" {exit} NR>1 && ($0=="---" || $0=="...") {exit} NR>1 {print}\' < %s'
_SIGN_OFF_LINE = (
    r"^[^A-Za-z0-9]*(signed[ _-]?off[ _-]?by|sign[ _-]?off|approved[ _-]?by|accepted[ _-]?by|assessed[ _-]?by"
    r"|who|date|grade)[^A-Za-z0-9:]*:"
)
FIELD_NAMES = {
    "who": (
        "signed off by",
        "signed_off_by",
        "sign off",
        "sign-off",
        "approved by",
        "accepted by",
        "assessed by",
        "who",
    ),
    "date": ("date", "signed on"),
    "grade": ("grade",),
}
FIELD_LABELS = {"who": "Signed off by", "date": "Date", "grade": "Grade"}
"""How a failure names a missing field: the label a document writes."""
_GRADE = re.compile(r"^\s*(A\+\+\+|A\+|A-|A|B\+|B|C\+|C|Failing)?\s*\(?\s*(?:(\d+(?:\.\d+)?)\s*/\s*100)?\s*\)?")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True)
class Grade:
    """A grade as a document writes it: a letter, a score out of 100, or both."""

    letter: str | None
    score: float | None
    text: str


@dataclass
class SignOff:
    """What an acceptance document says: its fields (who, date, grade) and their values."""

    fields: dict[str, str] = field(default_factory=dict)

    @property
    def grade(self) -> Grade | None:
        return parse_grade(self.fields["grade"]) if "grade" in self.fields else None


def _q(value: str) -> str:
    return fact_script.quote(value)


def sections(host: Host) -> list[Section]:
    """The command's sections for the host's documents, acceptance documents and runbooks."""
    found = [Section("now", "date +%s")] if host.documents else []
    for document in host.documents:
        path = _q(document.path)
        found.append(
            Section(
                f"doc:{document.name}",
                f'test -f {path} || exit {MISSING}\ncd "$(dirname -- {path})" && {GIT_LOG} -- "$(basename -- {path})"',
            )
        )
        found.append(Section(f"front:{document.name}", f"test -f {path} || exit {MISSING}\n" + _FRONT_MATTER % path))
    for accepted in host.acceptance:
        path = _q(accepted.path)
        found.append(
            Section(f"accfront:{accepted.phase}", f"test -f {path} || exit {MISSING}\n" + _FRONT_MATTER % path)
        )
        found.append(
            Section(
                f"acc:{accepted.phase}",
                f"test -f {path} || exit {MISSING}\ngrep -i -E -- {_q(_SIGN_OFF_LINE)} {path} | head -n 50; exit 0",
            )
        )
    for index, (identifier, path) in enumerate(sorted(host.runbooks.items())):
        found.append(Section(f"runbook:{index}", f"test -s {_q(path)} || exit {MISSING}; echo {_q(identifier)}"))
    return found


def command(host: Host) -> str | None:
    """The host's document fact command (None when it declares no document)."""
    wanted = sections(host)
    return fact_script.script(wanted) if wanted else None


fact_command(command, criteria=("DOC-01", "DOC-02", "DOC-03", "ACC-01", "ACC-02"))


def facts(remote: RemoteHost) -> dict[str, fact_script.Output]:
    wanted = sections(remote.host)
    if not wanted:
        return {}
    return fact_script.run(remote, wanted)


def _section(found: dict[str, fact_script.Output], key: str) -> fact_script.Output:
    output = found.get(key)
    if output is None:
        raise TargetError(f"the fact command printed no section {key!r}: it was cut short")
    return output


def front_matter(found: dict[str, fact_script.Output], key: str) -> dict[str, Any]:
    """A document's YAML front matter ({} when it has none); TargetError when it is not YAML."""
    output = _section(found, key)
    if output.exit_status not in (0, MISSING):
        raise TargetError(
            f"cannot read the front matter of {key.split(':', 1)[1]}: {shorten(output.text.strip(), 200, end=True)}"
        )
    if output.exit_status != 0 or not output.text.strip():
        return {}
    name = key.split(":", 1)[1]
    try:
        data = strict_yaml.load(output.text)
    except strict_yaml.DuplicateKey as exc:
        # the front matter begins on the file's second line, after its opening ---
        raise TargetError(
            f"front matter of {name} gives {exc.key} twice, at lines {exc.first + 1} and {exc.second + 1} "
            "of the file: YAML would silently keep the last; keep one"
        ) from None
    except yaml.YAMLError as exc:
        raise TargetError(f"front matter of {name} is not YAML: {exc}") from None
    return data if isinstance(data, dict) else {}


def parse_grade(text: str) -> Grade | None:
    """``A+++ (95/100)``, ``B``, ``72/100`` → Grade; None when nothing grade-like is there."""
    cleaned = text.strip().strip("*_` ")
    match = _GRADE.match(cleaned)
    if not match or not (match.group(1) or match.group(2)):
        return None
    letter = match.group(1)
    score = float(match.group(2)) if match.group(2) else None
    return Grade(None if letter == "Failing" else letter, score, cleaned)


def _field_of(label: str) -> str | None:
    label = re.sub(r"[^a-z ]+", " ", label.lower().replace("_", " ").replace("-", " ")).strip()
    label = " ".join(label.split())
    for name, spellings in FIELD_NAMES.items():
        if label in {" ".join(s.replace("_", " ").replace("-", " ").split()) for s in spellings}:
            return name
    return None


def sign_off(found: dict[str, fact_script.Output], accepted: AcceptanceDocument) -> SignOff | None:
    """The sign-off fields of an acceptance document (front matter first); None when it does not exist."""
    output = _section(found, f"acc:{accepted.phase}")
    if output.exit_status == MISSING:
        return None
    result = SignOff()
    for key, value in front_matter(found, f"accfront:{accepted.phase}").items():
        name = _field_of(str(key))
        if name and value not in (None, ""):
            result.fields.setdefault(name, str(value))
    for line in output.lines:
        label, _, value = line.partition(":")
        name = _field_of(label)
        value = value.strip().strip("*_ ").strip()
        if name and value:
            result.fields.setdefault(name, value)
    return result


def judge_sign_off(found: dict[str, fact_script.Output], accepted: AcceptanceDocument) -> Verdict:
    """ACC-01: the document exists and has every required field, with a date and a grade that parse."""
    signed = sign_off(found, accepted)
    if signed is None:
        return Verdict(False, f"phase {accepted.phase}: acceptance document {accepted.path} does not exist")
    comparisons = []
    for name in accepted.fields:
        value = signed.fields.get(name)
        label = FIELD_LABELS.get(name, name)
        ok, shown, reason = bool(value), value or "missing", f"{accepted.phase}: no '{label}' line"
        if value and name == "date" and not _DATE.search(value):
            ok, shown = False, f"{value!r} (no YYYY-MM-DD date)"
            reason = f"{accepted.phase}: '{label}: {value}' has no YYYY-MM-DD date"
        if value and name == "grade" and parse_grade(value) is None:
            ok, shown = False, f"{value!r} (no letter or N/100 score)"
            reason = f"{accepted.phase}: '{label}: {value}' has no letter or N/100 score"
        comparisons.append(
            Comparison(
                f"{accepted.path}: sign-off field {name}", shown, "is", "present", ok, reason="" if ok else reason
            )
        )
    return Verdict.from_comparisons(comparisons, f"sign-off fields of phase {accepted.phase}")


def judge_freshness(
    found: dict[str, fact_script.Output], document: Document, future_tolerance: float = clock.FUTURE_TOLERANCE
) -> Verdict:
    """DOC-03: the document exists, is committed, and its last commit is within its max age (host clock).

    A last commit dated further ahead of the host's clock than ``future_tolerance`` fails
    as dated in the future (a wrong clock where it was committed, or a forged date).
    """
    printed = _section(found, "now").text.strip()
    if not printed.isdigit():
        raise TargetError(f"cannot read the host's clock (date +%s): {shorten(printed, 200, end=True)}")
    now = float(printed)
    output = _section(found, f"doc:{document.name}")
    if output.exit_status == MISSING:
        return Verdict(False, f"declared document {document.path} does not exist")
    stamp = output.text.strip()
    if output.exit_status != 0 or not stamp.isdigit():
        reason = shorten(stamp, 200, end=True) or "no commit touches it"
        return Verdict(False, f"{document.path} has no git history to date it: {reason}")
    changed = int(stamp)
    age = max(0.0, now - changed)
    when = dt.datetime.fromtimestamp(changed, dt.UTC).strftime("%Y-%m-%d")
    subject = f"age of the last commit to {document.path} ({when})"
    future = clock.dated_in_future(subject, changed, now, future_tolerance)
    if future is not None:
        return Verdict.from_comparisons([future], "document ages")
    comparison = Comparison(
        subject,
        format_duration(age),
        "<=",
        format_duration(document.max_age),
        age <= document.max_age,
    )
    return Verdict.from_comparisons([comparison], "document ages")


def documented_claims(found: dict[str, fact_script.Output], host: Host) -> list[tuple[str, str, Any]]:
    """(source, claim, value): hosts.yaml ``claims:`` and every document's front matter ``claims:``."""
    claims: list[tuple[str, str, Any]] = []
    for name in ("containers", "services", "hosts"):
        value = getattr(host.claims, name)
        if value is not None:
            claims.append(("hosts.yaml", name, value))
    for document in host.documents:
        declared = front_matter(found, f"front:{document.name}").get("claims")
        if isinstance(declared, dict):
            claims += [(document.path, str(key), value) for key, value in declared.items()]
        elif declared is not None:
            claims.append((document.path, "", declared))  # not a mapping: judge_claims fails it
    return claims


def missing_runbooks(found: dict[str, fact_script.Output], host: Host) -> list[str]:
    """``ID (path)`` of every declared runbook that is missing or empty on the host."""
    missing = []
    for index, (identifier, path) in enumerate(sorted(host.runbooks.items())):
        if _section(found, f"runbook:{index}").exit_status != 0:
            missing.append(f"{identifier} ({path})")
    return missing


CLAIMED = ("containers", "services", "hosts")
"""What DOC-01 can measure: running containers, compose services running, the inventory's hosts."""


def judge_claims(claims: list[tuple[str, str, Any]], measured: dict[str, Any]) -> tuple[Verdict, list[str]]:
    """DOC-01: each claim equals what this run measured (a count exactly, a list as a set).

    ``measured`` maps ``containers`` (int), ``services`` and ``hosts`` (lists) to what was
    measured. A claim golive does not know (``containres: 83``) is validated like a key
    of hosts.yaml: it fails, naming the key and the known ones, rather than being
    dropped (a typo must not leave the document unchecked). Returns the verdict and notes.
    """
    comparisons = []
    notes: list[str] = []
    for source, name, value in claims:
        if not name:
            comparisons.append(
                Comparison(f"{source}: front matter claims", type(value).__name__, "is", "a mapping of claim: value",
                           False)
            )  # fmt: skip
            continue
        if name not in CLAIMED:
            comparisons.append(
                Comparison(f"{source}: front matter claims.{name}", f"unknown claim {name!r}", "in",
                           f"known claims ({', '.join(CLAIMED)})", False)
            )  # fmt: skip
            continue
        actual = measured[name]
        subject = f"{source}: claimed {name}"
        if name == "containers":
            ok = isinstance(value, int) and not isinstance(value, bool) and value == actual
            comparisons.append(Comparison(f"{subject} {value!r} vs measured running", actual, "==", value, ok))
            continue
        claimed = sorted(map(str, value)) if isinstance(value, (list, tuple)) else None
        if claimed is None:
            comparisons.append(Comparison(subject, repr(value), "is", "a list", False))
            continue
        missing = sorted(set(claimed) - set(actual))
        unclaimed = sorted(set(actual) - set(claimed))
        shown = "; ".join(
            part
            for part in (
                f"claimed, not measured: {', '.join(missing)}" if missing else "",
                f"measured, not claimed: {', '.join(unclaimed)}" if unclaimed else "",
            )
            if part
        )
        comparisons.append(
            Comparison(f"{subject} [{', '.join(claimed)}] vs measured", shown or ", ".join(actual) or "none",
                       "==", "as claimed" if shown else ", ".join(actual) or "none", not shown)
        )  # fmt: skip
    return Verdict.from_comparisons(comparisons, "documented claims"), notes
