"""ss/netstat parsing and the exposure judge, on captured output."""

from golive.checks.listeners import judge_exposure, parse_sockets

# ss -H -tulpn as root on a Debian host
SS = """udp   UNCONN 0      0            0.0.0.0%eth0:68        0.0.0.0:*    users:(("dhclient",pid=501,fd=7))
udp   UNCONN 0      0          127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=410,fd=13))
tcp   LISTEN 0      128              0.0.0.0:2024      0.0.0.0:*
tcp   LISTEN 0      4096             0.0.0.0:5432      0.0.0.0:*    users:(("postgres",pid=900,fd=5))
tcp   LISTEN 0      511                 [::]:443          [::]:*    users:(("nginx",pid=77,fd=7),("nginx",pid=78,fd=7))
tcp   LISTEN 0      511            127.0.0.1:8080      0.0.0.0:*    users:(("python3",pid=1,fd=3))
"""
NETSTAT = """Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
tcp        0      0 0.0.0.0:5432            0.0.0.0:*               LISTEN      900/postgres
tcp6       0      0 :::443                  :::*                    LISTEN      77/nginx
udp        0      0 127.0.0.1:323           0.0.0.0:*                           60/chronyd
"""


def test_parses_ss():
    found = parse_sockets(SS)
    assert [str(s) for s in found][3] == "tcp 0.0.0.0:5432 (postgres[900])"
    assert [s.on_all_addresses for s in found] == [True, False, True, True, True, False]
    assert found[4].process == "nginx[77], nginx[78]"


def test_parses_netstat():
    found = parse_sockets(NETSTAT)
    assert [(s.protocol, s.address, s.port, s.process) for s in found] == [
        ("tcp", "0.0.0.0", 5432, "900/postgres"),
        ("tcp", "::", 443, "77/nginx"),
        ("udp", "127.0.0.1", 323, "60/chronyd"),
    ]


def test_exposure_fails_on_ports_outside_the_allow_list():
    verdict = judge_exposure(parse_sockets(SS), ("443", "68/udp"))
    assert not verdict.passed
    assert "tcp 0.0.0.0:5432 (postgres[900])" in verdict.summary and "2024" in verdict.summary
    assert "443" not in verdict.summary.split(":", 1)[1].split("(", 1)[1].split(")")[-1]


def test_exposure_passes_when_everything_exposed_is_allowed():
    verdict = judge_exposure(parse_sockets(SS), ("443", "68/udp", "2024", "5432/tcp"))
    assert verdict.passed
