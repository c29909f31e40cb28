"""Which host a test belongs to, and which CI job (shard) runs which hosts.

``--shard K/N`` splits the fleet by host: hosts sorted by name are dealt round-robin
to N shards, so shards stay balanced and a host's tests (and its connection and
cached facts) live in exactly one job. Tests of no host run in shard 1.

``by_host`` puts a host's tests together, in the order they were collected.
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


def by_host(nodeids: Sequence[str], hosts: Collection[str]) -> list[int]:
    """The indices of ``nodeids`` with each host's tests together: the hosts in the order their
    first test comes, each host's tests in their own order, then the tests of no host.

    pytest collects criterion by criterion (every host's instance of one test function,
    then the next); run in that order, a process meets every host's first test before it
    can judge any host whole."""
    groups: dict[str | None, list[int]] = {}
    for index, nodeid in enumerate(nodeids):
        groups.setdefault(host_of(nodeid, hosts), []).append(index)
    hostless = groups.pop(None, [])
    return [index for indices in groups.values() for index in indices] + hostless
