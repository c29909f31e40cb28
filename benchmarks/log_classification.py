"""Log classification (LOG-01..04) against ``grep -E -c`` on the same data and patterns.

Generates realistic container logs (docker ``--timestamps`` lines: access logs, info
and debug lines, ~3% warnings and errors drawn from the knowledge base's examples and
from unknown errors, ids and addresses varying) and 100 patterns: the shipped ones
plus application patterns of the kind a user adds. Then, in the same run:

- ``grep -E -c -i -f`` with the 100 patterns (translated to ERE): the baseline;
- golive's pipeline: the host-side filter (``grep -a -i -F`` on the patterns'
  literals, the error words and the level and status statements) piped into the
  classifier, which gives every candidate its first matching pattern, or judges it
  by its stated level or HTTP status (an unknown error or warning template).

    .venv/bin/python benchmarks/log_classification.py            # 1 GB
    .venv/bin/python benchmarks/log_classification.py 256MB --keep
"""

from __future__ import annotations

import os
import random
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from golive.checks import logs
from golive.checks.log_levels import Level
from golive.checks.log_patterns import Classifier, shipped_patterns, template
from golive.inventory import LogPattern
from golive.units import parse_size

PATTERNS = 100
ACCESS = (
    '10.0.{a}.{b} - - [15/Feb/2026:20:{m:02d}:{s:02d} +0000] "GET /api/v1/items/{i} HTTP/1.1" 200 {n} "-" "Mozilla/5.0"'
)
INFO = 'level=info msg="request handled" path=/api/v1/orders/{i} duration={n}ms request_id={u:032x}'
DEBUG = "DEBUG cache hit key=user:{i} ttl={n}s shard={a}"
UNKNOWN = "ERROR: {svc} export job {i} aborted: ledger at 10.20.{a}.{b}:8443 answered {n}"


def user_patterns(count: int) -> list[LogPattern]:
    """Application patterns of the kind a user adds in hosts.yaml."""
    return [
        LogPattern(
            id=f"app-{k}",
            regex=rf"app{k} worker \d+ failed to sync shard \d+",
            severity="warning",
            explanation="x",
            remediation="y",
        )
        for k in range(count)
    ]


def generate(path: Path, size: int, patterns: list[LogPattern], seed: int = 7) -> int:
    rng = random.Random(seed)
    examples = [p.example for p in patterns if p.example] + [
        f"app{k} worker 3 failed to sync shard 9" for k in range(45)
    ]
    quiet = [
        fmt.format(
            a=rng.randrange(256),
            b=rng.randrange(256),
            m=rng.randrange(60),
            s=rng.randrange(60),
            i=rng.randrange(10**6),
            n=rng.randrange(10**5),
            u=rng.getrandbits(128),
        )
        for fmt in (ACCESS,) * 12 + (INFO,) * 5 + (DEBUG,) * 2
        for _ in range(5000)
    ]
    written = lines = 0
    with path.open("w") as out:
        while written < size:
            chunk = []
            for _ in range(20000):
                hour, minute = divmod(rng.randrange(1440), 60)
                stamp = f"2026-02-15T{hour:02d}:{minute:02d}:00.{rng.randrange(10**9):09d}Z"
                roll = rng.random()
                if roll < 0.02:
                    line = re.sub(r"\d+", lambda m: str(rng.randrange(1, 10 ** len(m.group()))), rng.choice(examples))
                elif roll < 0.03:
                    line = UNKNOWN.format(
                        svc=rng.choice(("billing", "invoice", "ledger")),
                        i=rng.randrange(10**5),
                        a=rng.randrange(256),
                        b=rng.randrange(256),
                        n=rng.choice((500, 502, 503)),
                    )
                else:
                    line = rng.choice(quiet)
                chunk.append(f"{stamp} {line}\n")
            text = "".join(chunk)
            out.write(text)
            written += len(text)
            lines += len(chunk)
    return lines


def to_ere(regex: str) -> str:
    """The same pattern for grep -E (-i is given to grep for all of them)."""
    ere = regex.replace("(?i)", "").replace("(?:", "(").replace(r"\d", "[0-9]").replace(r"\S", "[^[:space:]]")
    return ere.replace(r"\s", "[[:space:]]").replace(r"\w", "[[:alnum:]_]")


def grep_expressions(patterns: list[LogPattern]) -> tuple[list[str], list[str]]:
    """(each pattern's ERE that grep accepts, the ids of those it refuses: a back reference
    inside a lookahead has no ERE form)."""
    expressions = [to_ere(pattern.regex) for pattern in patterns]

    def accepts(chosen: list[str]) -> bool:
        command = ["grep", "-E", "-c", *(f"-e{expression}" for expression in chosen), "/dev/null"]
        return subprocess.run(command, capture_output=True, check=False).returncode <= 1

    if accepts(expressions):  # one grep for all, the usual case; each alone only when it refuses
        return expressions, []
    kept = [accepts([expression]) for expression in expressions]
    return (
        [expression for expression, ok in zip(expressions, kept, strict=True) if ok],
        [pattern.id for pattern, ok in zip(patterns, kept, strict=True) if not ok],
    )


def cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by this process and its waited-for children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of a command."""
    started, cpu = time.perf_counter(), cpu_seconds()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, cpu_seconds() - cpu, result.stdout.strip()


def classify_stream(data: Path, classifier: Classifier) -> tuple[float, float, float, int, dict[str, int], int]:
    """golive's pipeline: host filter | classifier.
    (total s, total CPU s, filter-only s, candidates, counts, unknown)."""
    # the data on the whole pipeline's standard input (``filter < data`` feeds its last grep only)
    # read by sh from a file, as a host's shell reads the log command: longer than one argument may be
    script = data.with_name(data.name + ".filter.sh")
    script.write_text(f"{{ {logs.host_filter(classifier.host_filter())}; }} < {shlex.quote(str(data))}\n")
    host_filter = f"sh {shlex.quote(str(script))}"
    filter_only, _, _ = timed(["sh", "-c", f"{host_filter} | wc -l"])
    source = classifier.for_source("bench")
    counts: dict[str, int] = {}
    unknown: dict[str, int] = {}
    candidates = 0
    started, cpu = time.perf_counter(), cpu_seconds()
    grep = subprocess.Popen(["sh", "-c", host_filter], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    assert grep.stdout is not None
    for raw in grep.stdout:
        candidates += 1
        line = logs._log_line("container", raw.rstrip("\n"))
        rule, level = source.judge(line.message, line.priority)
        if rule is not None:
            counts[rule.pattern.id] = counts.get(rule.pattern.id, 0) + 1
        elif level is not None and level >= Level.WARNING:
            key = template(line.message)
            unknown[key] = unknown.get(key, 0) + 1
    grep.wait()
    total, total_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return total, total_cpu, filter_only, candidates, counts, sum(unknown.values())


def main(argv: list[str]) -> None:
    os.environ["LC_ALL"] = "C"  # both greps byte-wise, as on a host whose locale is C/POSIX
    size = parse_size(next((a for a in argv if not a.startswith("--")), "1GB"))
    shipped = list(shipped_patterns())
    patterns = [*user_patterns(max(0, PATTERNS - len(shipped))), *shipped]
    classifier = Classifier(patterns)
    directory = Path(tempfile.mkdtemp(prefix="golive-bench-logs-"))
    data, ere = directory / "containers.log", directory / "patterns.ere"
    try:
        started = time.perf_counter()
        lines = generate(data, size, patterns)
        megabytes = data.stat().st_size / 1e6
        print(
            f"generated {megabytes:.0f} MB, {lines} lines in {time.perf_counter() - started:.0f} s; "
            f"{len(patterns)} patterns, {len(classifier.host_filter())} host-filter strings"
        )
        expressions, refused = grep_expressions(patterns)
        ere.write_text("\n".join(expressions) + "\n")
        if refused:  # the baseline without them is cheaper: the ratio errs in grep's favour
            print(f"left out of the grep -E baseline (not expressible in ERE): {', '.join(refused)}")
        timed(["cat", str(data)])  # warm the page cache for both
        baseline, baseline_cpu, matched = timed(["grep", "-E", "-c", "-i", "-f", str(ere), str(data)])
        if not matched.isdigit():
            raise SystemExit(f"log_classification: grep -E failed on the patterns: {matched!r}")
        total, total_cpu, filter_only, candidates, counts, unknown = classify_stream(data, classifier)
        print(
            f"candidates {candidates} ({100 * candidates / lines:.1f}% of lines), grep -E matched {matched}, "
            f"classified {sum(counts.values())} into {len(counts)} patterns, {unknown} unknown error lines"
        )
        print("| step | seconds | lines/s | MB/s |")
        print("|---|---:|---:|---:|")
        for name, seconds in (
            (f"grep -E -c -i -f ({len(patterns)} patterns), baseline", baseline),
            ("host filter alone: grep -F (literals, error words, levels, statuses), awk, grep -E", filter_only),
            ("golive: host filter piped into the classifier", total),
        ):
            print(f"| {name} | {seconds:.2f} | {lines / seconds:,.0f} | {megabytes / seconds:,.0f} |")
        print(
            f"ratio golive / grep -E: {total / baseline:.2f} (wall), {total_cpu / baseline_cpu:.2f} (CPU seconds: "
            f"{total_cpu:.2f} / {baseline_cpu:.2f}); load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if "--keep" in argv:
            print(f"kept {directory}")
        else:
            for path in (data, ere, data.with_name(data.name + ".filter.sh")):
                path.unlink(missing_ok=True)
            os.rmdir(directory)


if __name__ == "__main__":
    main(sys.argv[1:])
