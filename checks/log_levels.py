"""What a log line says about itself (LOG-02/03): its stated level, or its HTTP status.

A line that states its level is judged by that level, not by the words of its
message: ``level=info msg="sync complete" errors=0`` is an info line. The level is
read from the formats services write:

- structured: logfmt ``level=``/``lvl=``/``severity=``, JSON ``"level"``/``"severity"``
  (pino's and bunyan's numeric levels too; hclog's ``"@level"``, Serilog's compact ``"@l"``,
  absent at its Information level; .NET's ``"LogLevel"``; log/slog's ``ERROR+4``), MongoDB's
  ``"s":"W"``;
- a syslog or journald priority ``<N>`` in front of the line (the host prefixes each
  journald line of priority warning or worse with it; lower priorities are what
  journald gives any line a service prints, so they state nothing);
- a level token among the first few tokens of the message: ``[warn]``/``[error]``/
  ``[emerg]`` (nginx, MariaDB, gunicorn, HAProxy), ``LOG:``/``WARNING:``/``ERROR:``/
  ``FATAL:``/``PANIC:`` (PostgreSQL), ``warning:``/``fatal:`` (Postfix), ``Error:``
  (Dovecot, Node, winston), ``WARNING:name:`` (Python logging), ``ERROR``/``WARN`` (log4j,
  logback, Spring, fail2ban, tracing, env_logger, loguru, Ruby's Logger), ``WRN``/``ERR``
  (zerolog, Serilog), ``ERRO``/``FATA`` and ``ERRO[0012]`` (charmbracelet/log, logrus),
  ``[error    ]`` (structlog), ``fail:``/``crit:`` (.NET), ``PHP Warning:``;
- library layouts the first tokens cannot tell from prose: Monolog's ``[time] channel.ERROR:``,
  zap's console ``time<TAB>error<TAB>``, Python logging's ``time - name - ERROR - ``,
  zerolog's ``4:10AM PNC``, Erlang's ``=ERROR REPORT====``, Gitea's ``Func() [E]``,
  FreshRSS's ``[time] [warning] --- ``,
  ``[time][target][ERROR]`` (fern, Vaultwarden), Telegraf's ``time E!``/``W!``, QuestDB's
  ``time E ``/``C `` (its critical marker an internal error it serves on: an error),
  winston's ``time | level | message`` (n8n), Jetty's
  ``time:WARN :logger:thread:``; colour codes are taken off first;
- klog's ``I``/``W``/``E``/``F`` header (and glog's without its thread id and bracket, SeaweedFS);
- Redis's level character after its time: ``.`` debug, ``-`` verbose, ``*`` notice,
  ``#`` warning (``serverLogRaw`` in Redis's server.c);
- nginx's ``[level] pid#tid:`` header, where ``emerg`` is critical but ``alert`` and
  ``crit`` are errors: nginx logs at those levels a failure it survives (a socket, a
  file descriptor, one connection), and at ``emerg`` what stops it starting or reloading;
  Apache httpd's ``[module:level] [pid N]`` header, read the same way.

An access-log line (combined/common format, HAProxy's HTTP log format, Traefik's
and Caddy's JSON access logs, uvicorn's and gin's request lines, Plug's and Phoenix's
``Sent 500 in 12ms``) is judged by its status only: an error when the status is one of
``logs.access_error_statuses`` (default 5xx), never by the words of its path or its level
(these frameworks log every request at info).

A line stating no level is error-like by its words (``checks/log_patterns.ERROR_LIKE``),
once field values that count nothing (``errors=0``, ``0 failed``) and URL paths are
set aside.

An error (stated, or by its words) that says the service stops, cannot start, crashed
or lost what it cannot run without (``exited with error``, ``Unable to start``,
``invalid configuration``, ``out of memory``, ``I/O error``, ``no live upstreams``,
``segfault``; nothing left to serve on: ``No servers could be started``; damaged data:
``database disk image is malformed``, ``corruption in segment``; ``migration failed``,
``assertion failed``, ``too many restarts``: ``says_it_stops``) is critical, whatever
level the service gave it: services log their own death at error level as often as at
fatal. A child process's ``exit status 1`` is not the service stopping, nor is a line
that retries, repairs or carries on (``retrying in 5s``, ``attempting repair``,
``continuing in degraded state``).

The host keeps candidate lines by fixed strings (``grep -F``): ``host_literals``
returns strings one of which every line judged a warning or an error here contains,
so the host filter drops nothing this module would report. A few of them are loose
(``.go:``, in every klog header and every Go ``caller=`` field; a digit, a space and
an error status, in every HAProxy error line and in many others): ``confirming_ere``
gives the stricter expression the host's second ``grep -E`` keeps such lines by.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import IntEnum

from golive.log_pattern_syntax import parse_statuses as parse_statuses


class Level(IntEnum):
    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40
    CRITICAL = 50


# the level names and their abbreviations: logrus's and charmbracelet/log's four letters (DEBU, ERRO,
# FATA, PANI), zerolog's and Serilog's three (VRB, TRC, WRN, FTL; zerolog's PNC only after its time,
# ``_ZEROLOG``: alone it is as often a name), .NET's console logger's (trce, dbug, fail, crit)
_WORDS: dict[str, Level] = {
    **dict.fromkeys(("trace", "debug", "dbg", "verbose", "finest", "finer", "fine", "trc", "vrb", "debu", "trac",
                     "dbug", "trce"), Level.DEBUG),
    **dict.fromkeys(("info", "inf", "information", "informational", "notice", "note", "log", "config"), Level.INFO),
    **dict.fromkeys(("warn", "warning", "wrn"), Level.WARNING),
    # zap's dpanic panics in development only: in production it is an error the service survives
    **dict.fromkeys(("error", "err", "eror", "erro", "severe", "fail", "dpanic"), Level.ERROR),
    **dict.fromkeys(("crit", "critical", "alert", "emerg", "emergency", "fatal", "ftl", "fata", "panic", "pani"),
                    Level.CRITICAL),
}  # fmt: skip
# PostgreSQL's secondary lines continue the line before; they state no level of their own
_POSTGRES_CONTINUATION = ("DETAIL", "HINT", "STATEMENT", "CONTEXT", "QUERY", "LOCATION")
_PINO = {"10": Level.DEBUG, "20": Level.DEBUG, "30": Level.INFO, "40": Level.WARNING, "50": Level.ERROR,
         "60": Level.CRITICAL}  # fmt: skip
_LETTERS = {"D": Level.DEBUG, "I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR, "F": Level.CRITICAL}

# hclog's JSON writes "@level", Serilog's compact JSON "@l", .NET's JSON console formatter "LogLevel",
# python-json-logger "levelname"; log/slog writes a level between two named ones as "ERROR+4", "WARN-2"
_JSON = re.compile(r'"(?:@?level|@l|LogLevel|levelname|severity|lvl|log\.level)"\s?:\s?"(\w+)(?:[+-]\d+)?"', re.I)
# Serilog's compact JSON (CLEF) leaves "@l" out at its Information level
_CLEF = re.compile(r'^\{"@t":"[^"]{0,40}","@mt?":')
_JSON_NUMBER = re.compile(r'"level"\s?:\s?([1-6]0)\b')
# Nextcloud's log (lib/private/Log/LogDetails.php): "reqId", then "level" as ILogger's number
# (0 debug, 1 info, 2 warning, 3 error, 4 fatal), then "time", written by json_encode
_NEXTCLOUD = re.compile(r'"level":([0-4]),"time":')
_NEXTCLOUD_LEVEL = {"0": Level.DEBUG, "1": Level.INFO, "2": Level.WARNING, "3": Level.ERROR, "4": Level.CRITICAL}
_MONGO = re.compile(r'"s"\s?:\s?"([FEWID])\d?"')
_LOGFMT = re.compile(r'(?:^|\s)(?:level|lvl|severity)=("?)(\w+)(?:[+-]\d+)?\1(?=\s|$)', re.I)
_PRIORITY = re.compile(r"^<(\d{1,3})>")
# syslog's severities: emerg, alert, crit; err; warning; notice and info; debug
_PRIORITY_LEVEL = (Level.CRITICAL,) * 3 + (Level.ERROR, Level.WARNING, Level.INFO, Level.INFO, Level.DEBUG)
# klog's and glog's header: "Lmmdd hh:mm:ss.uuuuuu threadid file:line] "; SeaweedFS's glog
# (weed/glog/glog.go, formatHeader) writes no thread id and no bracket: "W0612 03:51:27.120448 file.go:137 "
_KLOG = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+(?:\d+ )?[^\s\]]+\.go:\d+\]? ")
# pid:role, the time (the year since Redis 3.2), the level character
_REDIS = re.compile(r"^\d+:[XCSM] \d{1,2} [A-Z][a-z]{2}(?: \d{4})? \d\d:\d\d:\d\d\.\d{3} ([.*#-]) ")
_REDIS_LEVEL = {".": Level.DEBUG, "-": Level.DEBUG, "*": Level.INFO, "#": Level.WARNING}
_NGINX = re.compile(r"(?:^|\s)\[(emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+: ")
_NGINX_LEVEL = {"emerg": Level.CRITICAL, "alert": Level.ERROR, "crit": Level.ERROR, "error": Level.ERROR,
                "warn": Level.WARNING, "notice": Level.INFO, "info": Level.INFO, "debug": Level.DEBUG}  # fmt: skip
# Apache httpd 2.4's error log header: "[time] [module:level] [pid N:tid T] ..." (its default
# ErrorLogFormat); trace1..8 are debug levels
_APACHE = re.compile(
    r"^\[[^\]]{10,40}\] \[(?:[\w.-]*:)?(emerg|alert|crit|error|warn|notice|info|debug|trace\d)\] \[pid "
)
_APACHE_LEVEL = {**_NGINX_LEVEL, **{f"trace{n}": Level.DEBUG for n in range(1, 9)}}
# FreshRSS's Minz_Log (lib/Minz/Log.php, record): "[" date('r') "] [" level "] --- " message, with
# "[user] " before it when it copies the line to syslog
_MINZ = re.compile(
    r"^(?:\[[^\]]{1,64}\] )?\[[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\] "
    r"\[(error|warning|notice|info|debug)\] --- "
)
# Monolog's LineFormatter: "[%datetime%] %channel%.%level_name%: %message% %context% %extra%"
_MONOLOG = re.compile(r"^\[[^\]]{10,40}\] [\w.-]+\.(DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY): ")
# zap's console encoder: time, level, caller and message apart by tabs, the level lower-case in
# its production configuration (the time may be left out by its configuration)
_ZAP_CONSOLE = re.compile(r"^(?:\S{1,40}\t)?(debug|info|warn|error|dpanic|panic|fatal)\t", re.I)
# Python logging's "%(asctime)s - %(name)s - %(levelname)s - %(message)s" (its cookbook's usual
# format): the logger's name may be one word, which the first tokens would read as prose; the
# time is whatever its datefmt writes
_PYTHON_DASHED = re.compile(r"^(?:[\d/:,.T -]{0,30} - )?[\w.-]+ - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - ")
# Erlang/OTP's error_logger header (RabbitMQ, ejabberd, CouchDB before their own formats): the
# report follows on the next lines
_ERLANG = re.compile(r"^=(ERROR|WARNING|INFO|CRASH|SUPERVISOR|PROGRESS) REPORT==== ")
_ERLANG_LEVEL = {"ERROR": Level.ERROR, "CRASH": Level.ERROR, "SUPERVISOR": Level.ERROR, "WARNING": Level.WARNING,
                 "INFO": Level.INFO, "PROGRESS": Level.INFO}  # fmt: skip
# Gitea's and Forgejo's logger: "file.go:64:Func() [E] " (the level's initial, its default flags)
_GITEA = re.compile(r"\.go:\d+:[\w.]+\(\) \[([TDIWEF])\] ")
_GITEA_LEVEL = {"T": Level.DEBUG, "D": Level.DEBUG, "I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR,
                "F": Level.CRITICAL}  # fmt: skip
# Jetty's StdErrAppender (jetty-slf4j-impl): "time:LEVEL:logger:thread: message", the level padded to
# five characters ("WARN ", "INFO "); Jetty 9's StdErrLog wrote it unpadded, with DBUG and no ERROR
_JETTY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}:(ERROR|WARN|INFO|DEBUG|DBUG|TRACE) ?:")
# Telegraf's text logger: its RFC 3339 time, then the level's indicator ("E!", "W!", "I!", "D!", "T!")
_TELEGRAF = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d) ([TDIWE])! ")
_TELEGRAF_LEVEL = {"T": Level.DEBUG, "D": Level.DEBUG, "I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR}
# QuestDB's LogConsoleWriter and file writers (io/questdb/log): its UTC time to the microsecond, then
# the level's marker (A advisory, C critical: an internal error it serves on, E error, I info, D debug)
_QUESTDB = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ([ACEID]) \S")
_QUESTDB_LEVEL = {"A": Level.INFO, "C": Level.ERROR, "E": Level.ERROR, "I": Level.INFO, "D": Level.DEBUG}
# winston's printf layouts that put the level between pipes after the time: "time | level | message"
# (n8n's production console at debug level, packages/core/src/logging/logger.ts, and many Node
# services' own), the level padded ("warn  | ")
_PIPED = re.compile(r"^\d[\d\-T:.,+Z ]{6,30}? \| ([a-z]{3,11}) *\| ")
_WINSTON_ONLY = {"http": Level.INFO, "silly": Level.DEBUG}
# brackets run together, one of them the level: "[time][target][ERROR] " (fern's example format,
# Vaultwarden's), or the level padded to five and the logger's bracket next: "[time][WARN ][logger]"
# (log4j2's %-5p, Elasticsearch's and OpenSearch's console layout)
_BRACKET_RUN = re.compile(
    r"^\[[^\]]{1,60}\](?:\[[^\]\s]{1,80}\])*?\[(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL) {0,2}\](?: |\[)"
)
# Tornado's LogFormatter: "[W 261203 05:00:00 web:2271] " (the level's initial, then its time;
# Jupyter's servers write the date in full and the logger's name)
_TORNADO = re.compile(r"^\[([DIWEC]) \d{2,4}-?\d\d-?\d\d \d\d:\d\d:\d\d(?:\.\d{3})? [^\]\s]{1,80}\] ")
_TORNADO_LEVEL = {"D": Level.DEBUG, "I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR, "C": Level.CRITICAL}
# qBittorrent's log file (FileLogger): the message type's initial in brackets, then its ISO time:
# "(W) 2026-03-02T04:10:11 - ..."; (N) is a normal message, (C) one it calls critical (an error)
_QBITTORRENT = re.compile(r"^\(([NIWC])\) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d - ")
_QBITTORRENT_LEVEL = {"N": Level.INFO, "I": Level.INFO, "W": Level.WARNING, "C": Level.ERROR}
# Prosody's sinks (core/loggingmanager.lua): the source, then a tab (a file, after "%b %d %H:%M:%S ")
# or spaces padding it to a column (the console), then the level and a tab
_PROSODY = re.compile(r"^(?:[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d )?\S{1,80}(?:\t| {2,})(debug|info|warn|error)\t")
# zerolog's console writer: its time (time.Kitchen by default), then the level's three letters
_ZEROLOG = re.compile(r"^\d{1,2}:\d\d[AP]M PNC ")
# ESPHome's device log as its dashboard and ``esphome logs`` print it: the time, the level's letter and
# the component's tag, each in brackets: "[17:45:00][W][api:058]: ..." (C: a configuration dump)
_ESPHOME = re.compile(r"^\[\d\d:\d\d:\d\d(?:\.\d{3})?\]\[(VV|[VDICWE])\]\[[\w.]{1,40}(?::\d+)?\]: ")
_ESPHOME_LEVEL = {"VV": Level.DEBUG, "V": Level.DEBUG, "D": Level.DEBUG, "I": Level.INFO, "C": Level.INFO,
                  "W": Level.WARNING, "E": Level.ERROR}  # fmt: skip
# ZoneMinder's daemons (zmc, zma, zms): three letters, then the process's name in brackets, then the
# message in brackets: "zmc_m3[1812]: WAR [zmc_m3] [...]"; alone, WAR and FAT are as often words
_ZONEMINDER = re.compile(r"(?:^|: )(DBG|INF|WAR|ERR|FAT|PNC) \[[\w.-]{1,40}\] \[")
_ZONEMINDER_LEVEL = {"DBG": Level.DEBUG, "INF": Level.INFO, "WAR": Level.WARNING, "ERR": Level.ERROR,
                     "FAT": Level.CRITICAL, "PNC": Level.CRITICAL}  # fmt: skip
# colours: zerolog's console writer, structlog's console renderer and tracing's fmt layer colour
# the level even when the output is not a terminal
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def uncoloured(text: str) -> str:
    """``text`` without its colour codes (SGR escape sequences)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


# PHP's error log: "PHP Warning:  ...", in its own file after its time ("[02-Mar-2026 04:10:11 UTC] ")
_PHP = re.compile(r"^(?:\[[^\]]{10,40}\] )?PHP (Fatal error|Parse error|Warning|Notice|Deprecated|Strict Standards)\b")
_PHP_LEVEL = {"Fatal error": Level.CRITICAL, "Parse error": Level.CRITICAL, "Warning": Level.WARNING}
_MONTH_INITIALS = frozenset("JFMASOND")
_SYSLOG_HEAD = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ")
# a token that states a level: WORD, [word], <word>, word:, :WORD: (certbot), WORD:name: (Python),
# |-WORD (logback's status messages), WORD[time] (logrus's text on a terminal: "ERRO[0012]",
# "WARN[2026-03-02T04:10:11Z]")
_TOKEN = re.compile(
    r"^(?:\|-|[\[<(])?(?:[^\s:\[<A-Za-z]*:)?([A-Za-z]+)(?:\[\d[\d:.TZ+-]*\]?|/[\w-]+\]?|[\]>)]:?|:\S*)?$"
)
_PROSE = re.compile(r"^[A-Za-z][a-z]+[,;.!?]?$|^[a-z]+[A-Za-z]*[,;.!?]?$")
_HEAD_TOKENS = 8
# a program's name written before the line's date ("Jicofo 2026-01-11 15:00:09.337 INFO: ..."): the
# level comes after it, so the name is not the line's prose
_NAMED_HEAD = re.compile(r"^[A-Za-z][\w.-]{0,30} (?=\d{4}-\d\d-\d\d[ T])")

_STATUS_CLF = re.compile(
    r'\b\d{1,2}/[A-Z][a-z]{2}/\d{4}[: ][^"]{0,200}'
    r'"(?:[A-Z]{3,10} \S+(?: HTTP/\d(?:\.\d)?)?|-|[^"]{0,500})" (\d{3})(?:\s|$)'
)
# HAProxy's HTTP log format: "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST ..." (its
# configuration manual, "HTTP log format"; %Tt in place of %Ta before 1.9)
_STATUS_HAPROXY = re.compile(
    r"\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] \S+ \S+/\S+ (?:-?\d+/){4}\+?-?\d+ (\d{3}) "
)
# uvicorn's access log: "%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s"
# (uvicorn/config.py's LOGGING_CONFIG; logging.py's AccessFormatter adds the status's phrase)
_STATUS_UVICORN = re.compile(
    r"^(?:(?:TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+)?[\w.:\[\]-]+ - "
    r'"[A-Z]{3,10} \S+ HTTP/\d(?:\.\d)?" (\d{3})(?: |$)'
)
# gin's default request log: "[GIN] 2006/01/02 - 15:04:05 | 500 |  1.2ms |  10.0.0.1 | GET  "/path"" (logger.go's
# defaultLogFormatter; the status's colour codes come off before a line is read)
_STATUS_GIN = re.compile(r"\[GIN\] \d{4}/\d\d/\d\d - \d\d:\d\d:\d\d \| ?(\d{3}) \|")
_GIN_COLOURS = {"1": "[90;47m", "2": "[97;42m", "3": "[90;47m", "4": "[90;43m", "5": "[97;41m"}
"""The colour gin's logger writes before a status of each class when its output is a terminal (a
container run with a tty): ``ESC[97;41m 500 ESC[0m``, so the host's filter looks for it there."""
# Plug.Logger's and Phoenix's line once a response is sent: "Sent 500 in 12ms" ("Chunked" for a
# chunked response, microseconds under a millisecond), the request's "GET /path" on a line before it
_STATUS_PLUG = re.compile(r"(?:^|\s)(?:Sent|Chunked) (\d{3}) in \d+(?:ms|\u00b5s)$")
_STATUS_JSON = re.compile(r'"(?:DownstreamStatus|status)"\s?:\s?(\d{3})\b')
_ACCESS_JSON = re.compile(r'"(?:RequestMethod|RequestPath)"\s?:|"logger"\s?:\s?"http\.log\.access')
# field values that count nothing, and URL paths: their words say nothing about the line
_NEUTRAL = re.compile(
    r"\b[\w.-]+=\"?0\"?(?=[\s,;]|$)|\b(?:0|no|zero) (?:errors?|failures?|failed|warnings?)\b"
    r"|(?<![\w])(?:https?://|/)[^\s\"']*|(?<!\S)--[\w-]+"
    r"|\b(?:path|file|filename|dir)=\"?[^\s\"]*"
)


def access_status(message: str) -> int | None:
    """The HTTP status of an access-log line (None: not an access-log line)."""
    if '"' not in message:
        if " in " not in message or not ("Sent " in message or "Chunked " in message):
            return None
        match = _STATUS_PLUG.search(message)
    elif _ACCESS_JSON.search(message):
        match = _STATUS_JSON.search(message)
    else:
        match = (
            _STATUS_CLF.search(message) or _STATUS_HAPROXY.search(message) or _STATUS_UVICORN.match(message)
            or _STATUS_GIN.search(message)
        )  # fmt: skip
    return int(match.group(1)) if match else None


def split_priority(line: str) -> tuple[int | None, str]:
    """A leading syslog/journald priority ``<N>`` and the rest of the line: the severity, 0 to 7
    (a syslog PRI, 0 to 191, also carries the facility: facility * 8 + severity)."""
    match = _PRIORITY.match(line)
    digits = match.group(1) if match else ""
    if match is None or int(digits) > 191 or (len(digits) > 1 and digits[0] == "0"):
        return None, line
    return int(digits) % 8, line[match.end() :]


def _piped_level(message: str) -> Level | None:
    """The level of winston's ``time | level | message`` layout (None: not that layout)."""
    found = _PIPED.match(message)
    if found is None:
        return None
    word = found.group(1)
    return _WORDS.get(word) or _WINSTON_ONLY.get(word)


def stated_level(message: str, priority: int | None = None) -> Level | None:
    """The level ``message`` states (None: it states none); ``priority`` is its syslog priority if known."""
    if priority is None:
        priority, message = split_priority(message)
        if priority is not None:  # the line's own prefix: every severity states the level
            return _PRIORITY_LEVEL[priority]
    if priority is not None and priority <= 4:  # journald's: notice, info and debug are any line's
        return _PRIORITY_LEVEL[priority]
    message = uncoloured(message)
    first = message[:1]
    # each structured form is looked for only when its punctuation is there (lines are many)
    structured = []
    if '"' in message:
        structured.append(_JSON)
    if "=" in message:
        structured.append(_LOGFMT)
    for regex in structured:
        found = regex.search(message)
        if found:
            level = _WORDS.get(found.group(found.lastindex or 1).lower())
            if level is not None:
                return level
    if '"' in message:
        found = _JSON_NUMBER.search(message) or _MONGO.search(message)
        if found:
            return _PINO[found.group(1)] if found.re is _JSON_NUMBER else _LETTERS[found.group(1)]
        found = _NEXTCLOUD.search(message, 0, 120)
        if found:
            return _NEXTCLOUD_LEVEL[found.group(1)]
        if first == "{" and _CLEF.match(message):
            return Level.INFO
    if first.isdigit():
        found = _REDIS.match(message)
        if found:
            return _REDIS_LEVEL[found.group(1)]
        if "M PNC " in message and _ZEROLOG.match(message):
            return Level.CRITICAL
        if "! " in message:
            found = _TELEGRAF.match(message)
            if found:
                return _TELEGRAF_LEVEL[found.group(1)]
        if message[26:28] == "Z ":
            found = _QUESTDB.match(message)
            if found:
                return _QUESTDB_LEVEL[found.group(1)]
        if " | " in message[:48]:
            level = _piped_level(message)
            if level is not None:
                return level
        if message[23:24] == ":":  # right after Jetty's time
            found = _JETTY.match(message)
            if found:
                return _WORDS[found.group(1).lower()]
    if "#" in message:
        found = _NGINX.search(message, 0, 80)
        if found:
            return _NGINX_LEVEL[found.group(1)]
    if first == "[" and "[pid " in message:
        found = _APACHE.match(message)
        if found:
            return _APACHE_LEVEL[found.group(1)]
    if first in _LETTERS:
        found = _KLOG.match(message)
        if found:
            return _LETTERS[found.group(1)]
    if first == "P" or (first == "[" and "] PHP " in message):
        found = _PHP.match(message)
        if found:
            return _PHP_LEVEL.get(found.group(1), Level.INFO)
    if first == "=":
        found = _ERLANG.match(message)
        if found:
            return _ERLANG_LEVEL[found.group(1)]
    if first == "[":
        if "] --- " in message:
            found = _MINZ.match(message)
            if found:
                return _WORDS[found.group(1)]
        if "." in message:
            found = _MONOLOG.match(message)
            if found:
                return _WORDS[found.group(1).lower()]
        if "][" in message:
            found = _ESPHOME.match(message)
            if found:
                return _ESPHOME_LEVEL[found.group(1)]
            found = _BRACKET_RUN.match(message)
            if found:
                return _WORDS[found.group(1).lower()]
        if message[2:3] == " ":
            found = _TORNADO.match(message)
            if found:
                return _TORNADO_LEVEL[found.group(1)]
    if "] [" in message:
        found = _ZONEMINDER.search(message, 0, 120)
        if found:
            return _ZONEMINDER_LEVEL[found.group(1)]
    if "() [" in message:
        found = _GITEA.search(message, 0, 200)
        if found:
            return _GITEA_LEVEL[found.group(1)]
    if "\t" in message:
        found = _ZAP_CONSOLE.match(message) or _PROSODY.match(message)
        if found:
            return _WORDS[found.group(1).lower()]
    if first == "(":
        found = _QBITTORRENT.match(message)
        if found:
            return _QBITTORRENT_LEVEL[found.group(1)]
    if " - " in message:
        found = _PYTHON_DASHED.match(message)
        if found:
            return _WORDS[found.group(1).lower()]
    head = _SYSLOG_HEAD.sub("", message, count=1) if first in _MONTH_INITIALS else message
    return _head_level(_NAMED_HEAD.sub("", head, count=1) if head[:1].isalpha() else head)


def _head_level(message: str) -> Level | None:
    """A level token among the first tokens, before the message's prose begins."""
    for token in message.split(None, _HEAD_TOKENS)[:_HEAD_TOKENS]:
        found = _TOKEN.match(token)
        if found:
            word = found.group(1)
            level = _WORDS.get(word.lower())
            decorated = token != word
            if level is not None and (decorated or word.isupper()):
                return level
            if word in _POSTGRES_CONTINUATION and token.endswith(":"):
                return Level.INFO
            if not decorated and not word.isupper() and _PROSE.match(token):
                return None
            if decorated and token.endswith(":") and not token.startswith(("[", "<", "(")):
                continue  # a program or logger tag: "kernel:", "dovecot:", "master:"
        elif _PROSE.match(token):
            return None
    return None


# a count or field that says nothing went wrong, in any case: "No errors found", "Errors: 0",
# "error_rate: 0.0%", "without errors", "error=<nil>", "\"error\":null", "\"errors\":[]",
# "error-free", "errors were not found", and a file named for errors ("error.log")
_NOTHING_WRONG = re.compile(
    r"(?i)\b(?:0|no|zero) (?:errors?|failures?|failed|warnings?)\b|\bwithout (?:any )?(?:errors?|failures?)\b"
    r"|\b(?:errors?|failures?|faults?)[- ]free\b|\b(?:errors?|failures?) (?:were|was) not (?:found|detected|reported)\b"
    r"|\b[\w.-]*(?:errors?|failures?|failed|fails)[\w.-]*\"?\s?[:=]\s?\"?0(?:\.0+)?%?(?![\w.])"
    r"|\b(?:err|errors?|failures?)\"?\s?[:=]\s?\"?(?:<nil>|\[\]|(?:nil|null|none)\b)"
    r"|\b[\w-]*(?:error|fail\w*)[\w-]*\.(?:log|txt|json|html?|php|conf)\b"
)


def words_say_error(message: str, error_like: re.Pattern[str]) -> bool:
    """Whether a line stating no level reads as an error (counts of zero, fields that hold no
    error and paths set aside)."""
    if error_like.search(message) is None:
        return False
    return error_like.search(_NOTHING_WRONG.sub(" ", _NEUTRAL.sub(" ", message))) is not None


# What a service says when it stops, cannot start, crashes or has lost what it cannot run
# without (memory, its disk, every backend), in its own words: an error line saying so is
# critical (LOG-01), whatever level the service gives it. Errors about one
# connection, request or session ("terminating connection", "aborting with incomplete
# response", "error while shutting down", a TLS peer's "fatal alert") are not the service
# stopping, nor is systemd failing to start one unit (it names the unit, whose own lines
# say why).
_STOPS = re.compile(
    r"(?i)\b(?:exiting|exit(?:ed|s)? with (?:an )?(?:error|(?:exit )?(?:code|status) [1-9])|exit(?:ed|s) status [1-9]"
    r"|(?<!while )(?<!when )(?<!during )(?<!error )shutting down"
    r"|terminating(?! (?:the )?(?:connection|session|worker|child|idle|walsender|background))"
    r"|aborting(?! (?:with|the|request|response|connection|query|transaction))|giving up"
    r"|cannot continue|can't continue|unrecoverable|will not start|refus(?:ing|es) to (?:start|boot)"
    r"|(?<!is )going down\b"
    r"|(?:exception|error) (?:during|on|at|while) (?:startup|start-up|booting|boot)\b"
    r"|(?<!plugin )(?<!module )(?<!extension )\binitiali[sz]ation failed\b|\b(?:unclean|immediate) exit\b"
    # an exception nothing caught: the process (or, in the JVM, the thread) it reached dies
    r"|\ban uncaught exception occurred\b|\buncaught exception\s*$"
    r"|another (?:[\w-]+ )?instance (?:of \S+ )?(?:is )?already running|\bearly (?:[\w/-]+ )?service exit"
    r"|\b(?:server|service|daemon|application) (?:has )?(?:exited|stopped|terminated|died) unexpectedly"
    r"|(?<!/)start(?:up)? (?:failed|aborted)|failed during (?:startup|initiali[sz]ation|configuration)"
    r"|errors? (?:while )?starting (?:the )?(?:daemon|server|service)\b"
    r"|(?:unable|failed|cannot|can't|could not|couldn't) (?:to )?"
    r"(?:start(?! \S+\.(?:service|socket|timer|path|target|scope)\b)|initiali[sz]e|boot|bind|listen\b"
    r"|load (?:the )?(?:config|configuration|settings)|parse (?:the )?(?:config|configuration)"
    r"|read (?:the )?(?:config|configuration)|open (?:the )?(?:database|data directory|lock file)"
    r"|open (?:the )?control (?:interface|socket)|create (?:the )?(?:state|data|storage) (?:directory|dir|folder)"
    r"|(?:apply|run) (?:the )?(?:database )?migrations?|drop privileges"
    r"|restore (?:the )?(?:persistent )?(?:database|state)"
    r"|(?:write|create) (?:the )?pid ?file|load (?:the )?(?:CA|server|TLS|SSL) certificates?\b"
    r"|connect(?:ing)? to (?:the )?(?:database|db)\b)"
    r"|errors? (?:loading|parsing|reading|validating|in) (?:the )?(?:config|configuration)\b"
    r"|invalid (?:config|configuration)\b|(?:config|configuration) (?:file )?(?:parse|parsing|syntax) error"
    r"|loading (?:the )?(?:config|configuration)(?: file)?: |address already in use"
    # no listener at all: nothing to serve on
    r"|no servers? could be started|will not listen on anything|no sockets? available to bind|\w*opensocket\(\) failed"
    # its data damaged, a migration or an assertion failed, a supervisor's restarts exhausted
    r"|database disk image is malformed|file is not a database|\bcorruption (?:in|of|detected)\b"
    r"|\b(?:data(?:base)?|index|journal|WAL|repository|store)\b[^.;,]{0,40}? "
    r"(?:appears to be |seems to be |is |was |has been )corrupt(?:ed)?\b|migrations? failed(?!.{0,40}downgrad)"
    r"|(?<!deleting )(?<!removing )(?<!skipping )(?<!ignoring )(?<!discarding )\bcorrupt(?:ed)? "
    r"(?:data(?:base)?|index|journal|WAL|repository|store|segment|page|snapshot|checkpoint)s?(?: files?)?\b"
    r"(?! (?:from|sent by|received from) (?:the |a )?(?:client|peer))"
    r"|assert(?:ion)? failed|\bassertion\b.{1,200}\bfailed|too many (?:unstable )?restarts|\bpanicked\b"
    r"|\bdata loss\b|\bsplit-brain\b|\bdata (?:may|might|will|could) (?:have )?be(?:en)? lost|\bdata was lost"
    # a container or a VPN that cannot be created: the container runtime, the TUN device
    r"|\b(?:runc|OCI runtime) (?:create|start|run) failed\b|\bCreateTUN\b|\bcreate (?:the )?TUN device\b"
    # what it cannot run without: memory, its disk, any backend; and crashes
    r"|(?<!received )\bfatal\b(?! alert)|out of memory|cannot allocate memory|OutOfMemoryError"
    r"|I/O error|input/output error"
    r"|no (?:live |healthy )?upstreams?(?: available)?\b|no servers? available"
    # its database out of reach; a cluster with no leader answers no write; a certificate of its own
    # that has expired
    r"|\berror connecting to (?:the )?(?:database|db)\b"
    r"|\bhas no leader\b|\bno (?:available )?(?:\w+ )?leader (?:server )?found\b"
    r"|(?<!client )\bcertificate\b.{0,120}\bhas expired\b"
    r"|segfault|segmentation fault|SIGSEGV|signal 11\b|core dumped)"
)


# what names one part of a service, not the service: a session, a jail, a hook, a worker
# the master replaces, a shutdown that fails while the service is stopping anyway
_ONE_PART = re.compile(
    r"(?i)\bsession process\b|\bfor connection from\b|\bstart jail\b|\bhook\b|\btimed out worker\b"
    r"|\bshutdown failed\b"
)


# what says the service carries on: it retries the step that failed, repairs what it found
# damaged or goes on without it ("retrying in 5s", "will retry", "attempting repair", "continuing
# in degraded state"); "not retrying further" and "not continuing" give up
_CARRIES_ON = re.compile(
    r"(?i)\bretrying (?:in|after)\b|\bwill retry\b|\btrying again\b|\battempting repair\b"
    r"|(?<!not )\bcontinuing (?:in|with|without|anyway)\b|\bdegraded (?:state|mode)\b"
)


def says_it_stops(message: str) -> bool:
    """Whether an error line says the service stops, cannot start, crashed or lost its memory,
    disk or backends (paths and flags set aside), and not of one session, jail, hook or worker,
    nor while it retries or repairs."""
    return (
        _STOPS.search(message) is not None
        and _STOPS.search(_NEUTRAL.sub(" ", message)) is not None
        and _ONE_PART.search(message) is None
        and _CARRIES_ON.search(message) is None
    )


# What names one client, peer or request as the line's subject: its address (nginx's
# "client: 1.2.3.4", Apache's "[client 1.2.3.4:5]", "from 1.2.3.4", "rhost=", "rip=",
# "IP: 1.2.3.4", Postfix's "unknown[1.2.3.4]"), or what a client did to one connection or
# request that no service does to itself (sent garbage, broke a TLS handshake, failed to log
# in, was refused by a limit or a rule). Weaker words (reset by peer, broken pipe, EOF,
# forbidden, unauthorized) count only beside a client's address: alone they are as often the
# service's own link failing.
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IP = r"(?:" + _IPV4 + r"|\[?[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\]?)"


def _client_address(ip: str, ipv4: str) -> str:
    """Where a line names its client, peer or request's address (``ip``; ``ipv4``: where it is
    followed by a port)."""
    return (
        r"(?i)\b\"?client\"?[:=]? ?\"?(?:@\S+ )?(?:ipv[46]:)?\[?"
        + ip
        + r"|\[client "
        + ip
        + r"|\b(?:from|peer:?|by|IP:?) (?:\[AF_INET6?\])?"
        + ip
        + r"\b|\b(?:rhost|rip|remote_?ip|remote_?addr|client_?ip|ip_?address)\"?[=:]\s?\"?"
        + ip
        + r"|\bunknown\["
        + ip
        + r"\]"
        # an address and port in front of the message (OpenVPN's server-mode prefix "alice/1.2.3.4:5 ")
        + r"|\]: (?:[\w.@-]+/)?"
        + ipv4
        + r":\d+ "
    )


_CLIENT_ADDRESS = re.compile(_client_address(_IP, _IPV4))
# what a service's own applications connect from: container and cluster networks (10/8, 172.16/12);
# a user at such an address and port too (a pooler's "db/user@172.18.0.7:5")
_OWN_IPV4 = r"(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}\.\d{1,3}\b"
_OWN_NETWORK = re.compile(_client_address(_OWN_IPV4, _OWN_IPV4) + r"|\w@" + _OWN_IPV4 + r":\d+\b")
# a failed login: one client's when a stranger guesses, the service's own application's (every
# request of it fails) when it comes from the service's own network
_LOGIN_FAILED = (
    r"\bauthentication fail|\bauth failed\b|\bpassword (?:mismatch|authentication failed)|\bfailed password\b"
    r"|\blogin failed\b|\bfailed (?:login|authentication)\b|\b(?:username|user name) or password\b"
)
_CLIENT_DID = re.compile(
    r"(?i)\bclient sent\b|\bclient (?:\S+ )?(?:disconnected|closed|reset)\b"
    r"|\bclosed by (?:the )?(?:remote host|client|peer)\b|\baccepting (?:a )?client connection"
    r"|\b(?<!close )handshak(?:e|ing)\b"
    r"|\btimed? ?out (?:reading|during|while reading|waiting for) (?:the )?(?:request|banner|client)"
    r"|\b(?:invalid|malformed|bad) (?:request|uri|http|http_host|method|header|host|user(?:name)?|password"
    r"|(?:access |bearer |api )?token|credentials)\b|\bmissing (?:the )?authori[sz]ation header"
    r"|\b(?:tls|ssl) (?:connection )?(?:is )?required\b"
    r"|" + _LOGIN_FAILED + r"|\btoo many (?:login |admin )?requests\b|\blimiting (?:requests|connections)\b"
    r"|\bpayload too large\b|\brequest entity too large\b|\bno route matches\b"
    # a client that speaks the wrong protocol, or TLS the service does not offer, to its port
    r"|\bnon-(?:ssl|tls)\b|\b(?:request|client) detected on\b|\bclient (?:did not|didn't|is not using|used)\b"
    r"|\bfrom (?:the )?client\b|\bunsupported frontend protocol\b|\bprotocol major versions differ\b"
    r"|\binvalid character(?:s)? found in (?:the )?(?:method|request)"
    r"|\bSSL routines::(?:no shared cipher|http request|bad key share|wrong version number|unsupported protocol"
    r"|unexpected eof while reading)"
    # a client that asked for what is not there, or gave up on its own request
    r"|\bprimary script\b|\bno static resource\b|\brequest method '[^']*' (?:is )?not supported"
    r"|\bdue to user request\b"
)
_OWN_APPLICATION_LOGIN = re.compile(r"(?i)" + _LOGIN_FAILED)
# a path a client asked for ("/backup/database.sql", "/wp-cron.php"), not a URL's or a socket's: its
# words say nothing of what the service depends on
_PATH = re.compile(r"(?<![\w:/.])/[^\s\"']*")
# what makes a line about the service itself, whichever client it was serving: its own link to
# what it depends on (an upstream, a backend, a database, a server it sends to or fetches from),
# its own resources (disk, memory, a shared cache) or its own configuration or process
_SERVICE_ITSELF = re.compile(
    r"(?i)\bupstream|\bbackend|\bdatabase\b|\bbroker\b|\bcluster\b|\breplica|\bleader\b|\bremote server\b"
    r"|\bdial(?:ing)? (?:tcp|udp|unix)\b|\b(?<!client is )connect(?:ing)? to\b|\bconnection to\b(?! a non-)"
    r"|\bwhile connecting\b"
    r"|\bserver returned\b|\b(?:error|failed to|unable to) send|\bwhile requesting\b|\bauth request\b"
    r"|\bfailed to " + _IP + r"|\bcontacting\b|\bresolv(?!ed \[)|\bretriev|\bfetch|\bdownload|\bmailbox\b|\bocsp\b"
    r"|\bno space\b|\bread-only\b|\bpermission denied\b|\btoo many open files\b|\ballocate\b|\bout of memory\b"
    r"|\bshared cache\b|\bcycle\b|\btoo large body\b|\bkilled\b|\bsignal \d"
    # the service as the side refused: an outgoing connection, or a bridge's login to another server
    r"|\bconnection refused\b"
    # a limit of the whole service, that every client then meets
    r"|\bmax(?:imum)?[ _]?(?:connections|clients|client_conn)\b|\btoo many (?:open )?(?:connections|clients|sockets)\b"
    r"|\bmaxconn\b|\bworker_connections\b|\bconnection limit\b|\bmemory\b|\bram\b"
    # a replica's link to its primary, a login process's to its authentication process, a request it
    # sent and waits on
    r"|\bmaster\b|\bprimary\b(?! script)|\bauth process\b|\bwaiting for (?:a )?(?:reply|response)\b"
    # its configuration, or what its backend (FastCGI, the application behind it) answered
    r"|\bconfiguration error\b|\bmisconfigur|\bfastcgi\b|\bdispatching\b|\bresponse header"
    r"|\bproxy (?:error|request failed)\b"
    # a credential the service stores that cannot serve the method: every login of that user fails
    r"|\bhas (?:an? |no )?\w+ secret\b"
    # a client's credential or registration that is the operator's to fix: an expired certificate, an
    # application registered with a wrong redirect address; peers' heartbeats, the health of a link
    r"|\bcertificate (?:has )?expired\b|\bcertificate (?:verify failed|is not yet valid)|\bprivate key\b"
    r"|\binvalid[_ ]redirect[_ ]ur[il]\b|\bredirect[_ ]ur[il] mismatch\b|\bheartbeats?\b"
    # a local user (PAM with no remote host: sudo, su, a console login), the service's own jobs
    r"|\brhost=(?=\s|$)|\b(?:background|cron|scheduled) (?:job|task)|\bcron\b|\bgc\b|\bgarbage collect"
)


def about_one_client(message: str) -> bool:
    """Whether an error line is about one client, peer or request (its address, or what a client
    did: garbage, a broken handshake, a failed login, a refused request), is no access-log line
    (judged by its status), is not about the service itself (its link to what it depends on,
    its resources, limits, configuration or jobs: read outside the paths clients ask for), is
    no failed login of its own application (from its own network) and does not say the service
    stops."""
    return (
        access_status(message) is None
        and (_CLIENT_DID.search(message) is not None or _CLIENT_ADDRESS.search(message) is not None)
        and _SERVICE_ITSELF.search(_PATH.sub(" ", message)) is None
        and not (_OWN_APPLICATION_LOGIN.search(message) is not None and _OWN_NETWORK.search(message) is not None)
        and not says_it_stops(message)
    )


def judge(message: str, priority: int | None, statuses: tuple[str, ...], error_like: re.Pattern[str]) -> Level | None:
    """The level a line no pattern matched is reported at (None: it is not reported).

    ``statuses``: the error statuses' prefixes (``parse_statuses``). A warning-level
    line whose words say error is reported as an error; an error that says the
    service stops or cannot start (``says_it_stops``) is reported as critical. ``message``
    comes without colour codes (the log reader takes them off when it reads a line).
    """
    status = access_status(message)
    if status is not None:
        return Level.ERROR if str(status).startswith(statuses) else None
    level = stated_level(message, priority)
    if level is None:
        level = Level.ERROR if words_say_error(message, error_like) else None
    elif level == Level.WARNING and words_say_error(message, error_like):
        level = Level.ERROR
    if level == Level.ERROR and says_it_stops(message):
        return Level.CRITICAL
    return level if level is not None and level >= Level.WARNING else None


KLOG_LITERAL = ".go:"
"""What every klog header contains; Go services' ``caller=main.go:12`` contains it too, so
the host keeps a line by it only when it is a klog or glog warning/error header (``KLOG_ERE``;
SeaweedFS's glog writes no thread id and no bracket: ``E1203 04:10:11.000001 master.go:120 ``)."""
KLOG_ERE = "[wef][0-9][0-9][0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9]+[ \t]+([0-9]+ )?[^] \t]+[.]go:[0-9]+]? "
REDIS_WARNING_LITERAL = " # "
"""What a Redis warning line holds after its time (``.123 # ``)."""
_DIGITS = "0123456789"


def _haproxy_literals(prefix: str) -> tuple[str, ...]:
    """A digit, a space and the status prefix: HAProxy writes its status after its timers."""
    return tuple(f"{digit} {prefix}" for digit in _DIGITS)


def confirming_ere(literal: str) -> str | None:
    """The stricter expression a line kept by a loose ``literal`` must also match to be a
    candidate (None: the literal is not loose): an ERE that every ``awk`` reads the same (no
    intervals, no character classes), matched against the lower-cased line."""
    if literal == KLOG_LITERAL:
        return KLOG_ERE
    if len(literal) >= 3 and literal[0] in _DIGITS and literal[1] == " " and literal[2:].isdigit():
        prefix = literal[2:]
        rest = "[0-9]" * (3 - len(prefix))
        return rf"[/][+]?-?[0-9]+ {prefix}{rest} "
    return None


def host_literals(statuses: Sequence[str]) -> tuple[str, ...]:
    """Fixed strings (case-insensitive) one of which every warning-or-worse level statement
    and every access-log line with an error status contains."""
    # "fata" (and fatal), "pani" (and panic): logrus's and charmbracelet/log's FATA, PANI (coloured,
    # timed or not); "pnc": zerolog's PNC (and ZoneMinder's); "war [", "fat [": ZoneMinder's WAR and
    # FAT; "][w][", "][e][": ESPHome's letters; "fail": .NET's fail:; Erlang's crash and supervisor
    # reports; Gitea's level initials after its caller; Telegraf's indicators; QuestDB's markers after
    # its time's Z. Structured: pino's and bunyan's numbers, MongoDB's "s", Nextcloud's numbers,
    # Tornado's initials (before a 20xx or yymmdd date), qBittorrent's bracketed initials, a syslog
    # priority of warning or worse with any facility, klog's caller
    levels = ("warn", "wrn", "err", "eror", "severe", "crit", "alert", "emerg", "fata", "ftl", "pani", "pnc",
              "fail", "=crash report", "=supervisor report", "() [w] ", "() [e] ", "() [f] ",
              " w! ", " e! ", "z e ", "z c ", "war [", "fat [", "][w][", "][e][")  # fmt: skip
    structured = ('"level":40', '"level":50', '"level":60', '"level": 40', '"level": 50', '"level": 60',
                  '"s":"w', '"s":"e', '"s":"f', '"s": "w', '"s": "e', '"s": "f',
                  '"level":2,"time":', '"level":3,"time":', '"level":4,"time":', "[w 2", "[e 2", "[c 2",
                  "(w) 2", "(c) 2",
                  *(f"<{pri}>" for pri in range(192) if pri % 8 <= 4), KLOG_LITERAL)  # fmt: skip
    forms = ('" {}', 'status":{}', 'status": {}', "| {}", "sent {}", "chunked {}")  # CLF, JSON, gin, Plug
    prefixes = parse_statuses(statuses)
    access = tuple(form.format(prefix) for prefix in prefixes for form in forms)
    access += tuple(f"{_GIN_COLOURS.get(prefix[0], _GIN_COLOURS['5'])} {prefix}" for prefix in prefixes)
    haproxy = tuple(text for prefix in prefixes for text in _haproxy_literals(prefix))
    return levels + structured + access + haproxy + (REDIS_WARNING_LITERAL,)
