"""A synthetic readiness suite whose outcomes are known, for golive's end-to-end tests.

The suite is built so every rubric rule shows up in one number:

  Availability   AVL-01 critical pass, AVL-05 warning fails on b       3/5 = 60
  Reliability    REL-01 critical pass, REL-06 acceptable pass          100
  Monitoring     MON-01 critical pass, MON-05 warning error on b       3/5 = 60
  Security       SEC-04 critical fails on a, SEC-05 warning pass       2/5 = 40
  Documentation  DOC-03 warning pass                                   100
  Backup/DR      BAK-01 critical pass on a, skipped on b               100
  Change Control CHG-01 fails on b but waived, CHG-02 warning pass     100
  Acceptance     ACC-01 warning fails, its waiver expired; ACC-02 pass 3/5 = 60

  (60*20 + 100*10 + 60*12 + 40*15 + 100*15 + 100*10 + 100*8 + 60*10) / 100 = 74.2,
  capped at 69 by SEC-04: 69.0 C+ NOT READY.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import criteria_project

CANARY = "canary-Zx81q0"

SUITE = '''
import pytest
from golive.errors import Unreachable
from golive.evidence import Comparison, Verdict


def _c(cid, category, severity):
    def wrap(fn):
        return getattr(pytest.mark, severity)(pytest.mark.criterion(cid, category=category)(fn))
    return wrap


@_c("AVL-01", "Availability", "critical")
def test_avl01(fleet_host, evidence):
    """Every endpoint answers.

    Fix: restart the service."""
    evidence.note(f"checked <b>{fleet_host.name}</b>")


@_c("AVL-05", "Availability", "warning")
def test_avl05(fleet_host, evidence):
    """Endpoints answer fast."""
    slow = fleet_host.name == "b"
    median = Comparison("median", 3.1 if slow else 0.2, "<", 2, not slow, " s")
    evidence.conclude(Verdict.from_comparisons([median], "latencies"))


@_c("REL-01", "Reliability", "critical")
def test_rel01(fleet_host):
    """No unhealthy container."""


@_c("REL-06", "Reliability", "acceptable")
def test_rel06(fleet_host):
    """Memory limits."""


@_c("MON-01", "Monitoring", "critical")
def test_mon01(fleet_host):
    """Targets up."""


@_c("MON-05", "Monitoring", "warning")
def test_mon05(fleet_host):
    """Alertmanager reachable."""
    if fleet_host.name == "b":
        raise Unreachable("alertmanager on b: connection refused")


@_c("SEC-04", "Security", "critical")
def test_sec04(fleet_host, evidence, inventory):
    """Certificate expires in more than 7 days.

    Why: an expired certificate takes the site down for every client.

    Fix: renew the certificate (certbot renew)."""
    token = inventory.credentials["vault"]["token"]
    evidence.command("cat /etc/app.env", 0, f"APP_TOKEN={token}\\npassword=hunter2hunter2\\n", host=fleet_host.name)
    print("debug: token is", token)
    assert fleet_host.name != "a", f"cert on a expires in 3 days (token {token})"


@_c("SEC-05", "Security", "warning")
def test_sec05(fleet_host):
    """Certificate expires in more than 21 days."""


@_c("DOC-03", "Documentation", "warning")
def test_doc03(fleet_host):
    """Documents are fresh."""


@_c("BAK-01", "Backup/DR", "critical")
def test_bak01(fleet_host):
    """Backups are recent."""
    if fleet_host.name == "b":
        pytest.skip("no backup location declared on b")


@_c("CHG-01", "Change Control", "warning")
def test_chg01(fleet_host):
    """Working tree clean."""
    assert fleet_host.name != "b", "2 files modified"


@_c("CHG-02", "Change Control", "warning")
def test_chg02(fleet_host):
    """Nothing unpushed."""


@_c("ACC-01", "Acceptance", "warning")
def test_acc01(fleet_host):
    """Sign-off recorded."""
    assert fleet_host.name != "a", "no sign-off fields"


@_c("ACC-02", "Acceptance", "critical")
def test_acc02(fleet_host, evidence):
    """Claimed grade not above measured."""
    if fleet_host.name == "a":
        evidence.claim_grade("docs/phase-00.md", score=60, letter="C")
'''


GRADED_KEYS = (
    "score", "uncapped_score", "grade", "ready", "partial", "complete", "critical_failures", "categories", "fixes",
)  # fmt: skip
"""The parts of a record that must agree between equivalent runs (xdist, shards)."""


def make_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """Write the synthetic suite, its hosts.yaml and pyproject into a pytester dir."""
    today = dt.date.today()
    folder = criteria_project(
        pytester,
        f"""
hosts:
  a: {{backend: "local://"}}
  b: {{backend: "local://"}}
credentials:
  vault: {{token_env: GOLIVE_TEST_CANARY}}
waivers:
  - {{criterion: CHG-01, target: b, reason: "migration in progress", owner: ops@example.org,
     expires: {today + dt.timedelta(days=30)}}}
  - {{criterion: ACC-01, target: a, reason: "old", owner: pm@example.org, expires: {today - dt.timedelta(days=3)}}}
""",
    )
    (folder / "test_synthetic.py").write_text(SUITE)
    pytester._monkeypatch.setenv("GOLIVE_TEST_CANARY", CANARY)
    return pytester


def run(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return suite.runpytest_subprocess("-p", "no:cacheprovider", *args)


def outcomes(record):
    return {c["id"]: c["outcome"] for c in record["criteria"]}
