"""Log lines are redacted before anything is derived from them, and cut without leaving part of a secret.

The host side is the real log command (``sh``, ``grep``, ``awk``) run here over a
log file the test writes; what it prints is parsed, classified and described as in
a run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from golive.checks import logs
from golive.checks.log_patterns import Classifier
from golive.evidence import MAX_LINE_CHARS, clean
from golive.inventory import Host, LogPattern
from golive.redact import redact

KNOWN = "knownlogsecret-Q7vX2pLm"  # a value golive knows is secret (as a container's env value)
API_KEY = "apikeysecret-R4tW9nBz"


def _classified(tmp_path: Path, lines: list[str]) -> logs.Classified:
    log = tmp_path / "app.log"
    log.write_text("".join(f"{line}\n" for line in lines))
    host = Host(name="h", backend="local://", logs={"containers": False, "files": [str(log)]})
    classifier = Classifier(())
    command = logs.command(host, 3600, classifier.host_filter())
    output = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True).stdout
    return logs.classify(logs.parse(output, host, 3600), classifier, host.logs.examples)


def _fragments(secret: str) -> list[str]:
    """What a derived text could keep of ``secret``: its letters (a slug) and its halves."""
    return [secret.split("-")[0].lower(), secret[: len(secret) // 2], secret[len(secret) // 2 :]]


def _everything_shown(result: logs.Classified) -> str:
    groups = list(result.unknown.values()) + list(result.matched.values())
    shown = [clean(logs.describe(g)) for g in groups] + [clean(logs.suggest(g)) for g in groups]
    shown += [clean(g.key) for g in groups]
    return "\n".join(shown).lower()


def test_ids_templates_and_suggestions_are_made_from_redacted_lines(tmp_path: Path):
    redact.add([KNOWN])
    result = _classified(
        tmp_path,
        [f"ERROR request failed api_key={API_KEY} status=500", f"ERROR cannot reach upstream with {KNOWN}"],
    )
    shown = _everything_shown(result)
    for secret in (API_KEY, KNOWN):
        for fragment in _fragments(secret):
            assert fragment.lower() not in shown, f"{fragment!r} of a secret reached a template or suggestion"
    assert "api_key=[redacted] status=<n>" in shown  # the line is still classified and shown, redacted


def test_a_secret_straddling_a_line_cut_leaves_no_part(tmp_path: Path):
    redact.add([KNOWN])
    pad = "x" * 7
    at_display_cut = f"ERROR {pad} " + "y" * (MAX_LINE_CHARS - 10 - len(pad) - 8) + f" {KNOWN} more words"
    # a long token redaction shortens comes first: what the host kept of the line then shows in full
    jwt = f"eyJ{'a' * 1200}.eyJ{'b' * 1200}.{'c' * 90}"
    at_host_cut = f"ERROR {jwt} " + "z" * (logs.HOST_LINE_CHARS - 10 - len(jwt) - 8) + f" {KNOWN} more words"
    assert at_display_cut.index(KNOWN) < MAX_LINE_CHARS < at_display_cut.index(KNOWN) + len(KNOWN)
    assert at_host_cut.index(KNOWN) < logs.HOST_LINE_CHARS < at_host_cut.index(KNOWN) + len(KNOWN)
    result = _classified(tmp_path, [at_display_cut, at_host_cut])
    shown = _everything_shown(result)
    assert "knownlog" not in shown, "a prefix of a known secret survived a cut"
    assert result.lines == 2 and "yyyy" in shown and "zzzz" in shown


def _rated(tmp_path: Path, lines: list[str], rate: str) -> logs.Classified:
    log = tmp_path / "mail.log"
    log.write_text("".join(f"{line}\n" for line in lines))
    host = Host(name="h", backend="local://", logs={"containers": False, "files": [str(log)]})
    pattern = LogPattern(
        id="scanner-probe", regex="handshake refused", severity="acceptable", rate=rate,
        explanation="scanners", remediation="block them",
    )  # fmt: skip
    classifier = Classifier((pattern,))
    output = subprocess.run(
        ["sh", "-c", logs.command(host, 3600, classifier.host_filter())], capture_output=True, text=True, check=True
    ).stdout
    return logs.classify(logs.parse(output, host, 3600), classifier, host.logs.examples)


def test_a_rate_above_its_tolerance_reads_as_a_sentence(tmp_path: Path):
    """LOG-04's reason says what peaked, how much, over what period and what is tolerated (not "30 > 20")."""
    result = _rated(tmp_path, ["handshake refused from 192.0.2.7"] * 3, "2/10m")
    verdict = logs.judge_rates(result)
    assert not verdict.passed
    label = f"h/{tmp_path / 'mail.log'} scanner-probe"
    assert verdict.summary == f"{label}: 3 lines in 10 minutes at its peak, tolerated 2/10m"
    [comparison] = verdict.comparisons
    assert (comparison.measured, comparison.operator, comparison.limit) == (3, "<=", 2)  # the evidence table's
    assert logs.judge_rates(_rated(tmp_path, ["handshake refused from 192.0.2.7"] * 2, "2/h")).passed


def test_every_source_goes_through_one_filter_and_keeps_its_own_newest_lines(tmp_path: Path):
    """One grep and one awk for all of a host's sources: each source still gets its own count and its
    own newest ``max_lines`` candidates, a source without a final newline never swallows the next
    marker, and a missing file is still unreadable."""
    first, second, bare = tmp_path / "first.log", tmp_path / "second.log", tmp_path / "bare.log"
    first.write_text("".join(f"ERROR first {i}\n" for i in range(15)) + "INFO quiet\n")
    second.write_text("ERROR second 0\nINFO nothing\nERROR second 1\n")
    bare.write_text("INFO a\nERROR bare last")  # no newline at the end
    files = [str(first), str(tmp_path / "missing.log"), str(bare), str(second)]
    host = Host(name="h", backend="local://", logs={"containers": False, "files": files, "max_lines": 10})
    text = logs.command(host, 3600, ["ERROR"])
    assert text.count("grep ") == 1 and text.count("awk ") == 1
    output = subprocess.run(["sh", "-c", text], capture_output=True, text=True, check=True).stdout
    facts = logs.parse(output, host, 3600)
    found = {source.name: ([line.raw for line in source.lines], source.candidates, source.problem)
             for source in facts.sources}  # fmt: skip
    assert found == {
        str(first): ([f"ERROR first {i}" for i in range(5, 15)], 15, ""),
        str(tmp_path / "missing.log"): ([], 0, f"{tmp_path / 'missing.log'} is missing or not readable"),
        str(bare): (["ERROR bare last"], 1, ""),
        str(second): (["ERROR second 0", "ERROR second 1"], 2, ""),
    }
