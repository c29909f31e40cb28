"""Log criteria (counted under Reliability): every line in the window is explained.

Each host's container logs, declared journald units and log files are read in one
command, filtered on the host and classified against golive's known patterns plus
hosts.yaml's ``log_patterns:`` (see golive/knowledge/log_patterns.yaml).
"""

from __future__ import annotations

import pytest

from golive.checks import logs
from golive.evidence import Evidence


def _record(evidence: Evidence, groups: list[logs.Group]) -> None:
    for group in sorted(groups, key=lambda g: (g.source, g.key)):
        evidence.note(logs.describe(group))


@pytest.mark.critical
@pytest.mark.criterion("LOG-01", category="Reliability")
def test_no_critical_log_pattern(host_logs: logs.Classified, evidence: Evidence) -> None:
    """No log line in the window matches a critical known pattern or states a fatal level.

    Why: restart loops ("did not start in time, restarting container"), database
    connections refused, expired certificates, filesystem errors, panics and fatal
    errors mean a service is down or dying, whatever its container status says. A line
    no pattern explains that states a fatal, critical, alert or emergency level counts
    too (as stated-level-critical).

    Keys: window (24h); hosts.<name>.logs: containers (true), exclude, units, files, max_lines
    (5000), max_file_bytes (64MiB), examples (3), access_error_statuses ([5xx]),
    unknown_warnings (report); log_patterns (extends the shipped knowledge base).

    Fix: follow the remediation shown with each pattern; the line disappears from the
    window once the cause is fixed (window: in hosts.yaml, default 24h).
    """
    _record(evidence, host_logs.of_severity("critical"))
    evidence.conclude(logs.judge_known(host_logs, "critical"))


@pytest.mark.warning
@pytest.mark.criterion("LOG-02", category="Reliability")
def test_no_warning_log_pattern(host_logs: logs.Classified, evidence: Evidence) -> None:
    """No log line in the window matches a warning known pattern, and no line at warning
    level matches no pattern at all.

    Why: recurring warnings (SQLite without WAL, duplicate Grafana plugins, cAdvisor
    stats failures, health checks failing to ping) degrade a service before it fails.
    A line's stated level (logfmt level=, JSON "level", syslog/journald priority,
    nginx [warn], PostgreSQL WARNING:, log4j WARN ...) decides; unknown warnings are
    listed as templates with a suggested log_patterns: entry each.

    Keys: as LOG-01; logs.unknown_warnings: ignore leaves unknown warnings out.

    Fix: follow the remediation shown with each pattern, or, if the warning is
    harmless here, declare it acceptable with a rate in hosts.yaml's log_patterns:.
    """
    _record(evidence, host_logs.of_severity("warning"))
    for group in sorted(host_logs.unknown_warnings.values(), key=lambda g: (g.source, -g.count)):
        evidence.note(f"{logs.describe(group)}\nsuggested log_patterns: entry:\n{logs.suggest(group)}")
    evidence.conclude(logs.judge_known(host_logs, "warning"))


@pytest.mark.warning
@pytest.mark.criterion("LOG-03", category="Reliability")
def test_no_undocumented_error(host_logs: logs.Classified, evidence: Evidence) -> None:
    """Every error-like log line in the window is matched by a known pattern.

    Why: an error nobody has classified is an error nobody owns; go-live needs every
    error documented with its meaning and remediation. A line stating its level is
    error-like at error level (or at warning level in error words); an access-log line
    by its status (logs.access_error_statuses, default 5xx), never by words in its
    path; a line stating no level by its words (counts of zero and URL paths aside).

    Keys: as LOG-01; each unknown template comes with a suggested log_patterns: entry.

    Fix: for each unknown template shown, add the suggested entry to hosts.yaml's
    log_patterns: with the right severity, explanation and remediation (one edit each).
    """
    for group in sorted(host_logs.unknown.values(), key=lambda g: (g.source, -g.count)):
        evidence.note(f"{logs.describe(group)}\nsuggested log_patterns: entry:\n{logs.suggest(group)}")
    evidence.conclude(logs.judge_unknown(host_logs))


@pytest.mark.acceptable
@pytest.mark.criterion("LOG-04", category="Reliability")
def test_acceptable_log_patterns_under_rate(host_logs: logs.Classified, evidence: Evidence) -> None:
    """Acceptable log patterns (scanner noise, failed logins) and error lines about one client stay under their rate.

    Why: TLS handshake failures from scanners or a few failed logins are normal on
    the internet; a flood of them is an attack or a misconfiguration.

    Keys: as LOG-01; log_patterns[].rate of each acceptable pattern (e.g. 20/h);
    logs.client_errors_rate (off) for error lines no pattern matches that are about one client.

    Fix: block or rate-limit the sources (CrowdSec, fail2ban), keep the port off the
    internet, or raise the pattern's rate: in hosts.yaml if the volume is expected.
    """
    _record(evidence, host_logs.of_severity("acceptable"))
    evidence.conclude(logs.judge_rates(host_logs))
