"""One inventory host reached through its testinfra backend, read-only and bounded.

Every command runs under ``timeout`` on the target and its result is cached for the
session: facts are gathered once per host and shared by every criterion that reads
them. The commands check modules register with ``fact_command`` are fetched together
in ONE round trip on the host's first use (``checks/batch.py``); any other command
costs a round trip of its own, framed the same way. Each use is recorded as evidence
of the test that asked. A host found unreachable fails its remaining checks at once
with the same reason. A fact whose builder fails, or whose output is over the host's
``max_fact_output``, is an error of the criteria reading that fact only.
"""

from __future__ import annotations

import hashlib
import queue
import shlex
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import testinfra

from golive import evidence
from golive.checks import batch, standard_input
from golive.errors import CheckTimeout, TargetError, Unreachable
from golive.inventory import Host
from golive.redact import redact
from golive.units import format_size

TIMEOUT_EXIT = 124
SSH_FAILURE_EXIT = 255
ARGUMENT_MAX = 100_000
"""Scripts longer than this go on standard input: one argument may hold at most 128 KiB."""

FactCommand = Callable[[Host], str | None]
SecretFinder = Callable[[str], Iterable[str]]
_FACT_COMMANDS: list[tuple[FactCommand, SecretFinder | None]] = []


def fact_command(builder: FactCommand, secrets: SecretFinder | None = None) -> FactCommand:
    """Register a host's fact command (None: not for this host) for the batched first fetch.

    ``secrets`` finds the secret values in its output (e.g. container environment
    values); they are registered for redaction as soon as the output arrives, before
    any criterion can record evidence that might repeat them (a log line echoing one).
    """
    _FACT_COMMANDS.append((builder, secrets))
    return builder


@dataclass(frozen=True)
class CommandResult:
    """What a command printed and returned on a host (``overflow``: cut at the host's output cap)."""

    command: str
    exit_status: int
    stdout: str
    stderr: str
    duration: float
    batched: bool = False
    overflow: bool = False
    sent: float | None = None
    """The runner's wall clock when the round trip carrying the command was sent (REL-15)."""
    received: float | None = None
    """... and when its answer came back."""

    @property
    def succeeded(self) -> bool:
        return self.exit_status == 0


class RemoteHost:
    """A host of the inventory, as the checks see it."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.round_trips = 0
        self._cache: dict[str, CommandResult] = {}
        self._reported: set[str] = set()
        self._secret_finders: dict[str, SecretFinder] = {}
        self._prefetched = False
        self._lock = threading.Lock()
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

    def run(self, command: str) -> CommandResult:
        """Run a read-only command once per session; later calls reuse the result."""
        return self._run(command, None)

    def run_with_input(self, command: str, stdin: bytes, purpose: str) -> CommandResult:
        """``run`` with ``stdin`` as the command's standard input: for a secret, which must
        be on no command line (the target's process list, the ssh client's argv). The
        command is recorded as evidence, its input never. A backend that cannot feed
        standard input (``checks/standard_input.py``) refuses ``purpose`` with TargetError."""
        standard_input.require(self.host, purpose)
        return self._run(command, stdin)

    def _run(self, command: str, stdin: bytes | None) -> CommandResult:
        key = command if stdin is None else f"{command}\0stdin {hashlib.sha256(stdin).hexdigest()}"
        with self._lock:
            if not self._prefetched:
                self._prefetched = True
                self._prefetch()
            cached = self._cache.get(key)
            if cached is None:
                cached = self._cache[key] = self._execute(command, stdin)
                self._register_secrets(command, cached)
            was_cached = key in self._reported
            self._reported.add(key)
        current = evidence.current()
        if current is not None:
            current.command(
                cached.command, cached.exit_status, cached.stdout, cached.stderr,
                host=self.name, duration=cached.duration, cached=was_cached, batched=cached.batched,
            )  # fmt: skip
        if cached.exit_status == TIMEOUT_EXIT:
            raise CheckTimeout(f"{self.name}: timed out after {self.host.command_timeout:g} s: {command}")
        if cached.overflow:
            raise TargetError(
                f"{self.name}: output over {format_size(self.host.max_fact_output)} (max_fact_output): {command[:200]}"
            )
        return cached

    def _prefetch(self) -> None:
        """Every registered fact command of this host, in one round trip."""
        finders: dict[str, SecretFinder] = {}
        built: list[str] = []
        for build, finder in _FACT_COMMANDS:
            try:
                command = build(self.host)
            except Exception:  # the criteria reading this fact build it again and meet the error
                continue
            if command is not None:
                built.append(command)
                if finder is not None:
                    finders[command] = finder
        self._secret_finders = finders
        commands = list(dict.fromkeys(built))
        if len(commands) < 2:
            return
        cap = self.host.max_fact_output
        text, nonce = batch.script(commands, self.host.command_timeout, cap=cap)
        sent = time.time()
        raw, duration = self._run_script(text, self.host.command_timeout * len(commands) + 5)
        received = time.time()
        for command, output in zip(commands, batch.parse(raw.stdout_bytes, len(commands), nonce, cap), strict=True):
            if output is not None:
                self._cache[command] = CommandResult(
                    command, output.exit_status, output.stdout, output.stderr, duration / len(commands),
                    batched=True, overflow=output.overflow, sent=sent, received=received,
                )  # fmt: skip
                self._register_secrets(command, self._cache[command])

    def _register_secrets(self, command: str, result: CommandResult) -> None:
        finder = self._secret_finders.get(command)
        if finder is not None:
            redact.add(finder(result.stdout))

    def _execute(self, command: str, stdin: bytes | None = None) -> CommandResult:
        # one command framed as a batch of one: the same timeout, output cap and decoding
        cap = self.host.max_fact_output
        text, nonce = batch.script([command], self.host.command_timeout, cap=cap, stdin=stdin is not None)
        sent = time.time()
        raw, duration = self._run_script(text, None, stdin)
        received = time.time()
        (output,) = batch.parse(raw.stdout_bytes, 1, nonce, cap)
        if output is None:
            stderr = batch.decode(raw.stderr_bytes).strip()[-300:]
            raise TargetError(
                f"{self.name}: the command's output was cut short (exit {raw.rc}: {stderr}): {command[:200]}"
            )
        return CommandResult(
            command,
            output.exit_status,
            output.stdout,
            output.stderr,
            duration,
            overflow=output.overflow,
            sent=sent,
            received=received,
        )

    def _run_script(self, text: str, limit: float | None, stdin: bytes | None = None) -> tuple[Any, float]:
        """A fact script as ``sh -c SCRIPT``; a script too long for one argument (Linux takes at
        most 128 KiB in one) travels on standard input (``sh -s``) where the backend can feed it."""
        if stdin is None and len(text) > ARGUMENT_MAX and standard_input.supports(self.host):
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
            if stdin is None:
                raw = _within(deadline, self.backend.run, command)
            else:
                raw = _within(deadline, standard_input.run, self.backend, command, stdin)
        except TimeoutError:
            self.unreachable = f"{self.name}: no answer within {deadline:g} s through {self.host.backend}"
            raise CheckTimeout(self.unreachable) from None
        except Exception as exc:  # testinfra raises plain exceptions for connection failures
            # testinfra's ssh backend raises RuntimeError(CommandResult): its stderr is the reason,
            # not the repr (which carries the whole batched script and would bury it)
            stderr = getattr(exc.args[0], "stderr_bytes", None) if exc.args else None
            reason = batch.decode(stderr).strip() if isinstance(stderr, bytes) else exc
            self.unreachable = f"{self.name}: cannot reach host through {self.host.backend}: {reason}"
            raise Unreachable(self.unreachable) from exc
        finally:
            self.round_trips += 1
        ssh = self.host.backend.startswith(("ssh://", "paramiko://"))
        if raw.rc == SSH_FAILURE_EXIT and ssh and not raw.stdout_bytes:
            reason = batch.decode(raw.stderr_bytes).strip()
            self.unreachable = f"{self.name}: cannot reach host through {self.host.backend}: {reason}"
            raise Unreachable(self.unreachable)
        return raw, time.monotonic() - started


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
    """The session's RemoteHosts, one per inventory host, made on first use."""

    def __init__(self) -> None:
        self._hosts: dict[str, RemoteHost] = {}
        self._lock = threading.Lock()

    def __getitem__(self, host: Host) -> RemoteHost:
        with self._lock:
            remote = self._hosts.get(host.name)
            if remote is None:
                remote = self._hosts[host.name] = RemoteHost(host)
            return remote

    def round_trips(self) -> dict[str, int]:
        return {name: remote.round_trips for name, remote in self._hosts.items()}
