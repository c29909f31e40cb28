"""Level-aware and access-log-aware judgement (checks/log_levels.py) through the real host command.

Each test writes a log file, runs the host's real log command on it (``sh``, ``grep``,
``awk``: the host-side filter included) and classifies what it prints with the shipped
knowledge base, as a run does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from golive.checks import logs
from golive.checks.log_levels import (
    _WORDS,
    Level,
    about_one_client,
    access_status,
    host_literals,
    stated_level,
    words_say_error,
)
from golive.checks.log_patterns import ERROR_LIKE, Classifier, knowledge_base, shipped_patterns
from golive.errors import InventoryError
from golive.inventory import Host, load_inventory
from tests.conftest import run_sh


def _classified(tmp_path: Path, lines: list[str], **policy: Any) -> logs.Classified:
    log = tmp_path / "app.log"
    log.write_text("".join(f"{line}\n" for line in lines))
    host = Host(name="h", backend="local://", logs={"containers": False, "files": [str(log)], **policy})
    classifier = Classifier(shipped_patterns(), host.logs.access_error_statuses, host.logs.client_errors_rate)
    command = logs.command(host, 3600, classifier.host_filter())
    output = run_sh(command, capture_output=True, text=True, check=True).stdout
    facts = logs.parse(output, host, 3600)
    return logs.classify(facts, classifier, host.logs.examples, host.logs.unknown_warnings == "report")


def _findings(result: logs.Classified) -> list[str]:
    quiet = ("acceptable", "benign")  # tolerated noise and known routine lines are no finding
    return [*(g.key for g in result.matched.values() if g.rule and g.rule.pattern.severity not in quiet),
            *result.unknown, *result.unknown_warnings]  # fmt: skip


HEALTHY = [
    'level=info msg="sync complete" errors=0',
    "INFO: 0 errors, 0 warnings",
    '10.0.0.4 - - [15/Feb/2026:20:00:00 +0000] "GET /api/errors/summary HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    "debug: retrying after transient failure: attempt 1 succeeded",
    'msg="rotated the log" file=errors-2026-12-01.log path=panic-20261101.log',
]


def test_healthy_lines_whose_words_look_like_errors_are_no_finding(tmp_path: Path):
    result = _classified(tmp_path, HEALTHY)
    assert _findings(result) == []


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("x509: certificate has expired or is not yet valid: current time 2026-02-15T20:00:00Z is after "
         "2026-02-10T00:00:00Z", "tls-certificate-invalid"),
        ("Error: listen EADDRINUSE: address already in use :::3000", "port-in-use"),
        ("kernel: EXT4-fs error (device sda1): ext4_find_entry:1463: inode #2: comm nginx: reading directory lblock 0",
         "kernel-filesystem-error"),
        ('level=error msg="failed to renew certificate" error="acme: error: 429 :: '
         'urn:ietf:params:acme:error:rateLimited :: too many certificates"', "acme-rate-limited"),
    ],
)  # fmt: skip
def test_serious_lines_are_critical(tmp_path: Path, line: str, pattern: str):
    result = _classified(tmp_path, [line])
    assert [g.key for g in result.of_severity("critical")] == [pattern]


# error lines of services no pattern knows, saying the service stops, cannot start, crashed
# or lost what it cannot run without: critical, whatever level the service gave them
STOPPING = [
    'level=error msg="failed to initialize storage backend" err="open /data: permission denied"',
    "ERROR [main] app.Server - Shutting down after an error in the configuration",
    '{"level":"error","ts":1764648000.1,"msg":"cannot allocate memory for the search index"}',
    "[ERROR] scheduler: giving up after 5 attempts to open the job store, exiting",
    "worker 3 failed: I/O error reading /srv/queue/segment-0042",
    "ERROR core.core :: Reporting Initialization FAILED",
    "[ERROR] server - Forcing an immediate unclean exit...",
    "ERROR: [1142] MainKt.main#61: An uncaught exception occurred in thread=Thread[#1,IO,5]",
    "printserver - ERROR - Uncaught exception",
    'level=error msg="failed to connect to database" err="dial tcp 10.0.5.10:5432: connect: connection refused"',
    '{"level":"error","message":"cluster has no leader"}',
    '{"level":"error","msg":"certificate with thumbprint=5f1c0e92 has expired on 2026-06-18 23:59:59 +0000 UTC"}',
]
# error lines about one connection, request or unit, and a service stopping on request
NOT_STOPPING = [
    'level=error msg="terminating connection after idle timeout" client=10.0.0.4:50122',
    '{"level":"error","ts":1764648000.2,"msg":"aborting with incomplete response","upstream":"app:8080"}',
    "systemd[1]: Failed to start report.service - Nightly report.",
    'level=error msg="error while shutting down the tracer" err="context canceled"',
    'level=error msg="handshake: tls: received fatal alert: unknown_ca" remote=10.0.0.4:50122',
    "ERROR Login: Uncaught exception: /srv/app/Login.php(74): the parameter 'idSite=' is missing from the request.",
    'level=info msg="shutting down" signal=SIGTERM',
]


def test_error_lines_saying_the_service_stops_are_critical(tmp_path: Path):
    result = _classified(tmp_path, STOPPING)
    assert [(g.key, g.count) for g in result.of_severity("critical")] == [("stated-level-critical", len(STOPPING))]
    assert not result.unknown


def test_error_lines_about_one_connection_or_unit_are_not_critical(tmp_path: Path):
    result = _classified(tmp_path, NOT_STOPPING)
    assert not result.of_severity("critical")
    assert sum(g.count for g in result.unknown.values()) == len(NOT_STOPPING) - 1  # the info line is nothing


WARNINGS = [
    "2026/02/15 20:00:00 [warn] 1#1: *3 using uninitialized variable, client: 10.0.0.4",
    'level=warning msg="cache nearly full" used=91%',
]


ONE_PART = [
    "sshd[812]: error: session process 51022 for connection from 10.0.4.7 to 10.0.4.5 killed by signal 11",
    "fail2ban.actions        [1021]: ERROR   Failed to start jail 'nginx-http-auth' action "
    "'nftables-multiport': Error starting action",
    '{"level":"ERROR","msg":"Post hook.","error":"hook: exit status 2"}',
    "[3] ! Terminating timed out worker (Worker 1 failed to check in within 60 seconds): 44",
    "ERROR:    Application shutdown failed. Exiting.",
]


def test_error_lines_about_one_session_jail_hook_or_worker_are_not_critical(tmp_path: Path):
    """A session, a fail2ban jail, an ACME hook, a worker the master replaces, a shutdown that
    fails while stopping: errors someone must own, not the service going down."""
    result = _classified(tmp_path, ONE_PART)
    assert not result.of_severity("critical")
    warnings = sum(g.count for g in result.of_severity("warning"))
    assert sum(g.count for g in result.unknown.values()) + warnings == len(ONE_PART)  # each still reported


# error lines of services no pattern knows, in the vocabulary services use when nothing will
# serve (no listener at all, a control socket or a state directory it cannot have), their
# configuration will not parse, their data is damaged, a migration failed, an assertion failed
NOTHING_TO_SERVE = [
    "[9] [ERROR] No servers could be started",
    "ERROR    No endpoints. This server will not listen on anything.",
    "[3391:0] error: cannot open control interface 127.0.0.1 8953",
    'level=error msg="failed to create state directory" err="mkdir /var/lib/app: read-only file system"',
    "wg-quick[640]: Configuration parsing error",
    "named[702]: loading configuration: permission denied",
    'level=error msg="loading on-disk chunks failed" err="corruption in segment /data/wal/00000003 at 32768"',
    "ERROR [store] Database migration failed: column exists",
    "opendkim[902]: smfi_opensocket() failed",
    "ERROR assertion failed: (offset < length)",
    "[main] ERROR: cannot open spool directory. Going down.",
    "[error] app: Refusing to boot: invalid value for queue_limit",
    "ERROR api.server: Exception during startup",
    "ERROR: Unable to drop privileges to 'app' because this user does not exist.",
    "ERROR: unable to restore persistent database from /data/app.db",
    "ERROR: couldn't write pid file /run/app.pid: Permission denied",
    "ERROR lock held: another app instance already running",
    "[error] store: the index appears empty; this could indicate data loss.",
    'level=error msg="journal replay stopped early, data may have been lost" segment=12',
    'level=error msg="runc create failed: container\'s cgroup is not empty: 3 process(es) found"',
    'vpnd[712]: engine error: CreateTUN("vpn0") failed; the tun device does not exist',
    'ERROR: database "app" is corrupted, please restore it from a backup',
    "ERROR Corrupted data file detected: /var/lib/app/data/000123.log",
    'ERR server exited unexpectedly error="accept tcp [::]:443: use of closed network connection"',
]
# (lines of no project golive has patterns for: the vocabulary, not a catalogue, makes them critical)
# their healthy counterparts: a child process's exit status, a step retried or repaired, a
# downgrade notice, and the same words at info level
CARRIES_ON = [
    'level=error msg="failed to delete dead shim" err="exit status 1"',
    'level=error msg="failed to initialize the cache, retrying in 5s" err="connection refused"',
    "[DB] WARN: Database migration failed, you may be downgrading the app.",
    'level=error msg="read error, attempting repair" err="corruption in segment /data/wal/00000004"',
    "ERROR cache: index initialization failed, continuing in degraded state.",
    "ERROR mail: Deleting corrupted cache file /srv/mail/bob/index.cache",
    "ERROR store: skipping corrupted index file /var/lib/app/tmp/upload-1.idx, rebuilding it",
    "ERROR transcode: ffmpeg process exited unexpectedly with code 1",
    'level=error msg="plugin initialization failed" plugin=geoip err="database file not found"',
    'level=error msg="failed to load certificate for client" client=10.0.0.3',
]


def test_error_lines_saying_nothing_will_serve_or_data_is_damaged_are_critical(tmp_path: Path):
    result = _classified(tmp_path, NOTHING_TO_SERVE)
    critical = {g.key: g.count for g in result.of_severity("critical")}
    # the two lines naming no listener at all are the service-no-listener family's, the one
    # refusing to boot the service-refuses-to-start family's and the failed migration the
    # startup-or-migration-failed family's, at any level
    assert critical == {
        "stated-level-critical": len(NOTHING_TO_SERVE) - 4,
        "service-no-listener": 2,
        "service-refuses-to-start": 1,
        "startup-or-migration-failed": 1,
    }
    assert not result.unknown


def test_a_coloured_error_line_saying_it_stops_is_critical(tmp_path: Path):
    """Colour codes come off before every reading, not only the level's: the stop vocabulary
    reads the words between them."""
    coloured = "\x1b[31mERROR\x1b[0m store: \x1b[1mstorage initialization\x1b[0m failed"
    result = _classified(tmp_path, [coloured, "\x1b[36mINFO\x1b[0m store: storage initialization done"])
    assert {g.key: g.count for g in result.of_severity("critical")} == {"stated-level-critical": 1}
    assert not result.unknown


def test_colour_codes_come_off_before_patterns_and_evidence_read_a_line(tmp_path: Path):
    """A colour code between a pattern's words does not hide the line from it, and the
    evidence shows the words a terminal shows, not the escape sequences."""
    coloured = "\x1b[31mError\x1b[39m: listen EADDRINUSE: address \x1b[1malready\x1b[22m in use :::3000"
    result = _classified(tmp_path, [coloured])
    groups = result.of_severity("critical")
    assert [(g.key, g.count) for g in groups] == [("port-in-use", 1)]
    assert groups[0].examples and not [e for e in groups[0].examples if "\x1b" in e]
    assert "Error: listen EADDRINUSE: address already in use :::3000" in groups[0].examples[0]


def test_error_lines_retrying_repairing_or_about_a_child_are_not_critical(tmp_path: Path):
    result = _classified(tmp_path, [*CARRIES_ON, 'level=info msg="going down on request" signal=SIGTERM'])
    assert not result.of_severity("critical")
    assert sum(g.count for g in result.unknown.values()) == len(CARRIES_ON)  # each still an error


def test_warning_level_lines_no_pattern_matches_are_unknown_warnings(tmp_path: Path):
    result = _classified(tmp_path, WARNINGS)
    assert len(result.unknown_warnings) == 2 and not result.unknown
    verdict = logs.judge_known(result, "warning")
    assert not verdict.passed and "2 warning-level line(s)" in verdict.summary


def test_unknown_warnings_can_be_ignored(tmp_path: Path):
    result = _classified(tmp_path, WARNINGS, unknown_warnings="ignore")
    assert _findings(result) == []
    assert logs.judge_known(result, "warning").passed


# error lines no pattern matches, each about one client: its address, or what it did
# (lines no shipped pattern explains: the client-noise families take the commoner wordings)
ONE_CLIENT = [
    "ERROR [api.auth] request from 203.0.113.9 refused: signature mismatch",
    'level=error msg="handshake with client stalled" remote_addr=198.51.100.7:51234 err=EOF',
    "[ERROR] request from 192.0.2.44 ended early: EOF",
]
# a client named, but the service stops, or its own link to what it depends on failed
SERVICE_WIDE = [
    "ERROR [server] cannot accept client connections from 203.0.113.9: out of memory, exiting",
    'level=error msg="handshake with client 198.51.100.7 failed: fatal: unable to initialize TLS, giving up"',
]
OWN_LINK = [
    'level=error msg="dial tcp 10.0.0.5:5432: connect: connection refused" client=203.0.113.9',
    "ERROR [api] request from 203.0.113.9 aborted: connection to database db:5432 lost",
    'level=error msg="upstream timed out while reading response" client=203.0.113.9',
]


def test_error_lines_about_one_client_are_counted_against_a_rate(tmp_path: Path):
    result = _classified(tmp_path, ONE_CLIENT, client_errors_rate="60/h")
    [group] = result.of_severity("acceptable")
    assert (group.key, group.count, group.rule and group.rule.pattern.rate) == ("client-errors", 3, "60/h")
    assert _findings(result) == [] and logs.judge_rates(result).passed


def test_a_client_word_does_not_hide_the_service_stopping_or_losing_its_own_link(tmp_path: Path):
    result = _classified(tmp_path, SERVICE_WIDE + OWN_LINK, client_errors_rate="60/h")
    assert not result.of_severity("acceptable")
    assert [(g.key, g.count) for g in result.of_severity("critical")] == [("stated-level-critical", 2)]
    # the lost database connection is the dependency-link-lost family's; the others unknown errors
    assert [(g.key, g.count) for g in result.of_severity("warning")] == [("dependency-link-lost", 1)]
    assert sum(g.count for g in result.unknown.values()) == len(OWN_LINK) - 1


def test_client_errors_rate_tolerates_a_peak_and_is_off_by_default(tmp_path: Path):
    result = _classified(tmp_path, ONE_CLIENT, client_errors_rate="2/h")
    verdict = logs.judge_rates(result)
    assert not verdict.passed and "client-errors: 3 lines in one hour at its peak, tolerated 2/h" in verdict.summary
    result = _classified(tmp_path, ONE_CLIENT)
    assert not result.of_severity("acceptable") and sum(g.count for g in result.unknown.values()) == 3


# pairs: what one client did (counted against the rate), and the same words where the line is
# about the service itself (its dependency refused it, a limit or configuration of its own, its
# backend, a credential it stores, a local user, its own job, a peer's health, its own application)
ONE_CLIENT_NOT_SERVICE = [
    ("ERROR [mqtt] client 203.0.113.9 rejected: bad user name or password",
     "ERROR [bridge] Connection Refused: bad user name or password"),
    ("ERROR [mqtt] client connection from 203.0.113.9 denied by access rule",
     "ERROR [mqtt] client connection from 203.0.113.9 denied: max_connections exceeded"),
    ("ERROR [web] [client 203.0.113.9:40000] request rejected: invalid uri",
     "ERROR [web] [client 203.0.113.9:40000] too many internal redirects, probable configuration error"),
    ("ERROR [web] [client 203.0.113.9:40000] client sent invalid header line",
     "ERROR [proxy] [client 203.0.113.9:40000] failed to read FastCGI header"),
    ("ERROR [web] [client 203.0.113.9:40000] client sent invalid header line",
     "ERROR [web] [client 203.0.113.9:40000] response header 'Location' contains invalid characters"),
    ("ERROR C-0x1: app/admin@203.0.113.9:5000 password authentication failed",
     "ERROR C-0x1: app/admin@203.0.113.9:5000 SCRAM authentication failed: user has MD5 secret"),
    ("sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9",
     "sudo[1]: pam_unix(sudo:auth): authentication failure; logname=ops uid=1000 euid=0 tty=/dev/pts/0 ruser=ops "
     "rhost=  user=ops"),
    ('{"level":3,"remoteAddr":"203.0.113.9","message":"Login failed: bob (Remote IP: 203.0.113.9)"}',
     '{"level":3,"remoteAddr":"203.0.113.9","message":"Exception when running cache gc."}'),
    ("Dec  2 20:00:00 vpn openvpn[1]: 203.0.113.9:1194 TLS Error: TLS key negotiation failed to occur within 60 s",
     "Dec  2 20:00:00 vpn openvpn[1]: 203.0.113.9:1194 VERIFY ERROR: depth=0, error=certificate has expired: CN=a"),
    ("ERROR type=LOGIN_ERROR, clientId=account, ipAddress=203.0.113.9, error=invalid_user_credentials",
     "ERROR type=LOGIN_ERROR, clientId=grafana, ipAddress=203.0.113.9, error=invalid_redirect_uri"),
    ("[error] unknown packet from client 203.0.113.9, closing",
     "[error] missed heartbeats from client, timeout: 60s"),
    ("ERROR C-0x1: shop/shop@203.0.113.9:51020 password authentication failed",
     "ERROR C-0x1: shop/shop@172.18.0.7:51020 password authentication failed"),
    ("ERROR login failed for user admin from 203.0.113.9",
     "ERROR login failed for user app from 10.0.4.12"),
    ("ERROR [lb] 203.0.113.9:5000 [02/Dec/2026:10:00:00.000] fe_https/1: SSL handshake failure",
     "ERROR [lb] 203.0.113.9:5000 [02/Dec/2026:10:00:00.000] fe_https/1: Reached configured maxconn value"),
    ("ERROR [lb] 203.0.113.9:5000 [02/Dec/2026:10:00:00.000] fe_https/1: SSL handshake failure",
     "ERROR [lb] 203.0.113.9:5000 [02/Dec/2026:10:00:00.000] fe_https/1: Too many sockets on the process"),
    ('{"level":3,"remoteAddr":"203.0.113.9","message":"Login failed: bob (Remote IP: 203.0.113.9)"}',
     '{"level":3,"remoteAddr":"203.0.113.9","message":"Request used more than 300 MB of RAM: 412.3 MB"}'),
    ("ERROR # Error accepting a client connection: SSL routines::wrong version number (addr=203.0.113.9:5)",
     "ERROR # Unable to AUTH to MASTER: -WRONGPASS invalid username-password pair or user is disabled."),
    ("ERROR imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, rip=203.0.113.9",
     "ERROR imap-login: Disconnected: Auth process broken (disconnected before auth was ready): rip=203.0.113.9"),
    ("ERROR timed out reading the request from 203.0.113.9:123",
     "ERROR timed out waiting for reply from 203.0.113.9:123 (ntp.example.org)"),
    ('[error] open() "/srv/www/backup/database.sql" failed (2: No such file or directory), client: 203.0.113.9, '
     'request: "GET /backup/database.sql HTTP/1.1"',
     "[error] connect() to unix:/run/php/fpm.sock failed while connecting to upstream, client: 203.0.113.9, "
     'request: "GET /wp-cron.php HTTP/1.1"'),
    ('level=error msg="TLS handshake error" remote_addr=203.0.113.9:5000 err=EOF',
     'level=error msg="http: proxy error: EOF" url=http://app:8080/api remote_addr=203.0.113.9:5000'),
    ("ERROR http: TLS handshake error from 203.0.113.9:5000: EOF",
     "ERROR WS 192.0.2.37 error receiving data: the remote party closed the WebSocket connection without "
     "completing the close handshake"),
]  # fmt: skip
# what clients do to a port or a request, with no address in the line
CLIENT_DID = [
    "ERROR client did not start with AMQP protocol header",
    "ERROR HTTP GET request detected on AMQP port. Ensure the client is connecting to the correct port.",
    "error: Protocol major versions differ: 2 vs. 1",
    "ERROR: HTTP parse error, malformed request: are you trying to open an SSL connection to a non-SSL server?",
    "ERROR: Unable to open primary script: /var/www/html/wp-login.php (No such file or directory)",
    "java.lang.IllegalArgumentException: Invalid character found in method name [0x160x03]",
    "(mod_openssl.c.366) SSL: ssl_err:1 error:0A0000C1:SSL routines::no shared cipher",
    "ERROR:  canceling statement due to user request",
    "smb2_receive_raw_talloc failed for client ipv4:192.0.2.61:51522 read error = NT_STATUS_CONNECTION_RESET.",
    "ERROR Resolved [NoResourceFoundException: No static resource .env for request '/.env'.]",
    "ERROR Resolved [HttpRequestMethodNotSupportedException: Request method 'PROPFIND' is not supported]",
    "ERROR C-0x1: (nodb)/(nouser)@203.0.113.9:39412 TLS connection required",
    "WARNING authenticate_request failed: 401: Missing Authorization headers",
    "WARNING Invalid access token in auth: cannot determine data format",
]


@pytest.mark.parametrize(("client_line", "own_line"), ONE_CLIENT_NOT_SERVICE)
def test_one_client_s_line_is_told_from_the_service_s_own(client_line: str, own_line: str):
    assert about_one_client(client_line)
    assert not about_one_client(own_line)


@pytest.mark.parametrize("line", CLIENT_DID)
def test_what_a_client_did_to_a_port_or_request_is_about_one_client(line: str):
    assert about_one_client(line)


def test_the_service_s_own_lines_stay_unknown_errors_with_the_rate_set(tmp_path: Path):
    own = [own_line for _, own_line in ONE_CLIENT_NOT_SERVICE[1:6]]
    clients = [client_line for client_line, _ in ONE_CLIENT_NOT_SERVICE[1:3]]
    result = _classified(tmp_path, own + clients, client_errors_rate="60/h")
    assert sum(g.count for g in result.of_severity("acceptable")) == len(clients)
    assert sum(g.count for g in result.unknown.values()) == len(own)


ACCESS = [
    '10.0.0.4 - - [15/Feb/2026:20:00:00 +0000] "GET /api/failures HTTP/1.1" 404 12 "-" "curl/8.5.0"',
    '10.0.0.4 - - [15/Feb/2026:20:00:01 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "okhttp/4.9.3"',
    '{"ClientAddr":"10.0.0.7:1","DownstreamStatus":504,"RequestMethod":"GET","RequestPath":"/","level":"info"}',
]


def test_access_log_lines_are_judged_by_their_status(tmp_path: Path):
    result = _classified(tmp_path, ACCESS)
    assert sorted(g.count for g in result.unknown.values()) == [1, 1]  # the 502 and the 504, not the 404
    assert all(" 404 " not in g.examples[0] for g in result.unknown.values())


def test_access_error_statuses_choose_the_statuses(tmp_path: Path):
    result = _classified(tmp_path, ACCESS, access_error_statuses=["4xx"])
    assert [g.examples[0].split('"')[2].split()[0] for g in result.unknown.values()] == ["404"]


def test_a_journald_priority_states_the_level():
    line = logs._log_line("unit", "<4>2026-02-15T20:00:00+0000 h app[12]: cache nearly full")
    assert (line.priority, line.message) == (4, "cache nearly full")
    assert stated_level(line.message, line.priority) == Level.WARNING
    assert stated_level("cache nearly full", 6) is None  # what journald gives any line a service prints


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ('{"level":"warn","msg":"x"}', Level.WARNING),
        ('{"level":50,"msg":"x"}', Level.ERROR),
        ('{"t":{},"s":"F","c":"STORAGE","msg":"Terminating."}', Level.CRITICAL),
        ("UTC [27] LOG:  checkpoint starting: time", Level.INFO),
        ("UTC [27] HINT:  Consider increasing max_wal_size, failed once", Level.INFO),
        ("Feb 15 20:00:00 mail postfix/smtpd[12]: warning: hostname x does not resolve", Level.WARNING),
        ("dovecot: imap(a)<1><x>: Error: Mailbox INBOX: open failed", Level.ERROR),
        ("WARNING:root:config file not found", Level.WARNING),
        ("2026-02-15 20:00:00.123  WARN 1 --- [main] o.s.Foo : x", Level.WARNING),
        ("E0215 20:00:00.123456       1 leader.go:330] error retrieving lock", Level.ERROR),
        ("[15-Feb-2026 20:00:00] NOTICE: fpm is running, pid 1", Level.INFO),
        ("connection failed; hint: check the password", None),
        (
            '[02-Mar-2026 04:10:11 UTC] PHP Parse error:  syntax error, unexpected token "}" in /srv/a.php on line 3',
            Level.CRITICAL,
        ),
        ("[02-Mar-2026 04:10:11 UTC] PHP Notice:  Undefined index: error in /srv/a.php on line 9", Level.INFO),
        # a level word inside the message's prose, or a name that abbreviates like a level, states nothing
        ("sync fail: retrying in 5s", None),
        ("Success: 0 of 3 replicas answered", None),
        ("PNC gateway answered 502 to the payment", None),
        ("11:02 PNC gateway answered 502", None),
        ("Deploy step - ERROR - see the job log", None),
        ("crawler saw /admin\terror\tpage", None),
        ("the ERRO[0] field is unset", None),
        ("report [2026-03-02] app.ERROR: none", None),
        ("\x1b[1mbuild\x1b[0m failed with error", None),
        ("the hook called notify() [E] and failed", None),
        ("[x][y] no level here: ERROR", None),
        # ZoneMinder's daemons: three letters, the process's name, then the message, each in brackets
        ("zmc_m5[1840]: WAR [zmc_m5] [Decoding is not keeping up. 3.42 seconds behind capture.]", Level.WARNING),
        ("zmc_m9[2214]: FAT [zmc_m9] [Bogus monitor type 'Ffmpg' for monitor 9]", Level.CRITICAL),
        ("the WAR [1914] [a history] page", None),
        # ESPHome's device log: the time, the level's letter, the component's tag
        ("[15:30:44][W][wifi:163]: WiFi Connection lost... Reconnecting...", Level.WARNING),
        ("[17:52:13][E][wifi:204]: Can't connect to WiFi, rebooting...", Level.ERROR),
        ("[17:52:10][C][wifi:443]: WiFi:", Level.INFO),
        # a program's name before the date: the level after it is the line's
        ("Jicofo 2026-01-11 15:00:09.337 INFO: [77] JibriRecorder#122: Failed to start a Jibri session", Level.INFO),
        ("JVB 2026-04-03 02:14:55.017 WARN: [415] ColibriWebSocketServlet#156: unknown conference", Level.WARNING),
    ],
)
def test_stated_levels(message: str, level: Level | None):
    assert stated_level(message) == level


def test_access_status_reads_common_and_json_formats():
    assert access_status('1.2.3.4 - - [15/Feb/2026:20:00:00 +0000] "GET / HTTP/1.1" 503 0 "-" "-"') == 503
    assert access_status('{"logger":"http.log.access.log0","request":{"method":"GET"},"status":200}') == 200
    assert access_status('level=error msg="upstream answered" status=502') is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hosts:\n  h: {backend: 'local://', logs: {access_error_statuses: [5x]}}\n", "like 5xx, 4xx or 429"),
        ("hosts:\n  h: {backend: 'local://', logs: {unknown_warnings: maybe}}\n", "report"),
        ("hosts:\n  h: {backend: 'local://', logs: {client_errors_rate: often}}\n", "like 20/h"),
    ],
)
def test_bad_log_policy_is_one_line_naming_the_key(tmp_path: Path, text: str, fragment: str):
    path = tmp_path / "hosts.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError) as caught:
        load_inventory(path, None, environ={})
    assert caught.value.key.startswith("hosts.h.logs.") and fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_host_keeps_klog_warnings_but_not_every_go_caller_line(tmp_path: Path):
    """``.go:`` is in every klog header and in every ``caller=main.go:12`` field: the
    host's second grep keeps only klog warning/error headers of the lines it kept by it."""
    klog = "W0215 20:00:00.123456       1 reflector.go:424] watch of *v1.Pod ended with: too old resource version"
    caller = 'ts=2026-02-15T20:00:00Z caller=compact.go:523 level=info component=tsdb msg="write block"'
    klog_info = "I0215 20:00:00.123456       1 event.go:307] Event occurred"
    data = tmp_path / "lines.log"
    data.write_text(f"{klog}\n{caller}\n{klog_info}\n")
    classifier = Classifier(shipped_patterns())
    kept = run_sh(logs.host_filter(classifier.host_filter()), input=data.read_text(),
                          capture_output=True, text=True, check=False).stdout.splitlines()  # fmt: skip
    assert kept == [klog]
    result = _classified(tmp_path, [klog, caller, klog_info])
    assert [g.count for g in result.unknown_warnings.values()] == [1]


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("1:M 14 Feb 2026 09:05:03.101 # You requested maxclients of 10000 requiring at least 10032", Level.WARNING),
        ("1:S 14 Feb 2026 09:05:03.101 * Connection with master lost.", Level.INFO),
        ("1:M 14 Feb 2026 09:05:03.101 - Accepted 10.0.0.4:51234", Level.DEBUG),
        ("1:C 30 Dec 08:00:50.660 # Redis is starting", Level.WARNING),  # before Redis 3.2: no year
        ("2026/02/15 20:00:00 [alert] 41#41: 1024 worker_connections are not enough", Level.ERROR),
        ("2026/02/15 20:00:00 [crit] 41#41: *7 epoll_ctl(1, 23) failed (17: File exists)", Level.ERROR),
        ('2026/02/15 20:00:00 [emerg] 1#1: unknown directive "proxy_passs"', Level.CRITICAL),
        ("2026/02/15 20:00:00 [notice] 1#1: signal 1 (SIGHUP) received, reconfiguring", Level.INFO),
        (
            "[Sat Apr 11 03:12:44.190033 2026] [ssl:warn] [pid 1:tid 1] AH01909: www.example.org:443:0 server "
            "certificate does NOT include an ID which matches the server name",
            Level.WARNING,
        ),
        (
            "[Sat Apr 11 03:12:44.193118 2026] [ssl:emerg] [pid 1:tid 1] AH02572: Failed to configure at least one "
            "certificate and key for www.example.org:443",
            Level.CRITICAL,
        ),
        (
            "[Sat Apr 11 05:00:01.000001 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) "
            "configured -- resuming normal operations",
            Level.INFO,
        ),
    ],
)
def test_redis_and_nginx_headers_state_the_level(message: str, level: Level):
    """Redis's level character (``.-*#``, server.c) and nginx's header, where alert and crit
    are failures nginx survives (errors) and only emerg stops it (critical); Apache httpd's
    ``[module:level]`` header the same way."""
    assert stated_level(message) == level


HAPROXY = [
    "haproxy[14]: 10.0.0.37:50128 [15/Feb/2026:20:00:01.101] fe_https~ be_cloud/nc1 0/0/0/-1/30002 504 194 - - sH-- "
    '12/12/2/2/0 0/0 "PROPFIND /remote.php/dav/files/bob/ HTTP/1.1"',
    "haproxy[14]: 10.0.0.38:50129 [15/Feb/2026:20:00:02.101] fe_https~ be_cloud/nc1 0/0/1/12/13 200 5120 - - ---- "
    '12/12/0/0/0 0/0 "GET /status/errors HTTP/1.1"',
    '10.0.0.4 - - [15/Feb/2026:20:00:00 +0000] "GET /errors HTTP/1.1" 200 5123 "-" "curl/8.5.0"',
]


def test_haproxy_http_log_lines_are_judged_by_their_status(tmp_path: Path):
    """HAProxy's HTTP log format writes the status after its timers, not after the request."""
    assert [access_status(line) for line in HAPROXY] == [504, 200, 200]
    result = _classified(tmp_path, HAPROXY)
    assert [g.examples[0] for g in result.unknown.values()] == [HAPROXY[0]]
    assert _findings(result) == [next(iter(result.unknown))]


UVICORN = [
    'INFO:     172.18.0.4:48818 - "GET /api/v1/orders/1182 HTTP/1.1" 500 Internal Server Error',
    'INFO:     172.18.0.4:48820 - "GET /api/v1/errors/summary HTTP/1.1" 200 OK',
    "INFO:     Application startup complete.",
]


def test_uvicorn_access_lines_are_judged_by_their_status(tmp_path: Path):
    """uvicorn writes its access lines at INFO: the status, not the level, says a request failed."""
    assert [access_status(line) for line in UVICORN] == [500, 200, None]
    result = _classified(tmp_path, UVICORN)
    assert [g.examples[0] for g in result.unknown.values()] == [UVICORN[0]]


GIN = [
    '[GIN] 2026/12/05 - 01:02:03 | 500 |    1.234567ms |     203.0.113.7 | GET      "/api/v1/items"',
    '[GIN] 2026/12/05 - 01:02:04 | 200 |      12.3\u00b5s |     203.0.113.7 | GET      "/api/v1/errors"',
    '[GIN] 2026/12/05 - 01:02:05 | 404 |       8.1\u00b5s |     203.0.113.9 | GET      "/wp-login.php"',
]
PLUG = [
    "12:20:44.902 request_id=GEf3QYb7c0pTKuEAAC1x [info] POST /api/event",
    "12:20:44.917 request_id=GEf3QYb7c0pTKuEAAC1x [info] Sent 500 in 15ms",
    "12:20:45.002 request_id=GEf3RbNw2Lq8Y1gAAC2C [info] GET /api/errors/summary",
    "12:20:45.003 request_id=GEf3RbNw2Lq8Y1gAAC2C [info] Chunked 200 in 812\u00b5s",
    "12:20:46.110 [info] Sent 3 reports in 2 batches",
]


@pytest.mark.parametrize(
    ("lines", "statuses", "failed"), [(GIN, [500, 200, 404], 0), (PLUG, [None, 500, None, 200, None], 1)]
)
def test_gin_and_plug_request_lines_are_judged_by_their_status(
    tmp_path: Path, lines: list[str], statuses: list[int | None], failed: int
):
    """gin and Plug (Phoenix) log every request at info, or at no level: the status says a request failed."""
    assert [access_status(line) for line in lines] == statuses
    result = _classified(tmp_path, lines)
    assert [g.examples[0] for g in result.unknown.values()] == [lines[failed]]
    assert _findings(result) == [next(iter(result.unknown))]


@pytest.mark.parametrize("statuses", [["5xx"], ["429"]])
def test_gin_s_coloured_status_is_kept_by_the_host_and_judged(tmp_path: Path, statuses: list[str]):
    """With a tty, gin writes the status between colour codes (red for 5xx, yellow for 4xx)."""
    red, yellow, green, reset = "\x1b[97;41m", "\x1b[90;43m", "\x1b[97;42m", "\x1b[0m"
    lines = [
        f'[GIN] 2026/12/05 - 01:02:03 |{red} 502 {reset}|    1.2ms |  203.0.113.7 |\x1b[97;44m GET {reset} "/a"',
        f'[GIN] 2026/12/05 - 01:02:04 |{yellow} 429 {reset}|    1.2ms |  203.0.113.7 |\x1b[97;44m GET {reset} "/b"',
        f'[GIN] 2026/12/05 - 01:02:05 |{green} 200 {reset}|    1.2ms |  203.0.113.7 |\x1b[97;44m GET {reset} "/c"',
    ]
    result = _classified(tmp_path, lines, access_error_statuses=statuses)
    assert [g.examples[0].split('"')[-2] for g in result.unknown.values()] == ["/a" if statuses == ["5xx"] else "/b"]


def test_the_host_keeps_haproxy_errors_but_not_every_digit_before_a_status_digit(tmp_path: Path):
    """A digit, a space and 5 is in every HAProxy 5xx line and in many others (a size of
    5123 bytes): the host's second grep keeps of those only HAProxy's timers and status;
    a pattern whose literal holds such a string still keeps its lines."""
    pattern = {"id": "legacy-500", "regex": "answered HTTP/1.1 500", "severity": "warning",
               "explanation": "x", "remediation": "y"}  # fmt: skip
    other = "legacy gateway answered HTTP/1.1 500 to the batch job"
    lines = [line.replace("errors", "summary") for line in HAPROXY]
    data = tmp_path / "lines.log"
    data.write_text("\n".join([*lines, other]) + "\n")
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump({"hosts": {"h": {"backend": "local://"}}, "log_patterns": [pattern]}))
    user = load_inventory(path, None, environ={}).log_patterns
    classifier = Classifier(knowledge_base(user))
    kept = run_sh(logs.host_filter(classifier.host_filter()), input=data.read_text(),
                          capture_output=True, text=True, check=False).stdout.splitlines()  # fmt: skip
    assert kept == [lines[0], other]


def test_a_benign_pattern_makes_a_known_warning_level_line_no_finding(tmp_path: Path):
    """nginx writes every upload over client_body_buffer_size to disk at warn level."""
    line = "2026/02/15 20:00:00 [warn] 22#22: *405 a client request body is buffered to a temporary file /tmp/1"
    result = _classified(tmp_path, [line, WARNINGS[0]])
    assert [g.key for g in result.of_severity("benign")] == ["nginx-request-body-buffered"]
    assert [g.examples[0] for g in result.unknown_warnings.values()] == [WARNINGS[0]]
    path = tmp_path / "hosts.yaml"
    entry = {"id": "cache-warmup", "regex": "cache warm-up slow", "severity": "benign", "explanation": "x",
             "remediation": "nothing"}  # fmt: skip
    path.write_text(yaml.safe_dump({"hosts": {"h": {"backend": "local://"}}, "log_patterns": [entry]}))
    assert load_inventory(path, None, environ={}).log_patterns[0].severity == "benign"


# The default layouts of the logging libraries services are built on, as each library's
# formatter writes them ({d} the date, {t} the time of day, {m} the message): an error line,
# its info twin and, where the library has one, its critical (fatal, panic, emergency) form.
# The message holds an error word in all three: the level decides.
E = "\x1b"
LAYOUTS = {
    "log/slog text": ('time={d}T{t}.123Z level=ERROR msg="{m}"', 'time={d}T{t}.123Z level=INFO msg="{m}"', None),
    "log/slog JSON": ('{{"time":"{d}T{t}Z","level":"ERROR","msg":"{m}"}}',
                      '{{"time":"{d}T{t}Z","level":"INFO","msg":"{m}"}}', None),
    "log/slog, a level above ERROR": ('time={d}T{t}.123Z level=ERROR+4 msg="{m}"',
                                      'time={d}T{t}.123Z level=INFO+2 msg="{m}"', None),
    "log with slog's default handler": ("{d/} {t} ERROR {m}", "{d/} {t} INFO {m}", None),
    "logrus text": ('time="{d}T{t}Z" level=error msg="{m}"', 'time="{d}T{t}Z" level=info msg="{m}"',
                    'time="{d}T{t}Z" level=fatal msg="{m}"'),
    "logrus text on a terminal": ("ERRO[0012] {m}", "INFO[0012] {m}", "FATA[0012] {m}"),
    "logrus full timestamp, coloured": (E + "[31mERRO" + E + "[0m[{d}T{t}Z] {m}",
                                        E + "[36mINFO" + E + "[0m[{d}T{t}Z] {m}",
                                        E + "[31mPANI" + E + "[0m[{d}T{t}Z] {m}"),
    "logrus JSON": ('{{"level":"error","msg":"{m}","time":"{d}T{t}Z"}}',
                    '{{"level":"info","msg":"{m}","time":"{d}T{t}Z"}}',
                    '{{"level":"panic","msg":"{m}","time":"{d}T{t}Z"}}'),
    "zap JSON": ('{{"level":"error","ts":1772424611.123,"caller":"index/sync.go:88","msg":"{m}"}}',
                 '{{"level":"info","ts":1772424611.123,"caller":"index/sync.go:88","msg":"{m}"}}',
                 '{{"level":"fatal","ts":1772424611.123,"caller":"index/sync.go:88","msg":"{m}"}}'),
    "zap JSON, dpanic": ('{{"level":"dpanic","ts":1772424611.123,"msg":"{m}"}}',
                         '{{"level":"info","ts":1772424611.123,"msg":"{m}"}}', None),
    "zap console, development": ("{d}T{t}.123Z\tERROR\tindex/sync.go:88\t{m}",
                                 "{d}T{t}.123Z\tINFO\tindex/sync.go:88\t{m}",
                                 "{d}T{t}.123Z\tFATAL\tindex/sync.go:88\t{m}"),
    "zap console, production": ("1.7724246111234e+09\terror\tindex/sync.go:88\t{m}",
                                "1.7724246111234e+09\tinfo\tindex/sync.go:88\t{m}",
                                "1.7724246111234e+09\tpanic\tindex/sync.go:88\t{m}"),
    "zerolog console": ("4:10AM ERR {m} attempt=1", "4:10AM INF {m} attempt=1", "4:10AM PNC {m} attempt=1"),
    "zerolog console, coloured": (E + "[90m4:10AM" + E + "[0m " + E + "[31mERR" + E + "[0m {m}",
                                  E + "[90m4:10AM" + E + "[0m " + E + "[32mINF" + E + "[0m {m}",
                                  E + "[90m4:10AM" + E + "[0m " + E + "[31mFTL" + E + "[0m {m}"),
    "zerolog JSON": ('{{"level":"error","time":"{d}T{t}Z","message":"{m}"}}',
                     '{{"level":"info","time":"{d}T{t}Z","message":"{m}"}}',
                     '{{"level":"fatal","time":"{d}T{t}Z","message":"{m}"}}'),
    "hclog": ("{d}T{t}.123Z [ERROR] index: {m}: attempt=1", "{d}T{t}.123Z [INFO]  index: {m}: attempt=1", None),
    "hclog JSON": ('{{"@level":"error","@message":"{m}","@module":"index","@timestamp":"{d}T{t}.123456Z"}}',
                   '{{"@level":"info","@message":"{m}","@module":"index","@timestamp":"{d}T{t}.123456Z"}}', None),
    "charmbracelet/log": ("{d/} {t} ERRO {m} attempt=1", "{d/} {t} INFO {m} attempt=1", "{d/} {t} FATA {m} attempt=1"),
    "Python logging's basicConfig": ("ERROR:index.sync:{m}", "INFO:index.sync:{m}", "CRITICAL:index.sync:{m}"),
    "Python logging, dashed": ("{d} {t},123 - index - ERROR - {m}", "{d} {t},123 - index - INFO - {m}",
                               "{d} {t},123 - index - CRITICAL - {m}"),
    "structlog": ("{d} {t} [error    ] {m}   attempt=1", "{d} {t} [info     ] {m}   attempt=1",
                  "{d} {t} [critical ] {m}   attempt=1"),
    "structlog, coloured": (E + "[2m{d} {t}" + E + "[0m [" + E + "[31m" + E + "[1merror    " + E + "[0m] {m}",
                            E + "[2m{d} {t}" + E + "[0m [" + E + "[32m" + E + "[1minfo     " + E + "[0m] {m}",
                            E + "[2m{d} {t}" + E + "[0m [" + E + "[31m" + E + "[1mcritical " + E + "[0m] {m}"),
    "loguru": ("{d} {t}.123 +00:00 | ERROR    | index.sync:run:88 - {m}",
               "{d} {t}.123 +00:00 | INFO     | index.sync:run:88 - {m}",
               "{d} {t}.123 +00:00 | CRITICAL | index.sync:run:88 - {m}"),
    "Spring Boot (logback)": ("{d}T{t}.123Z ERROR 1 --- [main] c.e.index.Sync : {m}",
                              "{d}T{t}.123Z  INFO 1 --- [main] c.e.index.Sync : {m}", None),
    "logback's default": ("{t}.123 [main] ERROR c.e.index.Sync -- {m}", "{t}.123 [main] INFO  c.e.index.Sync -- {m}",
                          None),
    "log4j2's default": ("{t}.123 [main] ERROR c.e.index.Sync - {m}", "{t}.123 [main] INFO  c.e.index.Sync - {m}",
                         "{t}.123 [main] FATAL c.e.index.Sync - {m}"),
    "java.util.logging's second line": ("SEVERE: {m}", "INFO: {m}", None),
    ".NET console": ("fail: Index.Sync[0]", "info: Index.Sync[0]", "crit: Index.Sync[0]"),
    ".NET console, single line": ("fail: Index.Sync[0] {m}", "info: Index.Sync[0] {m}", "crit: Index.Sync[0] {m}"),
    ".NET JSON console": ('{{"EventId":0,"LogLevel":"Error","Category":"Index.Sync","Message":"{m}"}}',
                          '{{"EventId":0,"LogLevel":"Information","Category":"Index.Sync","Message":"{m}"}}',
                          '{{"EventId":0,"LogLevel":"Critical","Category":"Index.Sync","Message":"{m}"}}'),
    "Serilog console": ("[{t} ERR] {m}", "[{t} INF] {m}", "[{t} FTL] {m}"),
    "Serilog compact JSON": ('{{"@t":"{d}T{t}.1234567Z","@mt":"{m}","@l":"Error","Index":"a"}}',
                             '{{"@t":"{d}T{t}.1234567Z","@mt":"{m}","Index":"a"}}',
                             '{{"@t":"{d}T{t}.1234567Z","@mt":"{m}","@l":"Fatal","Index":"a"}}'),
    "Monolog": ("[{d}T{t}.123456+00:00] app.ERROR: {m} [] []", "[{d}T{t}.123456+00:00] app.INFO: {m} [] []",
                "[{d}T{t}.123456+00:00] app.EMERGENCY: {m} [] []"),
    "Monolog (Laravel)": ('[{d} {t}] production.ERROR: {m} {{"userId":3}}',
                          '[{d} {t}] production.NOTICE: {m} {{"userId":3}}',
                          '[{d} {t}] production.ALERT: {m} {{"userId":3}}'),
    "winston": ("error: {m}", "info: {m}", None),
    "winston, coloured": (E + "[31merror" + E + "[39m: {m}", E + "[32minfo" + E + "[39m: {m}", None),
    "pino": ('{{"level":50,"time":1772424611123,"pid":1,"hostname":"h","msg":"{m}"}}',
             '{{"level":30,"time":1772424611123,"pid":1,"hostname":"h","msg":"{m}"}}',
             '{{"level":60,"time":1772424611123,"pid":1,"hostname":"h","msg":"{m}"}}'),
    "bunyan": ('{{"name":"index","hostname":"h","pid":1,"level":50,"msg":"{m}","time":"{d}T{t}.123Z","v":0}}',
               '{{"name":"index","hostname":"h","pid":1,"level":30,"msg":"{m}","time":"{d}T{t}.123Z","v":0}}',
               '{{"name":"index","hostname":"h","pid":1,"level":60,"msg":"{m}","time":"{d}T{t}.123Z","v":0}}'),
    "Ruby Logger": ("E, [{d}T{t}.123456 #1234] ERROR -- : {m}", "I, [{d}T{t}.123456 #1234]  INFO -- : {m}",
                    "F, [{d}T{t}.123456 #1234] FATAL -- : {m}"),
    "env_logger": ("[{d}T{t}Z ERROR index::sync] {m}", "[{d}T{t}Z INFO  index::sync] {m}", None),
    "tracing fmt": ("{d}T{t}.123456Z ERROR index::sync: {m}", "{d}T{t}.123456Z  INFO index::sync: {m}", None),
    "tracing fmt, coloured": (E + "[2m{d}T{t}.123456Z" + E + "[0m " + E + "[31mERROR" + E + "[0m index::sync: {m}",
                              E + "[2m{d}T{t}.123456Z" + E + "[0m " + E + "[32m INFO" + E + "[0m index::sync: {m}",
                              None),
    "Erlang/OTP error_logger": ("=ERROR REPORT==== 2-Mar-2026::{t}.123456 ===", "=INFO REPORT==== 2-Mar-2026::{t} ===",
                                None),
    "Erlang/OTP crash report": ("=CRASH REPORT==== 2-Mar-2026::{t}.123456 ===",
                                "=PROGRESS REPORT==== 2-Mar-2026::{t}.123456 ===", None),
    "Gitea's logger": ("{d/} {t} routers/web/repo/view.go:212:Home() [E] {m}",
                       "{d/} {t} cmd/web.go:233:runWeb() [I] {m}",
                       "{d/} {t} ...ules/setting/log.go:155:initLoggerByName() [F] {m}"),
    "[time][target][LEVEL] (fern, Vaultwarden)": ("[{d} {t}.123][vaultwarden::api::core][ERROR] {m}",
                                                  "[{d} {t}.123][vaultwarden][INFO] {m}", None),
    "Jetty's StdErrAppender": ("{d} {t}.123:ERROR:oejs.HttpChannel:qtp1-27: {m}",
                               "{d} {t}.123:INFO :oejs.Server:main: {m}", None),
    "Telegraf's text logger": ("{d}T{t}Z E! [inputs.mqtt_consumer] {m}", "{d}T{t}+00:00 I! [agent] {m}", None),
    "winston's time | level | message (n8n)": ("{d}T{t}.118Z | error | {m}", "{d}T{t}.118Z | info  | {m}", None),
    "winston's time | level | message, a local time": ("{d} {t} | error | {m}", "{d} {t} | http | {m}", None),
    "QuestDB's log writers": ("{d}T{t}.123456Z E i.q.c.p.WriterPool {m}", "{d}T{t}.123456Z I i.q.c.TableReader {m}",
                              None),
    "QuestDB's critical marker (an internal error it serves on)": ("{d}T{t}.123456Z C i.q.c.p.WriterPool {m}",
                                                                   "{d}T{t}.123456Z A server-main {m}", None),
    "Elixir Logger": ("{t}.123 [error] {m}", "{t}.123 [info] {m}", "{t}.123 [emergency] {m}"),
    "Elixir Logger with metadata": ("{t}.123 request_id=F1 [error] {m}", "{t}.123 request_id=F1 [notice] {m}",
                                    "{t}.123 request_id=F1 [critical] {m}"),
    "python-json-logger": ('{{"asctime": "{d} {t},123", "levelname": "ERROR", "name": "index", "message": "{m}"}}',
                           '{{"asctime": "{d} {t},123", "levelname": "INFO", "name": "index", "message": "{m}"}}',
                           '{{"asctime": "{d} {t},123", "levelname": "CRITICAL", "name": "index", "message": "{m}"}}'),
    "qBittorrent's log file": ("(C) {d}T{t} - {m}", "(N) {d}T{t} - {m}", None),
    "Prosody's log file": ("Mar 02 {t} c2s55e3c6e70a00\terror\t{m}", "Mar 02 {t} c2s55e3c6e70a00\tinfo\t{m}", None),
    "Prosody's console": ("c2s55e3c6e70a00         error\t{m}", "c2s55e3c6e70a00         info\t{m}", None),
    "log4j2 console (Elasticsearch, OpenSearch)": ("[{d}T{t},123][ERROR][o.o.i.Sync               ] [node-1] {m}",
                                                   "[{d}T{t},123][INFO ][o.o.i.Sync               ] [node-1] {m}",
                                                   None),
    "Tornado": ("[E {ymd} {t} web:2271] {m}", "[I {ymd} {t} web:2271] {m}", "[C {ymd} {t} web:2271] {m}"),
    "Tornado (Jupyter Server)": ("[E {d} {t}.123 ServerApp] {m}", "[I {d} {t}.123 ServerApp] {m}", None),
    "Nextcloud": ('{{"reqId":"Zx1","level":3,"time":"{d}T{t}+00:00","remoteAddr":"","user":"--","app":"index",'
                  '"method":"","url":"--","message":"{m}","userAgent":"--","version":"30.0.2.2"}}',
                  '{{"reqId":"Zx1","level":1,"time":"{d}T{t}+00:00","remoteAddr":"","user":"--","app":"index",'
                  '"method":"","url":"--","message":"{m}","userAgent":"--","version":"30.0.2.2"}}',
                  '{{"reqId":"Zx1","level":4,"time":"{d}T{t}+00:00","remoteAddr":"","user":"--","app":"index",'
                  '"method":"","url":"--","message":"{m}","userAgent":"--","version":"30.0.2.2"}}'),
    "klog": ("E{md} {t}.123456       1 controller.go:212] {m}", "I{md} {t}.123456       1 controller.go:212] {m}",
             "F{md} {t}.123456       1 controller.go:212] {m}"),
    "glog without thread id and bracket (SeaweedFS)": ("E{md} {t}.123456 master.go:120 {m}",
                                                        "I{md} {t}.123456 master.go:120 {m}",
                                                        "F{md} {t}.123456 master.go:120 {m}"),
    "FreshRSS's Minz_Log": ("[{rfc}] [error] --- {m}", "[{rfc}] [notice] --- {m}", None),
    "FreshRSS's Minz_Log copied to syslog": ("[alice] [{rfc}] [error] --- {m}", "[alice] [{rfc}] [info] --- {m}", None),
    "syslog with a facility (RFC 3164)": ("<11>Mar  2 {t} index[12]: {m}", "<14>Mar  2 {t} index[12]: {m}",
                                          "<10>Mar  2 {t} index[12]: {m}"),
    "syslog with a facility (RFC 5424)": ("<187>1 {d}T{t}.123Z h index 12 - - {m}",
                                          "<190>1 {d}T{t}.123Z h index 12 - - {m}",
                                          "<186>1 {d}T{t}.123Z h index 12 - - {m}"),
}  # fmt: skip


def _layout(line: str, moment: dt.datetime) -> str:
    day, time = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    return line.format(
        d=day,
        t=time,
        m="search index sync failed, will retry",
        ymd=moment.strftime("%y%m%d"),
        md=moment.strftime("%m%d"),
        rfc=moment.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        **{"d/": day.replace("-", "/")},
    )


def test_jetty_warnings_padded_or_not_are_warnings():
    assert stated_level("2026-03-02 04:10:11.123:WARN :oejs.HttpChannel:qtp1-27: /api failed") == Level.WARNING
    assert stated_level("2026-03-02 04:10:11.123:WARN:oejs.HttpChannel:qtp1-27: /api failed") == Level.WARNING
    assert stated_level("2026-03-02 04:10:11.123:DBUG:oejs.HttpChannel:qtp1-27: /api failed") == Level.DEBUG
    assert stated_level("2026-03-02 04:10:11.123 WARN the /api failed") == Level.WARNING  # other layouts unchanged


MORE_WARNINGS = [
    "[2026-03-02T04:10:11,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] {m}",  # log4j2's %-5p
    "[W 260302 04:10:11 web:2271] {m}",
    "[W 2026-03-02 04:10:11.123 ServerApp] {m}",
    '{{"reqId":"Zx1","level":2,"time":"2026-03-02T04:10:11+00:00","remoteAddr":"","user":"--","message":"{m}"}}',
    "<12>Mar  2 04:10:11 index[12]: {m}",  # user.warning
    "<164>1 2026-03-02T04:10:11.123Z h index 12 - - {m}",  # local4.warning
    "(W) 2026-03-02T04:10:11 - {m}",  # qBittorrent's log file
    "Mar 02 04:10:11 c2s55e3c6e70a00\twarn\t{m}",  # Prosody's log file
    "c2s55e3c6e70a00         warn\t{m}",  # Prosody's console
    "W0302 04:10:11.123456 volume_checking.go:318 {m}",  # SeaweedFS's glog
    "[Mon, 02 Mar 2026 04:10:11 +0000] [warning] --- {m}",  # FreshRSS
]


@pytest.mark.parametrize("line", MORE_WARNINGS)
def test_padded_initial_numeric_and_facility_levels_state_a_warning(line: str):
    assert stated_level(line.format(m="disk watermark exceeded on one node")) == Level.WARNING


@pytest.mark.parametrize(
    "line",
    [
        "<192>Mar  2 04:10:11 index[12]: sync ran",  # no syslog priority is above 191
        "<012>Mar  2 04:10:11 index[12]: sync ran",  # nor written with a leading zero
        '{{"reqId":"Zx1","level":2,"user":"--","message":"sync ran"}}',  # Nextcloud's numbers come before "time"
        "[W] 260302 04:10:11 web:2271 sync ran",
        "(W) sync ran at 04:10:11",  # qBittorrent's initial comes before its ISO time
        "c2s55e3c6e70a00 warn\tsync ran",  # Prosody pads its source with two spaces at least
        "W0302 sync ran at 04:10:11.123456 in main.go:12",  # a glog header has its time right after the date
        "[Mon, 02 Mar 2026 04:10:11 +0000] [warning] sync ran",  # Minz_Log writes " --- " after the level
    ],
)
def test_lookalikes_of_those_levels_state_none(line: str):
    assert stated_level(line.format()) is None


def test_the_host_keeps_those_warnings_and_reports_them(tmp_path: Path):
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S")
    lines = [line.format(m="disk watermark exceeded on one node").replace("2026-03-02T04:10:11", stamp)
             for line in MORE_WARNINGS]  # fmt: skip
    result = _classified(tmp_path, lines)
    assert sum(g.count for g in result.unknown_warnings.values()) == len(lines), result.unknown_warnings
    assert not result.unknown and not result.of_severity("critical")


@pytest.mark.parametrize("library", LAYOUTS)
def test_logging_libraries_default_layouts_state_the_level(library: str):
    moment = dt.datetime(2026, 3, 2, 4, 10, 11)
    error, info, critical = (line and _layout(line, moment) for line in LAYOUTS[library])
    assert (stated_level(error), stated_level(info)) == (Level.ERROR, Level.INFO)
    if critical:
        assert stated_level(critical) == Level.CRITICAL


@pytest.mark.parametrize("library", LAYOUTS)
def test_the_host_keeps_every_library_error_and_reports_it_at_its_level(tmp_path: Path, library: str):
    """Through the real host filter, from a log file (whose own time golive reads, then judges the
    line whole): each library's error line is an unknown error, its critical form critical,
    its info twin nothing, whatever the words of its message. One library a run, so that one
    library's miss cannot hide behind another's extra finding."""
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    error, info, critical = (line and _layout(line, moment) for line in LAYOUTS[library])
    for line, unknown, serious in ((error, 1, 0), (info, 0, 0), (critical, 0, 1)):
        if line is None:
            continue
        result = _classified(tmp_path, [line])
        assert sum(g.count for g in result.unknown.values()) == unknown, line
        assert sum(g.count for g in result.of_severity("critical")) == serious, line  # some by the level-fatal pattern
        assert not result.unknown_warnings and not result.of_severity("warning"), line


@pytest.mark.parametrize("library", LAYOUTS)
def test_a_line_from_a_log_file_is_judged_as_the_same_line_from_a_container(library: str):
    """A file's line keeps its own time in the words judged: a reader that needs the time finds it
    there, as in the line a container prints (after the engine's own time)."""
    moment = dt.datetime(2026, 3, 2, 4, 10, 11)
    for line in (line and _layout(line, moment) for line in LAYOUTS[library]):
        if line is not None:
            from_container = logs._log_line("container", f"2026-03-02T04:10:12.000000001Z {line}")
            assert logs._log_line("file", line).message == from_container.message, line


def test_every_level_word_of_warning_or_worse_holds_a_host_literal():
    """The host keeps a line by fixed strings: each word and header read as a warning or worse holds one."""
    literals = host_literals(("5xx",))
    serious = [word for word, level in _WORDS.items() if level >= Level.WARNING]
    assert not [word for word in serious if not any(text in word for text in literals)]
    headers = ["=CRASH REPORT==== 2-Mar-2026::04:10:11 ===", "=SUPERVISOR REPORT==== 2-Mar-2026::04:10:11 ===",
               "2026/03/02 04:10:11 modules/ssh/ssh.go:134:publicKeyHandler() [E] public key does not exist",
               "2026/03/02 04:10:11 modules/ssh/ssh.go:134:publicKeyHandler() [W] public key does not exist",
               "2026/03/02 04:10:11 ...ules/setting/log.go:155:initLoggerByName() [F] unknown logger"]  # fmt: skip
    for header in headers:
        assert stated_level(header) >= Level.WARNING and any(text in header.lower() for text in literals)


@pytest.mark.parametrize(
    "message",
    [
        "No errors found.",
        "Errors: 0, Warnings: 2",
        "sync finished, failed: 0, succeeded: 120",
        "Task completed without errors",
        'scan done error="<nil>"',
        '{"msg":"job done","error":null}',
        '{"msg":"batch stored","errors":[]}',
        "export finished, error_count: 0, error_rate: 0.0%",
        "Errors: none",
        "writing to /tmp/out and app-error.log",
        "verify pass 2: error-free, 3021 blocks checked",
        "Consistency check done: errors were not found",
    ],
)
def test_a_line_saying_nothing_went_wrong_does_not_read_as_an_error(message: str):
    assert not words_say_error(message, ERROR_LIKE)


@pytest.mark.parametrize(
    "message",
    [
        "Errors: 3, Warnings: 2",
        "sync finished, failed: 10, succeeded: 120",
        "No errors found, but the upload failed",
        'scan done error="EOF"',
        "errors: 0.5% of requests",
        "errors: 3 since start",
        "error: 0xc0000005 in module app.so",
        '{"msg":"batch stored","errors":["row 4: bad date"]}',
        "could not open app-error.log: permission denied",
        "the run was error-free until the upload failed",
        "errors were not found in the cache, reading them failed: EOF",
    ],
)
def test_a_line_with_an_error_beside_a_zero_count_still_reads_as_an_error(message: str):
    assert words_say_error(message, ERROR_LIKE)
