"""Services as systemd units: config parsing, judges and the fact script, on captured output."""

from __future__ import annotations

import base64
import subprocess

import pytest

from golive import facts as fact_script
from golive.checks import config_files, packages, service_files, service_units, services
from golive.checks.services import Account, FileFact, ServiceFacts
from golive.inventory import Host, Service

YAML = "listen:\n  port: 8080\ndatabase:\n  password: s3cr3t-yaml-pw\n  host: db\n"


def test_config_formats_parse_into_dotted_keys():
    assert config_files.parse(YAML, "yaml").keys >= {"listen.port", "database.password", "database.host"}
    assert config_files.parse('{"a": {"b": 1}}', "json").has("a.b")
    assert config_files.parse("[server]\nport = 1\n", "toml").has("server.port")
    assert config_files.parse("[server]\nport = 1\n", "ini").has("server.port")
    env = config_files.parse("# c\nexport API_TOKEN='t0k3n-value'\nMODE=production\n", "env")
    assert env.keys == {"API_TOKEN", "MODE"}
    assert env.secrets == ("t0k3n-value",)  # secret-looking names only: MODE=production stays readable


@pytest.mark.parametrize(
    ("text", "fmt", "said"),
    [("a: [1\n", "yaml", "not valid YAML at line"), ("{", "json", "not valid JSON at line 1"),
     ("[a\n", "toml", "not valid TOML"), ("key\n", "ini", "not valid INI"), ("no equals\n", "env", "line 1"),
     ("- 1\n- 2\n", "yaml", "top level is a list")],
)  # fmt: skip
def test_a_file_that_does_not_parse_is_named_without_its_values(text, fmt, said):
    with pytest.raises(config_files.ConfigError, match=said):
        config_files.parse(text, fmt)


def test_secret_values_of_a_broken_file_are_still_registered():
    assert config_files.secret_values("db_password: hunter2-pw\nport: [8080\n", "yaml") == ["hunter2-pw"]
    assert config_files.secret_values(YAML, "yaml") == ["s3cr3t-yaml-pw"]


def _facts(**files: FileFact) -> ServiceFacts:
    found = ServiceFacts("sd", True, "systemd")
    found.files = {(f.format, f.path): f for f in files.values()}
    return found


def test_required_keys_and_optional_env_files():
    service = Service.model_validate({"unit": "notes.service", "config": [
        {"path": "/etc/n.yaml", "format": "yaml", "required_keys": ["listen.port", "storage.path"]}]})  # fmt: skip
    found = _facts(config=FileFact("yaml", "/etc/n.yaml", "present", content=YAML))
    found.unit_env_files = {0: [("/etc/n.env", True), ("/etc/must.env", False)]}
    verdict = service_files.judge_configuration(found, service_files.configs_of(found, 0, service), "checks")
    assert not verdict.passed
    assert (
        "missing storage.path" in verdict.summary and "/etc/must.env (env, EnvironmentFile=): absent" in verdict.summary
    )
    assert "/etc/n.env" not in verdict.summary  # optional (EnvironmentFile=-): absent passes
    assert "s3cr3t" not in str(verdict)


@pytest.mark.parametrize(("mode", "owner", "passed"), [
    (0o600, "root", True), (0o640, "notes", True), (0o604, "root", False), (0o644, "root", False),
    (0o660, "root", False), (0o4640, "root", False), (0o640, "nobody", False)])  # fmt: skip
def test_secret_files_mode_within_0640_and_owner(mode, owner, passed):
    fact = FileFact("env", "/etc/n.env", "present", "regular file", owner, "notes", mode)
    assert service_files.judge_secret_files(_facts(), [(fact, ("root", "notes"))]).passed is passed


@pytest.mark.parametrize(("owner", "group", "mode", "kind", "writable"), [
    ("notes", "notes", 0o750, "directory", True), ("root", "notes", 0o770, "directory", True),
    ("root", "notes", 0o750, "directory", False), ("root", "root", 0o777, "directory", True),
    ("root", "root", 0o755, "directory", False), ("notes", "notes", 0o650, "directory", False),
    ("root", "notes", 0o620, "regular file", True)])  # fmt: skip
def test_write_permission_is_read_from_the_mode_bits(owner, group, mode, kind, writable):
    fact = FileFact("stat", "/var/lib/notes", "present", kind, owner, group, mode)
    assert service_files.can_write(fact, Account("notes", 997, ("notes", "www"))) is writable


SECURITY = """  NAME                                                        DESCRIPTION                                                                         EXPOSURE
✗ PrivateNetwork=                                             Service has access to the host's network                                                 0.5
✓ SystemCallArchitectures=                                    Service may execute system calls only with native ABI
✗ User=/DynamicUser=                                          Service runs as root user                                                                0.4
✗ RemoveIPC=                                                  Service runs as root, option does not apply
✗ CapabilityBoundingSet=~CAP_SYS_ADMIN                        Service has administrator privileges                                                     0.3

→ Overall exposure level for notes.service: 9.6 UNSAFE 😨
"""  # noqa: E501


def test_exposure_names_the_worst_settings():
    exposure = service_units.parse_security(SECURITY)
    assert exposure is not None and exposure.score == 9.6 and exposure.level == "UNSAFE"
    assert [name for name, _, _ in exposure.worst()] == ["PrivateNetwork=", "User=/DynamicUser=",
                                                         "CapabilityBoundingSet=~CAP_SYS_ADMIN"]  # fmt: skip


def _unit(props: dict[str, str], pullers: list[tuple[str, str, str]] | None = None) -> ServiceFacts:
    found = ServiceFacts("sd", True, "systemd")
    found.units = {0: {"LoadState": "loaded", "Restart": "on-failure", "Result": "success", **props}}
    found.pullers = {0: pullers or []}
    return found


@pytest.mark.parametrize(("props", "pullers", "passed"), [
    ({"UnitFileState": "enabled"}, [], True),
    ({"UnitFileState": "disabled"}, [], False),
    ({"UnitFileState": "static"}, [("notes.timer", "enabled", "active")], True),
    ({"UnitFileState": "static"}, [("notes.timer", "disabled", "inactive")], False),
    ({"UnitFileState": "indirect"}, [("multi-user.target", "static", "active")], True),
    ({"UnitFileState": "enabled", "Restart": "no"}, [], False),
    ({"UnitFileState": "enabled", "Restart": "always", "Result": "start-limit-hit"}, [], False)])  # fmt: skip
def test_enabled_at_boot_restarting_and_not_start_limited(props, pullers, passed):
    service = Service(unit="notes.service")
    assert service_units.judge_boot_and_restart(_unit(props, pullers), 0, service).passed is passed


def test_package_constraints_apply_the_host_managers_order():
    service = Service.model_validate({"unit": "n.service", "packages": ["python3-yaml >= 6.0", "curl", "libc6 << 2"]})
    found = ServiceFacts("sd", True, "systemd", manager="dpkg")
    found.packages = {"python3-yaml": ("6.0-3+b2", 1), "libc6": ("2.36-9", 1), "curl": ("", None)}
    comparisons = packages.package_comparisons(found, service)
    assert [c.passed for c in comparisons] == [True, False, False]
    assert comparisons[1].measured == "not installed"


VENV = """home = /usr/bin
include-system-site-packages = true
version = 3.11.2
dist\tvenv\t/opt/n/venv/lib/python3.11/site-packages/notes-1.0.dist-info/METADATA
Name: notes
Version: 1.0
Requires-Dist: PyYAML (>=6)
Requires-Dist: requests; extra == "http"
Requires-Dist: tomli; python_version < "3.11"
Requires-Dist: attrs>=23
dist\tvenv\t/opt/n/venv/lib/python3.11/site-packages/attrs-22.2.0.dist-info/METADATA
Name: attrs
Version: 22.2.0
dist\tsystem\t/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info
Name: PyYAML
Version: 6.0
"""


def test_a_venv_is_judged_from_its_metadata_like_pip_check():
    service = Service.model_validate({"unit": "n.service", "venv": {"path": "/opt/n/venv",
                                      "requirements": ["pyyaml==6.0", "attrs==23.1"]}})  # fmt: skip
    found = ServiceFacts("sd", True, "systemd")
    found.venvs = {0: fact_script.Output(VENV, 0)}
    failed = [str(c) for c in packages.venv_comparisons(found, 0, service) if not c.passed]
    assert failed == [
        "venv attrs: 22.2.0 (venv), expected to match attrs==23.1",
        "notes 1.0 requires attrs: 22.2.0, expected to match attrs>=23",
    ]  # PyYAML comes from the system site; extras and other Pythons' markers do not apply


def test_requirements_files_keep_only_the_specifiers():
    text = "# pins\n-r base.txt\nPyYAML==6.0 \\\n    --hash=sha256:abc\nattrs>=23  # why\n\n"
    assert packages.requirement_lines(text) == ["PyYAML==6.0", "attrs>=23"]


def test_the_fact_script_reads_files_and_values_safely_in_a_real_shell(tmp_path):
    env = tmp_path / "n.env"
    env.write_text("NOTES_DB_PASSWORD=pw-from-env-file\n")
    env.chmod(0o640)
    data = tmp_path / "data"
    data.mkdir()
    host = Host.model_validate({"name": "local", "backend": "local://", "secret_files": [str(tmp_path / "absent")],
        "services": [{"unit": "n.service", "env_files": [{"path": str(env)}], "packages": ["coreutils >= 1"],
                      "paths": [{"path": str(data), "type": "directory"}]}]})  # fmt: skip
    script = fact_script.script(services.sections(host))
    output = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60).stdout
    assert "pw-from-env-file" not in output  # contents travel as base64
    assert base64.b64encode(b"pw-from-env-file").decode()[:8] in output
    assert services._secrets_in(output) == ["pw-from-env-file"]
    records = {(f.format, f.path): f for f in services._file_records(fact_script.parse(output)["files"].text)}
    assert records[("env", str(env))].mode == 0o640 and records[("env", str(env))].content is not None
    assert records[("stat", str(tmp_path / "absent"))].state == "missing"
