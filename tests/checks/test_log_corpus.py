"""The classifier measured on golive's labelled corpus (tests/data/log_corpus.tsv).

The held-out rows were set aside before the patterns were written from the others:
their figures are what the knowledge base does on lines it was not made from. Every
row also goes through the real host-side filter command (``sh``, ``grep``), which
must keep every line the classifier reports.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path

import pytest

from golive.checks import logs
from golive.checks.log_levels import Level
from golive.checks.log_patterns import Classifier, shipped_patterns
from tests.conftest import run_sh

CORPUS = Path(__file__).parents[1] / "data" / "log_corpus.tsv"
SOURCES = Path(__file__).parents[1] / "data" / "log_corpus_sources.tsv"
CLASSES = ("critical", "warning", "acceptable", "benign")
DOCKER_STAMP = "2026-02-15T20:00:00.123456789Z "
# the goals on the held-out rows: each class's recall, and benign rows reported as findings
# (critical or warning: an acceptable pattern is a finding only above its rate) at most 1 %
RECALL_GOALS = {"critical": 0.95, "warning": 0.90, "acceptable": 0.90}
BENIGN_REPORTED_GOAL = 0.01


@dataclass(frozen=True)
class Row:
    expected: str
    split: str
    source: str
    line: str


def corpus() -> list[Row]:
    rows = []
    for number, text in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        if not text or text.startswith("#"):
            continue
        fields = text.split("\t")
        assert len(fields) == 4, f"{CORPUS.name}:{number}: expected 4 tab-separated fields"
        row = Row(*fields)
        assert row.expected in CLASSES and row.split in ("heldout", "train", "generic"), f"{CORPUS.name}:{number}"
        rows.append(row)
    return rows


ROWS = corpus()
CLASSIFIER = Classifier(shipped_patterns())


def classify(raw: str) -> str:
    """What LOG-01..04 make of one line a container printed: a class of the corpus."""
    line = logs._log_line("container", raw)
    rule, level = CLASSIFIER.for_source("corpus").judge(line.message, line.priority)
    if rule is not None:
        return rule.pattern.severity
    if level == Level.CRITICAL:
        return "critical"
    return "warning" if level in (Level.ERROR, Level.WARNING) else "benign"


def table(rows: list[Row]) -> tuple[str, dict[str, float], float]:
    """A per-class precision/recall table (markdown), each class's recall and the share of
    benign rows reported as findings."""
    got = [classify(DOCKER_STAMP + row.line) for row in rows]
    lines = ["| class | lines | classified as such | precision | recall |", "|---|---:|---:|---:|---:|"]
    recall = {}
    for name in CLASSES:
        relevant = [g for row, g in zip(rows, got, strict=True) if row.expected == name]
        predicted = [row for row, g in zip(rows, got, strict=True) if g == name]
        hits = sum(1 for g in relevant if g == name)
        recall[name] = hits / len(relevant) if relevant else 1.0
        precision = sum(1 for row in predicted if row.expected == name) / len(predicted) if predicted else 1.0
        lines.append(f"| {name} | {len(relevant)} | {hits} | {precision:.1%} | {recall[name]:.1%} |")
    benign = [g for row, g in zip(rows, got, strict=True) if row.expected == "benign"]
    reported = sum(1 for g in benign if g in ("critical", "warning")) / len(benign) if benign else 0.0
    lines.append(f"\nbenign lines reported as findings (critical or warning): {reported:.1%}")
    return "\n".join(lines), recall, reported


def test_corpus_is_large_and_at_least_a_quarter_is_held_out():
    held = [row for row in ROWS if row.split == "heldout"]
    assert len(ROWS) >= 400
    assert len(held) / len(ROWS) >= 0.25
    assert all(row.source.strip() and ":" in row.source for row in ROWS), "every row names its project: document"
    assert len({row.line for row in ROWS}) == len(ROWS), "no line twice"


def _readers(name: str, columns: int) -> list[list[str]]:
    text = (CORPUS.parent / name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert all(len(row) == columns for row in rows), name
    return rows


def test_second_readers_labels_are_of_corpus_lines_one_hundred_of_each_class():
    """log_corpus_second_reader.tsv: a second, blind reader's class for 400 lines held out when
    drawn (a project's rows retired later stay), 100 from each class of the first reader's labels
    (the corpus's, or the first column of log_corpus_third_reader.tsv where a third reader settled
    the line)."""
    labels = {row.line: row.expected for row in ROWS}
    rows = _readers("log_corpus_second_reader.tsv", 4)
    assert all(row[0] in CLASSES and row[1] in ("sure", "unsure") for row in rows)
    assert len({row[3] for row in rows}) == len(rows) == 400
    assert all(row[3] in labels for row in rows), "every second-read line is a corpus line"
    settled = {row[5]: row[0] for row in _readers("log_corpus_third_reader.tsv", 6)}
    first = collections.Counter(settled.get(row[3], labels[row[3]]) for row in rows)
    assert first == dict.fromkeys(CLASSES, 100)


def test_third_reader_settled_every_disagreement_and_the_corpus_keeps_the_majority():
    """log_corpus_third_reader.tsv: a third, blind reader's class for each line the first two
    readers put in different classes; the corpus labels it as two of the three did (the first
    reader's class where all three differ)."""
    labels = {row.line: row.expected for row in ROWS}
    second = {row[3]: row[0] for row in _readers("log_corpus_second_reader.tsv", 4)}
    rows = _readers("log_corpus_third_reader.tsv", 6)
    assert all(row[0] in CLASSES and row[1] in CLASSES and row[2] in CLASSES for row in rows)
    assert all(row[3] in ("sure", "unsure") and row[4].strip() for row in rows)
    assert all(second.get(row[5]) == row[1] != row[0] for row in rows), "the second reader's class, not the first's"
    unsettled = {line for line, cls in second.items() if cls != labels[line]} - {row[5] for row in rows}
    assert not unsettled, "every line the corpus and the second reader class differently was read a third time"
    for number, (first, second_class, third, *_, line) in enumerate(rows, 1):
        majority = third if third in (first, second_class) else first
        assert labels[line] == majority, f"row {number}: the corpus does not carry the majority's class"


def test_twelfth_set_was_read_three_times_and_the_corpus_keeps_the_majority():
    """log_corpus_set12_readers.tsv: each line of the twelfth held-out set with its writer's class,
    a second blind reader's and, where those two differ, a third blind reader's with its reason; the
    corpus labels each line as two of the three did (the writer's class where all three differ)."""
    by_line = {row.line: row for row in ROWS}
    rows = _readers("log_corpus_set12_readers.tsv", 6)
    assert len(rows) >= 1000 and len({row[5] for row in rows}) == len(rows)
    for number, (first, second, sure, third, reason, line) in enumerate(rows, 1):
        assert first in CLASSES and second in CLASSES and sure in ("sure", "unsure"), f"row {number}"
        if first == second:
            assert third == reason == "-", f"row {number}: a third reading where the first two agree"
            majority = first
        else:
            assert third in CLASSES and reason.strip() not in ("", "-"), f"row {number}: no third reading"
            majority = third if third in (first, second) else first
        assert line in by_line and by_line[line].split == "heldout", f"row {number}: not a held-out line"
        assert by_line[line].expected == majority, f"row {number}: the corpus does not carry the majority's class"


def test_checked_rows_name_the_file_their_message_was_found_in():
    """log_corpus_sources.tsv records, per checked line, the repository, commit, file and the
    format string found there; every held-out line is among them."""
    by_line = {row.line: row for row in ROWS}
    checked = set()
    for number, text in enumerate(SOURCES.read_text(encoding="utf-8").splitlines(), 1):
        if not text or text.startswith("#"):
            continue
        line, repository, commit, path, found = text.split("\t")
        assert line in by_line, f"{SOURCES.name}:{number}: not a corpus line"
        assert by_line[line].source.endswith(path), f"{SOURCES.name}:{number}: corpus names {by_line[line].source}"
        assert "/" in repository and len(commit) == 40 and found.strip(), f"{SOURCES.name}:{number}"
        checked.add(line)
    assert not [row.line for row in ROWS if row.split == "heldout" and row.line not in checked]


# what the current held-out rows measured (docs/logs.md): a floor, so that no change makes the
# patterns worse on lines they were not written from (set 6's 273 rows that stay held out, set 7's
# 864, set 8's 1,046 with round 10's catalogues of its projects in, set 9's 942 that stay held out with round 12's
# catalogues of its projects in, set 10's 919 that stay held out with round 14's, and set 11's
# 902 that stay held out with rounds 15 and 15b's, all with rounds 16 to 26's, and set 12's 1,018
# of the stacks, measured once with the patterns of round 26; labelled by the majority of
# three readers where a third settled the first two's disagreement, on every line of set 12). Empty, the two
# held-out tests fail loudly rather than pass on no figures.
HELD_OUT_FLOOR: dict[str, float] = {
    "critical": 924 / 1134,
    "warning": 1566 / 1848,
    "acceptable": 641 / 884,
    "benign": 2051 / 2098,
}
HELD_OUT_BENIGN_REPORTED_CEILING: float | None = 43 / 2098


def held_out_rows() -> list[Row]:
    """The held-out rows; none is a failure, never a pass: figures on no line measure nothing."""
    held = [row for row in ROWS if row.split == "heldout"]
    if not held:
        pytest.fail("no held-out rows: the corpus has no lines the patterns were not written from")
    return held


def assert_figures_hold(rows: list[Row], floor: dict[str, float], ceiling: float) -> None:
    """Each class's recall on ``rows`` at or above its floor, benign rows reported at or under the ceiling."""
    text, recall, reported = table(rows)
    for name, least in floor.items():
        assert recall[name] >= least - 1e-9, f"{name}: recall {recall[name]:.1%} fell below {least:.1%}\n{text}"
    assert reported <= ceiling + 1e-9, f"benign reported {reported:.1%}\n{text}"


def test_held_out_rows_hold_their_measured_figures():
    held = held_out_rows()
    if not HELD_OUT_FLOOR or HELD_OUT_BENIGN_REPORTED_CEILING is None:
        pytest.fail(f"the held-out rows' figures are not recorded as a floor yet; measured now:\n{table(held)[0]}")
    assert_figures_hold(held, HELD_OUT_FLOOR, HELD_OUT_BENIGN_REPORTED_CEILING)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # no held-out rows (pytest.fail) is a failure, not an expected one
    reason="the goals are not met on the fresh held-out rows (docs/logs.md); when they are, drop this mark",
)
def test_held_out_rows_meet_the_goals(capsys: pytest.CaptureFixture[str]):
    held = held_out_rows()
    text, recall, reported = table(held)
    with capsys.disabled():
        print(f"\nheld-out rows ({len(held)}):\n{text}")
    misses = [f"{row.expected} → {classify(DOCKER_STAMP + row.line)}: {row.line[:100]}" for row in held
              if classify(DOCKER_STAMP + row.line) != row.expected]  # fmt: skip
    for name, goal in RECALL_GOALS.items():
        assert recall[name] >= goal, f"{name}: recall {recall[name]:.1%} < {goal:.0%}\n" + "\n".join(misses)
    assert reported <= BENIGN_REPORTED_GOAL, f"benign reported {reported:.1%}\n" + "\n".join(misses)


# what the generic rows measured (docs/logs.md): lines of services no pattern names, judged by the
# rules that read a line's level and words; a floor, so that no change of those rules makes them worse
GENERIC_FLOOR: dict[str, float] = {
    "critical": 109 / 223,
    "warning": 187 / 218,
    "acceptable": 34 / 186,
    "benign": 186 / 194,
}
GENERIC_BENIGN_REPORTED_CEILING = 8 / 194


def test_generic_rows_hold_their_measured_figures():
    generic = [row for row in ROWS if row.split == "generic"]
    assert generic, "no generic rows: the rules that judge by level and words are measured on nothing"
    assert_figures_hold(generic, GENERIC_FLOOR, GENERIC_BENIGN_REPORTED_CEILING)


def test_training_rows_are_classified_as_labelled():
    train = [row for row in ROWS if row.split == "train"]
    wrong = [f"{row.expected} → {classify(DOCKER_STAMP + row.line)}: {row.line[:120]}" for row in train
             if classify(DOCKER_STAMP + row.line) != row.expected]  # fmt: skip
    assert len(wrong) <= len(train) // 50, "\n".join(wrong)


def test_host_filter_drops_no_line_the_classifier_reports(tmp_path: Path):
    """Every corpus line through the real host filter (sh + grep), then the classifier: the same class."""
    lines = [DOCKER_STAMP + row.line for row in ROWS]
    data = tmp_path / "lines.log"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the data on the pipeline's standard input (``filter < data`` would feed its last grep only)
    kept = run_sh(
        logs.host_filter(CLASSIFIER.host_filter()), stdin=data.open("rb"),
        capture_output=True, check=False, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
    ).stdout.decode().splitlines()  # fmt: skip
    dropped = set(lines) - set(kept)
    wrong = [f"{classify(line)}: {line}" for line in sorted(dropped) if classify(line) != "benign"]
    assert not wrong, "the host filter drops lines the classifier reports:\n" + "\n".join(wrong)
    assert dropped, "the filter keeps only candidates: some benign lines are dropped"


def _as_json_file(message: str) -> str:
    """The line as the engine's json-file holds it (moby's ``jsonlog``), then as the host keeps it."""
    escapes = {"\\": "\\\\", '"': '\\"', "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
    body = "".join(escapes.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in message)
    return f'{{"log":"{body}\\n","stream":"stdout","time":"{DOCKER_STAMP.strip()}"}}'


def test_host_filter_keeps_every_reported_line_in_its_json_file_form(tmp_path: Path):
    """Every corpus line the classifier reports, written as the engine's json-file writes it
    (quotes, backslashes, <, > and & escaped), is kept by the filter the log command uses for
    container logs read from their files."""
    reported = [row.line for row in ROWS if classify(DOCKER_STAMP + row.line) != "benign"]
    data = tmp_path / "json.log"
    data.write_text("".join(_as_json_file(line) + "\n" for line in reported), encoding="utf-8")
    strings = CLASSIFIER.host_filter()
    kept = run_sh(
        logs.host_filter((*strings, *logs.docker_json_forms(strings))), stdin=data.open("rb"),
        capture_output=True, check=False, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
    ).stdout.decode().splitlines()  # fmt: skip
    dropped = len(reported) - len(set(kept) & {_as_json_file(line) for line in reported})
    assert reported and not dropped, f"the filter drops {dropped} of {len(reported)} reported lines in json-file form"
    escaped = [line for line in reported if any(c in line for c in '"<>&\\')]
    assert len(escaped) > 100  # the escapes are exercised, not only plain lines
