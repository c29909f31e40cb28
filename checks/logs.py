"""Log evidence (LOG-01..04): every container's logs, journald units and log files of a
host for the window, read in ONE command per host and classified against the known
patterns (``checks/log_patterns.py``).

The command lists the containers (name, image, log driver and log file: ``docker ps
-aq`` and one ``docker inspect``) and reads each container's lines of the window: the
engine's own json-file (first its rotated files last written in the window) where the
container logs to one and the file is readable, which costs the host a ``cat`` instead
of a docker CLI call and the engine's decoding of every line; ``docker logs --timestamps
--since <window>`` otherwise (another log driver, or a user who may reach the engine but
not its files); a container whose log driver is ``none`` is named in a note, with
nothing to read.
Then ``journalctl -u UNIT --since @<epoch> -o short-iso`` for each declared unit where
systemd runs (lines of priority warning or worse prefixed with ``<N>``, printed last
so that the cap keeps them), and the last ``max_file_bytes`` of each declared file.
Every source goes through the same host-side filter, ``grep -F -i`` on the knowledge
base's literals, the error words and the level and error-status statements
(``checks/log_levels.py``) and, for json-file lines, the same strings as the engine
escapes them; it keeps at most ``max_lines`` candidate lines (the newest), printing
how many there were: megabytes, not gigabytes, cross the wire. Sources are separated
by marker lines carrying a nonce no log line can know; a grep of the filter that fails
says so on such a line, and a read that does not reach every source's marker is an error.

A longer line is cut on the host at twice the display length, dropping the token the
cut goes through (it may be part of a secret no rule would recognize any more); here
each line is redacted before anything else reads it, so its message, pattern group,
template and suggested entry are all made from redacted text, and it is cut to the
display length only after that.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from golive.checks.log_levels import Level, confirming_ere, split_priority, uncoloured
from golive.checks.log_patterns import Classifier, Rule, knowledge_base, parse_rate, shared, suggestion, template
from golive.errors import TargetError
from golive.evidence import MAX_LINE_CHARS, Comparison, Verdict
from golive.facts import RemoteHost, session_fact_command, wire
from golive.inventory import Host, Inventory, LogPattern, LogPolicy
from golive.redact import redact, shorten

HOST_LINE_CHARS = 2 * MAX_LINE_CHARS
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?\s?")
_JOURNAL_PREFIX = re.compile(r"^\S+ [^\s:\[]+(?:\[\d+\])?: ")


@dataclass(frozen=True)
class LogLine:
    """One candidate line: its time (epoch seconds, None when unknown), message and whole text,
    both redacted (patterns are matched against the redacted message)."""

    time: float | None
    message: str
    raw: str
    priority: int | None = None


@dataclass
class Source:
    """One log source of a host: a container, a journald unit or a file."""

    kind: str
    name: str
    image: str = ""
    lines: list[LogLine] = field(default_factory=list)
    candidates: int = 0
    problem: str = ""

    @property
    def truncated(self) -> bool:
        return self.candidates > len(self.lines)


@dataclass
class LogFacts:
    """What a host's log command found."""

    host: str
    now: float
    window: float
    sources: list[Source]
    notes: list[str]
    readable: bool = False

    def label(self, source: Source) -> str:
        return f"{self.host}/{source.name}"

    def container(self, name: str) -> Source | None:
        """A container's source (None: its logs were not read: excluded, or no engine)."""
        return next((s for s in self.sources if s.kind == "container" and s.name == name), None)


def _mark() -> str:
    # the run's nonce (golive/facts/wire.py), the same all session: the command and its cached result stay the same
    return f"{wire.marker(wire.run_nonce())} logs"


# Marks the lines the filter's awk has already decided to keep; a control character no log
# line starts with in practice (one that does is kept, and shows without those characters)
_KEPT = "\x01golive\x01"


def host_filter(filter_strings: Sequence[str], passing: str = "") -> str:
    """The host-side filter: a shell command keeping the lines of its input that contain a string.

    ``grep -F`` on all the strings; when some of them are loose (``confirming_ere``: the
    klog literal ``.go:``, which Go services' ``caller=`` fields hold too, and the digit,
    space and status HAProxy writes), a line a loose string kept stays only if it holds
    another string or matches that loose string's stricter expression. ``awk`` marks the
    lines that need no second look (no loose string in them, or a stricter expression
    matched), a second ``grep -F`` on the other strings and the mark keeps the marked lines
    and those of the rest holding another string, and a last ``awk`` takes the marks off:
    the lines keep their order, and no ``grep -E`` of thousands of expressions is compiled on
    the host. A line starting with ``passing`` (the command's framing marker) always passes.
    A ``grep`` or ``awk`` that fails says so in a ``passing`` line. Every part runs in the C
    locale: the strings are ASCII, and ``grep -i`` in a UTF-8 locale (a host's usual
    ``LANG``) costs up to twenty times as much CPU on the same lines.
    """
    return _host_filter(tuple(filter_strings), passing)


@functools.lru_cache(maxsize=16)
def _host_filter(filter_strings: tuple[str, ...], passing: str) -> str:
    """``host_filter``'s text, written once per filter (a host's command is built by every test asking for it)."""
    marker = [passing] if passing else []
    first = _checked(_grep_f([*filter_strings, *marker]), passing)
    loose = {text: ere for text in filter_strings if (ere := confirming_ere(text))}
    if not loose:
        return first
    holds = " || ".join(f"index(l, {_awk_string(text.lower())})" for text in loose)
    confirmed = " || ".join(f"l ~ {_awk_string(ere)}" for ere in sorted(set(loose.values())))
    mark = f"{{ l = tolower($0) }} ({holds}) && !({confirmed}) {{ print; next }} {{ print k $0 }}"
    second = _checked(_grep_f([_KEPT, *(text for text in filter_strings if text not in loose), *marker]), passing)
    unmark = "index($0, k) == 1 { $0 = substr($0, length(k) + 1) } { print }"
    awk = [_checked(f"LC_ALL=C awk -v k={shlex.quote(_KEPT)} {shlex.quote(program)}", passing, ok=0)
           for program in (mark, unmark)]  # fmt: skip
    return f"{first} | {awk[0]} | {second} | {awk[1]}"


def _grep_f(strings: Iterable[str]) -> str:
    """``grep`` keeping the lines holding one of ``strings`` (case-insensitive, ASCII)."""
    return "LC_ALL=C grep -a -i -F " + " ".join(f"-e {shlex.quote(text)}" for text in strings)


def _checked(command: str, passing: str, ok: int = 1) -> str:
    """``command`` followed, when its status is above ``ok`` (``grep``'s 1 is "no line kept"),
    by a ``passing`` line saying so: lines a broken filter lost must not read as a quiet log."""
    if not passing:
        return command
    return f'{{ {command}; s=$?; [ "$s" -le {ok} ] || echo {shlex.quote(passing)}" filter-failed $s"; }}'


def _awk_string(text: str) -> str:
    """``text`` as an awk string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def command(host: Host, window: float, filter_strings: Sequence[str]) -> str:
    """The host's one log command (containers, units, files), with the host-side filter.

    Every source's lines go through ONE filter and ONE ``awk``: each source opens with a
    ``keep`` marker line, which the filter lets through and on which ``awk`` starts the
    source's own count and ring of its newest ``max_lines`` lines; the other marker lines
    pass as they are. (A filter per source would start its ``grep`` processes, and compile
    the knowledge base's strings, once per container, unit and file.)
    """
    return _command(host.logs, int(window), tuple(filter_strings), _mark())


@functools.lru_cache(maxsize=64)
def _command(policy: LogPolicy, seconds: int, filter_strings: tuple[str, ...], mark: str) -> str:
    """``command``'s text, one string for every host of the same log policy: it holds the
    host filter's 1,600 strings (about 100 kB), which a fleet would otherwise hold once per
    host, twice (the batch and the tests' read)."""
    awk = (
        f"awk -v max={policy.max_lines} -v m={shlex.quote(mark)} "
        "'function flush() { if (open) { s = n > max ? n - max + 1 : 1; "
        'for (i = s; i <= n; i++) print b[i % max]; print m " lines " n; open = 0 } } '
        'index($0, m " ") == 1 { flush(); if ($0 == m " keep") { open = 1; n = 0; js = 0 } '
        'else if (index($0, m " keepjson ") == 1) { open = 1; n = 0; js = 1; since = substr($0, length(m) + 11); '
        'print m " json" } else print; next } '
        # a json-file line: {"log":"ESCAPED","stream":"stdout"[,"attrs":{...}],"time":"RFC3339"}; inside
        # ESCAPED every quote is escaped, so its first "," is its end; kept as "TIME ESCAPED" if in the window
        'open && js { if (index($0, "{\\"log\\":\\"") != 1 || !match($0, /"time":"[^"]*"}$/)) next; '
        "t = substr($0, RSTART + 8, RLENGTH - 10); if (substr(t, 1, 19) < since) next; "
        '$0 = t " " substr($0, 9, index($0, "\\",\\"") - 9) } '
        f"open {{ l = $0; if (length(l) > {HOST_LINE_CHARS}) {{ l = substr(l, 1, {HOST_LINE_CHARS}); "
        'sub(/[^ \\t]+$/, "", l) } n++; b[n % max] = l } '
        "END { flush() }'"
    )
    # ``keep``: the lines that follow are a source's own, up to the next marker line (printf
    # '\n' first: a source whose last line has no newline must not swallow the marker)
    parts = [f"m={shlex.quote(mark)}", 'now=$(date +%s); echo "$m now $now"', "rc=absent"]
    sources = []
    if policy.containers:
        skip = f'case "$name" in {"|".join(policy.exclude)}) continue;; esac; ' if policy.exclude else ""
        inspect = "{{.Name}} {{.Config.Image}} {{.HostConfig.LogConfig.Type}} {{.LogPath}}"
        parts.append(
            "if command -v docker >/dev/null 2>&1; then\n"
            "  list=$(docker ps -aq 2>&1); rc=$?\n"
            '  if [ "$rc" = 0 ] && [ -n "$list" ]; then\n'
            # a container removed between the two calls fails the inspect: then the names alone
            f"    list=$(docker inspect --format '{inspect}' $list 2>/dev/null) ||\n"
            "      { list=$(docker ps -a --format '{{.Names}} {{.Image}} - -' 2>&1); rc=$?; }\n"
            "  fi\n"
            '  if [ "$rc" -ne 0 ]; then echo "$m docker-error $rc"; printf \'%s\\n\' "$list" | head -n 5; fi\n'
            f'  since=$(date -u -d "@$((now - {seconds}))" +%Y-%m-%dT%H:%M:%S 2>/dev/null)\n'
            'else echo "$m docker absent"; fi'
        )
        sources.append(
            'if [ "$rc" = 0 ]; then echo "$m docker ok"\n'
            "printf '%s\\n' \"$list\" | while read -r name image driver path; do\n"
            f'  name=${{name#/}}; [ -n "$name" ] || continue; {skip}\n'
            '  if [ "$driver" = none ]; then echo "$m nolog $name"; continue; fi; echo "$m container $name $image"\n'
            '  if [ "$driver" = json-file ] && [ -n "$since" ] && [ -r "$path" ]; then echo "$m keepjson $since"\n'
            '    i=1; while [ -e "$path.$i" ] || [ -e "$path.$i.gz" ]; do i=$((i + 1)); done\n'
            # a rotated file last written before the window holds no line of it (the engine skips those too)
            '    while [ "$i" -gt 1 ]; do i=$((i - 1)); f="$path.$i"; [ -e "$f" ] || f="$f.gz"\n'
            f'      t=$(stat -c %Y -- "$f" 2>/dev/null) && [ "$t" -lt "$((now - {seconds}))" ] && continue\n'
            '      case "$f" in *.gz) gzip -dc -- "$f";; *) cat -- "$f";; esac 2>/dev/null ||\n'
            '        echo "$m read-failed $f"\n'
            "    done\n"
            '    cat -- "$path" 2>/dev/null || echo "$m read-failed $path"\n'
            f'  else echo "$m keep"; docker logs --timestamps --since {seconds}s "$name" 2>&1; fi; printf \'\\n\'\n'
            'done; echo "$m docker done"; fi'
        )
        filter_strings = (*filter_strings, *docker_json_forms(filter_strings))
    if policy.units:
        units = " ".join(shlex.quote(unit) for unit in policy.units)
        sources.append(
            "if command -v journalctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then\n"
            f'  for u in {units}; do echo "$m unit $u"; echo "$m keep"\n'
            f'    j() {{ journalctl -u "$u" --since "@$((now - {seconds}))" -o short-iso --no-pager -q -p "$1" 2>&1; }}'
            "\n"
            "    j 5..7; j 4..4 | sed 's/^/<4>/'; j 3..3 | sed 's/^/<3>/'; j 0..2 | sed 's/^/<2>/'\n"
            "    printf '\\n'; done\n"
            'else echo "$m journald absent"; fi'
        )
    for path in policy.files:
        quoted = shlex.quote(path)
        sources.append(
            f"printf '%s file %s\\n' \"$m\" {quoted}; if [ -r {quoted} ]; "
            f"then echo \"$m keep\"; tail -c {policy.max_file_bytes} -- {quoted}; printf '\\n'; "
            'else echo "$m unreadable"; fi'
        )
    if sources:
        body = "\n".join(sources)
        parts.append(f"{{\n{body}\n}} | {host_filter(filter_strings, passing=mark)} | {awk}")
    return "\n".join(parts)


_JSON_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _json_escaped(text: str) -> str:
    """``text`` as the engine's json-file writes it (moby's ``jsonlog``: quote, backslash, <, >, &
    and control characters escaped)."""
    return "".join(_JSON_ESCAPES.get(c, f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in text)


def docker_json_forms(filter_strings: Sequence[str]) -> tuple[str, ...]:
    """The filter strings that read otherwise in a json-file line, as they read there: with
    them the filter keeps every json-file line whose message holds a string."""
    escaped = (_json_escaped(text) for text in filter_strings)
    return tuple(dict.fromkeys(text for text in escaped if text not in filter_strings))


def _batched(host: Host, inventory: Inventory) -> str | None:
    """The host's log command as LOG-01..04 build it: it depends only on the run's window and
    patterns, so it joins the host's one batched round trip."""
    if not has_sources(host):
        return None
    classifier = shared(
        knowledge_base(inventory.log_patterns), host.logs.access_error_statuses, host.logs.client_errors_rate
    )
    return command(host, inventory.window, classifier.host_filter())


# REL-02 shows a restart-looping container's last lines from the same read
session_fact_command(_batched, criteria=("LOG-01", "LOG-02", "LOG-03", "LOG-04", "REL-02"))


def parse(output: str, host: Host, window: float) -> LogFacts:
    """Split the command's output back into sources of timed lines."""
    mark = f"{_mark()} "
    now: float | None = None
    sources: list[Source] = []
    notes: list[str] = []
    current: Source | None = None
    docker_error: list[str] | None = None
    engine_json = False
    readable = bool(host.logs.files)
    said: set[str] = set()  # the markers every source's read ends with or announces itself by
    for line in output.split("\n"):
        if line.startswith(mark):
            word, _, rest = line[len(mark) :].partition(" ")
            said.add(
                f"{word} {rest}"
                if word in ("docker", "unit", "file", "journald", "filter-failed", "read-failed")
                else word
            )
            if word == "now" and rest.strip().isdigit():
                now = float(rest)
            elif word == "docker" and rest == "ok":
                readable = True
            elif word in ("container", "unit", "file"):
                readable = readable or word == "unit"
                # a container line is "NAME IMAGE"; a unit or file is all of the rest (a path may hold spaces)
                name, _, image = rest.partition(" ") if word == "container" else (rest, "", "")
                current = Source(word, name, image.strip())
                sources.append(current)
                engine_json = False
            elif word == "json" and current is not None:
                engine_json = True
            elif word == "lines" and current is not None:
                current.candidates = int(rest) if rest.strip().isdigit() else len(current.lines)
                current = None
            elif word == "unreadable" and current is not None:
                current.problem = f"{current.name} is missing or not readable"
                current = None
            elif word == "nolog":
                notes.append(f"{rest}: not read: its log driver is none, the engine keeps none of its lines")
                current = None
            elif word == "docker" and rest == "absent":
                notes.append("containers: not applicable (no docker command on the host)")
            elif word == "docker-error":
                docker_error = []
                current = None
            continue
        if docker_error is not None and current is None and line.strip():
            docker_error.append(line.strip())
        elif current is not None and line:
            current.lines.append(_log_line(current.kind, _from_json_file(line) if engine_json else line))
    if now is None:
        raise TargetError(f"{host.name}: the log command printed no clock; it was cut short or failed")
    if docker_error is not None:
        # the same rule as the container criteria: only a host without the docker CLI has no container logs
        raise TargetError(
            f"{host.name}: docker ps failed, container logs unreadable: {shorten(' '.join(docker_error), 300)}"
        )
    if "journald absent" in said:
        raise TargetError(
            f"{host.name}: logs.units {', '.join(host.logs.units)} are declared, but systemd does not run on the host"
        )
    _check_complete(said, host)
    facts = LogFacts(host.name, now, window, sources, notes, readable)
    for source in sources:
        if source.kind == "file":  # files are not filtered by the window on the host: lines with a time are here
            source.lines = [ln for ln in source.lines if ln.time is None or ln.time >= now - window]
    return facts


def _check_complete(said: set[str], host: Host) -> None:
    """TargetError unless every part of the host's log read said it ran to its end: a filter
    that failed, or a read cut short, would otherwise look like logs with nothing to report."""
    failed = sorted(text.removeprefix("filter-failed ") for text in said if text.startswith("filter-failed"))
    if failed:
        raise TargetError(f"{host.name}: the host's log filter (grep) failed with status {', '.join(failed)}")
    unread = sorted(text.removeprefix("read-failed ") for text in said if text.startswith("read-failed "))
    if unread:
        raise TargetError(f"{host.name}: container log file {', '.join(unread)} could not be read")
    policy = host.logs
    missing = [f"log file {path}" for path in policy.files if f"file {path}" not in said]
    missing += [f"unit {unit}" for unit in policy.units if f"unit {unit}" not in said]
    if policy.containers and "docker absent" not in said and "docker done" not in said:
        missing.append("the containers")
    if missing:
        raise TargetError(f"{host.name}: the log read was cut short before {', '.join(missing)}")


_PARTIAL_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{0,3})?$")


def _from_json_file(line: str) -> str:
    """A json-file line as the host kept it (``TIME ESCAPED``) read as ``docker logs --timestamps``
    prints it: ``TIME MESSAGE``, the message's escapes undone and its newline taken off."""
    stamp, _, escaped = line.partition(" ")
    try:
        message = json.loads(f'"{escaped}"')
    except ValueError:  # cut on the host, or not the engine's writing: what can be read of it
        try:
            message = json.loads(f'"{_PARTIAL_ESCAPE.sub("", escaped)}"')
        except ValueError:
            message = escaped
    message = message.rstrip("\n").replace("\n", " ")
    return f"{stamp} {message}"


def _log_line(kind: str, raw: str) -> LogLine:
    """The line, redacted: nothing derived from it (groups, templates, suggestions) sees a secret.

    A journald line's ``<N>`` priority prefix (the host adds it) is taken off first, and
    colour codes before anything reads the line: patterns, the level, redaction and the
    evidence see the words a terminal shows, not the escape sequences between them.
    """
    priority, raw = split_priority(raw) if kind == "unit" else (None, raw)
    raw = uncoloured(raw)
    shown = redact(raw)
    match = _ISO.match(raw)
    if match is None:
        return LogLine(None, shown, shown, priority)
    stamp, _fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    try:
        moment = dt.datetime.fromisoformat(f"{stamp.replace(' ', 'T')}{zone}")
    except ValueError:
        return LogLine(None, shown, shown, priority)
    if kind == "file":  # a file's line is the program's own: its time is read, and its words are judged
        return LogLine(moment.timestamp(), shown, shown, priority)  # whole, as the same line from a container is
    # the time is read from the raw line (a secret value could look like part of it),
    # the message taken from the redacted one
    shown_match = _ISO.match(shown)
    message = shown[shown_match.end() :] if shown_match else redact(raw[match.end() :])
    if kind == "unit":
        message = _JOURNAL_PREFIX.sub("", message, count=1)
    return LogLine(moment.timestamp(), message, shown, priority)


def read(remote: RemoteHost, host: Host, window: float, classifier: Classifier) -> LogFacts:
    """The host's log facts (one cached command), with declared files checked."""
    return checked(parse(remote.run(command(host, window, classifier.host_filter())).stdout, host, window), host)


def checked(facts: LogFacts, host: Host) -> LogFacts:
    """The facts, or the error naming each declared file that is missing or unreadable."""
    missing = [source.problem for source in facts.sources if source.problem]
    if missing:
        raise TargetError(f"{host.name}: declared log file {'; '.join(missing)}")
    return facts


@dataclass
class Group:
    """Lines of one source matched by one pattern (or of one unknown template)."""

    source: str
    key: str
    count: int = 0
    first: float | None = None
    last: float | None = None
    times: list[float] = field(default_factory=list)
    untimed: int = 0
    examples: list[str] = field(default_factory=list)
    rule: Rule | None = None
    truncated: bool = False

    def add(self, line: LogLine, keep: int) -> None:
        self.count += 1
        if line.time is None:
            self.untimed += 1
        else:
            self.times.append(line.time)
            self.first = line.time if self.first is None else min(self.first, line.time)
            self.last = line.time if self.last is None else max(self.last, line.time)
        if len(self.examples) < keep:
            self.examples.append(line.raw)

    def peak(self, period: float) -> int:
        """The most lines within any ``period`` seconds (lines without a time all count)."""
        times = sorted(self.times)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= period:
                start += 1
            best = max(best, end - start + 1)
        return best + self.untimed


@dataclass
class Classified:
    """A host's candidate lines sorted into pattern groups and unknown templates
    (unknown errors for LOG-03, unknown warnings for LOG-02)."""

    facts: LogFacts
    matched: dict[tuple[str, str], Group]
    unknown: dict[tuple[str, str], Group]
    lines: int
    unknown_warnings: dict[tuple[str, str], Group] = field(default_factory=dict)

    def of_severity(self, severity: str) -> list[Group]:
        return [g for g in self.matched.values() if g.rule is not None and g.rule.pattern.severity == severity]


def classify(facts: LogFacts, classifier: Classifier, examples: int, unknown_warnings: bool = True) -> Classified:
    """Every candidate line to its first matching pattern; unmatched lines by their level
    (``checks/log_levels.py``): critical ones to the ``stated-level-critical`` group,
    error-like ones and (if ``unknown_warnings``) warning-level ones to templates."""
    matched: dict[tuple[str, str], Group] = {}
    unknown: dict[tuple[str, str], Group] = {}
    warnings: dict[tuple[str, str], Group] = {}
    total = 0
    for source in facts.sources:
        label = facts.label(source)
        scoped = classifier.for_source(source.name, source.image)
        for line in source.lines:
            total += 1
            rule, level = scoped.judge(line.message, line.priority)
            if rule is None and level == Level.CRITICAL:
                rule = classifier.stated_critical
            if rule is not None:
                group = matched.get((label, rule.pattern.id))
                if group is None:
                    group = matched[(label, rule.pattern.id)] = Group(label, rule.pattern.id, rule=rule)
                group.truncated = source.truncated
                group.add(line, examples)
            elif level == Level.ERROR or (level == Level.WARNING and unknown_warnings):
                into = unknown if level == Level.ERROR else warnings
                key = template(line.message)
                group = into.get((label, key))
                if group is None:
                    group = into[(label, key)] = Group(label, key)
                group.truncated = group.truncated or source.truncated
                group.add(line, examples)
    return Classified(facts, matched, unknown, total, warnings)


def classified(remote: RemoteHost, host: Host, window: float, patterns: Sequence[LogPattern]) -> Classified:
    """The host's classified logs: the log command fetched (and recorded in each asking
    test's evidence) once per host, its classification derived once (``RemoteHost.memo``)
    and shared by LOG-01..04."""
    classifier = shared(patterns, host.logs.access_error_statuses, host.logs.client_errors_rate)
    output = remote.run(command(host, window, classifier.host_filter()))

    def derive() -> Classified:
        facts = checked(parse(output.stdout, host, window), host)
        return classify(facts, classifier, host.logs.examples, host.logs.unknown_warnings == "report")

    return remote.memo("classified logs", output.command, derive)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "time unknown"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(group: Group) -> str:
    """A group as evidence: counts, first and last time, the pattern's meaning and fix, examples."""
    lines = [
        f"{group.source} — {group.key}: {group.count} line(s)"
        + ("+ (candidate lines were capped: logs.max_lines)" if group.truncated else "")
        + f", first {_when(group.first)}, last {_when(group.last)}"
    ]
    if group.rule is not None:
        pattern = group.rule.pattern
        lines.append(f"severity: {pattern.severity}" + (f", tolerated rate {pattern.rate}" if pattern.rate else ""))
        lines.append(f"why: {pattern.explanation}")
        lines.append(f"fix: {pattern.remediation}" + (f" (runbook: {pattern.runbook})" if pattern.runbook else ""))
    lines.append("examples:")
    lines.extend(f"  {example}" for example in group.examples)
    return "\n".join(lines)


Counts = dict[str, int]


def summary(found: dict[str, Counts]) -> str:
    return "; ".join(f"{source} {', '.join(f'{k} ×{n}' for k, n in keys.items())}" for source, keys in found.items())


def _by_source(groups: Iterable[Group]) -> dict[str, Counts]:
    found: dict[str, Counts] = {}
    for group in sorted(groups, key=lambda g: (g.source, -g.count, g.key)):
        found.setdefault(group.source, {})[group.key] = group.count
    return found


def judge_known(result: Classified, severity: str) -> Verdict:
    """No line may match a pattern of ``severity`` (LOG-01 critical, LOG-02 warning); for
    LOG-02, no warning-level line may match no pattern either (unknown warnings)."""
    groups = result.of_severity(severity)
    comparisons = [
        Comparison(f"{g.source} {g.key} lines", g.count, "==", 0, False)
        for g in sorted(groups, key=lambda g: (g.source, g.key))
    ]
    unknown = list(result.unknown_warnings.values()) if severity == "warning" else []
    comparisons += [
        Comparison(f"{g.source} unknown warning template {g.key[:120]!r}", g.count, "==", 0, False)
        for g in sorted(unknown, key=lambda g: (g.source, -g.count, g.key))
    ]
    problems = []
    if groups:
        problems.append(f"{severity} log patterns matched: {summary(_by_source(groups))}")
    if unknown:
        total = sum(g.count for g in unknown)
        problems.append(f"{total} warning-level line(s) in {len(unknown)} template(s) match no known pattern")
    if problems:
        return Verdict(False, "; ".join(problems), comparisons)
    what = f"lines matching a {severity} pattern" + (" or at warning level" if severity == "warning" else "")
    read = Comparison(f"{what} in {_scope(result)}", 0, "==", 0, True)
    return Verdict(True, f"no {severity} pattern in {_scope(result)}", [read])


def judge_unknown(result: Classified) -> Verdict:
    """Every error-like line must be matched by a known pattern (LOG-03)."""
    groups = list(result.unknown.values())
    if groups:
        counts = _by_source(groups)
        total = sum(g.count for g in groups)
        return Verdict(
            False,
            f"{total} error-like line(s) in {len(groups)} template(s) match no known pattern: "
            + "; ".join(
                f"{source} ({sum(keys.values())} lines, {len(keys)} templates)" for source, keys in counts.items()
            ),
            [Comparison(f"{g.source} unknown template {g.key[:120]!r}", g.count, "==", 0, False) for g in groups],
        )
    read = Comparison(f"error-like lines matching no known pattern in {_scope(result)}", 0, "==", 0, True)
    return Verdict(True, f"every error-like line is a known pattern in {_scope(result)}", [read])


def judge_rates(result: Classified) -> Verdict:
    """Acceptable patterns stay at or under their tolerated peak rate (LOG-04)."""
    comparisons = []
    for group in sorted(result.of_severity("acceptable"), key=lambda g: (g.source, g.key)):
        assert group.rule is not None and group.rule.pattern.rate is not None
        rate = group.rule.pattern.rate
        limit, period = parse_rate(rate)
        unit = rate.split("/", 1)[1].strip()
        peak = group.peak(period)
        reason = f"{group.source} {group.key}: {peak} lines in {_period_words(unit)} at its peak, tolerated {rate}"
        comparisons.append(Comparison(f"{group.source} {group.key} peak lines per {unit}", peak, "<=", limit,
                                      peak <= limit, reason="" if peak <= limit else reason))  # fmt: skip
    if any(not c.passed for c in comparisons):
        return Verdict.from_comparisons(comparisons, "acceptable pattern rates")
    if not comparisons:
        read = Comparison(f"lines matching an acceptable pattern in {_scope(result)}", 0, "<=", "its rate", True)
        return Verdict(True, f"no acceptable pattern matched in {_scope(result)}", [read])
    return Verdict(True, f"all {len(comparisons)} acceptable pattern(s) under their rate", comparisons)


_PERIOD_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week"}


def _period_words(unit: str) -> str:
    """A rate's period in words: ``h`` is "one hour", ``10m`` "10 minutes" (else as written)."""
    match = re.fullmatch(r"(\d*(?:\.\d+)?)\s*([a-z]+)", unit)
    word = _PERIOD_UNITS.get(match.group(2)) if match else None
    if match is None or word is None:
        return unit
    amount = match.group(1)
    return f"one {word}" if amount in ("", "1") else f"{amount} {word}s"


def _scope(result: Classified) -> str:
    kinds: dict[str, int] = {}
    for source in result.facts.sources:
        kinds[source.kind] = kinds.get(source.kind, 0) + 1
    read = ", ".join(f"{n} {kind}(s)" for kind, n in kinds.items()) or "no log source"
    return f"{result.lines} candidate line(s) of {read} over the window"


def suggest(group: Group) -> str:
    """The ``log_patterns:`` entry a person would add to classify an unknown template."""
    message = _ISO.sub("", group.examples[0], count=1) if group.examples else group.key
    return suggestion(message, group.source)


def has_sources(host: Host) -> bool:
    """Whether the host declares anything to read (container logs are read unless disabled)."""
    policy = host.logs
    return policy.containers or bool(policy.units) or bool(policy.files)
