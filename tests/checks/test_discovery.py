"""The discovery parsers of ``python -m golive init``, on output of the real commands
(the end-to-end run is tests/sandbox/test_init.py)."""

from __future__ import annotations

import subprocess

from golive.checks import discovery
from golive.facts import Output
from tests.conftest import debian_tool, need_root

UNITS = """\
cron.service                loaded active   running Regular background program processing daemon
docker.service              loaded active   running Docker Application Container Engine
flaky.service               loaded failed   failed  flaky.service
good.service                loaded active   exited  good.service
systemd-journald.service    loaded active   running Journal Service
getty@tty1.service          loaded active   running Getty on tty1
logrotate.timer             loaded active   waiting Daily rotation of log files
rotate.timer                loaded active   elapsed rotate.timer
"""
UNIT_FILES = """\
cron.service                 enabled         enabled
docker.service               enabled         enabled
systemd-journald.service     static          -
getty@.service               enabled         enabled
good.service                 static          -
logrotate.timer              enabled         enabled
rotate.timer                 static          -
"""


def test_active_services_and_timers_of_the_host_not_systemds_own():
    found = discovery.parse(
        "sd",
        {
            "units": Output(UNITS, 0),
            "unit_files": Output(UNIT_FILES, 0),
            "local_units": Output("good.service\nrotate.service\nrotate.timer\nmulti-user.target.wants\n", 0),
        },
    )
    assert found.systemd
    assert [(u.name, u.reason) for u in found.services] == [
        ("cron.service", "enabled"),
        ("docker.service", "enabled"),
        ("good.service", "unit file in /etc/systemd/system"),
    ]
    assert [u.name for u in found.timers] == ["logrotate.timer", "rotate.timer"]


TIMERS = """\
Id=logrotate.timer
LastTriggerUSec=Tue 2026-12-01 00:00:01 UTC
TimersCalendar={ OnCalendar=*-*-* 00:00:00 ; next_elapse=Wed 2026-12-02 00:00:00 UTC }

Id=rotate.timer
LastTriggerUSec=Tue 2026-12-01 22:10:04 UTC
TimersCalendar=

Id=e2scrub_all.timer
LastTriggerUSec=n/a
TimersCalendar={ OnCalendar=Sun *-*-* 03:10:00 ; next_elapse=Sun 2026-12-06 03:10:00 UTC }

Id=report.timer
LastTriggerUSec=Sun 2026-11-01 04:00:00 UTC
TimersCalendar={ OnCalendar=*-*-01 04:00:00 ; next_elapse=Tue 2026-12-01 04:00:00 UTC }
"""


def test_timers_carry_whether_they_ran_and_a_margin_over_their_calendar():
    lines = [f"{name} loaded active waiting {name}" for name in ("logrotate.timer", "rotate.timer", "e2scrub_all.timer",
             "report.timer")]  # fmt: skip
    found = discovery.parse(
        "sd",
        {
            "units": Output("\n".join(lines), 0),
            "unit_files": Output("logrotate.timer enabled enabled\ne2scrub_all.timer enabled enabled\n", 0),
            "local_units": Output("rotate.timer\nreport.timer\n", 0),
            "timers": Output(TIMERS, 0),
        },
    )
    assert [(t.name, t.triggered, t.max_age) for t in found.timers] == [
        ("logrotate.timer", True, "26h"),
        ("rotate.timer", True, "26h"),
        ("e2scrub_all.timer", False, "8d"),
        ("report.timer", True, "32d"),
    ]


def test_no_systemd_is_nothing_to_list():
    found = discovery.parse("h1", {"units": Output("", 99), "unit_files": Output("", 99)})
    assert not found.systemd and not found.services and not found.timers


def test_git_working_trees_with_their_compose_files():
    lines = [
        "/srv/infra/.git", "/srv/infra/docker-compose.yml", "/srv/infra/app/compose.yaml",
        "/opt/tools/vendor/.git", "/home/ops/notes/.git", "/srv/other/docker-compose.yml",
    ]  # fmt: skip
    trees = discovery.trees(lines)
    assert [(t.path, t.compose) for t in trees] == [
        ("/home/ops/notes", ()),
        ("/opt/tools/vendor", ()),
        ("/srv/infra", ("docker-compose.yml",)),
    ]
    assert trees[2].name == "infra"


def test_backup_directories_of_dated_archives_and_repositories():
    lines = [
        "/srv/backups/nightly\tdb-2026-11-29.tar.gz\t4096",
        "/srv/backups/nightly\tdb-2026-11-30.tar.gz\t4100",
        "/srv/backups/nightly\tREADME\t10",
        "/srv/backups\trestore-tests.log\t80",
        "/srv/backups/restic\tconfig\t155",
        "/srv/backups/restic/keys\t5f0c1a\t460",
        "/srv/backups/restic/data/00\t00aa\t99",
        "/var/backups\tdpkg.status.0\t500",
        "/var/backups\tapt.extended_states.1.gz\t20",
        "/opt/backup/borg\tconfig\t10",
        "/opt/backup/borg\tREADME\t30",
        "/opt/backup/borg/data/0\t1\t40",
    ]
    found = discovery.backup_directories(lines)
    assert [(b.path, b.kind, b.glob, b.count, b.newest) for b in found] == [
        ("/opt/backup/borg", "borg", "*", 0, ""),
        ("/srv/backups/restic", "restic", "*", 0, ""),
        ("/srv/backups/nightly", "archives", "*.tar.gz", 2, "20261130"),
    ]


NGINX = """\
server {
    listen 80;
    server_name shop.example.org;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl http2;  # the shop
    listen [::]:443 ssl;
    server_name shop.example.org www.shop.example.org;
}
server {
    listen 10.0.0.5:8443 ssl;
    server_name admin.example.org;
    location / { proxy_pass http://127.0.0.1:8080; }
}
# server { listen 443 ssl; server_name old.example.org; }
"""
CADDY = "cloud.example.org {\n    reverse_proxy 127.0.0.1:8080\n}\n"
TRAEFIK = "http:\n  routers:\n    grafana:\n      rule: Host(`grafana.example.org`)\n"


def test_tls_virtual_hosts_from_nginx_caddy_and_traefik():
    text = (
        f"{discovery.FILE_MARK}/etc/nginx/sites-enabled/shop\n{NGINX}\n"
        f"{discovery.FILE_MARK}/etc/caddy/Caddyfile\n{CADDY}\n"
        f"{discovery.FILE_MARK}/etc/traefik/dynamic/routers.yml\n{TRAEFIK}\n"
    )
    assert [(s.server_name, s.address, s.port) for s in discovery.sites(text)] == [
        ("admin.example.org", "10.0.0.5", 8443),
        ("cloud.example.org", "127.0.0.1", 443),
        ("grafana.example.org", "127.0.0.1", 443),
        ("shop.example.org", "127.0.0.1", 443),
    ]


def test_the_listening_sshds_config_file():
    assert discovery.sshd_config(["sshd: /usr/sbin/sshd -D -f /run/h1/ssh/sshd_config [listener] "]) == (
        "/run/h1/ssh/sshd_config"
    )
    assert discovery.sshd_config(["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups "]) is None


def test_certificates_on_listening_tls_ports_no_config_names(tmp_path):
    """The real section in a private network namespace: a TLS server on *:8443 and one on
    127.0.0.1:443, a plain TCP listener on 9443 (bounded by its timeout, no certificate)."""
    need_root()
    for command, package in (
        ("openssl", "openssl"),
        ("nc", "netcat-openbsd"),
        ("ss", "iproute2"),
        ("unshare", "util-linux"),
    ):
        debian_tool(command, package)  # what the servers below need, installed here: not left to other tests
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
         "-days", "2", "-subj", "/CN=box.example.org", "-addext", "subjectAltName=DNS:box.example.org"],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "section.sh").write_text({s.key: s.command for s in discovery.SECTIONS}["tls_ports"])
    servers = (
        "ip link set lo up; "
        "openssl s_server -quiet -accept 8443 -cert c.pem -key k.pem -www </dev/null >/dev/null 2>&1 & a=$!; "
        "openssl s_server -quiet -accept 127.0.0.1:443 -cert c.pem -key k.pem -www </dev/null >/dev/null 2>&1 & b=$!; "
        "nc -l 127.0.0.1 9443 </dev/null >/dev/null 2>&1 & c=$!; "
        "n=0; until [ $(ss -Hltn | grep -c -E ':(8443|443|9443) ') -ge 3 ]; do "
        "n=$((n + 1)); [ $n -gt 200 ] && { echo 'the listeners did not come up'; ss -Hltn; "
        'kill "$a" "$b" "$c"; exit 1; }; sleep 0.1; done; '
        'sh section.sh; kill "$a" "$b" "$c"'
    )
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", servers], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    found = discovery.port_certificates(result.stdout)
    assert [(s.server_name, s.address, s.port) for s in found] == [
        ("box.example.org", "127.0.0.1", 443),
        ("box.example.org", "127.0.0.1", 8443),
    ], result.stdout + result.stderr
    assert found[1].source == "the certificate on listening port 8443 (openssl s_client)"
    named = f"{discovery.FILE_MARK}/etc/nginx/sites-enabled/shop\n{NGINX}\n"  # names admin.example.org:8443
    ports = discovery.parse("box", {"web": Output(named, 0), "tls_ports": Output(result.stdout, 0)}).sites
    # a port a config names is the config's (its server name); the others are the certificate's
    assert {(s.server_name, s.port, s.source.startswith("/")) for s in ports} == {
        ("admin.example.org", 8443, True),
        ("shop.example.org", 443, True),
    }
