"""A busybox-only host: SEC-01 from /proc/net, an internal endpoint through wget.

A container of Debian's static busybox (no ss, no curl, no python3; its netstat refuses
``-p``) runs in h1's engine, reached through testinfra's ``docker://`` backend.
busybox's httpd serves ``/health`` on 127.0.0.1:8080 and a second one listens on all
addresses: SEC-01 reads /proc/net/tcp{,6} and names the exposed port only, and the
internal endpoint is asked with busybox's wget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sandbox.fleet import BareFleet
from sandbox.images import BUSYBOX_IMAGE, ensure_image
from sandbox.process import SandboxError
from tests.conftest import REPO, load_json, run_golive
from tests.sandbox.conftest import prefix_for, short_run_dir, unavailable

NAME = "bb-minimal"
EXPOSED = 9999
SCRIPT = (
    "mkdir -p /www && echo ok > /www/health && httpd -p 127.0.0.1:8080 -h /www && "
    f"httpd -p {EXPOSED} -h /www && exec sleep 100000"
)


@pytest.fixture(scope="module")
def engine_env() -> Iterator[dict[str, str]]:
    run_dir = short_run_dir()
    fleet = BareFleet(run_dir, names=("h1",), prefix=prefix_for(run_dir))
    try:
        fleet.up()
        engine = fleet.hosts[0].engine
        ensure_image(engine, BUSYBOX_IMAGE)
        engine.docker("run", "-d", "--name", NAME, "--network", "none", BUSYBOX_IMAGE.tag, "sh", "-c", SCRIPT)
    except (SandboxError, OSError) as error:
        fleet.down(purge=True)
        unavailable(str(error))
    try:
        yield {"DOCKER_HOST": engine.docker_host}
    finally:
        fleet.down(purge=True)


def test_listeners_from_proc_and_http_through_wget(engine_env: dict[str, str], tmp_path: Path) -> None:
    inventory = {"hosts": {"bb": {"backend": f"docker://{NAME}", "command_timeout": "20s", "endpoints": [
        {"name": "health", "url": "http://127.0.0.1:8080/health", "internal": True, "samples": 2}]}}}  # fmt: skip
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(inventory))
    reports = tmp_path / "reports"
    result = run_golive(REPO, f"--inventory={path}", f"--report-dir={reports}", "tests_infra", "-k",
                        "unexpected_listener or endpoint_answers or latency", env=engine_env)  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    record = load_json(reports / "readiness.json")
    found = {(c["id"], i["target"]): i for c in record["criteria"] for i in c["instances"]}
    sec01 = found[("SEC-01", "bb")]
    assert sec01["outcome"] == "failed", sec01["message"]
    assert f":{EXPOSED}" in sec01["message"] and ":8080" not in sec01["message"].split("allow-list")[1]
    for key in (("AVL-01", "bb/health"), ("AVL-05", "bb/health")):
        assert found[key]["outcome"] == "passed", found[key]["message"]
    assert "(from bb (wget))" in json.dumps(found[("AVL-01", "bb/health")]["evidence"])
