"""Which host a test belongs to, and which CI job (shard) runs which hosts.

``--shard K/N`` splits the fleet by host: hosts sorted by name are dealt round-robin
to N shards, so shards stay balanced and a host's tests (and its connection and
cached facts) live in exactly one job. Tests of no host run in shard 1.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

_SHARD = re.compile(r"^([1-9]\d*)/([1-9]\d*)$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` → (2, 3); ValueError with the fix otherwise."""
    match = _SHARD.fullmatch(text.strip())
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ValueError(f"--shard expects K/N with 1 <= K <= N, like 2/3; got {text!r}")
    return int(match.group(1)), int(match.group(2))


def host_of(nodeid: str, hosts: Sequence[str]) -> str | None:
    """The inventory host a test id is parametrized with (``test_x[web-1/nginx]`` → web-1):
    the longest host name that is the parameter or the part of it before a ``/`` or ``-``.

    xdist's controller asks for every test as its report arrives, so the cost does not
    grow with the fleet: the parameter's few prefixes are looked up among the names."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    param = nodeid.rsplit("[", 1)[1][:-1]
    names = _names(tuple(hosts))
    if param in names:
        return param
    for end in range(len(param) - 1, 0, -1):
        if param[end] in "/-" and param[:end] in names:
            return param[:end]
    return None


@functools.lru_cache(maxsize=8)
def _names(hosts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(hosts)


def shard_of(host: str | None, hosts: Sequence[str], total: int) -> int:
    """The shard (1-based) that runs ``host``'s tests."""
    if host is None:
        return 1
    return sorted(hosts).index(host) % total + 1
