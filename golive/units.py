"""Durations ("26h", "30d") and sizes ("1GB") are parsed here, and only here."""

from __future__ import annotations

import re

_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?", re.IGNORECASE)
_SIZE_FACTORS = {
    "": 1,
    "k": 10**3,
    "m": 10**6,
    "g": 10**9,
    "t": 10**12,
    "ki": 2**10,
    "mi": 2**20,
    "gi": 2**30,
    "ti": 2**40,
}

DURATION_HINT = "a duration like 90s, 15m, 26h, 30d or 1h30m"
SIZE_HINT = "a size like 500MB, 1GB or 2GiB"


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration; a bare number means seconds.

    >>> parse_duration("1h30m")
    5400.0
    """
    if isinstance(text, bool):
        raise ValueError(f"expected {DURATION_HINT}, got {text!r}")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"expected {DURATION_HINT}, got a negative number")
        return float(text)
    compact = str(text).strip().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"expected {DURATION_HINT}, got {text!r}")
    return float(sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts))


def parse_size(text: str | int) -> int:
    """Bytes in a size; decimal units (GB) are powers of 1000, binary (GiB) of 1024."""
    if isinstance(text, bool):
        raise ValueError(f"expected {SIZE_HINT}, got {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"expected {SIZE_HINT}, got a negative number")
        return text
    match = _SIZE.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"expected {SIZE_HINT}, got {text!r}")
    number, unit = match.groups()
    return int(float(number) * _SIZE_FACTORS[(unit or "").lower()])


def format_size(size: int) -> str:
    """A short human form of a size in binary units, as evidence and messages show it.

    >>> format_size(64 * 2**20)
    '64 MiB'
    """
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} B"


def format_duration(seconds: float) -> str:
    """A short human form of a duration, for evidence and messages."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.1f}s"
