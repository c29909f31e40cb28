"""The run record as Prometheus metrics, for node exporter's textfile collector.

Readiness itself is then monitored and alerted on like any other signal, e.g.
``golive_ready == 0`` or ``golive_criterion_status{severity="critical",outcome="failed"} == 1``.
"""

from __future__ import annotations

import datetime as dt

from golive.record_schema import Record


def _labels(**labels: str) -> str:
    escaped = (f'{key}="{_escape(value)}"' for key, value in labels.items())
    return "{" + ",".join(escaped) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(record: Record) -> str:
    """Prometheus text exposition format (0.0.4) of a run record."""
    finished = dt.datetime.fromisoformat(record["run"]["finished"]).timestamp()
    lines: list[str] = []

    def metric(name: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} gauge")
        lines.extend(f"{name}{labels} {value:g}" for labels, value in samples)

    metric("golive_score", "Readiness score of the last golive run (0-100).", [("", record["score"])])
    metric("golive_ready", "1 when the last golive run was READY.", [("", int(record["ready"]))])
    metric("golive_complete", "1 when the last golive run ran to its end.", [("", int(record["complete"]))])
    metric("golive_partial", "1 when the last golive run deselected criteria.", [("", int(record["partial"]))])
    metric(
        "golive_critical_failures", "Critical criteria failed in the last golive run.",
        [("", len(record["critical_failures"]))],
    )  # fmt: skip
    metric(
        "golive_category_score",
        "Score of each rubric category in the last golive run (0-100).",
        [(_labels(category=c["name"]), c["score"]) for c in record["categories"]],
    )
    metric(
        "golive_criterion_status",
        "1 for each criterion's outcome (passed, failed, waived, not_applicable) in the last golive run.",
        [
            (_labels(criterion=c["id"], category=c["category"], severity=c["severity"], outcome=c["outcome"]), 1)
            for c in record["criteria"]
        ],
    )
    metric("golive_last_run_timestamp_seconds", "When the last golive run finished.", [("", finished)])
    return "\n".join(lines) + "\n"
