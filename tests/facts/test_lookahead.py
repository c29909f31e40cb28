"""Batches fetched ahead of their tests: bounded, quiet for latency samples, the same facts and errors."""

from __future__ import annotations

import threading

import pytest

from golive.errors import TargetError
from golive.facts import Fleet, RemoteHost, fact_command
from golive.facts.lookahead import Lookahead
from golive.inventory import Host


class Blocking:
    """A fetch that holds each host until released, noting which ones started."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = {name: threading.Event() for name in "abcd"}
        self.entered = threading.Semaphore(0)

    def __call__(self, host: Host, gate: object) -> None:
        self.started.append(host.name)
        self.entered.release()
        self.release[host.name].wait()


def hosts(names: str) -> list[Host]:
    return [Host(name=name, backend="local://") for name in names]


def test_at_most_ahead_batches_are_in_flight_the_nearest_hosts_first() -> None:
    fetch = Blocking()
    lookahead = Lookahead(fetch, ahead=2)
    lookahead.want(hosts("abcd"))
    fetch.entered.acquire()
    fetch.entered.acquire()
    lookahead.want(hosts("abcd"))  # two in flight already: nothing more
    assert sorted(fetch.started) == ["a", "b"]
    assert lookahead.started(hosts("b")[0]) and not lookahead.started(hosts("c")[0])
    for event in fetch.release.values():
        event.set()
    lookahead.settle()
    assert sorted(fetch.started) == ["a", "b"]
    lookahead.want(hosts("abcd"))  # a and b fetched: the next two
    lookahead.close()
    assert sorted(fetch.started) == ["a", "b", "c", "d"]


def test_a_quiet_measurement_waits_for_a_batch_being_read_and_holds_back_the_next() -> None:
    """While a latency sample is taken no batch is built or read in the process; the round trips
    already on their way go on (they wait in ssh and on the host)."""
    lookahead = Lookahead(lambda host, gate: None)
    reading, read, sampled = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def read_batch() -> None:
        with lookahead.working():
            reading.set()
            read.wait()
            order.append("read")

    def measure() -> None:
        with lookahead.quiet():
            order.append("sampled")
            sampled.set()
            held.start()
            assert not built.wait(0.2)  # a batch to build waits for the measurement's end

    built = threading.Event()

    def build_batch() -> None:
        with lookahead.working():
            order.append("built")
            built.set()

    held = threading.Thread(target=build_batch)
    reader = threading.Thread(target=read_batch)
    reader.start()
    reading.wait()
    sampler = threading.Thread(target=measure)
    sampler.start()
    assert not sampled.wait(0.2)  # the batch being read is read first
    read.set()
    sampler.join()
    held.join()
    reader.join()
    assert order == ["read", "sampled", "built"]
    lookahead.close()


def test_a_host_fetched_ahead_answers_its_tests_from_the_same_one_round_trip() -> None:
    fact_command(lambda host: "echo ahead-1" if host.name == "ahead" else None)
    fact_command(lambda host: "echo ahead-2" if host.name == "ahead" else None)
    fleet = Fleet()
    host = Host(name="ahead", backend="local://")
    fleet.lookahead.want([host])
    fleet.lookahead.close()
    remote = fleet[host]
    assert remote.round_trips == 1 and {"echo ahead-1", "echo ahead-2"} <= set(remote.batch)
    assert remote.run("echo ahead-2").stdout == "ahead-2\n"
    assert remote.round_trips == 1


def test_an_unreachable_host_fetched_ahead_fails_its_first_test_as_if_it_had_fetched() -> None:
    fact_command(lambda host: "echo one" if host.name.startswith("refused") else None)
    fact_command(lambda host: "echo two" if host.name.startswith("refused") else None)
    backend = "ssh://root@127.0.0.1:1"  # nothing listens: refused at once
    options = {"connect_timeout": "5s", "ssh_args": ["-o", "BatchMode=yes"]}
    direct = RemoteHost(Host(name="refused", backend=backend, **options))
    with pytest.raises(TargetError) as first_use:
        direct.run("echo one")
    ahead = RemoteHost(Host(name="refused", backend=backend, **options))
    ahead.prefetch()  # raises nothing
    with pytest.raises(TargetError) as fetched_ahead:
        ahead.run("echo one")
    assert type(fetched_ahead.value) is type(first_use.value)
    assert str(fetched_ahead.value) == str(first_use.value)
    assert ahead.round_trips == direct.round_trips == 1
    with pytest.raises(TargetError, match="cannot reach host"):
        ahead.run("echo two")  # later tests meet the same reason, without another attempt
    assert ahead.round_trips == 1


def test_a_worker_copies_its_queue_of_tests_only_when_more_came_in() -> None:
    """The hosts to come are read again when the worker's queue grew, not every test."""
    import collections
    import contextlib

    from golive.host_lookahead import _worker_queue

    class TestQueue:
        def __init__(self) -> None:
            self.waiting: collections.deque[object] = collections.deque([5, 6, 7])

        @contextlib.contextmanager
        def lock(self):  # type: ignore[no-untyped-def]
            yield self.waiting

    class WorkerInteractor:
        def __init__(self) -> None:
            self.torun = TestQueue()
            self.nextitem_index: object = 4

    interactor = WorkerInteractor()

    class Config:
        workerinput = "its presence makes a worker"
        pluginmanager = type("PluginManager", (), {"get_plugins": staticmethod(lambda: [object(), interactor])})

    queued = _worker_queue(Config())  # type: ignore[arg-type]
    assert queued(-1) == (4, [4, 5, 6, 7])
    interactor.nextitem_index = interactor.torun.waiting.popleft()
    assert queued(4) == (3, None)
    interactor.torun.waiting.extend([8, 9])
    assert queued(3) == (5, [5, 6, 7, 8, 9])
    shutdown = object()
    interactor.torun.waiting.clear()
    interactor.torun.waiting.append(shutdown)
    interactor.nextitem_index = 9
    assert queued(5) == (2, None)
    assert queued(1) == (2, [9])


def test_a_host_forgets_what_it_derived_and_derives_it_again_from_the_same_output() -> None:
    fact_command(lambda host: "echo forget-1" if host.name == "forget" else None)
    remote = Fleet()[Host(name="forget", backend="local://")]
    derived: list[str] = []

    def derive() -> str:
        derived.append(remote.run("echo forget-1").stdout)
        return derived[-1]

    assert remote.memo("echo", "forget-1", derive) == remote.memo("echo", "forget-1", derive) == "forget-1\n"
    assert len(derived) == 1
    remote.forget_derived()
    assert remote.memo("echo", "forget-1", derive) == "forget-1\n"
    assert len(derived) == 2 and remote.round_trips == 1  # from the output kept: no second round trip
