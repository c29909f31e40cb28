"""Docker containers of a host (AVL-02, REL-01..07, REL-10, REL-11), from one batched read.

One cached command per host reads everything the container criteria judge: the
ids of all containers (``docker ps -aq``) and ONE ``docker inspect`` of them all,
``docker system df`` (build cache), the ``die`` events within the window (restart
times) and the kernel's OOM-kill lines (``dmesg``). It goes through the host's
testinfra backend like every other fact, so an SSH host costs one round trip for
all containers, whatever their number (docs/facts.md says why the CLI, not the docker SDK).

The inspect output holds every container's environment: it is withheld from the
evidence (recorded as its size, see ``golive.facts.script``) and the values are
registered for redaction anyway. Evidence shows the decisive fields only: state,
health and its last output, restart count and times, policy, limits, log config.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from golive import facts as fact_script
from golive.errors import TargetError
from golive.facts import RemoteHost, Section, fact_command, json_value
from golive.inventory import ContainerPolicy
from golive.redact import redact, shorten
from golive.units import parse_size

INSPECT = "ids=$(docker ps -aq --no-trunc) || exit $?; if [ -n \"$ids\" ]; then docker inspect $ids; else echo '[]'; fi"
# dockerd runs one disk-usage scan at a time and refuses a second meanwhile ("a disk usage
# operation is already running": another tool, or another host's read of a shared engine):
# asked again, a few times, half a second apart.
DF = (
    "n=0; while :; do out=$(docker system df --format '{{json .}}' 2>&1); status=$?; n=$((n + 1)); "
    "case \"$status:$out\" in 0:*) break ;; *'disk usage operation is already running'*) [ $n -lt 6 ] || break; "
    "sleep 0.5 ;; *) break ;; esac; done; printf '%s\\n' \"$out\"; exit $status"
)
# The kernel ring buffer, else (dmesg_restrict, the default on Debian and Ubuntu for a
# user that is not root) the journal's kernel messages of this boot, where systemd runs
# and the user may read the whole journal. journalctl succeeds with no entry when it may
# read nothing (or, in a container, holds no kernel message): a boot always logs some
# kernel lines, so an empty answer is unreadable too.
KERNEL = (
    "cat /proc/uptime; if out=$(dmesg 2>&1); then echo 'source: dmesg'; "
    "elif [ -d /run/systemd/system ] && command -v journalctl >/dev/null 2>&1 && "
    "{ [ \"$(id -u)\" = 0 ] || id -nG | grep -qwE 'adm|systemd-journal'; } && "
    "jout=$(journalctl -k -b -o short-monotonic --no-pager -q 2>&1) && "
    "[ -n \"$jout\" ] && ! printf '%s' \"$jout\" | grep -q 'No journal files'; then "
    "out=$jout; echo 'source: journalctl -k'; "
    "else printf 'unreadable: %s\\n' \"$(printf '%s' \"$out\" | head -n 1)\"; exit 3; fi; "
    "printf '%s\\n' \"$out\" | grep -E 'oom-kill:|Killed process' || true"
)
NOT_RUNNABLE = re.compile(r"not found|executable file not found|no such file or directory|permission denied", re.I)
CONTAINER_ID = re.compile(r"^[0-9a-f]{64}$")
DAY = 86400.0
# dmesg: "[ 12.3] oom-kill:..."; journalctl -o short-monotonic: "[ 12.3] host kernel: oom-kill:..."
_KERNEL_OOM = re.compile(r"^\[\s*([\d.]+)\]\s*(?:\S+ kernel: )?(oom-kill:.*)$")


# Every ``die`` event dockerd still holds (it keeps the latest 256 in memory); the
# window is applied when judging, so the command is the same for every inventory.
EVENTS = (
    "docker events --since 0 --until \"$(date +%s)\" --filter type=container --filter event=die --format '{{json .}}'"
)
# The images of all containers: their own Env is what a container inherits without
# anyone setting it (CHG-04 tells those keys from runtime-only ones).
IMAGES = (
    "ids=$(docker ps -aq --no-trunc) || exit $?; [ -n \"$ids\" ] || { echo '[]'; exit 0; }; "
    "docker image inspect $(docker inspect --format '{{.Image}}' $ids | sort -u)"
)
# The script's shared part runs INSPECT once; the inspect section prints what it printed, and
# the images section takes the image ids from it rather than asking docker again.
SHARED = f"golive_inspect=$( ( {INSPECT} ) 2>&1 ); golive_inspect_status=$?"
IMAGE_IDS = (
    '$0 == "[]" {empty = 1}\n'
    '$0 == "    {" {n++}\n'
    '/^        "Image": "sha256:[0-9a-f]+",?$/ {i++; id = substr($0, 19); sub(/",?$/, "", id)\n'
    "  if (!seen[id]++) print id}\n"
    "END {exit !(n == i && (n > 0 || empty))}"
)
"""The image ids in ``docker inspect``'s output, each once: the top-level ``Image`` key of each
container, which docker indents by 8 spaces (a label or value elsewhere is indented deeper, and
no string holds a newline). Fails unless every container (each array element at 4 spaces) has
one, so that another layout falls back to asking docker."""
INSPECTED = (
    'if [ -n "${golive_inspect_status:-}" ]; then\n'
    '  printf \'%s\\n\' "$golive_inspect"; exit "$golive_inspect_status"\nfi\n' + INSPECT
)
IMAGES_INSPECTED = (
    'if [ "${golive_inspect_status:-}" = 0 ] && images=$(printf \'%s\\n\' "$golive_inspect" | awk '
    + fact_script.quote(IMAGE_IDS)
    + "); then\n  if [ -z \"$images\" ]; then echo '[]'; exit 0; fi\n  docker image inspect $images\n  exit $?\nfi\n"
    + IMAGES
)
"""The sections reading ``docker inspect``: what the shared part read, else (alone) their own reads."""
SECTIONS = (
    Section("now", "date +%s"), Section("inspect", INSPECTED, private=True), Section("df", DF),
    Section("events", EVENTS, private=True), Section("kernel", KERNEL),
    Section("images", IMAGES_INSPECTED, private=True),
)  # fmt: skip
DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
DANGEROUS_CAPABILITIES = frozenset(
    {"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "SYS_BOOT", "DAC_READ_SEARCH", "NET_ADMIN",
     "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON"}
)  # fmt: skip
"""Added capabilities SEC-10 flags: each one reaches the host's kernel, other processes' memory,
any file regardless of permissions, or the host's network and security policy."""
COMMAND = fact_script.script(SECTIONS, SHARED)
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|credential|auth|private|dsn|salt|session|cookie", re.I)


def secret_env_values(env: list[str]) -> list[str]:
    """Values of environment entries whose name says secret (DB_PASSWORD, API_TOKEN, ...).

    Only those: registering every value (ENV=production, TZ=UTC) would blank ordinary
    words out of every report.
    """
    return [value for key, _, value in (e.partition("=") for e in env) if value and _SECRET_KEY.search(key)]


def json_array(text: str) -> Any:
    """The JSON array the docker CLI printed (``json_value``: warnings beside it set aside);
    no output is no containers; output with no array is a ValueError."""
    if not text.strip():
        return []
    value = json_value(text)
    if not isinstance(value, list):
        raise ValueError("not a JSON array")
    return value


def _secrets_in(output: str) -> list[str]:
    """The secret environment values in the fact command's output, as soon as it arrives."""
    inspect = fact_script.parse(output).get("inspect")
    if inspect is None or inspect.exit_status != 0:
        return []
    try:
        raw = json_array(inspect.text)
    except ValueError:
        return []
    return [value for item in raw for value in secret_env_values((item.get("Config") or {}).get("Env") or [])]


fact_command(
    lambda host: COMMAND,
    secrets=_secrets_in,
    criteria=("AVL-02", "REL-01", "REL-02", "REL-03", "REL-04", "REL-05", "REL-06", "REL-07", "REL-10", "REL-11",
              "SEC-10", "CHG-03", "CHG-04", "DOC-01"),
)  # fmt: skip


@dataclass(frozen=True)
class HealthRun:
    """One run of a container's healthcheck."""

    exit_code: int
    output: str
    end: str


@dataclass(frozen=True)
class Container:
    """One container as ``docker inspect`` shows it (never its environment)."""

    id: str
    name: str
    image: str
    status: str
    exit_code: int
    oom_killed: bool
    created: str
    started_at: str
    finished_at: str
    restart_count: int
    healthcheck: tuple[str, ...] | None
    health: str | None
    health_log: tuple[HealthRun, ...]
    restart_policy: str
    restart_max: int
    memory_limit: int
    log_driver: str
    log_options: dict[str, str]
    compose_project: str | None
    compose_service: str | None = None
    image_id: str = ""
    privileged: bool = False
    cap_add: tuple[str, ...] = ()
    mounts: tuple[tuple[str, str], ...] = ()
    """(source, destination) of every mount and bind."""
    env_digests: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Environment KEY → sha256 of its value, in memory only: never a value, never evidence."""

    @property
    def dangerous_capabilities(self) -> list[str]:
        return sorted({cap.upper().removeprefix("CAP_") for cap in self.cap_add} & DANGEROUS_CAPABILITIES)

    @property
    def docker_socket_mounts(self) -> list[str]:
        """``source:destination`` of each mount exposing a docker socket (by either side's path)."""
        return [
            f"{source}:{destination}"
            for source, destination in self.mounts
            if any(path in DOCKER_SOCKETS or path.endswith("/docker.sock") for path in (source, destination))
        ]

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def is_live(self) -> bool:
        """Meant to be up: running, restarting, paused, or stopped by a failure (exit code not 0)."""
        return self.status in ("running", "restarting", "paused") or (self.status == "exited" and self.exit_code != 0)

    @property
    def has_healthcheck(self) -> bool:
        return self.healthcheck is not None and len(self.healthcheck) > 0 and self.healthcheck[0] != "NONE"

    @property
    def is_unhealthy(self) -> bool:
        return self.health == "unhealthy"

    @property
    def last_health_output(self) -> str:
        return self.health_log[-1].output.strip() if self.health_log else ""

    def healthcheck_not_runnable(self) -> HealthRun | None:
        """The latest health run showing the command itself could not run (exit 126/127, not found)."""
        for run in reversed(self.health_log):
            if run.exit_code in (126, 127) or (run.exit_code != 0 and NOT_RUNNABLE.search(run.output)):
                return run
        return None

    def has_restart_policy(self, allowed: tuple[str, ...]) -> bool:
        return self.restart_policy in allowed

    @property
    def rotates_logs(self) -> bool:
        """json-file needs max-size; other drivers rotate (local) or ship logs off the container."""
        if self.log_driver == "json-file":
            return self.log_options.get("max-size", "") not in ("", "-1", "0")
        return self.log_driver != "local" or self.log_options.get("max-size") != "-1"

    def restarts_per_day(self, now: float, window: float) -> float:
        """RestartCount averaged over the container's life (at least one window), per day."""
        created = timestamp(self.created) or now
        return self.restart_count * DAY / max(now - created, window, 1.0)

    def is_restart_looping(self, deaths_in_window: int, now: float, window: float, per_day: float) -> bool:
        return (
            self.status == "restarting"
            or deaths_in_window > per_day * window / DAY
            or self.restarts_per_day(now, window) > per_day
        )

    def describe(self) -> str:
        health = f", health {self.health}" if self.health else ""
        return f"{self.status} (exit {self.exit_code}{health}, restarts {self.restart_count}, image {self.image})"


@dataclass(frozen=True)
class KernelOom:
    """One kernel ``oom-kill:`` line: when, which task, in which memory cgroup."""

    when: float
    task: str
    constraint: str
    memcg: str
    line: str

    @property
    def container_id(self) -> str | None:
        last = self.memcg.rstrip("/").rsplit("/", 1)[-1]
        return last if CONTAINER_ID.fullmatch(last) else None


@dataclass
class ContainerFacts:
    """What one batched read of a host's Docker engine and kernel log found."""

    host: str
    engine_problem: str | None
    containers: list[Container] = field(default_factory=list)
    engine_absent: bool = False
    """No docker CLI on the host (``engine_problem`` says so): nothing to judge unless declared."""
    build_cache_bytes: int | None = None
    build_cache_problem: str = ""
    """What ``docker system df`` said when it failed."""
    deaths: dict[str, list[float]] = field(default_factory=dict)
    kernel_readable: bool = False
    kernel_problem: str = ""
    kernel_source: str = ""
    kernel_ooms: list[KernelOom] = field(default_factory=list)
    now: float = 0.0
    image_env: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    """Image id → its Env as KEY → sha256 of the value (what a container inherits)."""

    def target(self, container: Container) -> str:
        return f"{self.host}/{container.name}"

    def copy(self) -> ContainerFacts:
        """These facts with lists and maps of their own (the containers themselves are frozen)."""
        return replace(
            self,
            containers=list(self.containers),
            deaths={key: list(times) for key, times in self.deaths.items()},
            kernel_ooms=list(self.kernel_ooms),
            image_env={key: dict(env) for key, env in self.image_env.items()},
        )

    def judged(self, policy: ContainerPolicy) -> list[Container]:
        """Every container except the ignored ones, by name."""
        return [c for c in self.containers if not any(fnmatch.fnmatchcase(c.name, g) for g in policy.ignore)]

    def named(self, name: str) -> Container | None:
        return next((c for c in self.containers if c.name == name), None)

    def not_applicable(self, policy: ContainerPolicy) -> str | None:
        """Why the host's containers are not applicable (no docker CLI, none declared), else None.

        Raises TargetError when the engine could not be read although there is something
        to judge: the docker CLI is there (daemon down, socket not readable: a container
        may be down with it) or containers are declared.
        """
        if self.engine_problem is None:
            return None
        if policy.expected or policy.compose_projects:
            raise TargetError(f"{self.engine_problem} (containers are declared for {self.host})")
        if not self.engine_absent:
            raise TargetError(self.engine_problem)
        return self.engine_problem


def facts(remote: RemoteHost) -> ContainerFacts:
    """The host's containers, build cache, restart events and kernel OOM lines (one cached
    command, parsed once per host; each caller gets its own copy)."""
    found = fact_script.run(remote, SECTIONS, SHARED)
    return remote.memo("container facts", "", lambda: parse(remote.name, found)).copy()


def parse(host: str, found: dict[str, fact_script.Output]) -> ContainerFacts:
    now_out = found.get("now")
    now = float(now_out.text.strip()) if now_out and now_out.text.strip().isdigit() else 0.0
    result = ContainerFacts(host, None, now=now)
    _parse_kernel(result, found.get("kernel"))
    inspect = found.get("inspect")
    if inspect is None or inspect.exit_status != 0:
        text = inspect.text.strip() if inspect else "no output"
        status = inspect.exit_status if inspect else -1
        why = (
            "the docker CLI is not installed"
            if status == 127
            else f"docker ps failed (exit {status}): {shorten(text, 300)}"
        )
        result.engine_problem = f"{host}: {why}"
        result.engine_absent = status == 127
        return result
    try:
        raw = json_array(inspect.text)
    except ValueError:
        result.engine_problem = f"{host}: docker inspect printed no JSON array: {shorten(inspect.text.strip(), 300)}"
        return result
    result.containers = [_container(item) for item in raw]
    images = found.get("images")
    if images is not None and images.exit_status == 0:
        try:
            for image in json_array(images.text):
                result.image_env[image.get("Id", "")] = env_digests((image.get("Config") or {}).get("Env") or [])
        except ValueError:
            pass
    df = found.get("df")
    if df is not None and df.exit_status != 0:
        result.build_cache_problem = f"docker system df failed (exit {df.exit_status}): {shorten(df.text.strip(), 300)}"
    for line in df.lines if df else []:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row.get("Type") == "Build Cache":
            result.build_cache_bytes = docker_size(row.get("Size", "0B"))
    events = found.get("events")
    for line in events.lines if events else []:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        result.deaths.setdefault(event.get("id", ""), []).append(float(event.get("time", 0)))
    return result


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def env_digests(entries: list[str]) -> dict[str, str]:
    """``KEY=value`` entries → KEY → digest of the value (a key without ``=`` has the empty value)."""
    found = {}
    for entry in entries:
        key, _, value = entry.partition("=")
        found[key] = digest(value)
    return found


def _mounts(item: dict[str, Any], host_config: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = [(m.get("Source", ""), m.get("Destination", "")) for m in item.get("Mounts") or []]
    for bind in host_config.get("Binds") or []:
        source, _, rest = bind.partition(":")
        found.append((source, rest.split(":", 1)[0]))
    return tuple(dict.fromkeys(found))


def _container(item: dict[str, Any]) -> Container:
    config = item.get("Config") or {}
    # Defence in depth: the inspect output is withheld, but its env values must never
    # reach any report even through a judge's message.
    redact.add(secret_env_values(config.get("Env") or []))
    host_config = item.get("HostConfig") or {}
    state = item.get("State") or {}
    health = state.get("Health") or {}
    check = config.get("Healthcheck") or {}
    policy = host_config.get("RestartPolicy") or {}
    log = host_config.get("LogConfig") or {}
    labels = config.get("Labels") or {}
    return Container(
        id=item.get("Id", ""),
        name=item.get("Name", "").lstrip("/"),
        image=config.get("Image", ""),
        status=state.get("Status", "unknown"),
        exit_code=int(state.get("ExitCode") or 0),
        oom_killed=bool(state.get("OOMKilled")),
        created=item.get("Created", ""),
        started_at=state.get("StartedAt", ""),
        finished_at=state.get("FinishedAt", ""),
        restart_count=int(item.get("RestartCount") or 0),
        healthcheck=tuple(check["Test"]) if check.get("Test") else None,
        health=health.get("Status"),
        health_log=tuple(
            HealthRun(int(run.get("ExitCode", -1)), run.get("Output", ""), run.get("End", ""))
            for run in health.get("Log") or []
        ),
        restart_policy=policy.get("Name") or "no",
        restart_max=int(policy.get("MaximumRetryCount") or 0),
        memory_limit=int(host_config.get("Memory") or 0),
        log_driver=log.get("Type", ""),
        log_options=dict(log.get("Config") or {}),
        compose_project=labels.get("com.docker.compose.project"),
        compose_service=labels.get("com.docker.compose.service"),
        image_id=item.get("Image", ""),
        privileged=bool(host_config.get("Privileged")),
        cap_add=tuple(host_config.get("CapAdd") or ()),
        mounts=_mounts(item, host_config),
        env_digests=env_digests(config.get("Env") or []),
    )


def _parse_kernel(result: ContainerFacts, kernel: fact_script.Output | None) -> None:
    if kernel is None:
        result.kernel_problem = "kernel log not read"
        return
    lines = kernel.text.splitlines()
    if kernel.exit_status != 0:
        result.kernel_problem = next((ln for ln in lines if ln.startswith("unreadable")), f"exit {kernel.exit_status}")
        return
    if len(lines) > 1 and lines[1].startswith("source: "):
        result.kernel_source = lines.pop(1).removeprefix("source: ")
    try:
        uptime = float(lines[0].split()[0])
    except (IndexError, ValueError):
        result.kernel_problem = "no /proc/uptime to date kernel lines"
        return
    result.kernel_readable = True
    boot = result.now - uptime
    for line in lines[1:]:
        match = _KERNEL_OOM.match(line)
        if not match:
            continue
        fields = dict(part.split("=", 1) for part in match.group(2)[len("oom-kill:") :].split(",") if "=" in part)
        result.kernel_ooms.append(
            KernelOom(
                boot + float(match.group(1)),
                fields.get("task", "?"),
                fields.get("constraint", "?"),
                fields.get("task_memcg") or fields.get("oom_memcg", ""),
                line,
            )
        )


def docker_size(text: str) -> int:
    """Bytes in a size as docker prints it (``3.146MB``, ``0B``; decimal units); 0 if unreadable."""
    try:
        return parse_size(text)
    except ValueError:
        return 0


def timestamp(text: str) -> float | None:
    """Epoch seconds of a docker timestamp (RFC 3339 with nanoseconds), None if unset."""
    if not text or text.startswith("0001-"):
        return None
    base = re.sub(r"(\.\d{1,6})\d*", r"\1", text.replace("Z", "+00:00"))
    try:
        return dt.datetime.fromisoformat(base).timestamp()
    except ValueError:
        return None
