"""Sandbox hosts: machines of their own on one machine, reached over real SSH.

A host is a network namespace (its own socket table, only ``lo`` in it), a mount
namespace (its own /run, /srv and /etc, bind-mounted from the host's directory)
and a UTS namespace (its own hostname). Its /etc is a copy of the machine's made
when the host is first created, with an empty /etc/docker and /etc/logrotate.d:
sshd, name lookups and TLS trust work as on the machine, and what the host holds
under /etc stays as it was while the machine installs packages. Its sshd listens on
127.0.0.1:22 inside the network namespace; the runner reaches it through
``ProxyCommand ip netns exec <netns> nc 127.0.0.1 22``, so every byte stays on
loopback. Its Docker engine runs in the same network namespace with its socket
at the host's /run/docker.sock (= /var/run/docker.sock), which is where the
``docker`` CLI of an SSH session looks by default.

On the machine, a host named ``h1`` is the directory ``<run_dir>/hosts/h1``, the
network namespace ``golive-h1`` (also its hostname and its SSH alias), and the
processes in that namespace.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.debian import ensure_installed
from sandbox.docker_engine import DockerEngine, processes_mentioning
from sandbox.process import Daemon, SandboxError, wait_for

SSHD = "/usr/sbin/sshd"
PACKAGES = ("openssh-server", "openssh-client", "netcat-openbsd", "iproute2", "util-linux")

# What a host sees as its own: path in the host -> directory under the host's dir.
OWN_DIRS = {"/run": "run", "/srv": "srv", "/etc": "etc"}
# Left out of the copy of the machine's /etc, so they start empty: the engine's
# daemon.json, and REL-11's planted rules (sandbox/log_files.py) alone.
EMPTY_IN_ETC = ("docker", "logrotate.d")
# Hosts come up concurrently; the run dir's one copy of the machine's /etc is made once.
_MACHINE_ETC = threading.Lock()


@dataclass(frozen=True)
class SandboxHost:
    """One host: its namespaces, its sshd and its Docker engine."""

    name: str
    run_dir: Path
    prefix: str = "golive"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", self.alias):
            raise SandboxError(f"host alias {self.alias!r}: use lowercase letters, digits and '-'")

    @property
    def alias(self) -> str:
        """Network namespace name, hostname and SSH alias alike."""
        return f"{self.prefix}-{self.name}"

    @property
    def dir(self) -> Path:
        return self.run_dir / "hosts" / self.name

    @property
    def spec(self) -> str:
        """The testinfra host spec (use it with ``ssh_config=``)."""
        return f"ssh://root@{self.alias}"

    @property
    def files_dir(self) -> Path:
        """The host's /srv, as seen from the runner."""
        return self.dir / "srv"

    @property
    def host_key(self) -> Path:
        return self.dir / "ssh" / "ssh_host_ed25519_key"

    @property
    def engine(self) -> DockerEngine:
        return DockerEngine(self.alias, self.dir, netns=self.alias, hostname=self.alias)

    @property
    def sshd(self) -> Daemon:
        return Daemon("sshd", _in_host(self, [SSHD, "-D", "-e", "-f", str(self._sshd_config)]), self.dir)

    @property
    def _sshd_config(self) -> Path:
        return self.dir / "ssh" / "sshd_config"

    def up(self, authorized_keys: Path) -> None:
        """Create what is missing and start what does not run; idempotent."""
        ensure_installed(PACKAGES)
        if not self.owns_netns():
            raise SandboxError(f"network namespace {self.alias} is in use by another run; pick another prefix")
        self._prepare(authorized_keys)
        self._ensure_netns()
        # sshd first: its mount namespace is copied at start, and must not hold
        # copies of the engine's overlay mounts (they would stay busy).
        self.sshd.start(ready=self._sshd_listening, timeout=15)
        self.engine.start()

    def down(self) -> None:
        """Stop everything of this host and remove its namespace; idempotent.

        A namespace of the same name that another run dir's processes live in
        is left alone.
        """
        owned = self.owns_netns()
        self.sshd.stop()
        self.engine.stop(remove_containers=True, cgroups=owned)
        if owned:
            _end_processes(self.netns_pids())
        self.engine.stop(cgroups=owned)
        if owned and self.netns_exists():
            subprocess.run(["ip", "netns", "delete", self.alias], capture_output=True)

    def is_up(self) -> bool:
        return self.netns_exists() and self.sshd.pid() is not None and self.engine.is_running()

    def netns_exists(self) -> bool:
        return Path("/run/netns", self.alias).exists()

    def owns_netns(self) -> bool:
        """No such namespace, an empty one, or one our sshd or dockerd runs in."""
        pids = self.netns_pids()
        return not pids or bool(set(pids) & set(processes_mentioning(self.dir)))

    def netns_pids(self) -> list[int]:
        """Every process in the host's network namespace."""
        if not self.netns_exists():
            return []
        out = subprocess.run(["ip", "netns", "pids", self.alias], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def enter(self) -> list[str]:
        """An argv prefix that runs a command inside this host (its namespaces)."""
        pid = self.sshd.pid()
        if pid is None:
            raise SandboxError(f"host {self.name} is not up")
        return ["nsenter", f"--target={pid}", "--net", "--mount", "--uts", "--"]

    def sh(self, command: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a shell command inside this host (its network and mounts), from the machine's side."""
        result = subprocess.run([*self.enter(), "sh", "-c", command], capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise SandboxError(f"{self.name}: {command!r} failed: {result.stderr.strip()}")
        return result

    def listens_on(self, address: str) -> bool:
        """Whether a TCP socket in this host listens on ``address`` (``127.0.0.1:5432``)."""
        return address in self.sh("ss -H -tln", check=False).stdout.split()

    def known_hosts_line(self) -> str:
        key_type, key = self.host_key.with_suffix(".pub").read_text().split()[:2]
        return f"{self.alias} {key_type} {key}\n"

    def leftovers(self) -> list[str]:
        """What a downed host should not leave behind, as text."""
        found = [f"netns {self.alias}"] if self.netns_exists() else []
        return found + [f"pid {pid}" for pid in self.netns_pids()] + self.engine.leftovers()

    def adopt_etc(self, *names: str) -> None:
        """Copy these entries of the machine's /etc into the host's, where missing.

        For configuration a package installs after the host was created (logrotate's
        /etc/logrotate.conf): the host's /etc is a copy made once.
        """
        missing = [f"/etc/{name}" for name in names if not os.path.lexists(self.dir / "etc" / name)]
        present = [path for path in missing if os.path.lexists(path)]
        if present:
            _run(["cp", "-a", "-t", str(self.dir / "etc"), *present])

    def _prepare(self, authorized_keys: Path) -> None:
        for inside, own in OWN_DIRS.items():
            (self.dir / own).mkdir(parents=True, exist_ok=True)
            Path(inside).mkdir(parents=True, exist_ok=True)
        self._copy_etc()
        (self.dir / "run" / "sshd").mkdir(mode=0o755, exist_ok=True)
        if not self.host_key.exists():
            self.host_key.parent.mkdir(parents=True, exist_ok=True)
            _keygen(self.host_key, f"root@{self.alias}")
        self._sshd_config.write_text(_sshd_config(self.host_key, authorized_keys))

    def _copy_etc(self) -> None:
        """The host's /etc: once, a copy of the machine's (files, owners, modes, times).

        The run dir keeps one copy of the machine's /etc; each host's is made of hard
        links to it, a fraction of the cost of copying again (the sandbox writes no
        file of it in place; a host's own files replace or add entries).
        """
        etc = self.dir / "etc"
        for name in EMPTY_IN_ETC:
            (etc / name).mkdir(exist_ok=True)
        if (etc / "passwd").exists():
            return
        machine = self.run_dir / "machine-etc"
        with _MACHINE_ETC:
            if not (machine / "passwd").exists():
                machine.mkdir(parents=True, exist_ok=True)
                names = sorted(entry.name for entry in Path("/etc").iterdir() if entry.name not in EMPTY_IN_ETC)
                _run(["cp", "-a", "-t", str(machine), *(f"/etc/{name}" for name in names)])
        _run(["cp", "-a", "--link", "-t", str(etc), *(str(entry) for entry in sorted(machine.iterdir()))])

    def _ensure_netns(self) -> None:
        if not self.netns_exists():
            _run(["ip", "netns", "add", self.alias])
        _run(["ip", "-n", self.alias, "link", "set", "lo", "up"])

    def _sshd_listening(self) -> bool:
        probe = ["ip", "netns", "exec", self.alias, "nc", "-z", "-w", "1", "127.0.0.1", "22"]
        return subprocess.run(probe, capture_output=True).returncode == 0


@dataclass(frozen=True)
class SshAccess:
    """The runner's side: a key pair, a known_hosts and an ssh_config for all hosts."""

    dir: Path

    @property
    def key(self) -> Path:
        return self.dir / "id_ed25519"

    @property
    def config(self) -> Path:
        return self.dir / "ssh_config"

    @property
    def known_hosts(self) -> Path:
        return self.dir / "known_hosts"

    def ensure_key(self) -> Path:
        """The public key to authorize on every host; made once per run dir."""
        if not self.key.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            _keygen(self.key, "golive-sandbox")
        return self.key.with_suffix(".pub")

    def write(self, hosts: Sequence[SandboxHost]) -> None:
        """Write ssh_config and known_hosts naming exactly ``hosts``."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.known_hosts.write_text("".join(host.known_hosts_line() for host in hosts))
        self.config.write_text("".join(self._entry(host) for host in hosts))

    def run(self, host: SandboxHost, command: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        """Run ``command`` on ``host`` over SSH, as testinfra would."""
        # Uses a connection master testinfra left, but never leaves one itself.
        argv = ["ssh", "-F", str(self.config), "-o", "ControlMaster=no", host.alias, command]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def close(self) -> None:
        """End the connection masters (testinfra's) that still hold sessions open."""
        prefix = f"ssh: {self.dir}/cm-".encode()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.startswith(prefix):
                    _signal(int(entry.name), signal.SIGTERM)

    def _entry(self, host: SandboxHost) -> str:
        proxy = f"ip netns exec {host.alias} nc 127.0.0.1 %p"
        options = {
            # Names the host in %h (and so in ControlPath); the proxy never resolves it.
            "HostName": host.alias,
            "Port": "22",
            "User": "root",
            "ProxyCommand": proxy,
            "IdentityFile": str(self.key),
            "IdentitiesOnly": "yes",
            "IdentityAgent": "none",
            "BatchMode": "yes",
            "HostKeyAlias": host.alias,
            "UserKnownHostsFile": str(self.known_hosts),
            "GlobalKnownHostsFile": "/dev/null",
            "StrictHostKeyChecking": "yes",
            "ControlMaster": "auto",
            "ControlPath": str(self.dir / "cm-%r@%h:%p"),
            "ControlPersist": "60",
            "LogLevel": "ERROR",
        }
        lines = [f"Host {host.alias}"] + [f"  {key} {value}" for key, value in options.items()]
        return "\n".join(lines) + "\n\n"


def _in_host(host: SandboxHost, argv: Sequence[str], own_dirs: Mapping[str, str] = OWN_DIRS) -> list[str]:
    """Wrap ``argv`` to exec in fresh mount and UTS namespaces inside the host's netns.

    The new mount namespace starts as a private copy of ours: the script drops the
    copies of other hosts' namespace files and engine mounts (they would keep those
    alive), then binds the host's own directories in place.
    """
    run_dir = shlex.quote(str(host.run_dir.resolve()))
    binds = "".join(f"mount --bind {shlex.quote(str(host.dir / own))} {inside}\n" for inside, own in own_dirs.items())
    script = (
        "set -e\n"
        f"hostname {host.alias}\n"
        "umount --recursive --lazy /run/netns 2>/dev/null || true\n"
        f"awk -v d={run_dir}/ 'index($5, d) == 1 {{print $5}}' /proc/self/mountinfo | sort -r |"
        ' while read -r m; do umount --lazy "$m" 2>/dev/null || true; done\n'
        f"{binds}"
        f"exec {shlex.join(argv)}\n"
    )
    netns = f"--net=/run/netns/{host.alias}"
    return ["nsenter", netns, "--", "unshare", "--mount", "--uts", "--propagation", "private", "--", "sh", "-c", script]


def _sshd_config(host_key: Path, authorized_keys: Path) -> str:
    return f"""\
ListenAddress 127.0.0.1:22
HostKey {host_key}
PidFile none
AuthorizedKeysFile {authorized_keys}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The key lives in the sandbox's run dir, under world-writable /tmp.
StrictModes no
PrintMotd no
PrintLastLog no
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def _keygen(path: Path, comment: str) -> None:
    _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])


def _end_processes(pids: list[int], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL what is still there after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            _signal(pid, sig)
        try:
            wait_for(lambda: not any(_alive(pid) for pid in pids), grace, "processes ending")
            return
        except SandboxError:
            continue


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _run(argv: Sequence[str]) -> None:
    result = subprocess.run(list(argv), capture_output=True, text=True)
    if result.returncode != 0:
        raise SandboxError(f"{' '.join(argv)} failed: {result.stderr.strip()[-300:]}")
