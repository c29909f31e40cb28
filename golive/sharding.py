"""Which host a test belongs to, and which CI job (shard) runs which hosts.

``--shard K/N`` splits the fleet by host: hosts sorted by name are dealt round-robin
to N shards, so shards stay balanced and a host's tests (and its connection and
cached facts) live in exactly one job. Tests of no host run in shard 1.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

_SHARD = re.compile(r"^([1-9]\d*)/([1-9]\d*)$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` → (2, 3); ValueError with the fix otherwise."""
    match = _SHARD.fullmatch(text.strip())
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ValueError(f"--shard expects K/N with 1 <= K <= N, like 2/3; got {text!r}")
    return int(match.group(1)), int(match.group(2))


def host_of(nodeid: str, hosts: Collection[str]) -> str | None:
    """The inventory host a test id is parametrized with (``test_x[web-1/nginx]`` → web-1):
    the longest host the parameter is, or starts with before a ``/`` or ``-``.

    Only the parameter's own prefixes are looked up (a set of hosts makes each lookup
    constant): the scheduler and ``--shard`` ask it for every test of the fleet."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    param = nodeid.rsplit("[", 1)[1][:-1]
    end = len(param)
    while end > 0:
        if param[:end] in hosts:
            return param[:end]
        end = max(param.rfind("/", 0, end), param.rfind("-", 0, end))
    return None


def shard_of(host: str | None, hosts: Sequence[str], total: int) -> int:
    """The shard (1-based) that runs ``host``'s tests."""
    if host is None:
        return 1
    return sorted(hosts).index(host) % total + 1
