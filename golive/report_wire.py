"""How a test report travels from a pytest-xdist worker to the controller: one marshal blob.

xdist sends each report as the dictionary ``pytest_report_to_serializable`` makes, through
execnet's serialiser, which is Python: about ten calls for every key, string and number
of the report (its keywords, location, user properties, golive's payload), on the worker
and again on the controller, three reports per test. A golive worker sends the
dictionary as one ``marshal`` blob instead (``packed``), written and read in C; marshal
keeps the builtin types exactly (a tuple stays a tuple, a dictionary keeps its order),
and the controller reads the blob back (``unpacked``) before pytest rebuilds the report,
so every plugin there sees the report it would have seen::

    {"$report_type": "TestReport", "nodeid": ..., "location": (...), "keywords": {...}, ...}
    → {"$report_type": "TestReport", "golive_wire": b"..."}   (then xdist adds its item_index, ...)

marshal's format belongs to the interpreter: the controller names its own in each
worker's input (``WORKER_INPUT``), and a worker on another interpreter sends its reports
as xdist does. So does a report marshal cannot write (an object of another type in it,
which execnet refuses too).
"""

from __future__ import annotations

import marshal
import sys
from typing import Any

KEY = "golive_wire"
"""The key of the blob in the dictionary xdist sends."""
WORKER_INPUT = "golive_wire"
"""The key of the controller's interpreter (``interpreter()``) in each worker's input."""


def interpreter() -> str:
    """What must be the same on both sides for a blob to read back as it was written."""
    return f"{sys.implementation.cache_tag} marshal {marshal.version}"


def packed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a serialised report) as one blob, or ``data`` itself when marshal cannot write it."""
    if "$report_type" not in data:
        return data
    try:
        blob = marshal.dumps(data)
    except ValueError:
        return data
    return {"$report_type": data["$report_type"], KEY: blob}


def unpacked(data: dict[str, Any]) -> None:
    """Put back in ``data`` the report ``packed`` made, in place, before the keys added to it
    on the way (xdist's ``item_index``, ``worker_id``, ...), as xdist would have sent them."""
    blob = data.get(KEY)
    if not isinstance(blob, bytes):
        return
    report: dict[str, Any] = marshal.loads(blob)
    report.update((key, value) for key, value in data.items() if key != KEY)
    data.clear()
    data.update(report)
