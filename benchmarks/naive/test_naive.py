"""The same criteria as golive's suite judges on a light-fleet host, written the naive way:
one test per check, each one SSH command (through testinfra) or one HTTP/TLS request.

This is what a typical hand-written testinfra suite looks like; it is the baseline
benchmarks/fleet_ssh.py compares golive with, not a criterion suite of its own.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import HOSTS, INVENTORY, local, run

# what the light profile runs on the shared engine (sandbox/light_profile.py)
CONTAINERS = ["web", "worker", "report", "queue", "uisp", "app"]
ENDPOINTS = [(host, endpoint) for host in HOSTS for endpoint in INVENTORY[host].get("endpoints", [])]
BY_HOST = pytest.mark.parametrize("host", HOSTS)
BY_CONTAINER = pytest.mark.parametrize(("host", "container"), [(h, c) for h in HOSTS for c in CONTAINERS])
BY_ENDPOINT = pytest.mark.parametrize(("host", "endpoint"), ENDPOINTS, ids=[f"{h}-{e['name']}" for h, e in ENDPOINTS])


def inspect(host: str, container: str, template: str) -> str:
    result = run(host, f"docker inspect --format '{template}' {container}")
    assert result.rc == 0, result.stderr
    return str(result.stdout.strip())


# --- host --------------------------------------------------------------------------


@BY_HOST
def test_disk_usage_under_90(host: str) -> None:
    used = run(host, "df -P /srv").stdout.splitlines()[-1].split()[4]
    assert int(used.rstrip("%")) < 90


@BY_HOST
def test_no_public_listeners(host: str) -> None:
    out = run(host, "ss -H -tln").stdout
    assert not [line for line in out.splitlines() if "0.0.0.0:" in line or "[::]:" in line]


@BY_HOST
def test_sshd_no_password_login(host: str) -> None:
    config = INVENTORY[host]["sshd"]["config"]
    assert "passwordauthentication no" in run(host, f"sshd -T -f {config}").stdout


@BY_HOST
def test_sshd_no_root_password(host: str) -> None:
    config = INVENTORY[host]["sshd"]["config"]
    assert "permitrootlogin yes" not in run(host, f"sshd -T -f {config}").stdout


# --- containers --------------------------------------------------------------------


@BY_CONTAINER
def test_container_running(host: str, container: str) -> None:
    assert inspect(host, container, "{{.State.Running}}") == "true"


@BY_CONTAINER
def test_container_healthy(host: str, container: str) -> None:
    assert inspect(host, container, "{{if .State.Health}}{{.State.Health.Status}}{{end}}") == "healthy"


@BY_CONTAINER
def test_container_not_restart_looping(host: str, container: str) -> None:
    assert int(inspect(host, container, "{{.RestartCount}}")) < 3


@BY_CONTAINER
def test_container_restart_policy(host: str, container: str) -> None:
    assert inspect(host, container, "{{.HostConfig.RestartPolicy.Name}}") in ("always", "unless-stopped", "on-failure")


@BY_CONTAINER
def test_container_memory_limit(host: str, container: str) -> None:
    assert int(inspect(host, container, "{{.HostConfig.Memory}}")) > 0


@BY_CONTAINER
def test_container_log_driver_rotates(host: str, container: str) -> None:
    assert "max-size" in inspect(host, container, "{{json .HostConfig.LogConfig}}")


@BY_CONTAINER
def test_container_logs_without_errors(host: str, container: str) -> None:
    out = run(host, f"docker logs --tail 10000 {container} 2>&1 | grep -ci 'level=error\\|error:' || true").stdout
    assert int(out.strip() or 0) == 0


@BY_CONTAINER
def test_container_no_docker_socket(host: str, container: str) -> None:
    assert "docker.sock" not in inspect(host, container, "{{json .Mounts}}")


# --- endpoints (from the runner) ---------------------------------------------------


def curl(host: str, endpoint: dict[str, Any], url: str, *extra: str) -> str:
    port = url.split(":")[2].split("/")[0]
    named = url.replace("127.0.0.1", endpoint["server_name"], 1)
    resolve = f"{endpoint['server_name']}:{port}:127.0.0.1"
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "--max-time", "10",
            "--resolve", resolve, "--cacert", endpoint["ca_bundle"], *extra, named]  # fmt: skip
    return local(host, argv).stdout


@BY_ENDPOINT
def test_endpoint_answers(host: str, endpoint: dict[str, Any]) -> None:
    status = curl(host, endpoint, endpoint["url"]).split()[0]
    assert status.startswith("2") or (endpoint.get("protected") and status in ("302", "401", "403"))


@BY_ENDPOINT
def test_endpoint_latency(host: str, endpoint: dict[str, Any]) -> None:
    samples = [float(curl(host, endpoint, endpoint["url"], "-k").split()[1]) for _ in range(3)]
    assert sorted(samples)[1] < 2.0


@BY_ENDPOINT
def test_certificate_valid_21_days(host: str, endpoint: dict[str, Any]) -> None:
    port = endpoint["url"].split(":")[2].split("/")[0]
    script = (f"openssl s_client -connect 127.0.0.1:{port} -servername {endpoint['server_name']} </dev/null 2>/dev/null"
              " | openssl x509 -noout -checkend 1814400")  # fmt: skip
    assert local(host, ["sh", "-c", script]).returncode == 0


@BY_ENDPOINT
def test_legacy_tls_refused(host: str, endpoint: dict[str, Any]) -> None:
    assert curl(host, endpoint, endpoint["url"], "-k", "--tlsv1.0", "--tls-max", "1.1").split()[0] == "000"


@BY_ENDPOINT
def test_plain_http_redirects(host: str, endpoint: dict[str, Any]) -> None:
    assert curl(host, endpoint, endpoint["http_url"]).split()[0] in ("301", "308")


# --- repo, backups, documents, logs ------------------------------------------------


def repo(host: str) -> str:
    return str(INVENTORY[host]["repos"][0]["path"])


@BY_HOST
def test_repo_clean(host: str) -> None:
    assert run(host, f"git -C {repo(host)} status --porcelain").stdout.strip() == ""


@BY_HOST
def test_repo_pushed(host: str) -> None:
    assert run(host, f"git -C {repo(host)} rev-list @{{u}}..HEAD").stdout.strip() == ""


@BY_HOST
def test_repo_env_not_tracked(host: str) -> None:
    assert run(host, f"git -C {repo(host)} ls-files .env").stdout.strip() == ""


@BY_HOST
def test_repo_env_ignored(host: str) -> None:
    assert run(host, f"git -C {repo(host)} check-ignore -q .env").rc == 0


@BY_HOST
def test_backup_fresh(host: str) -> None:
    location = INVENTORY[host]["backups"]["locations"][0]
    found = run(host, f"find {location['path']} -name '{location['glob']}' -mmin -1560").stdout
    assert found.strip()


@BY_HOST
def test_backup_not_shrunk(host: str) -> None:
    location = INVENTORY[host]["backups"]["locations"][0]
    sizes = run(host, f"ls -t {location['path']} | head -2 | (cd {location['path']}; xargs stat -c %s)").stdout.split()
    assert len(sizes) < 2 or int(sizes[0]) >= int(sizes[1]) / 2


@BY_HOST
def test_restore_tested(host: str) -> None:
    path = INVENTORY[host]["backups"]["restore_tests"][0]["path"]
    assert run(host, f"find {path} -mtime -30").stdout.strip()


@pytest.mark.parametrize("index", [0, 1])
@BY_HOST
def test_dr_file_present(host: str, index: int) -> None:
    assert run(host, f"test -s {INVENTORY[host]['backups']['dr'][index]}").rc == 0


@BY_HOST
def test_documents_present(host: str) -> None:
    assert run(host, f"test -s {INVENTORY[host]['documents'][0]['path']}").rc == 0


@BY_HOST
def test_acceptance_signed(host: str) -> None:
    assert "Signed off by" in run(host, f"cat {INVENTORY[host]['acceptance'][0]['path']}").stdout


@BY_HOST
def test_runbook_present(host: str) -> None:
    path = next(iter(INVENTORY[host]["runbooks"].values()))
    assert run(host, f"test -s {path}").rc == 0


@BY_HOST
def test_log_file_without_errors(host: str) -> None:
    path = INVENTORY[host]["logs"]["files"][0]
    assert int(run(host, f"tail -n 10000 {path} | grep -c ERROR || true").stdout.strip() or 0) == 0


@BY_HOST
def test_log_file_rotated(host: str) -> None:
    assert run(host, "grep -l /srv/log/app /etc/logrotate.d/*").rc == 0


@BY_HOST
def test_clock_in_sync(host: str) -> None:
    assert json.loads(run(host, "date +%s | sed 's/.*/[&]/'").stdout)[0] > 0
