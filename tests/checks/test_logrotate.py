"""checks/logrotate.py: the rules' parser, glob matching and REL-11's judge on captured output."""

from __future__ import annotations

from golive.checks import logrotate

MARK = logrotate.MARK
CONF = """# see "man logrotate" for details
weekly
rotate 4
include /etc/logrotate.d
/var/log/wtmp {
    missingok
    monthly
}
"""
NGINX = """/var/log/nginx/*.log "/srv/log/with space.log" {
\tdaily
\tpostrotate
\t\tinvoke-rc.d nginx rotate >/dev/null 2>&1 }
\tendscript
}
"""
OUTPUT = (
    f"{MARK} logrotate /usr/sbin/logrotate\n{MARK} file /etc/logrotate.conf\n{CONF}\n"
    f"{MARK} file /etc/logrotate.d/nginx\n{NGINX}\n"
    f"{MARK} file /etc/logrotate.d/app.dpkg-old\n/srv/log/app/*.log {{\n weekly\n}}\n"
    f"{MARK} missing /etc/logrotate.d/gone\n"
)


def test_rules_with_file_and_line_globs_quotes_and_scripts():
    found = logrotate.parse("h1", OUTPUT)
    assert found.binary == "/usr/sbin/logrotate"
    assert [(r.file, r.line, r.patterns) for r in found.rules] == [
        ("/etc/logrotate.conf", 5, ("/var/log/wtmp",)),
        ("/etc/logrotate.d/nginx", 1, ("/var/log/nginx/*.log", "/srv/log/with space.log")),
    ]  # the .dpkg-old file is skipped, as logrotate skips it
    assert found.missing == ["/etc/logrotate.d/gone"]


def test_glob_never_crosses_a_slash():
    assert logrotate.glob_match("/var/log/nginx/*.log", "/var/log/nginx/access.log")
    assert not logrotate.glob_match("/var/log/*.log", "/var/log/nginx/access.log")
    assert logrotate.glob_match("/var/log/app-?/[ab].log", "/var/log/app-1/a.log")


def test_judge_names_the_rule_or_the_uncovered_file():
    found = logrotate.parse("h1", OUTPUT)
    verdict = logrotate.judge(found, ("/var/log/nginx/error.log", "/srv/log/app/app.log"))
    assert not verdict.passed
    assert "/etc/logrotate.d/nginx:1 (/var/log/nginx/*.log)" in str(verdict.comparisons[1])
    assert "h1:/srv/log/app/app.log logrotate rule: no rule" in verdict.summary
    assert logrotate.judge(found, ("/var/log/wtmp",)).passed
    absent = logrotate.parse("h1", OUTPUT.replace("/usr/sbin/logrotate", "absent"))
    assert not logrotate.judge(absent, ("/var/log/wtmp",)).passed
