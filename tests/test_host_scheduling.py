import random

import pytest
from xdist.scheduler import LoadScopeScheduling

from golive.host_scheduling import HostScheduling
from golive.sharding import by_host, host_of, parse_shard, shard_of
from tests.conftest import criteria_project

HOSTS = ["web", "web-1", "db"]


@pytest.mark.parametrize(
    ("nodeid", "host"),
    [
        ("tests_infra/test_security.py::test_x[web]", "web"),
        ("tests_infra/test_security.py::test_x[web-1]", "web-1"),
        ("tests_infra/test_containers.py::test_y[web-1/nginx]", "web-1"),
        ("tests_infra/test_containers.py::test_y[db-extra]", "db"),
        ("tests_infra/test_x.py::test_z[other]", None),
        ("tests_infra/test_x.py::test_plain", None),
    ],
)
def test_host_of(nodeid, host):
    assert host_of(nodeid, HOSTS) == host


def test_a_process_running_its_own_tests_takes_them_host_by_host() -> None:
    """Each host's tests together in their collected order, hosts as they first come, then
    the tests of no host; every test once."""
    nodeids = [
        "t.py::test_a[web-1]", "t.py::test_a[web]", "t.py::test_fleet", "t.py::test_b[web/nginx]",
        "t.py::test_b[web-1/nginx]", "t.py::test_c[other]", "t.py::test_c[db]", "t.py::test_c[web-1]",
    ]  # fmt: skip
    order = by_host(nodeids, HOSTS)
    assert [nodeids[i] for i in order] == [
        "t.py::test_a[web-1]", "t.py::test_b[web-1/nginx]", "t.py::test_c[web-1]",
        "t.py::test_a[web]", "t.py::test_b[web/nginx]", "t.py::test_c[db]",
        "t.py::test_fleet", "t.py::test_c[other]",
    ]  # fmt: skip
    assert sorted(order) == list(range(len(nodeids)))


def test_a_run_without_workers_judges_its_hosts_one_after_another(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process, golive runs each host's criteria together (pytest collects them
    criterion by criterion), then the tests of no host."""
    criteria_project(pytester, 'hosts:\n  a: {backend: "local://"}\n  b: {backend: "local://"}\n')
    (pytester.path / "tests_infra" / "test_order.py").write_text(
        "import os, pytest\n"
        "def ran(name):\n"
        "    with open(os.environ['RAN'], 'a') as f:\n"
        "        f.write(name + '\\n')\n"
        "@pytest.mark.critical\n"
        "@pytest.mark.criterion('AVL-01', category='Availability')\n"
        "def test_first(fleet_host, remote):\n"
        '    """First."""\n'
        "    ran(f'first {fleet_host.name}')\n"
        "    remote.run('true')\n"
        "@pytest.mark.critical\n"
        "@pytest.mark.criterion('AVL-02', category='Availability')\n"
        "def test_second(fleet_host, remote):\n"
        '    """Second."""\n'
        "    ran(f'second {fleet_host.name}')\n"
        "    remote.run('true')\n"
    )
    ran = pytester.path / "ran.txt"
    monkeypatch.setenv("RAN", str(ran))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", "-n", "0")
    result.assert_outcomes(passed=4)
    assert ran.read_text().split("\n")[:-1] == ["first a", "second a", "first b", "second b"]


FORGETTING = (
    "import os, pytest\n"
    "def derive(name, when):\n"
    "    with open(os.environ['RAN'], 'a') as f:\n"
    "        f.write(f\"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {when} {name}\\n\")\n"
    "    return name\n"
    "@pytest.mark.critical\n"
    "@pytest.mark.criterion('AVL-01', category='Availability')\n"
    "@pytest.mark.parametrize('n', range(3))\n"
    "def test_host(fleet_host, remote, n):\n"
    '    """Each host."""\n'
    "    remote.run('true')\n"
    "    assert remote.memo('name', '', lambda: derive(fleet_host.name, 'test')) == fleet_host.name\n"
)
AT_THE_END = (
    "import pytest\n"
    "from golive.session import state_of\n"
    "from test_forget import derive\n"
    "@pytest.hookimpl(tryfirst=True)\n"
    "def pytest_sessionfinish(session):\n"
    "    state = state_of(session.config)\n"
    "    if state.fleet is None:  # xdist's controller runs no test\n"
    "        return\n"
    "    for host in state.inventory.hosts:  # derived again: forgotten, or never derived here\n"
    "        state.fleet[host].memo('name', '', lambda: derive(host.name, 'end'))\n"
)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_process_forgets_a_host_s_derived_facts_after_its_last_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """A host's facts are derived once for all its tests, and forgotten once the process has
    run the last of them: read again at the end, every host's are derived again."""
    criteria_project(pytester, "hosts:\n" + "".join(f'  {h}: {{backend: "local://"}}\n' for h in "abcd"))
    (pytester.path / "tests_infra" / "test_forget.py").write_text(FORGETTING)
    (pytester.path / "tests_infra" / "conftest.py").write_text(AT_THE_END)
    ran = pytester.path / "ran.txt"
    monkeypatch.setenv("RAN", str(ran))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html", "-n", workers, timeout=300)
    result.assert_outcomes(passed=12)
    lines = [line.split() for line in ran.read_text().splitlines()]
    processes = {process for process, _, _ in lines}
    tested = sorted(name for _, when, name in lines if when == "test")
    assert tested == ["a", "b", "c", "d"]  # once for each host's three tests
    for process in processes:
        assert sorted(name for p, when, name in lines if p == process and when == "end") == ["a", "b", "c", "d"]


def test_shards_deal_sorted_hosts_round_robin():
    hosts = ["db", "web", "cache", "mail", "backup"]
    assignment = {h: shard_of(h, hosts, 2) for h in hosts}
    assert assignment == {"backup": 1, "cache": 2, "db": 1, "mail": 2, "web": 1}
    assert shard_of(None, hosts, 3) == 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1-2", "a/b", "2"])
def test_bad_shard_specs(text):
    with pytest.raises(ValueError, match="--shard expects K/N"):
        parse_shard(text)


def _host_of_by_scan(nodeid, hosts):
    """host_of as a scan of every host: what the lookup of the parameter's prefixes must equal."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    param = nodeid.rsplit("[", 1)[1][:-1]
    matching = [h for h in hosts if param == h or param.startswith((f"{h}/", f"{h}-"))]
    return max(matching, key=len) if matching else None


def test_host_of_finds_what_a_scan_of_every_host_finds():
    parts = ["web", "web-1", "db", "db-1-a", "a", "a/b", "x-y", "1"]
    hosts = ["web", "web-1", "db", "db-1", "db-1-a", "a", "x"]
    params = {f"{p}{sep}{q}" for p in parts for q in parts for sep in ("-", "/", "")} | set(parts)
    for param in sorted(params):
        nodeid = f"tests_infra/test_x.py::test_y[{param}]"
        assert host_of(nodeid, frozenset(hosts)) == host_of(nodeid, hosts) == _host_of_by_scan(nodeid, hosts), param


def test_host_of_picks_the_longest_host_among_many_as_matching_every_name_would():
    """host_of looks the parameter's prefixes up instead of trying every host: the same
    answer as the longest of all the names the parameter is, or starts with before / or -."""
    hosts = [f"web-{i}" for i in range(200)] + ["web", "db", "db-a", "db-a-b", "x/y"]

    def every_name(nodeid: str) -> str | None:
        param = nodeid.rsplit("[", 1)[1][:-1]
        matching = [h for h in hosts if param == h or param.startswith((f"{h}/", f"{h}-"))]
        return max(matching, key=len) if matching else None

    params = ["web-12", "web-12/nginx", "web-199-2", "web-2000", "web/x", "db-a-b-c/d", "db-a-x", "x/y/z", "x",
              "db-", "-db", "other", "web-1-/", ""]  # fmt: skip
    for param in params:
        nodeid = f"tests_infra/test_x.py::test_y[{param}]"
        assert host_of(nodeid, hosts) == every_name(nodeid), param


SCHEDULED = """
import os, pytest
from xdist.scheduler import LoadScopeScheduling

from golive.host_scheduling import HostScheduling

HOSTS = [f"h{i}" for i in range(7)]

def pytest_xdist_make_scheduler(config, log):
    return HostScheduling(config, log, HOSTS)
"""


def test_every_host_runs_whole_on_one_worker_and_the_workers_share_them(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker holds the host it runs and the next; the run still ends (a worker that is
    down to its last test always gets more, or is told to stop) with every test run once."""
    pytester.makeconftest(SCHEDULED)
    pytester.makepyfile(
        "import os, pytest\n"
        "HOSTS = [f'h{i}' for i in range(7)]\n"
        "@pytest.mark.parametrize('n', range(5))\n"
        "@pytest.mark.parametrize('host', HOSTS)\n"
        "def test_x(host, n, record_property):\n"
        "    with open(os.environ['RAN'], 'a') as f:\n"
        "        f.write(f\"{host} {os.environ['PYTEST_XDIST_WORKER']}\\n\")\n"
    )
    ran = pytester.path / "ran.txt"
    monkeypatch.setenv("RAN", str(ran))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:html", "-p", "no:golive", timeout=300)
    result.assert_outcomes(passed=35)
    lines = [line.split() for line in ran.read_text().splitlines()]
    workers = {host: {worker for name, worker in lines if name == host} for host, _ in lines}
    assert len(lines) == 35 and all(len(found) == 1 for found in workers.values())
    assert len({worker for found in workers.values() for worker in found}) == 2


class FakeConfig:
    """What xdist's load-scope scheduling reads of the config."""

    class option:  # as pytest names it
        loadscopereorder = False

    @staticmethod
    def getvalue(name: str) -> list[str]:
        return ["2*popen"] if name == "tx" else []


class FakeNode:
    """A worker as the scheduler sees it: the test indices it was sent."""

    shutting_down = False

    def __init__(self, name: str) -> None:
        self.gateway = type("Gateway", (), {"id": name})()
        self.sent: list[int] = []
        self.down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += indices

    def shutdown(self) -> None:
        self.down = True


def test_the_tests_left_per_host_are_counted_as_a_recount_finds_them() -> None:
    """The held hosts and their pending tests, kept as tests finish, are what counting every
    assigned test again gives, all through a run of two workers over seven hosts."""
    hosts = [f"h{i}" for i in range(7)]
    collection = [f"tests_infra/test_x.py::test_{n}[{host}]" for host in hosts for n in range(5)]
    scheduler = HostScheduling(FakeConfig(), None, hosts)  # type: ignore[arg-type]
    nodes = [FakeNode("gw0"), FakeNode("gw1")]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    chance = random.Random(7)
    done = {node: 0 for node in nodes}
    finished = 0
    while finished < len(collection):
        node = chance.choice([n for n in nodes if done[n] < len(n.sent)] or nodes)
        if done[node] >= len(node.sent):
            break
        scheduler.mark_test_complete(node, node.sent[done[node]])
        done[node] += 1
        finished += 1
        for each in nodes:
            recount = held = pending = 0
            for work in reversed(list(scheduler.assigned_work[each].values())):
                recount = sum(1 for completed in work.values() if not completed)
                if not recount:
                    break
                held, pending = held + 1, pending + recount
            assert scheduler._held(each) == (held, pending)
        assert scheduler.tests_finished == LoadScopeScheduling.tests_finished.fget(scheduler)
    assert finished == len(collection) and sorted(i for n in nodes for i in n.sent) == list(range(len(collection)))
    assert all(node.down for node in nodes)
