"""ss/netstat parsing and the exposure judge, on captured output."""

from golive.checks.listeners import judge_exposure, parse_proc_net, parse_sockets

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


# /proc/net/tcp, tcp6, udp and udp6 as the listener command prints them where neither ss
# nor netstat exists: nginx on [::]:443 and 0.0.0.0:80, postgres on 127.0.0.1:5432, an
# established connection (state 01), chronyd's UDP socket on 127.0.0.1:323, dhclient on *:68
PROC_NET = """@proc-net tcp
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2101 1 0 100 0 0 10 0
   1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 2102 1 0 100 0 0 10 0
   2: 0A00000A:0016 0B00000A:D431 01 00000000:00000000 02:0009A1F0 00000000     0        0 2103 4 0 20 4 30 10 -1
@proc-net tcp6
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when
   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000
   1: 00000000000000000000000001000000:0019 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000
@proc-net udp
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  10: 0100007F:0143 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3101 2 0 0
  11: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3102 2 0 0
"""


def test_parses_proc_net_where_neither_ss_nor_netstat_exists():
    found = parse_proc_net(PROC_NET)
    assert [str(s) for s in found] == [
        "tcp 0.0.0.0:80", "tcp 127.0.0.1:5432", "tcp :::443", "tcp ::1:25", "udp 127.0.0.1:323", "udp 0.0.0.0:68",
    ]  # fmt: skip
    assert [s.on_all_addresses for s in found] == [True, False, True, False, False, True]
    verdict = judge_exposure(found, ("80", "443"))
    assert not verdict.passed and "udp 0.0.0.0:68" in verdict.summary and "5432" not in verdict.summary
