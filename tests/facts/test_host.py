"""RemoteHost on the local backend: one fact's failure stays that fact's, bytes never break a run."""

from __future__ import annotations

import errno
import os

import pytest

from golive.errors import TargetError
from golive.facts import RemoteHost, fact_command, wire
from golive.inventory import Host
from golive.redact import redact


def test_a_failing_fact_builder_does_not_cost_the_batch_or_its_secrets():
    canary = "canary-builder-R4n8"

    def broken(host: Host) -> str | None:
        if host.name == "templated":
            raise ValueError("a builder bug")
        return None

    fact_command(broken)
    fact_command(lambda host: f"echo TOKEN={canary}" if host.name == "templated" else None,
                 secrets=lambda out: [out.split("=", 1)[1].strip()])  # fmt: skip
    fact_command(lambda host: "echo other" if host.name == "templated" else None)
    remote = RemoteHost(Host(name="templated", backend="local://"))
    assert remote.run("echo other").stdout == "other\n"
    assert remote.round_trips == 1  # the other facts still came in one batch
    assert redact(f"a log line repeating {canary}") == "a log line repeating [REDACTED]"
    with pytest.raises(ValueError, match="a builder bug"):
        broken(remote.host)  # its own criteria meet the error when they build it


def test_invalid_utf8_from_a_host_is_replaced():
    remote = RemoteHost(Host(name="bytes", backend="local://"))
    result = remote.run("printf 'caf\\351\\n'; printf '\\377' >&2")
    assert result.stdout == "caf\ufffd\n" and result.stderr == "\ufffd"


def test_output_over_max_fact_output_is_an_error_of_that_command_only():
    remote = RemoteHost(Host(name="capped", backend="local://", max_fact_output="1KiB"))
    with pytest.raises(TargetError, match=r"capped: output over 1 KiB \(max_fact_output\): yes"):
        remote.run("yes")
    assert remote.run("echo fine").stdout == "fine\n"


def test_a_batch_longer_than_one_argument_travels_on_standard_input():
    """Linux takes at most 128 KiB in one argument: a host declaring many repos and files
    builds a longer script, which must still run in its one round trip."""
    long_word = "x" * 70_000
    fact_command(lambda host: f"echo {long_word} | wc -c" if host.name == "long" else None)
    fact_command(lambda host: f"echo {long_word}y | wc -c" if host.name == "long" else None)
    fact_command(lambda host: "cat" if host.name == "long" else None)  # must not eat the script
    remote = RemoteHost(Host(name="long", backend="local://"))
    assert remote.run(f"echo {long_word} | wc -c").stdout.strip() == "70001"
    assert remote.run(f"echo {long_word}y | wc -c").stdout.strip() == "70002"
    assert remote.run("cat").stdout == ""
    assert remote.round_trips == 1


def test_the_log_read_joins_the_host_batch(tmp_path):
    """The log command depends only on the run's window and patterns: a host reached through
    a Fleet that knows the inventory fetches it with its other facts, in one round trip."""
    import datetime as dt

    from golive.checks import disk, logs
    from golive.checks.log_patterns import knowledge_base
    from golive.facts import Fleet
    from golive.inventory import load_inventory

    log = tmp_path / "app.log"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    log.write_text(f"{stamp} ERROR psycopg2.OperationalError: connection to server failed: Connection refused\n")
    path = tmp_path / "hosts.yaml"
    path.write_text(f"hosts:\n  joined:\n    backend: local://\n    logs: {{containers: false, files: ['{log}']}}\n")
    inventory = load_inventory(path, None, environ={})
    (host,) = inventory.hosts
    remote = Fleet(inventory)[host]
    found = logs.classified(remote, host, inventory.window, knowledge_base(inventory.log_patterns))
    assert [g.key for g in found.of_severity("critical")] == ["psycopg2-connection-refused"]
    assert disk.filesystems(remote)
    assert remote.round_trips == 1


def test_a_batch_of_quote_heavy_commands_travels_on_standard_input():
    """A script short enough for one argument may not be once quoted (each ``'`` becomes five
    characters per quoting): the quoted length decides."""
    quoted = "echo '" + "'x'" * 12_000 + "' | wc -c"
    assert len(quoted) < wire.ARGUMENT_MAX
    fact_command(lambda host: quoted if host.name == "quoted" else None)
    fact_command(lambda host: "echo other" if host.name == "quoted" else None)
    remote = RemoteHost(Host(name="quoted", backend="local://"))
    sent: list[str] = []
    original = remote._round_trip
    remote._round_trip = lambda command, *rest: sent.append(command) or original(command, *rest)  # type: ignore[method-assign]
    assert remote.run("echo other").stdout == "other\n"
    assert sent == ["sh -s"] and remote.round_trips == 1


def test_a_host_batch_carries_only_what_the_selected_criteria_read():
    """A command registered for criteria the run did not select stays out of the host's one
    round trip; one registered for a selected criterion, or for no criterion in particular,
    is in it. A command left out and asked for anyway is fetched alone, its secrets still found."""
    canary = "canary-left-out-K2p9"
    mine = lambda text: lambda host: text if host.name == "selective" else None  # noqa: E731
    fact_command(mine("echo disk"), criteria=("TST-01", "TST-02"))
    fact_command(mine("echo logs"), criteria=("TST-03",))
    fact_command(mine("echo any"))
    fact_command(mine(f"echo TOKEN={canary}"), secrets=lambda out: [out.split("=", 1)[1].strip()], criteria=("TST-04",))
    host = Host(name="selective", backend="local://")

    narrow = RemoteHost(host, criteria={"TST-02"})
    assert narrow.run("echo disk").stdout == "disk\n"
    assert "echo disk" in narrow.batch and "echo any" in narrow.batch
    assert "echo logs" not in narrow.batch and f"echo TOKEN={canary}" not in narrow.batch
    assert narrow.run(f"echo TOKEN={canary}").stdout.strip() == f"TOKEN={canary}" and narrow.round_trips == 2
    assert redact(f"a log line repeating {canary}") == "a log line repeating [REDACTED]"

    everything = RemoteHost(host)
    everything.run("echo disk")
    assert {"echo disk", "echo logs", "echo any", f"echo TOKEN={canary}"} <= set(everything.batch)


def test_a_result_read_by_many_tests_is_cleaned_once_and_again_after_a_new_secret():
    """Every test reading a fact records the same cleaned entry (cleaned once per host, not
    once per test); a secret learnt in between is masked in the tests recording it after."""
    from golive import evidence

    canary = "canary-late-Q7m2"
    remote = RemoteHost(Host(name="recorded", backend="local://"))
    first, second, third = evidence.Evidence(), evidence.Evidence(), evidence.Evidence()
    for recorded in (first, second):
        with evidence.collecting(recorded):
            remote.run(f"echo seen {canary} token=abc123")
    (entry,) = first.entries
    assert entry["stdout"] == f"seen {canary} token=[REDACTED]\n" and entry["cached"] is False
    assert second.entries == [{**entry, "cached": True}] and second.entries[0] is not entry
    redact.add([canary])
    with evidence.collecting(third):
        remote.run(f"echo seen {canary} token=abc123")
    assert third.entries[0]["stdout"] == "seen [REDACTED] token=[REDACTED]\n"
    assert canary not in third.entries[0]["command"]


class _RefusedOnce:
    """A testinfra host whose first command the runner's kernel refuses to start (as an
    ``OSError`` from the spawn, before anything is sent), as seen once in CI as
    ``[Errno 14] Bad address: '/bin/sh'``; then the real local backend."""

    def __init__(self, real: object, refusals: int, code: int = errno.EFAULT) -> None:
        self.real, self.refusals, self.code = real, refusals, code

    def run(self, command: str) -> object:
        if self.refusals:
            self.refusals -= 1
            raise OSError(self.code, os.strerror(self.code), "/bin/sh")
        return self.real.run(command)  # type: ignore[attr-defined]


def test_a_command_the_runner_could_not_start_is_started_once_more():
    remote = RemoteHost(Host(name="respawned", backend="local://"))
    remote.backend = _RefusedOnce(remote.backend, refusals=1)
    assert remote.run("echo started").stdout == "started\n"
    assert remote.unreachable is None


def test_a_runner_that_refuses_twice_is_the_hosts_error_and_says_it_was_the_runner():
    remote = RemoteHost(Host(name="refused-twice", backend="local://"))
    remote.backend = _RefusedOnce(remote.backend, refusals=2)
    with pytest.raises(
        TargetError, match=r"runner could not start the command that reaches local://, twice: .*Errno 14"
    ):
        remote.run("echo never")


def test_any_other_start_failure_is_not_tried_again():
    remote = RemoteHost(Host(name="missing", backend="local://"))
    remote.backend = _RefusedOnce(remote.backend, refusals=1, code=errno.ENOENT)
    with pytest.raises(TargetError, match="cannot reach host through local://"):
        remote.run("echo never")
