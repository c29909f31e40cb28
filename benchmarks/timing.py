"""The one way the benchmarks time a call: the median of a few runs, in seconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(call: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``call()`` over ``repeat`` runs (the median shrugs off one slow run)."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)
