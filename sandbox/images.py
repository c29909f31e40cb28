"""Container images made on the spot, because no registry can be reached.

An image is a root filesystem of Debian's static busybox (one binary and a
symlink per applet) with a minimal /etc, streamed as a tar into ``docker import``.

Tools missing, for planting healthcheck faults the way they happen in production:
no image has ``curl`` (busybox has no such applet), so a shell-form healthcheck
``curl -f http://localhost/`` fails with "sh: curl: not found" (exit 127).
``NO_WGET_IMAGE`` also drops the wget symlink: an exec-form healthcheck
``["wget", ...]`` then fails with "executable file not found", but busybox's own
shell still runs its built-in wget, so shell-form wget keeps working there.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sandbox.debian import ensure_installed
from sandbox.docker_engine import DockerEngine

BUSYBOX = Path("/bin/busybox")
PACKAGES = ("busybox-static",)

_ETC = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    "etc/group": "root:x:0:\nnogroup:x:65534:\n",
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}


@dataclass(frozen=True)
class Image:
    """A busybox image: its tag and the applets it leaves out."""

    tag: str
    without: frozenset[str] = frozenset()


BUSYBOX_IMAGE = Image("golive-sandbox/busybox:1")
NO_WGET_IMAGE = Image("golive-sandbox/busybox-nowget:1", frozenset({"wget"}))
IMAGES = (BUSYBOX_IMAGE, NO_WGET_IMAGE)


def ensure_image(engine: DockerEngine, image: Image) -> bool:
    """Import ``image`` into ``engine`` unless it has it; True when imported now."""
    if has_image(engine, image.tag):
        return False
    engine.docker(
        "import",
        "--change",
        'CMD ["/bin/sh"]',
        "--message",
        "golive sandbox: busybox-static rootfs",
        "-",
        image.tag,
        input=rootfs_tar(image.without),
    )
    return True


def ensure_images(engine: DockerEngine, images: Iterable[Image] = IMAGES) -> None:
    for image in images:
        ensure_image(engine, image)


def has_image(engine: DockerEngine, tag: str) -> bool:
    return engine.docker("image", "inspect", tag, check=False).returncode == 0


def rootfs_tar(without: Iterable[str] = ()) -> bytes:
    """A tar of a busybox root filesystem, built in memory, reproducible."""
    ensure_installed(PACKAGES)
    skipped = set(without)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for directory, mode in _DIRS:
            tar.addfile(_entry(directory, tarfile.DIRTYPE, mode))
        binary = BUSYBOX.read_bytes()
        info = _entry("bin/busybox", tarfile.REGTYPE, 0o755)
        info.size = len(binary)
        tar.addfile(info, io.BytesIO(binary))
        for path in _applets():
            if path == "bin/busybox" or Path(path).name in skipped:
                continue
            link = _entry(path, tarfile.SYMTYPE, 0o777)
            link.linkname = "/bin/busybox"
            tar.addfile(link)
        for path, text in _ETC.items():
            data = text.encode()
            info = _entry(path, tarfile.REGTYPE, 0o644)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


_DIRS = (
    ("bin", 0o755),
    ("sbin", 0o755),
    ("usr", 0o755),
    ("usr/bin", 0o755),
    ("usr/sbin", 0o755),
    ("etc", 0o755),
    ("root", 0o700),
    ("tmp", 0o1777),
    ("var", 0o755),
    ("var/log", 0o755),
)


def _applets() -> list[str]:
    """Install paths of every applet, as busybox itself lists them."""
    listing = subprocess.run([str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True)
    return sorted(set(listing.stdout.split()))


def _entry(name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 0
    return info
