"""The inventory's own error: a lookup of a host it does not hold."""

from __future__ import annotations

from golive.errors import GoliveError


class UnknownHost(GoliveError, LookupError):
    """``Inventory.host(name)`` for a name not under ``hosts:``."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        listed = ", ".join(known) or "none declared"
        super().__init__(f"no host {name!r} in the inventory (hosts: {listed})")
