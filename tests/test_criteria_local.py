"""Self-tests of the first criteria on real planted faults, through the local backend.

Each criterion runs for real (the repo's tests_infra/ in a golive subprocess) against
a condition this test creates: a small tmpfs filled past the limits, a socket bound
to every address inside a fresh network namespace, sshd configurations judged by
the real ``sshd -T``. Each must fail on the fault and pass on the healthy case.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, load_json, need, need_root, run_golive

pytestmark = pytest.mark.e2e  # golive end to end in a subprocess: make test-fast leaves it out

RELIABILITY = "tests_infra/test_reliability.py"
SEC01 = "tests_infra/test_security.py::test_no_unexpected_listener_on_all_addresses"
SEC09 = "tests_infra/test_security.py::test_sshd_refuses_password_logins"


def golive(tmp_path: Path, inventory: str, *args: str, prefix: list[str] | None = None) -> dict:
    path = tmp_path / "hosts.yaml"
    path.write_text(inventory)
    result = run_golive(REPO, *args, f"--inventory={path}", f"--report-dir={tmp_path / 'reports'}", prefix=prefix)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return load_json(tmp_path / "reports" / "readiness.json")


def instance(record: dict, criterion: str) -> dict:
    found = next(c for c in record["criteria"] if c["id"] == criterion)
    assert len(found["instances"]) == 1
    return found["instances"][0]


@pytest.fixture
def small_fs(tmp_path: Path):
    """A real 1 MiB tmpfs this test can fill."""
    need_root()
    mount = tmp_path / "mnt"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "golive-selftest", str(mount)], capture_output=True, text=True
    )
    need(result.returncode == 0, f"cannot mount a tmpfs: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def fill(mount: Path, kib: int) -> None:
    (mount / "ballast").write_bytes(b"\0" * kib * 1024)


@pytest.mark.parametrize(
    ("kib", "rel08", "rel09"),
    [(0, "passed", "passed"), (900, "passed", "failed"), (980, "failed", "failed")],
    ids=["empty", "over-warning", "over-critical"],
)
@pytest.mark.root
def test_disk_usage_limits(tmp_path, small_fs, kib, rel08, rel09):
    fill(small_fs, kib)
    record = golive(
        tmp_path,
        f"hosts:\n  box:\n    backend: local://\n    disk: {{mounts: ['{small_fs}']}}\n",
        RELIABILITY,
        "-k",
        "disk_usage",  # the container criteria judge the machine's docker, whatever its state
    )
    assert instance(record, "REL-08")["outcome"] == rel08
    assert instance(record, "REL-09")["outcome"] == rel09
    failed = [c for c in record["criteria"] if c["outcome"] == "failed"]
    for criterion in failed:
        assert str(small_fs) in criterion["instances"][0]["message"]
    evidence = instance(record, "REL-08")["evidence"]
    assert evidence[0]["command"] == "df -P -T -k" and str(small_fs) in evidence[0]["stdout"]


def test_disk_usage_of_the_machine_is_judged_by_default(tmp_path):
    record = golive(tmp_path, "hosts:\n  box: {backend: local://}\n", RELIABILITY)
    rel08 = instance(record, "REL-08")
    subjects = [e["subject"] for e in rel08["evidence"] if e["kind"] == "comparison"]
    assert any(s.startswith("/ ") for s in subjects), subjects
    assert not any("tmpfs" in s for s in subjects)
    rel09 = instance(record, "REL-09")
    assert rel09["evidence"][0]["cached"] is True  # one df per host, shared by REL-08 and REL-09


def listen(netns: str, address: str, port: int) -> subprocess.Popen:
    family = "AF_INET6" if ":" in address else "AF_INET"
    code = (
        f"import socket, time; s = socket.socket(socket.{family}); s.bind(({address!r}, {port})); "
        "s.listen(); print('ready', flush=True); time.sleep(300)"
    )
    process = subprocess.Popen(
        ["ip", "netns", "exec", netns, sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.fixture
def listeners_in(netns):
    started: list[subprocess.Popen] = []

    def start(address: str, port: int) -> None:
        started.append(listen(netns, address, port))

    yield start
    for process in started:
        process.kill()
        process.wait()


def sec01(tmp_path: Path, netns: str, allow: str) -> dict:
    inventory = f"hosts:\n  box:\n    backend: local://\n    listeners: {{allow: {allow}}}\n"
    return instance(golive(tmp_path, inventory, SEC01, prefix=["ip", "netns", "exec", netns]), "SEC-01")


@pytest.mark.root
def test_listener_on_all_addresses_fails_sec01(tmp_path, netns, listeners_in):
    listeners_in("127.0.0.1", 8082)
    assert sec01(tmp_path, netns, "[443]")["outcome"] == "passed"
    listeners_in("0.0.0.0", 8081)
    listeners_in("::", 8083)
    failed = sec01(tmp_path, netns, "[443]")
    assert failed["outcome"] == "failed"
    assert "tcp 0.0.0.0:8081" in failed["message"] and "tcp *:8083" in failed["message"]
    assert "8082" not in failed["message"]
    assert sec01(tmp_path, netns, "[8081, '8083/tcp']")["outcome"] == "passed"


@pytest.fixture
def sshd_configs(tmp_path: Path):
    """A host key and two sshd configurations: hardened and password-friendly."""
    need_root()
    sandbox_debian = pytest.importorskip("sandbox.debian")
    try:
        sandbox_debian.ensure_installed(["openssh-server"])
    except Exception as exc:  # SandboxError: not root or apt failed
        need(False, f"openssh-server unavailable: {exc}")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd -T needs its privilege separation dir
    key = tmp_path / "ssh_host_ed25519_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    common = f"HostKey {key}\nUsePAM yes\nKbdInteractiveAuthentication no\n"
    hardened = tmp_path / "hardened.conf"
    hardened.write_text(common + "PasswordAuthentication no\nPermitRootLogin prohibit-password\n")
    weak = tmp_path / "weak.conf"
    weak.write_text(common + "PasswordAuthentication yes\nPermitRootLogin yes\n")
    return hardened, weak


def sec09(tmp_path: Path, config: Path) -> dict:
    inventory = f"hosts:\n  box:\n    backend: local://\n    sshd: {{config: '{config}'}}\n"
    return instance(golive(tmp_path, inventory, SEC09), "SEC-09")


@pytest.mark.root
def test_sshd_password_login_fails_sec09(tmp_path, sshd_configs):
    hardened, weak = sshd_configs
    assert sec09(tmp_path, hardened)["outcome"] == "passed"
    failed = sec09(tmp_path, weak)
    assert failed["outcome"] == "failed"
    assert "passwordauthentication: yes, expected no" in failed["message"]
    assert "permitrootlogin: yes, expected one of" in failed["message"]
    assert failed["evidence"][0]["command"].endswith(f"sshd -T -f {weak}")


@pytest.mark.root
def test_sshd_that_cannot_be_read_is_an_error_not_a_pass(tmp_path, sshd_configs):
    broken = tmp_path / "broken.conf"
    broken.write_text("ThisIsNotAnOption yes\n")
    failed = sec09(tmp_path, broken)
    assert failed["outcome"] == "error"
    assert "sshd -T failed with exit 255" in failed["message"]


# A mount namespace whose /run is empty: sshd was installed but never started there.
NEVER_STARTED = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                 'mount -t tmpfs golive-run /run && exec "$@"', "sh"]  # fmt: skip


@pytest.mark.root
def test_sshd_never_started_is_judged_from_its_files(tmp_path, sshd_configs):
    hardened, _ = sshd_configs
    (tmp_path / "hardened").mkdir()
    (tmp_path / "including").mkdir()
    inventory = f"hosts:\n  box:\n    backend: local://\n    sshd: {{config: '{hardened}'}}\n"
    passed = instance(golive(tmp_path / "hardened", inventory, SEC09, prefix=NEVER_STARTED), "SEC-09")
    assert passed["outcome"] == "passed", passed["message"]
    sshd_t = next(e for e in passed["evidence"] if e["kind"] == "command" and "sshd -T" in e["command"])
    assert "Missing privilege separation directory" in sshd_t["stderr"]  # the namespace is what it claims
    assert any("read from" in e.get("text", "") for e in passed["evidence"])
    # an Include read before the main file's own line wins, as in sshd
    drop_in = tmp_path / "sshd_config.d"
    drop_in.mkdir()
    (drop_in / "50-cloud-init.conf").write_text("PasswordAuthentication yes\n")
    (drop_in / "ignored.txt").write_text("PermitRootLogin yes\n")
    including = tmp_path / "including.conf"
    including.write_text(
        f"Include {drop_in}/*.conf\n" + hardened.read_text() + "Match User root\n  PermitRootLogin yes\n"
    )
    inventory = f"hosts:\n  box:\n    backend: local://\n    sshd: {{config: '{including}'}}\n"
    failed = instance(golive(tmp_path / "including", inventory, SEC09, prefix=NEVER_STARTED), "SEC-09")
    assert failed["outcome"] == "failed", failed["message"]
    assert failed["message"].startswith("passwordauthentication: yes, expected no"), failed["message"]


def test_unreachable_host_fails_with_its_reason(tmp_path):
    need(shutil.which("ssh") is not None, "ssh client not installed")
    inventory = "hosts:\n  gone:\n    backend: ssh://nobody@127.0.0.1:1\n    connect_timeout: 3s\n"
    record = golive(tmp_path, inventory, RELIABILITY)
    for criterion in ("REL-08", "REL-09"):
        found = instance(record, criterion)
        assert found["outcome"] == "error"
        assert "cannot reach host" in found["message"] and "Connection refused" in found["message"]
    # every critical criterion of the file errs on the unreachable host (disk and containers alike)
    assert record["critical_failures"] == ["REL-01", "REL-02", "REL-07", "REL-08"]
    assert os.path.exists(tmp_path / "reports" / "readiness.html")


DOC01 = "tests_infra/test_documentation.py::test_documented_claims_match_measurement"
DOC02 = "tests_infra/test_documentation.py::test_findings_have_remediation_and_runbooks_exist"


def test_doc02_judges_only_what_the_inventory_declares(tmp_path):
    for case in ("nothing", "missing", "present"):
        (tmp_path / case).mkdir()
    nothing = instance(golive(tmp_path / "nothing", "hosts:\n  box:\n    backend: local://\n", DOC02), "DOC-02")
    assert nothing["outcome"] == "skipped"
    assert nothing["message"] == "not applicable: no declared runbooks or critical/warning log patterns to judge"
    runbook = tmp_path / "disk-full.md"
    inventory = f"hosts:\n  box:\n    backend: local://\n    runbooks: {{REL-08: '{runbook}'}}\n"
    missing = instance(golive(tmp_path / "missing", inventory, DOC02), "DOC-02")
    assert missing["outcome"] == "failed" and f"REL-08 ({runbook})" in missing["message"]
    runbook.write_text("# Disk full\n\ndocker system prune\n")
    assert instance(golive(tmp_path / "present", inventory, DOC02), "DOC-02")["outcome"] == "passed"


def test_doc01_fails_a_misspelt_claim_instead_of_passing_on_nothing(tmp_path):
    document = tmp_path / "fleet.md"
    document.write_text("---\nclaims:\n  containres: 83\n---\n# Fleet\n")
    inventory = f"hosts:\n  box:\n    backend: local://\n    documents: [{{name: fleet, path: '{document}'}}]\n"
    found = instance(golive(tmp_path, inventory, DOC01), "DOC-01")
    assert found["outcome"] == "failed"
    assert f"{document}: front matter claims.containres: unknown claim 'containres'" in found["message"]
