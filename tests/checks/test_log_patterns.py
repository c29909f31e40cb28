"""The knowledge base and the classifier (checks/log_patterns.py) on real-looking lines."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from golive.checks import log_patterns, logs
from golive.checks.log_patterns import (
    ERROR_LIKE,
    ERROR_WORDS,
    Classifier,
    knowledge_base,
    parse_rate,
    required_literals,
    shipped_patterns,
    suggestion,
    template,
    template_regex,
)
from golive.errors import InventoryError
from golive.inventory import LogPattern, load_inventory, load_log_patterns
from golive.log_pattern_syntax import SHIPPED_VALIDATED, derive_literals, shipped_literals, shipped_validated
from tests.conftest import run_sh

SHIPPED = shipped_patterns()
SEED_LINES = {  # the user's audit documents, verbatim
    "container-start-timeout-restart": "WARNING: UNMS did not start in time, restarting container",
    "make-target-failed": "make: *** [Makefile:22: server_with_migrate] Error 1",
    "psycopg2-connection-refused": 'psycopg2.OperationalError: connection to server at "odoo-db" (172.22.0.2), '
    "port 5432 failed: Connection refused",
    "odoo-database-connection-failed": "INFO  ? odoo.sql_db: Connection to the database failed",
    "worker-exception-exiting": "ERROR ? odoo.service.server: Worker WorkerCron (36) Exception occurred, exiting...",
    "blackbox-probe-wrong-status": "ERROR Invalid HTTP response status code, wanted 2xx",
    "crowdsec-sqlite-no-wal": "sqlite is not using WAL mode, LAPI might become unresponsive",
    "crowdsec-parser-filter-failed": "failed to run filter : invalid character '.' after top-level value",
    "grafana-plugin-already-registered": '"Could not register plugin" pluginId=xychart '
    'error="plugin xychart is already registered"',
    "cadvisor-filesystem-stats": "failed to collect filesystem stats",
    "unbound-healthcheck-ping-failed": "Healthcheck: Failed to ping 9.9.9.9",
    "dovecot-ssl-accept-failed": "SSL_accept() failed: unsupported protocol",
    "rtsp-scanner-probe": '[rtsp] error="unsupported method: GET"',
    "websocket-stream-reconnect": "ERROR: BTCUSDT stream error: Read loop has been closed, please reset websocket",
}


def test_shipped_knowledge_base_is_installed_and_valid():
    assert log_patterns.shipped_path().is_file()
    assert len(SHIPPED) >= 50
    assert {p.severity for p in SHIPPED} == {"critical", "warning", "acceptable", "benign"}
    assert all(p.rate for p in SHIPPED if p.severity == "acceptable")


def test_the_validated_knowledge_base_is_the_shipped_file_validated_in_full():
    # each run reads the patterns from the table and trusts it for the regexes it lists:
    # neither compiled nor parsed again
    path = log_patterns.shipped_path()
    in_full = load_log_patterns(path, require_examples=True)
    literals = {p.regex: derive_literals(p.regex) for p in in_full}
    stale = f"golive/knowledge/{SHIPPED_VALIDATED} is stale: regenerate it with python -m golive.checks.log_patterns"
    assert shipped_validated()["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), stale
    assert shipped_literals() == {regex: found for regex, found in literals.items() if found}, stale
    assert SHIPPED == in_full


def test_a_knowledge_base_edited_since_its_table_was_written_is_read_from_the_file(tmp_path: Path):
    edited = tmp_path / "log_patterns.yaml"
    data = yaml.safe_load(log_patterns.shipped_path().read_text())
    data["log_patterns"][0]["explanation"] = "edited since the table was written"
    edited.write_text(yaml.safe_dump(data))
    assert log_patterns.shipped_from(edited, shipped_validated())[0].explanation == "edited since the table was written"
    assert log_patterns.shipped_from(edited, {})[0].explanation == "edited since the table was written"
    assert log_patterns.shipped_from(log_patterns.shipped_path(), shipped_validated()) == SHIPPED


def test_a_regex_the_table_does_not_list_is_validated_and_derived(tmp_path: Path):
    assert required_literals(SHIPPED[0].regex) is shipped_literals()[SHIPPED[0].regex]
    assert required_literals("no such (?:regex|pattern) here") == ("no such pattern here", "no such regex here")
    broken = tmp_path / "log_patterns.yaml"
    data = yaml.safe_load(log_patterns.shipped_path().read_text())
    data["log_patterns"][2]["regex"] += "(?:x"  # now unlisted: compiled again, and refused
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError, match=r"log_patterns\[2\]\.regex: invalid regex"):
        load_log_patterns(broken, require_examples=True, trusted=shipped_literals())
    data["log_patterns"][2]["regex"] = SHIPPED[2].regex + "never in the example"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError, match=r"log_patterns\[2\]\.example: the regex does not match"):
        load_log_patterns(broken, require_examples=True, trusted=shipped_literals())


@pytest.mark.parametrize("pattern", SHIPPED, ids=[p.id for p in SHIPPED])
def test_every_shipped_pattern_matches_its_example_and_not_its_counterexample(pattern: LogPattern):
    regex = re.compile(pattern.regex)
    assert pattern.example and regex.search(pattern.example)
    assert pattern.counterexample and not regex.search(pattern.counterexample)
    # the host-side filter keeps the example (a benign line need not cross the wire), and the
    # classifier gives it this pattern (precedence)
    kept = any(text in pattern.example.lower() for text in Classifier(SHIPPED).host_filter())
    assert kept or pattern.severity == "benign"
    found = Classifier(SHIPPED).for_source("any").classify(pattern.example)
    assert found is not None and found.pattern.id == pattern.id


@pytest.mark.parametrize(("pattern_id", "line"), SEED_LINES.items())
def test_every_seed_error_is_known(pattern_id: str, line: str):
    found = Classifier(SHIPPED).for_source("lady").classify(line)
    assert found is not None and found.pattern.id == pattern_id


def test_required_literals_from_the_parse_tree():
    assert required_literals(r"did not start in time") == ("did not start in time",)
    assert required_literals(r"Failed (?:password|publickey) for") == ("failed password for", "failed publickey for")
    assert required_literals(r"'50[24] Bad") == ("'502 bad", "'504 bad")
    assert required_literals(r"(?i)\bOOM(?:Killed)?\b") == ("oom",)
    assert required_literals(r"\d+ \S+") == (" ",)  # too short: the inventory refuses it
    assert required_literals(r"\d+\S+") is None
    assert required_literals(r"(?:foo)?bar\d+bazz") == ("bazz",)


def test_the_host_filter_runs_in_the_c_locale_and_keeps_letters_beyond_ascii_in_any_case(tmp_path: Path):
    """The host's greps run in the C locale whatever the session's ``LANG`` (``grep -i`` costs
    up to twenty times as much in a UTF-8 one), where ``-i`` folds ASCII letters only: a
    pattern's other letters go to the filter in both cases."""
    found = required_literals("Ошибка")
    assert found is not None and "ошибк" in found and "ОШИБК" in found and len(found) == 32
    pattern = LogPattern(id="disk-ru", regex="(?i)Ошибка чтения", severity="critical",
                         explanation="x", remediation="y")  # fmt: skip
    classifier = Classifier([pattern])
    lines = ["2026-02-15 ОШИБКА ЧТЕНИЯ /dev/sda", "2026-02-15 ошибка чтения /dev/sdb", "2026-02-15 все хорошо"]
    data = tmp_path / "lines.log"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = logs.host_filter(classifier.host_filter())
    assert command.count("LC_ALL=C grep") == command.count("grep")
    session = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    kept = run_sh(command, input=data.read_text(encoding="utf-8"), capture_output=True,
                          text=True, check=False, env=session).stdout.splitlines()  # fmt: skip
    assert kept == lines[:2]
    assert [classifier.for_source("disk").classify(line) is not None for line in lines] == [True, True, False]


# what a healthy service prints all day: access lines answered 2xx/3xx, routine info and debug
# lines about requests, clients, connections and jobs
ROUTINE = [
    '10.0.3.7 - - [15/Feb/2026:20:01:02 +0000] "GET /api/v1/items/42 HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    '10.0.3.7 - - [15/Feb/2026:20:01:03 +0000] "POST /login HTTP/1.1" 302 0 "https://app.example.org/" "curl/8.5"',
    'level=info msg="request handled" path=/api/v1/orders/42 duration=12ms request_id=5f0c2a',
    'level=info msg="client connected" client=10.0.4.9:51234 protocol=HTTP/2.0',
    '{"level":"info","ts":1771185662.1,"msg":"request completed","method":"GET","status":200,"bytes":5120}',
    "2026-02-15 20:01:02,123 INFO [worker] job 42 finished in 0.8s, 120 rows written",
    "DEBUG cache hit key=user:42 ttl=300s shard=3",
    'INFO: 10.0.3.7:51234 - "GET /healthz HTTP/1.1" 200 OK',
    "2026-02-15T20:01:02.123Z INFO  [http] GET /api/v1/users/42 -> 200 (3 ms), session renewed for user alice",
    "I0215 20:01:02.123456       1 controller.go:88] synced 12 objects, queue length 0",
]


def test_the_host_filter_keeps_no_routine_line():
    """The host sends only candidate lines: a filter string a routine line holds (``request``,
    ``client``, ``session``) would send a busy service's whole log and cost its CPU on both sides."""
    command = logs.host_filter(Classifier(shipped_patterns()).host_filter())
    kept = run_sh(command, input="\n".join(ROUTINE) + "\n", capture_output=True, text=True,
                          check=False).stdout.splitlines()  # fmt: skip
    assert kept == []


def test_every_error_like_line_contains_a_host_filter_word():
    for line in ["Fatal: x", "PANIC", "java.lang.NullPointerException", "Connection REFUSED", "Permission denied",
                 "upload failed", "segfault", "[crit] x", "Traceback (most recent call last):"]:  # fmt: skip
        assert ERROR_LIKE.search(line), line
        assert any(word in line.lower() for word in ERROR_WORDS), line
    for line in ["GET /errorpage 200", "level=info msg=ready", "terror in the aisles"]:
        assert not ERROR_LIKE.search(line), line


def test_rates():
    assert parse_rate("20/h") == (20, 3600.0)
    assert parse_rate("5/10m") == (5, 600.0)
    assert parse_rate("100 / d") == (100, 86400.0)
    with pytest.raises(ValueError, match="like 20/h"):
        parse_rate("20 per hour")


def test_template_normalizes_variable_parts_and_its_regex_matches_the_lines():
    lines = [
        "2026-02-15 20:34:46,101 73264 ERROR ? odoo.service.server: Worker (73264) Exception occurred, exiting...",
        'level=error msg="job 550e8400-e29b-41d4-a716-446655440000 failed" addr=172.22.0.2:5432 sha=deadbeef1234',
        "upstream 2001:db8:0:0:0:0:0:1 refused at 20:08:46.120, retry 3 of 5 (0x7f3a2b1c)",
    ]
    assert template(lines[0]) == "<ts> <n> ERROR ? odoo.service.server: Worker (<n>) Exception occurred, exiting..."
    assert template(lines[1]) == 'level=error msg="job <uuid> failed" addr=<ip> sha=<hex>'
    assert template(lines[2]) == "upstream <ip> refused at <ts>, retry <n> of <n> (<hex>)"
    for line in lines:
        assert re.search(template_regex(line), line)
    other = "2026-02-16 01:02:03,999 4242 ERROR ? odoo.service.server: Worker (4242) Exception occurred, exiting..."
    assert template(other) == template(lines[0]) and re.search(template_regex(lines[0]), other)


def test_a_suggested_entry_is_valid_yaml_that_classifies_its_template():
    line = "ERROR: invoice export job 4711 aborted: ledger at 10.0.0.7:8443 answered 502"
    entry = yaml.safe_load(suggestion(line, "h2/billing"))[0]
    pattern = LogPattern.model_validate(entry)
    assert pattern.scope == ("billing",) and pattern.severity == "warning"
    found = Classifier([pattern]).for_source("billing").classify(line.replace("4711", "4712").replace(".7:", ".9:"))
    assert found is not None and found.pattern.id == entry["id"]


def test_user_patterns_come_first_replace_shipped_ids_and_respect_scope():
    mine = LogPattern(id="psycopg2-connection-refused", regex="psycopg2\\.OperationalError", severity="warning",
                      explanation="x", remediation="y", scope=("odoo*",))  # fmt: skip
    patterns = knowledge_base([mine])
    assert patterns[0] is mine and [p.id for p in patterns].count(mine.id) == 1
    line = SEED_LINES["psycopg2-connection-refused"]
    classifier = Classifier(patterns)
    assert classifier.for_source("odoo").classify(line).pattern.severity == "warning"
    assert classifier.for_source("erp", "odoo:17").classify(line).pattern.severity == "warning"  # image glob
    found = classifier.for_source("billing").classify(line)
    assert found is not None and found.pattern.id == "postgres-client-connection-refused"  # out of scope: next one


def test_one_classifier_per_pattern_set_and_one_source_classifier_per_set_of_rules_in_scope():
    """Every host and test asking with the same patterns gets the same classifier; sources whose
    scopes select the same rules share one source classifier (and its caches), and each
    classifies as a classifier built for it alone does."""
    mine = LogPattern(id="odoo-db-refused", regex="psycopg2\\.OperationalError", severity="warning",
                      explanation="x", remediation="y", scope=("odoo*",))  # fmt: skip
    patterns = knowledge_base([mine])
    shared = log_patterns.shared(patterns)
    assert log_patterns.shared(knowledge_base([mine])) is shared
    assert log_patterns.shared(knowledge_base([])) is not shared
    assert log_patterns.shared(patterns, ("4xx", "5xx")) is not shared
    assert shared.host_filter() is shared.host_filter() and shared.host_filter() == Classifier(patterns).host_filter()
    odoo, erp, billing, web = (shared.for_source(*source) for source in
                               [("odoo", ""), ("erp", "odoo:17"), ("billing", ""), ("web", "nginx")])  # fmt: skip
    assert odoo is erp and billing is web and odoo is not billing
    assert shared.for_source("odoo", "") is odoo
    line = SEED_LINES["psycopg2-connection-refused"]
    for name, scoped in [("odoo", odoo), ("billing", billing), ("odoo", odoo)]:
        alone = Classifier(patterns).for_source(name).classify(line)
        assert scoped.classify(line) is alone
    assert odoo.classify(line).pattern.id == "odoo-db-refused"
    assert billing.classify(line).pattern.id == "psycopg2-connection-refused"


def bad_inventory(tmp_path: Path, entry: str) -> str:
    path = tmp_path / "hosts.yaml"
    path.write_text(f"log_patterns:\n  - {entry}\n")
    with pytest.raises(InventoryError) as caught:
        load_inventory(path)
    assert "\n" not in str(caught.value)
    return str(caught.value)


GOOD = "id: x, regex: 'disk exploded', severity: warning, explanation: e, remediation: r"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("{" + GOOD.replace("'disk exploded'", "'disk (exploded'") + "}", "log_patterns[0].regex: invalid regex"),
        ("{" + GOOD.replace("warning", "fatal") + "}", "log_patterns[0].severity: expected one of critical"),
        ("{" + GOOD.replace(", remediation: r", "") + "}", "log_patterns[0].remediation: Field required"),
        ("{" + GOOD.replace("'disk exploded'", "'\\d+'") + "}", "needs a literal part of at least 3"),
        ("{" + GOOD.replace("warning", "acceptable") + "}", "an acceptable pattern needs rate:"),
        ("{" + GOOD + ", rate: 20/h}", "rate: is only for acceptable patterns"),
        ("{" + GOOD.replace("warning", "acceptable") + ", rate: lots}", "log_patterns[0].rate: expected a rate"),
        ("{" + GOOD + ", example: 'disk is fine'}", "log_patterns[0].example: the regex does not match"),
        ("{" + GOOD + ", counterexample: 'disk exploded'}", "log_patterns[0].counterexample: the regex matches"),
        ("{" + GOOD + ", colour: red}", "log_patterns[0]: unknown key 'colour'"),
    ],
)
def test_bad_user_patterns_are_one_line_usage_errors(tmp_path: Path, entry: str, expected: str):
    message = bad_inventory(tmp_path, entry)
    assert message.startswith(f"{tmp_path / 'hosts.yaml'}: ") and expected in message, message


def test_duplicate_ids_are_rejected(tmp_path: Path):
    path = tmp_path / "hosts.yaml"
    path.write_text(f"log_patterns:\n  - {{{GOOD}}}\n  - {{{GOOD}}}\n")
    with pytest.raises(InventoryError, match=r"log_patterns\[1\]\.id: 'x' is used twice"):
        load_inventory(path)


def test_a_broken_shipped_file_is_caught_with_file_and_key(tmp_path: Path):
    broken = tmp_path / "log_patterns.yaml"
    shutil.copy(log_patterns.shipped_path(), broken)
    data = yaml.safe_load(broken.read_text())
    del data["log_patterns"][3]["counterexample"]
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError, match=r"log_patterns\[3\]\.counterexample: missing"):
        load_log_patterns(broken, require_examples=True)
    data["log_patterns"][5]["regex"] = "unclosed ["
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(InventoryError, match=r"log_patterns\[5\]\.regex: invalid regex"):
        load_log_patterns(broken, require_examples=True)


# the service's own failure, worded like the client noise next to it: no acceptable pattern
# may match it (it would be counted against a rate instead of reported)
OWN_FAILURES = [
    '{"level":"error","ts":1775880299.01,"logger":"tls","msg":"failed to get permission for on-demand certificate",'
    '"domain":"cloud.example.net","error":"cloud.example.net not allowed; non-2xx status code 502 returned from '
    'http://ask:9000/check"}',
    "[ActionDispatch::HostAuthorization::DefaultResponseApp] Blocked hosts: shop.example.org",
    '203.0.113.91 - - [02/Dec/2026:03:17:55 +0000] "GET /wp-login.php HTTP/1.1" 502 179 "-" "Mozilla/5.0"',
    "2026-12-02 03:14:55 +0000 Puma caught this error: undefined method `id' for nil (NoMethodError)",
    "[03:12:45] [ERR] [42] Jellyfin.Server.Implementations.Users.UserManager: "
    "Error authenticating with provider Default",
]


@pytest.mark.parametrize("line", OWN_FAILURES)
def test_no_noise_pattern_matches_the_services_own_failure(line: str):
    rule = Classifier(shipped_patterns()).for_source("app").classify(line)
    assert rule is None or rule.pattern.severity != "acceptable", rule and rule.pattern.id
