"""A Debian root with a real systemd (and cron) as PID 1, for AVL-06 and REL-12.

The sandbox hosts are namespaces without an init of their own, so the systemd
criteria say not-applicable there. Their self-tests need a machine where systemd
is PID 1: a ``debootstrap --variant=minbase`` bookworm root with systemd, dbus and
cron, imported with ``docker import`` and run in a sandbox engine with the options
systemd needs in a container (``--privileged`` is refused on this kind of machine:
one capability is withheld). The root comes from the Debian mirror apt already uses
(no registry), is built once (about 40 s) and cached as a tarball under
``/var/cache/golive-sandbox``, so later runs only import it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sandbox.debian import ensure_installed
from sandbox.docker_engine import DockerEngine
from sandbox.process import SandboxError, wait_for

CACHE_DIR = Path("/var/cache/golive-sandbox")
SUITE = "bookworm"
# A Debian server installed by hand: no curl, no iproute2 (SEC-01 reads /proc/net/tcp there,
# internal endpoints go through python3); python3-venv and python3-yaml for the web service
# the scenarios deploy as a systemd unit (sandbox/service_host.py).
INCLUDE = ("systemd", "systemd-sysv", "dbus", "cron", "python3", "python3-venv", "python3-yaml")
TARBALL = CACHE_DIR / f"systemd-{SUITE}-minbase-{'-'.join(INCLUDE[4:])}.tar"
TAG = "golive-sandbox/systemd:3"
FALLBACK_MIRROR = "http://deb.debian.org/debian"

# What systemd needs to run as PID 1 in a container here (cgroup v1 from the machine).
RUN_OPTIONS = (
    "--cap-add", "SYS_ADMIN",
    "--security-opt", "seccomp=unconfined",
    "--cgroupns=host",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs", "/run",
    "--tmpfs", "/run/lock",
    "--network", "none",
)  # fmt: skip


def apt_mirror(sources: tuple[Path, ...] = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))) -> str:
    """The Debian mirror apt is configured with (one-line or deb822 sources)."""
    files: list[Path] = []
    for source in sources:
        files += sorted(source.glob("*.list")) + sorted(source.glob("*.sources")) if source.is_dir() else [source]
    for file in files:
        try:
            text = file.read_text()
        except OSError:
            continue
        for uri in re.findall(r"^\s*URIs:\s*(\S+)", text, re.M) + re.findall(
            r"^\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M
        ):
            if not uri.rstrip("/").endswith(("-security", "debian-security")):
                return uri
    return FALLBACK_MIRROR


def ensure_tarball() -> Path:
    """The cached root tarball, built with debootstrap when absent."""
    if TARBALL.exists():
        return TARBALL
    ensure_installed(["debootstrap"])
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="systemd-root-", dir=CACHE_DIR))
    try:
        result = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}", SUITE, str(root), apt_mirror()],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if result.returncode != 0:
            raise SandboxError(f"debootstrap failed: {(result.stdout + result.stderr)[-600:]}")
        # No login prompts on the console, no machine-id shared between containers.
        (root / "etc" / "machine-id").write_text("")
        partial = TARBALL.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(TARBALL)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return TARBALL


def ensure_image(engine: DockerEngine) -> str:
    """Import the systemd root into ``engine`` unless it has it; return the tag."""
    if engine.docker("image", "inspect", TAG, check=False).returncode != 0:
        tarball = ensure_tarball()
        with tarball.open("rb") as data:
            engine.docker("import", "--change", 'CMD ["/sbin/init"]', "-", TAG, input=data.read(), timeout=300)
    return TAG


def run(engine: DockerEngine, name: str, timeout: float = 60, options: Sequence[str] = ()) -> str:
    """Start a systemd container ``name`` (with extra docker run ``options``) and wait until systemd has booted."""
    tag = ensure_image(engine)
    engine.docker("run", "-d", "--name", name, *RUN_OPTIONS, *options, tag)

    def booted() -> bool:
        # --wait blocks until the boot is over, once systemd answers at all
        wait = ("exec", name, "systemctl", "is-system-running", "--wait")
        state = engine.docker(*wait, check=False, timeout=timeout).stdout.decode().strip()
        return state in ("running", "degraded")

    wait_for(booted, timeout, f"systemd in {name} to finish booting")
    return name


def exec_in(engine: DockerEngine, name: str, command: str, timeout: float = 180) -> str:
    """Run a shell command in the systemd container; raise on failure.

    The timeout is generous: deploying notes.service builds a virtualenv, which took
    over 60 s on a machine loaded by other sandbox runs while it still installed pip.
    """
    result = engine.docker("exec", name, "sh", "-c", command, check=False, timeout=timeout)
    if result.returncode != 0:
        raise SandboxError(f"{name}: {command!r} failed: {result.stderr.decode(errors='replace')[-300:]}")
    return result.stdout.decode()
