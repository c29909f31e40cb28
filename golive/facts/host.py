"""One inventory host reached through its testinfra backend, read-only and bounded.

Three steps, each its own method: ``fetch`` runs a command (or takes it from the
host's cache), ``record`` puts it in the asking test's evidence, ``check`` turns a
timeout or an overflow into the error of the criteria reading it; ``run`` does all
three. The commands registered with ``fact_command`` are fetched together in ONE round
trip on the host's first use (``golive/facts/wire.py``), but for those read only by
criteria the run did not select; any other command costs a round trip of its own,
framed the same way. ``memo`` keeps facts derived from a command's output (classified
logs) once per host. A host found unreachable fails its remaining checks at once with
the same reason. A fact whose builder fails, or whose output is over the host's
``max_fact_output``, is an error of the criteria reading that fact only.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import queue
import shlex
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeVar

import testinfra

from golive import evidence
from golive.errors import CheckTimeout, TargetError, Unreachable
from golive.facts import standard_input, wire
from golive.facts.lookahead import Lookahead
from golive.facts.output import Output
from golive.inventory import Host, Inventory
from golive.redact import redact
from golive.units import format_size

TIMEOUT_EXIT = 124
SSH_FAILURE_EXIT = 255

SPAWN_AGAIN = frozenset({errno.EAGAIN, errno.ENOMEM, errno.EFAULT})
"""What the runner's kernel may answer, once, when a command that reaches a host (ssh, docker,
sh) is started: the round trip never left the runner, so it is started once more."""
SPAWN_PAUSE = 0.2

FactCommand = Callable[[Host], str | Sequence[str] | None]
SessionFactCommand = Callable[[Host, Inventory], str | Sequence[str] | None]
SecretFinder = Callable[[str], Iterable[str]]
T = TypeVar("T")


@dataclass(frozen=True)
class _Registered:
    build: FactCommand | SessionFactCommand
    secrets: SecretFinder | None
    criteria: frozenset[str] | None
    """The IDs of the criteria reading its output (None: any criterion may)."""
    session: bool = False

    def wanted(self, selected: frozenset[str] | None) -> bool:
        """Whether a run selecting ``selected`` (None: every criterion) reads it."""
        return selected is None or self.criteria is None or bool(self.criteria & selected)


_FACT_COMMANDS: list[_Registered] = []


def fact_command(
    builder: FactCommand, secrets: SecretFinder | None = None, *, criteria: Iterable[str] | None = None
) -> FactCommand:
    """Register a host's fact command (or several; None: not for this host) for the batched
    first fetch.

    ``secrets`` finds the secret values in its output (e.g. container environment
    values); they are registered for redaction as soon as the output arrives, before
    any criterion can record evidence that might repeat them (a log line echoing one).
    ``criteria``: the IDs of the criteria that read its output; a run selecting none of
    them (``-m critical`` without them) leaves it out of the batch. Without ``criteria``,
    it is sent whatever the run selects.
    """
    _FACT_COMMANDS.append(_Registered(builder, secrets, None if criteria is None else frozenset(criteria)))
    return builder


def session_fact_command(
    builder: SessionFactCommand, secrets: SecretFinder | None = None, *, criteria: Iterable[str] | None = None
) -> SessionFactCommand:
    """``fact_command`` for a command that also depends on the run's inventory (its log
    window and patterns); it joins the batch of a host reached through a ``Fleet`` that
    knows the inventory."""
    _FACT_COMMANDS.append(_Registered(builder, secrets, None if criteria is None else frozenset(criteria), True))
    return builder


def reads_batch(criterion: str) -> bool:
    """Whether a test of ``criterion`` reads a fact of its host's batch (and so makes the batch
    on the host's first use)."""
    return any(registered.wanted(frozenset({criterion})) for registered in _FACT_COMMANDS)


class RemoteHost:
    """A host of the inventory, as the checks see it; ``inventory``: the run's, when known;
    ``criteria``: the IDs of the criteria the run selected (None: all of them)."""

    def __init__(self, host: Host, inventory: Inventory | None = None, criteria: Collection[str] | None = None) -> None:
        self.host = host
        self.inventory = inventory
        self.criteria = None if criteria is None else frozenset(criteria)
        self.round_trips = 0
        self.batch: tuple[str, ...] = ()
        """The commands the host's batched round trip carried (none before its first use)."""
        self._cache: dict[str, Output] = {}
        self._reported: set[str] = set()
        self._memo: dict[tuple[str, str], Any] = {}
        self._entries: dict[tuple[int, str | None], tuple[Output, int, dict[str, Any]]] = {}
        """Cleaned evidence entries by result (and stdout as shown), for ``record``."""
        self._secret_finders: dict[str, SecretFinder] = {}
        self._prefetched = False
        self._prefetch_error: BaseException | None = None
        self._lock = threading.Lock()
        self._memo_lock = threading.Lock()
        self.unreachable: str | None = None

    @property
    def name(self) -> str:
        return self.host.name

    @cached_property
    def backend(self) -> Any:
        """The testinfra host, built on first use so collection never connects."""
        options: dict[str, Any] = {"sudo": self.host.sudo, "timeout": int(self.host.connect_timeout)}
        if self.host.ssh_config:
            options["ssh_config"] = self.host.ssh_config
        if self.host.ssh_identity_file:
            options["ssh_identity_file"] = self.host.ssh_identity_file
        if self.host.backend.startswith("ssh://"):
            # never prompt (an auth failure fails at once), and notice a connection gone silent
            own = "-o BatchMode=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=3"
            options["ssh_extra_args"] = " ".join([own, *map(shlex.quote, self.host.ssh_args)])
        return testinfra.get_host(self.host.backend, **options)

    def run(self, command: str) -> Output:
        """Run a read-only command once per session (later calls reuse the result), record
        it in the asking test's evidence and raise for a timeout or an overflow."""
        result, cached = self.fetch(command)
        self.record(result, cached)
        return self.check(result)

    def run_with_input(self, command: str, stdin: bytes, purpose: str) -> Output:
        """``run`` with ``stdin`` as the command's standard input: for a secret, which must
        be on no command line (the target's process list, the ssh client's argv). The
        command is recorded as evidence, its input never. A backend that cannot feed
        standard input (``golive/facts/standard_input.py``) refuses ``purpose`` with TargetError."""
        standard_input.require(self.host, purpose)
        result, cached = self.fetch(command, stdin)
        self.record(result, cached)
        return self.check(result)

    def fetch(self, command: str, stdin: bytes | None = None) -> tuple[Output, bool]:
        """The command's output, from the host's cache or one round trip (the first use of the
        host fetches every registered fact command at once), and whether an earlier use
        already reported it. Records nothing, raises only when the host cannot be reached."""
        key = command if stdin is None else f"{command}\0stdin {hashlib.sha256(stdin).hexdigest()}"
        with self._lock:
            if not self._prefetched:
                self._prefetched = True
                self._prefetch()
            elif self._prefetch_error is not None:
                # the batch failed ahead of its tests (``prefetch``): the first test to ask meets the error
                error, self._prefetch_error = self._prefetch_error, None
                raise error
            cached = self._cache.get(key)
            if cached is None:
                cached = self._cache[key] = self._execute(command, stdin)
                self._register_secrets(command, cached)
            was_cached = key in self._reported
            self._reported.add(key)
        return cached, was_cached

    def prefetch(self, gate: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext) -> None:
        """Fetch the host's batch now, unless its first use already did: ahead of its tests
        (``golive/facts/lookahead.py``), building the batch and reading its answer inside
        ``gate()`` (waiting on the host is outside it). Raises nothing: an error (the host
        unreachable) is kept and raised to the first test that asks for a fact, as if that
        test had met it."""
        with self._lock:
            if self._prefetched:
                return
            self._prefetched = True
            try:
                self._prefetch(gate)
            except Exception as error:
                self._prefetch_error = error

    def record(self, result: Output, cached: bool, shown: str | None = None) -> None:
        """The command in the current test's evidence; ``shown``: its stdout as shown (a fact
        script's with private sections withheld). A result is cleaned once for all the tests
        recording it (again only when the redactor has learnt a secret since)."""
        current = evidence.current()
        if current is None:
            return
        generation = redact.generation
        key = (id(result), shown)
        found = self._entries.get(key)
        if found is None or found[0] is not result or found[1] != generation:
            entry = evidence.command_entry(
                result.command, result.exit_status, result.stdout if shown is None else shown, result.stderr,
                host=self.name, duration=result.duration, batched=result.batched,
            )  # fmt: skip
            found = self._entries[key] = (result, generation, entry)
        current.add_command(found[2], cached=cached)

    def check(self, result: Output) -> Output:
        """The result, or the criterion's error when it timed out or overflowed the cap."""
        if result.exit_status == TIMEOUT_EXIT:
            raise CheckTimeout(f"{self.name}: timed out after {self.host.command_timeout:g} s: {result.command}")
        if result.overflow:
            raise TargetError(
                f"{self.name}: output over {format_size(self.host.max_fact_output)} (max_fact_output): "
                f"{result.command[:200]}"
            )
        return result

    def forget_derived(self) -> None:
        """Drop what was derived from the fetched output (parsed facts, classified logs, the
        cleaned evidence entries), once the process has judged the host: a fleet's run would
        otherwise hold every host's till its end. The output itself is kept, so a test that
        still reads the host derives it again, without a second round trip."""
        with self._memo_lock:
            self._memo.clear()
        self._entries.clear()

    def memo(self, kind: str, key: str, derive: Callable[[], T]) -> T:
        """A fact derived from fetched output (``kind``: what it is, ``key``: what it was derived
        from), computed once per host and shared by every criterion reading it."""
        with self._memo_lock:
            if (kind, key) not in self._memo:
                self._memo[(kind, key)] = derive()
            value: T = self._memo[(kind, key)]
            return value

    def _prefetch(self, gate: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext) -> None:
        """Every registered fact command of this host that a selected criterion reads, in one
        round trip."""
        with gate():
            commands = self._batch_commands()
        if len(commands) < 2:
            return
        self.batch = tuple(commands)
        cap = self.host.max_fact_output
        with gate():
            text, nonce = wire.script(commands, self.host.command_timeout, cap=cap)
        sent = time.time()
        raw, duration = self._run_script(text, self.host.command_timeout * len(commands) + 5)
        received = time.time()
        with gate():
            for command, output in zip(commands, wire.parse(raw.stdout_bytes, commands, nonce, cap), strict=True):
                if output is not None:
                    self._cache[command] = replace(
                        output, duration=duration / len(commands), batched=True, sent=sent, received=received
                    )
                    self._register_secrets(command, self._cache[command])

    def _batch_commands(self) -> list[str]:
        """The commands of the host's batch (their secret finders kept for their outputs)."""
        finders: dict[str, SecretFinder] = {}
        built: list[str] = []
        for registered in _FACT_COMMANDS:
            wanted = registered.wanted(self.criteria)
            if not wanted and registered.secrets is None:
                continue
            try:
                made = self._build(registered)
            except Exception:  # the criteria reading this fact build it again and meet the error
                continue
            for command in [made] if isinstance(made, str) else made or ():
                if wanted:
                    built.append(command)
                if registered.secrets is not None:
                    # also for a command left out: fetched alone later, its secrets are still found
                    finders[command] = registered.secrets
        self._secret_finders = finders
        return list(dict.fromkeys(built))

    def _build(self, registered: _Registered) -> str | Sequence[str] | None:
        build = registered.build
        if registered.session:
            # without the run's inventory, the command is built (and fetched alone) when asked for
            return None if self.inventory is None else build(self.host, self.inventory)  # type: ignore[call-arg]
        return build(self.host)  # type: ignore[call-arg]

    def _register_secrets(self, command: str, result: Output) -> None:
        finder = self._secret_finders.get(command)
        if finder is not None:
            redact.add(finder(result.stdout))

    def _execute(self, command: str, stdin: bytes | None = None) -> Output:
        # one command framed as a batch of one: the same timeout, output cap and decoding
        cap = self.host.max_fact_output
        text, nonce = wire.script([command], self.host.command_timeout, cap=cap, stdin=stdin is not None)
        sent = time.time()
        raw, duration = self._run_script(text, None, stdin)
        received = time.time()
        (output,) = wire.parse(raw.stdout_bytes, [command], nonce, cap)
        if output is None:
            stderr = wire.decode(raw.stderr_bytes).strip()[-300:]
            raise TargetError(
                f"{self.name}: the command's output was cut short (exit {raw.rc}: {stderr}): {command[:200]}"
            )
        return replace(output, duration=duration, sent=sent, received=received)

    def _run_script(self, text: str, limit: float | None, stdin: bytes | None = None) -> tuple[Any, float]:
        """A fact script as ``sh -c SCRIPT``; a script too long for one argument (Linux takes at
        most 128 KiB in one) travels on standard input (``sh -s``) where the backend can feed it."""
        if stdin is None and standard_input.supports(self.host) and _too_long_to_quote(text):
            return self._round_trip("sh -s", limit, text.encode())
        return self._round_trip(f"sh -c {shlex.quote(text)}", limit, stdin)

    def _round_trip(self, command: str, limit: float | None, stdin: bytes | None = None) -> tuple[Any, float]:
        if self.unreachable is not None:
            raise Unreachable(self.unreachable)
        if limit is not None:
            command = f"timeout -k 2 {limit:g} {command}"
        started = time.monotonic()
        deadline = (limit or self.host.command_timeout) + self.host.connect_timeout + 5
        try:
            raw = self._started(deadline, command, stdin)
        except TimeoutError:
            self.unreachable = f"{self.name}: no answer within {deadline:g} s through {self.host.backend}"
            raise CheckTimeout(self.unreachable) from None
        except Exception as exc:  # testinfra raises plain exceptions for connection failures
            # testinfra's ssh backend raises RuntimeError(CommandResult): its stderr is the reason,
            # not the repr (which carries the whole batched script and would bury it)
            stderr = getattr(exc.args[0], "stderr_bytes", None) if exc.args else None
            reason = wire.decode(stderr).strip() if isinstance(stderr, bytes) else exc
            if isinstance(exc, OSError) and exc.errno in SPAWN_AGAIN:
                self.unreachable = (
                    f"{self.name}: the runner could not start the command that reaches "
                    f"{self.host.backend}, twice: {exc}"
                )
            else:
                self.unreachable = f"{self.name}: cannot reach host through {self.host.backend}: {reason}"
            raise Unreachable(self.unreachable) from exc
        finally:
            self.round_trips += 1
        ssh = self.host.backend.startswith(("ssh://", "paramiko://"))
        if raw.rc == SSH_FAILURE_EXIT and ssh and not raw.stdout_bytes:
            reason = wire.decode(raw.stderr_bytes).strip()
            self.unreachable = f"{self.name}: cannot reach host through {self.host.backend}: {reason}"
            raise Unreachable(self.unreachable)
        return raw, time.monotonic() - started

    def _started(self, deadline: float, command: str, stdin: bytes | None) -> Any:
        """The backend's answer to ``command``; a start the runner's kernel refused
        (``SPAWN_AGAIN``: no process, nothing sent) is tried once more."""

        def answer() -> Any:
            if stdin is None:
                return _within(deadline, self.backend.run, command)
            return _within(deadline, standard_input.run, self.backend, command, stdin)

        try:
            return answer()
        except OSError as exc:
            if exc.errno not in SPAWN_AGAIN:
                raise
        time.sleep(SPAWN_PAUSE)
        return answer()


def _within(seconds: float, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``, or TimeoutError after ``seconds``: a backend that hangs (a silent
    network, a stuck proxy) must not stall the run. The stuck call is left behind in a
    daemon thread, which cannot keep the process alive."""
    outcome: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def target() -> None:
        try:
            outcome.put((True, call(*args)))
        except BaseException as exc:
            outcome.put((False, exc))

    threading.Thread(target=target, daemon=True, name="golive-remote").start()
    try:
        succeeded, value = outcome.get(timeout=seconds)
    except queue.Empty:
        raise TimeoutError from None
    if succeeded:
        return value
    raise value


class Fleet:
    """The session's RemoteHosts, one per inventory host, made on first use; ``inventory``
    (the run's) lets the commands that depend on it join each host's batch, ``criteria``
    (the IDs of the run's selected criteria; None: all) keeps out of it the commands that
    only other criteria read."""

    def __init__(self, inventory: Inventory | None = None, criteria: Collection[str] | None = None) -> None:
        self.inventory = inventory
        self.criteria = None if criteria is None else frozenset(criteria)
        self._hosts: dict[str, RemoteHost] = {}
        self._lock = threading.Lock()
        self.lookahead = Lookahead(lambda host, gate: self[host].prefetch(gate))
        """Fetches the batches of the hosts the process reads next (``golive/host_lookahead.py``)."""

    def __getitem__(self, host: Host) -> RemoteHost:
        with self._lock:
            remote = self._hosts.get(host.name)
            if remote is None:
                remote = self._hosts[host.name] = RemoteHost(host, self.inventory, self.criteria)
            return remote

    def round_trips(self) -> dict[str, int]:
        return {name: remote.round_trips for name, remote in self._hosts.items()}

    def forget_derived(self, name: str) -> None:
        """``RemoteHost.forget_derived`` for the host named ``name``, if it was used."""
        with self._lock:
            remote = self._hosts.get(name)
        if remote is not None:
            remote.forget_derived()


def _too_long_to_quote(script: str) -> bool:
    """``sh -c SCRIPT`` would be too long for one argument once the ssh backend quotes it once
    more into one argument of the local shell (every quote in the script grows fivefold with
    each quoting). Quoting only lengthens, so a script already longer than that is not quoted
    to find out: a host's batch is a few hundred KB, and each quoting copies it."""
    return len(script) > wire.ARGUMENT_MAX or len(shlex.quote(f"sh -c {shlex.quote(script)}")) > wire.ARGUMENT_MAX
