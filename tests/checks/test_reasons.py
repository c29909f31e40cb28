"""One-line reasons read as sentences: a failing comparison says what was found and
what was wanted, worded by its operator, or in the judge's own words."""

from __future__ import annotations

import json
import subprocess

import pytest

from golive import facts as sections
from golive.checks import compose, containers, documents, probes
from golive.checks.git import RepoFacts
from golive.evidence import Comparison, Verdict
from golive.facts import Output
from golive.inventory import Host, Repo, TcpDependency


@pytest.mark.parametrize(
    ("operator", "limit", "unit", "sentence"),
    [
        ("==", "running", "", "web: exited, expected running"),
        ("is", "running", "", "web: exited, expected running"),
        ("!=", "exited", "", "web: exited, must not be exited"),
        ("is not", "exited", "", "web: exited, must not be exited"),
        ("<=", 90, " %", "web: exited %, at most 90 %"),
        (">=", 90, " %", "web: exited %, at least 90 %"),
        ("<", 90, " %", "web: exited %, must be less than 90 %"),
        (">", 90, " %", "web: exited %, must be more than 90 %"),
        ("in", "up/running", "", "web: exited, expected one of up/running"),
        ("~=", "1.4", "", "web: exited, expected ~= 1.4"),
    ],
)
def test_a_failing_comparison_reads_by_its_operator(operator, limit, unit, sentence):
    failing = Comparison("web", "exited", operator, limit, False, unit)
    assert str(failing) == failing.sentence() == sentence
    assert Verdict.from_comparisons([failing], "checks").summary == sentence


def test_a_judges_reason_replaces_the_generic_sentence():
    failing = Comparison("web image", "app:1", "==", "app:2", False, reason="web: running app:1, wanted app:2")
    assert Verdict.from_comparisons([failing], "images").summary == "web: running app:1, wanted app:2"


def test_the_compose_image_the_sign_off_and_the_tcp_dependency_read_as_sentences(tmp_path):
    # CHG-03: a container running another image than its compose file declares
    repo = Repo(name="infra", path="/srv/infra", compose=("docker-compose.yml",))
    declared = "services:\n  app:\n    image: golive-sandbox/busybox:1\n"
    labels = {"com.docker.compose.project": "infra", "com.docker.compose.service": "app"}
    running = [{
        "Id": "a" * 64, "Name": "/infra-app-1", "Image": "sha256:" + "c" * 64,
        "Config": {"Image": "golive-sandbox/busybox:0.9", "Env": [], "Labels": labels},
        "State": {"Status": "running", "ExitCode": 0}, "HostConfig": {}, "Mounts": [],
    }]  # fmt: skip
    found = containers.parse(
        "h1", {"now": Output("1", 0), "inspect": Output(json.dumps(running), 0), "images": Output("[]", 0)}
    )
    images = compose.judge_images(
        RepoFacts(repo, {"infra:compose:0": Output(declared, 0), "infra:env": Output("", 0)}), found
    )
    assert (
        images.summary
        == "h1/infra-app-1: running golive-sandbox/busybox:0.9, compose declares golive-sandbox/busybox:1"
    )

    # ACC-01: an acceptance document without its "Signed off by" line
    doc = tmp_path / "acceptance.md"
    doc.write_text("# Acceptance\n\nDate: 2026-01-05\nGrade: B (81/100)\n")
    host = Host(name="h2", backend="local://", acceptance=[{"phase": "phase-00", "path": str(doc)}])
    script = sections.script(documents.sections(host))
    stdout = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert documents.judge_sign_off(sections.parse(stdout), host.acceptance[0]).summary == (
        "phase-00: no 'Signed off by' line"
    )
    doc.write_text("Signed off by: ops\nDate: soon\nGrade: B (81/100)\n")
    stdout = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert documents.judge_sign_off(sections.parse(stdout), host.acceptance[0]).summary == (
        "phase-00: 'Date: soon' has no YYYY-MM-DD date"
    )

    # a declared TCP dependency that refuses the connection, or does not answer
    db = TcpDependency(name="db", address="127.0.0.1", port=5432, timeout=3)
    refused = probes.judge("h2", probes.Probe(db, "bash", 1, "bash: connect: Connection refused"))
    assert refused.summary == "127.0.0.1:5432 refused the connection from h2"
    assert probes.judge("h2", probes.Probe(db, "nc", 124, "")).summary == "127.0.0.1:5432 did not answer h2 within 3 s"
    # the evidence table keeps subject, found and wanted as they are
    assert refused.comparisons[0].measured == "failed (bash: connect: Connection refused)"
    assert refused.comparisons[0].limit == "connected"
