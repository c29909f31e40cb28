"""Log lines are redacted before anything is derived from them, and cut without leaving part of a secret.

The host side is the real log command (``sh``, ``grep``, ``awk``) run here over a
log file the test writes; what it prints is parsed, classified and described as in
a run.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shlex
import shutil
from pathlib import Path

import pytest

from golive.checks import logs
from golive.checks.log_patterns import Classifier
from golive.errors import TargetError
from golive.evidence import MAX_LINE_CHARS, clean
from golive.inventory import Host, LogPattern
from golive.redact import redact
from tests.conftest import run_sh

KNOWN = "knownlogsecret-Q7vX2pLm"  # a value golive knows is secret (as a container's env value)
API_KEY = "apikeysecret-R4tW9nBz"


def _classified(tmp_path: Path, lines: list[str]) -> logs.Classified:
    log = tmp_path / "app.log"
    log.write_text("".join(f"{line}\n" for line in lines))
    host = Host(name="h", backend="local://", logs={"containers": False, "files": [str(log)]})
    classifier = Classifier(())
    command = logs.command(host, 3600, classifier.host_filter())
    output = run_sh(command, capture_output=True, text=True, check=True).stdout
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
    output = run_sh(
        logs.command(host, 3600, classifier.host_filter()), capture_output=True, text=True, check=True
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
    output = run_sh(text, capture_output=True, text=True, check=True).stdout
    facts = logs.parse(output, host, 3600)
    found = {source.name: ([line.raw for line in source.lines], source.candidates, source.problem)
             for source in facts.sources}  # fmt: skip
    assert found == {
        str(first): ([f"ERROR first {i}" for i in range(5, 15)], 15, ""),
        str(tmp_path / "missing.log"): ([], 0, f"{tmp_path / 'missing.log'} is missing or not readable"),
        str(bare): (["ERROR bare last"], 1, ""),
        str(second): (["ERROR second 0", "ERROR second 1"], 2, ""),
    }


def _engine_line(message: str, when: dt.datetime, stream: str = "stdout", attrs: str = "") -> str:
    """A line as the engine's json-file writer (moby's ``jsonlog``) writes it, escapes spelled out by hand."""
    escaped = (message.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\u003c").replace(">", "\\u003e")
               .replace("&", "\\u0026").replace("\t", "\\u0009"))  # fmt: skip
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"
    extra = f',"attrs":{attrs}' if attrs else ""
    return f'{{"log":"{escaped}\\n","stream":"{stream}"{extra},"time":"{stamp}"}}\n'


def _fake_docker(tmp_path: Path, listing: str, logs_line: str) -> dict[str, str]:
    """A ``docker`` on PATH answering the log command's three calls as an engine would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  ps) [ "$2" = -aq ] && printf "aaa\\nbbb\\n" || exit 3;;\n'
        f"  inspect) printf '%s\\n' {shlex.quote(listing)};;\n"
        f"  logs) printf '%s\\n' {shlex.quote(logs_line)};;\n"
        "esac\n"
    )
    (bin_dir / "docker").chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "LANG": "C.UTF-8"}


def test_json_file_logs_read_as_docker_logs_prints_them(tmp_path: Path):
    """A container logging to the engine's json-file is read from the file: the rotated files
    first (gzip-compressed or not, none last written before the window), only lines of the
    window, each line's escapes undone, strings with a quote or a ``<`` still found; a
    container of another driver through ``docker logs``; one logging to none named in a
    note; each source keeps its own newest lines."""
    now = dt.datetime.now(dt.UTC)
    old, recent = now - dt.timedelta(hours=3), now - dt.timedelta(minutes=5)
    path = tmp_path / "aaa-json.log"
    with gzip.open(f"{path}.2.gz", "wt") as rotated:
        rotated.write(_engine_line("ERROR long ago, before the window", old))
        rotated.write(_engine_line("ERROR oldest in the window", recent))
    stale = Path(f"{path}.3")  # last written before the window: not read (its line would be)
    stale.write_text(_engine_line("ERROR in a file older than the window", recent))
    os.utime(stale, (old.timestamp(), old.timestamp()))
    fillers = "".join(_engine_line(f"ERROR filler {i}", recent) for i in range(9))
    level = _engine_line('{"level":"error","msg":"a <b> & c"}', recent)
    Path(f"{path}.1").write_text(_engine_line("INFO quiet", recent) + fillers + level)
    path.write_text(
        _engine_line('ERROR\tsaid "no" to C:\\temp', recent, stream="stderr")
        + _engine_line("ERROR with attrs", recent, attrs='{"tag":"x","time":"1"}')
        + '{"stream":"stdout","time":"2099-01-01T00:00:00Z"}\n'  # an empty message: the engine leaves "log" out
        + _engine_line("ERROR newest", now)
    )
    listing = f"/app registry.example/app:1 json-file {path}\n/other busybox journald \n/quiet busybox none "
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    env = _fake_docker(tmp_path, listing, f"{stamp} ERROR read by docker logs")
    host = Host(name="h", backend="local://", logs={"containers": True, "max_lines": 10})
    command = logs.command(host, 3600, ['"level":"error"', "error"])
    output = run_sh(command, capture_output=True, text=True, check=True, env=env).stdout
    facts = logs.parse(output, host, 3600)
    found = {source.name: ([line.message for line in source.lines], source.candidates, source.image)
             for source in facts.sources}  # fmt: skip
    assert found == {
        "app": (
            [
                *(f"ERROR filler {i}" for i in range(3, 9)),
                '{"level":"error","msg":"a <b> & c"}',
                'ERROR\tsaid "no" to C:\\temp',
                "ERROR with attrs",
                "ERROR newest",
            ],
            14,
            "registry.example/app:1",
        ),
        "other": (["ERROR read by docker logs"], 1, "busybox"),
    }
    assert facts.notes == ["quiet: not read: its log driver is none, the engine keeps none of its lines"]
    [newest] = [line for line in facts.sources[0].lines if line.message == "ERROR newest"]
    assert newest.time == int(now.timestamp())  # the time of the line, to the second as docker logs gives it


def test_containers_are_read_through_docker_logs_when_their_file_is_not_readable(tmp_path: Path):
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    missing = tmp_path / "missing-json.log"
    env = _fake_docker(tmp_path, f"/app img json-file {missing}", f"{stamp} ERROR from the engine")
    host = Host(name="h", backend="local://", logs={"containers": True})
    output = run_sh(logs.command(host, 3600, ["error"]), capture_output=True, text=True,
                            check=True, env=env).stdout  # fmt: skip
    [source] = logs.parse(output, host, 3600).sources
    assert [line.message for line in source.lines] == ["ERROR from the engine"]


def test_a_json_file_line_cut_on_the_host_keeps_what_can_be_read():
    assert logs._from_json_file('2026-12-03T10:00:00Z ERROR \\"quoted\\" and \\u003') == (
        '2026-12-03T10:00:00Z ERROR "quoted" and '
    )
    assert logs.docker_json_forms(['"level":"error"', "plain", "a<b"]) == ('\\"level\\":\\"error\\"', "a\\u003cb")


def test_a_loose_string_keeps_a_line_only_with_another_string_or_its_stricter_expression(tmp_path: Path):
    """klog's ``.go:`` is in every Go service's ``caller=`` field and HAProxy's digit, space and
    status in many lines: a line they alone kept stays only if it holds another string or
    matches their stricter expression (a klog header, HAProxy's timers before the status).
    Every line comes out in order, unchanged, through two ``grep -F`` and no ``grep -E``."""
    real = shutil.which("grep", path="/usr/bin:/bin")
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "grep").write_text(f'#!/bin/sh\necho "$3" >> {calls}\nexec {real} "$@"\n')  # -a -i -E|-F
    (bin_dir / "grep").chmod(0o755)
    mark = "@@golive-test logs"
    haproxy = '10.0.0.1:4242 [04/Dec/2026:10:00:00.000] fe be/s1 0/0/1/-1/+2 {} 212 - - ---- 1/1/0/0/0 0/0 "GET /"'
    klog, glog, odd = (
        "E1203 10:55:39.123456       1 reflector.go:123] watch failed",
        "W1203 04:10:11.000001 master.go:120 volume grow failed",
        "\x01golive\x01 a line starting as the mark does: error",
    )
    data = [
        f"{mark} keep", "ERROR a1", "level=error caller=main.go:12 msg=kept", "caller=main.go:13 msg=routine",
        "ERROR a2", f"{mark} keep", "ERROR b1", "INFO b2", f"{mark} container web-2 5.0", haproxy.format(503),
        haproxy.format(200), klog, "I1203 10:55:39 x.go:1] ok", glog, odd,
    ]  # fmt: skip
    command = logs.host_filter(("error", ".go:", *(f"{digit} 5" for digit in "0123456789")), passing=mark)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    kept = run_sh(command, input="\n".join(data) + "\n", capture_output=True, text=True, env=env).stdout.splitlines()
    assert kept == [
        f"{mark} keep", "ERROR a1", "level=error caller=main.go:12 msg=kept", "ERROR a2", f"{mark} keep", "ERROR b1",
        f"{mark} container web-2 5.0", haproxy.format(503), klog, glog, odd,
    ]  # fmt: skip
    assert calls.read_text().split() == ["-F", "-F"]


def test_a_failing_filter_or_a_read_cut_short_is_an_error_not_a_quiet_log(tmp_path: Path):
    """A grep of the host filter that fails (status 2: a host's grep refusing an option or an
    expression) loses lines no verdict may read as "nothing found"; so does a read that ends
    before every declared source and the containers' loop said they were done."""
    log = tmp_path / "app.log"
    log.write_text("ERROR one\ncaller=main.go:12 level=error msg=two\n")
    host = Host(name="h", backend="local://", logs={"containers": False, "files": [str(log)]})
    real = {name: shutil.which(name, path="/usr/bin:/bin") for name in ("grep", "awk")}
    # the first grep (its strings start with "error"), the second (with the awk's mark), each awk
    failing = [("grep", "$5", "error"), ("grep", "$5", "?golive?"), ("awk", "$3", "*tolower*"),
               ("awk", "$3", "*substr*")]  # fmt: skip
    for index, (name, arg, pattern) in enumerate(failing):
        bin_dir = tmp_path / f"bin{index}"
        bin_dir.mkdir()
        (bin_dir / name).write_text(f'#!/bin/sh\ncase "{arg}" in {pattern}) exit 2;; esac\nexec {real[name]} "$@"\n')
        (bin_dir / name).chmod(0o755)
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
        output = run_sh(logs.command(host, 3600, ["error", ".go:"]), capture_output=True, text=True, env=env).stdout
        with pytest.raises(TargetError, match="h: the host's log filter \\(grep\\) failed with status 2"):
            logs.parse(output, host, 3600)
    mark = logs._mark()
    cut = f"{mark} now 1796300000\n{mark} docker ok\n{mark} container app img\n{mark} lines 0\n"
    containers = Host(name="h", backend="local://", logs={"files": [str(log)]})
    with pytest.raises(TargetError, match=f"h: the log read was cut short before log file {log}, the containers"):
        logs.parse(cut, containers, 3600)
    assert logs.parse(cut + f"{mark} docker done\n{mark} file {log}\n{mark} lines 0\n", containers, 3600).sources


def test_a_container_log_file_that_cannot_be_read_is_an_error(tmp_path: Path):
    """A rotated json-file that does not decompress loses its lines: an error, not a quiet container."""
    path = tmp_path / "aaa-json.log"
    path.write_text(_engine_line("INFO now", dt.datetime.now(dt.UTC)))
    Path(f"{path}.1.gz").write_text("not gzip\n")
    env = _fake_docker(tmp_path, f"/app img json-file {path}", "")
    host = Host(name="h", backend="local://", logs={"containers": True})
    output = run_sh(logs.command(host, 3600, ["error"]), capture_output=True, text=True, env=env).stdout
    with pytest.raises(TargetError, match=f"h: container log file {path}.1.gz could not be read"):
        logs.parse(output, host, 3600)
