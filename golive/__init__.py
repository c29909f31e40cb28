"""golive: production readiness, graded only by evidence.

Inventory (hosts.yaml) → facts (golive.checks) → criteria (tests_infra/) →
rubric (golive.rubric) → report (golive.record, golive.html), wired into pytest by
golive.plugin. The public API for criteria authors is ``Evidence``/``Verdict``/
``Comparison`` from golive.evidence and the ``evidence``, ``inventory``,
``fleet_host`` and ``remote`` fixtures.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("golive")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
