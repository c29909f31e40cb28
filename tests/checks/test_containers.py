"""Parsers and judges of checks/containers.py, systemd.py and probes.py on captured output.

The outputs below are what the sandbox's docker 20.10, kernel 6.x and systemd 252 printed
(trimmed); the end-to-end self-tests are in tests/sandbox/test_container_criteria.py.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from golive.checks import container_judges, containers, probes, systemd
from golive.errors import TargetError
from golive.facts import Output
from golive.inventory import ContainerPolicy, ScheduledJob, SystemdPolicy, TcpDependency
from golive.redact import redact

ID_A = "a" * 64
ID_GONE = "b" * 64
NOW = 1_800_000_000


def inspect_item(cid: str, name: str, **state: object) -> dict:
    return {
        "Id": cid,
        "Name": f"/{name}",
        "Created": "2027-01-15T08:00:00Z",
        "RestartCount": state.pop("restarts", 0),
        "Config": {"Image": "app:1", "Env": ["PATH=/bin", "DB_PASSWORD=hunter2-unit-test"],
                   "Healthcheck": {"Test": ["CMD-SHELL", "wget -q http://127.0.0.1/"]}},
        "State": {"Status": "running", "ExitCode": 0, "OOMKilled": False, "StartedAt": "", "FinishedAt": "",
                  "Health": {"Status": "unhealthy", "Log": [{"ExitCode": 127, "Output": "sh: wget: not found\n"}]},
                  **state},
        "HostConfig": {"RestartPolicy": {"Name": "always"}, "Memory": 0, "LogConfig": {"Type": "json-file", "Config": {}}},  # noqa: E501
    }  # fmt: skip


def facts(items: list[dict], kernel: str = "", deaths: str = "") -> containers.ContainerFacts:
    found = {
        "now": Output(str(NOW), 0),
        "inspect": Output(json.dumps(items), 0),
        "df": Output('{"Type":"Build Cache","Size":"3.146MB"}', 0),
        "events": Output(deaths, 0),
        "kernel": Output(f"1000.00 900.00\n{kernel}", 0),
    }
    return containers.parse("h1", found)


def test_env_values_are_registered_secrets_and_not_kept():
    found = facts([inspect_item(ID_A, "api")])
    assert "hunter2-unit-test" not in repr(found.containers[0])
    assert "hunter2-unit-test" not in redact("leaked: hunter2-unit-test")


def test_judges_name_host_container_and_decisive_fields():
    found = facts([inspect_item(ID_A, "api")])
    policy = ContainerPolicy()
    health = container_judges.judge_health(found, policy)
    assert not health.passed and "h1/api" in health.summary and "wget: not found" in health.summary
    assert not container_judges.judge_healthcheck_runnable(found, policy).passed
    assert container_judges.judge_restart_policy(found, policy).passed
    assert not container_judges.judge_memory_limit(found, policy).passed
    assert not container_judges.judge_log_rotation(found, policy).passed
    assert not container_judges.judge_build_cache(found, ContainerPolicy(build_cache_max=10**6)).passed
    assert container_judges.judge_build_cache(found, policy).passed
    exempt = ContainerPolicy(exempt=[{"container": "api", "criteria": ["REL-06"], "reason": "tiny"}])
    verdict = container_judges.judge_memory_limit(found, exempt)
    assert verdict.passed and "tiny" in str(verdict.comparisons[0])
    ignored = container_judges.judge_health(found, ContainerPolicy(ignore=["ap*"]))
    assert not ignored.applicable and not ignored.passed and "no running containers" in ignored.summary


def test_restarts_per_day_and_restarting_state():
    looping = inspect_item(ID_A, "uisp", restarts=40)
    found = facts([looping])
    verdict = container_judges.judge_restarts(found, ContainerPolicy(), 86400)
    assert not verdict.passed and "RestartCount 40" in verdict.summary
    assert [c.name for c in container_judges.restart_looping(found, ContainerPolicy(), 86400)] == ["uisp"]
    excused = ContainerPolicy(exempt=[{"container": "uisp", "criteria": ["REL-02"], "reason": "being replaced"}])
    assert container_judges.restart_looping(found, excused, 86400) == []
    calm = facts([inspect_item(ID_A, "ok", restarts=2)])
    assert container_judges.judge_restarts(calm, ContainerPolicy(), 86400).passed
    restarting = facts([inspect_item(ID_A, "x", Status="restarting")])
    assert not container_judges.judge_restarts(restarting, ContainerPolicy(), 86400).passed
    events = "\n".join(json.dumps({"id": ID_A, "time": NOW - 60 * i}) for i in range(5))
    assert not container_judges.judge_restarts(
        facts([inspect_item(ID_A, "y")], deaths=events), ContainerPolicy(), 86400
    ).passed


def test_kernel_oom_lines_are_attributed_to_this_hosts_containers():
    line = "[{t}] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/h1/{cid},task_memcg=/h1/{cid},task=tail,pid=7"  # noqa: E501
    kernel = "\n".join([line.format(t="950.0", cid=ID_A), line.format(t="960.0", cid=ID_GONE),
                        "[970.0] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task_memcg=/system.slice/db.service,task=postgres,pid=9"])  # fmt: skip  # noqa: E501
    found = facts([inspect_item(ID_A, "api")], kernel=kernel)
    verdict, notes = container_judges.judge_oom(found, ContainerPolicy(), 86400)
    assert not verdict.passed
    assert "h1/api task tail" in verdict.summary and "system.slice/db.service" in verdict.summary
    assert any("not on h1" in note for note in notes)
    quiet, _ = container_judges.judge_oom(facts([inspect_item(ID_A, "api")], kernel=line.format(t="1.0", cid=ID_GONE)),
                                    ContainerPolicy(), 86400)  # fmt: skip
    assert quiet.passed


def test_unreadable_kernel_log_and_missing_engine_are_said():
    found = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output("docker: not found", 127),
                                    "kernel": Output("unreadable: dmesg: read kernel buffer failed", 3)})  # fmt: skip
    assert "not installed" in found.engine_problem and found.not_applicable(ContainerPolicy()) is not None
    with pytest.raises(TargetError, match="kernel log not readable on h1"):
        container_judges.judge_oom(found, ContainerPolicy(), 86400)


def test_a_restart_loop_is_judged_for_its_healthcheck_between_restarts_too():
    none = {"Test": ["NONE"]}
    looping, job = inspect_item(ID_A, "uisp", Status="restarting"), inspect_item(ID_GONE, "migrate", Status="exited")
    looping["Config"]["Healthcheck"] = job["Config"]["Healthcheck"] = none
    verdict = container_judges.judge_healthcheck_defined(facts([looping, job]), ContainerPolicy())
    assert not verdict.passed and "h1/uisp healthcheck" in verdict.summary
    assert "migrate" not in str(verdict.comparisons)  # a finished one-shot job is not up
    looping["State"]["Status"] = "running"
    assert not container_judges.judge_healthcheck_defined(facts([looping]), ContainerPolicy()).passed
    job["State"]["ExitCode"] = 1  # stopped by a failure: meant to be up, as REL-05 and REL-06 read it
    failed = container_judges.judge_healthcheck_defined(facts([job]), ContainerPolicy())
    assert "h1/migrate healthcheck" in failed.summary


def test_no_judged_container_is_not_applicable_for_every_container_judge():
    found = facts([inspect_item(ID_A, "api")])
    everything = ContainerPolicy(ignore=["*"])
    judges = (
        container_judges.judge_health, container_judges.judge_healthcheck_defined,
        container_judges.judge_healthcheck_runnable, container_judges.judge_restart_policy,
        container_judges.judge_memory_limit, container_judges.judge_log_rotation, container_judges.judge_privileges,
    )  # fmt: skip
    for judge in judges:
        verdict = judge(found, everything)
        assert not verdict.applicable and not verdict.passed, judge
    assert not container_judges.judge_restarts(found, everything, 86400).applicable


def test_kernel_log_read_from_the_journal_judges_its_oom_lines():
    line = f"[  500.000000] h1 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,task=tail,task_memcg=/docker/{ID_A}"
    inspect = Output(json.dumps([inspect_item(ID_A, "api")]), 0)
    kernel = Output(f"1000.00 900.00\nsource: journalctl -k\n{line}", 0)
    found = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": inspect, "kernel": kernel})
    assert found.kernel_source == "journalctl -k" and len(found.kernel_ooms) == 1
    verdict, _ = container_judges.judge_oom(found, ContainerPolicy(), 86400)
    assert not verdict.passed and "h1/api" in verdict.summary
    quiet = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output("[]", 0),
                                    "kernel": Output("1000.00 900.00\nsource: dmesg\n", 0)})  # fmt: skip
    verdict, _ = container_judges.judge_oom(quiet, ContainerPolicy(), 86400)
    assert verdict.passed and "kernel OOM kills within the window (dmesg): 0, ok (== 0)" in str(verdict.comparisons[0])


def test_docker_ps_failure_is_an_error_and_no_cli_not_applicable():
    down = containers.parse(
        "h1",
        {
            "now": Output(str(NOW), 0),
            "inspect": Output(
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", 1
            ),
        },
    )
    with pytest.raises(TargetError, match="Cannot connect to the Docker daemon"):
        down.not_applicable(ContainerPolicy())
    absent = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output("sh: docker: not found", 127)})
    assert "not installed" in (absent.not_applicable(ContainerPolicy()) or "")
    with pytest.raises(TargetError, match="containers are declared"):
        absent.not_applicable(ContainerPolicy(expected=["api"]))


def test_docker_sizes():
    assert containers.docker_size("3.146MB") == 3_146_000
    assert containers.docker_size("0B") == 0
    assert containers.docker_size("1.5GB") == 1_500_000_000
    assert containers.docker_size("512kB") == 512_000 and containers.docker_size("2.5KiB") == 2560
    assert containers.docker_size("N/A") == 0


def test_timer_and_service_properties_read_apart():
    text = (
        "Unit=rotate.service\nLastTriggerUSec=Mon 2026-11-23 09:00:00 UTC\nId=rotate.timer\nLoadState=loaded\n"
        "ActiveState=active\n\nResult=exit-code\nExecMainStatus=3\nId=rotate.service\nLoadState=loaded\n"
    )
    found = systemd.SystemdFacts("h1", True, "systemd", NOW, timers={"rotate": tuple(systemd._props(text)[:2])})
    verdict = systemd.judge_timer(found, ScheduledJob(name="rotate", timer="rotate.timer"))
    assert not verdict.passed and "result=exit-code status=3" in verdict.summary
    units = systemd.judge_units(systemd.SystemdFacts("h1", True, "systemd", NOW, failed=["x.service"]), SystemdPolicy())
    assert not units.passed and "x.service" in units.summary


def test_probe_results_read_like_the_failure():
    dependency = TcpDependency(name="db", address="127.0.0.1", port=5432)
    refused = probes.Probe(dependency, "bash", 1, "bash: connect: Connection refused")
    assert probes.judge("h2", refused).summary == "127.0.0.1:5432 refused the connection from h2"
    assert not probes.judge("h2", refused).passed
    assert "timed out" in probes.Probe(dependency, "nc", 124, "").result
    assert probes.judge("h2", probes.Probe(dependency, "bash", 0, "")).passed


def test_commented_out_crontab_line_is_absent():
    job = ScheduledJob(name="backup", cron="/srv/bin/backup")
    commented = systemd.SystemdFacts(
        "h1", False, "PID 1 is sh", NOW, cron={"backup": ["/etc/cron.d/b:# 0 3 * * * root /srv/bin/backup"]}
    )
    verdict, _ = systemd.judge_cron(commented, job)
    assert not verdict.passed and "absent" in verdict.summary
    live = systemd.SystemdFacts(
        "h1", False, "PID 1 is sh", NOW, cron={"backup": ["/etc/cron.d/b:0 3 * * * root /srv/bin/backup # nightly"]}
    )
    assert systemd.judge_cron(live, job)[0].passed


def test_a_hosts_container_facts_are_parsed_once_and_each_reader_gets_its_own():
    """The criteria reading a host's containers share one parse of its fact script; a
    reader changing its copy changes no other reader's."""
    from golive.facts import RemoteHost
    from golive.inventory import Host

    remote = RemoteHost(Host(name="containers-once", backend="local://"))
    first, second = containers.facts(remote), containers.facts(remote)
    assert first == second
    assert first is not second and first.containers is not second.containers
    first.containers.clear()
    first.deaths["gone"] = [1.0]
    assert containers.facts(remote) == second


def test_a_refused_disk_usage_scan_is_an_error_that_says_what_docker_said():
    found = containers.parse(
        "h1",
        {
            "now": Output(str(NOW), 0),
            "inspect": Output(json.dumps([inspect_item(ID_A, "api")]), 0),
            "df": Output("Error response from daemon: a disk usage operation is already running", 1),
        },
    )
    with pytest.raises(TargetError, match=r"h1: docker system df failed .*already running"):
        container_judges.judge_build_cache(found, ContainerPolicy())


@pytest.mark.parametrize(("refusals", "status"), [(0, 0), (2, 0), (9, 1)])
def test_the_disk_usage_read_asks_again_while_dockerd_runs_another(tmp_path, refusals, status):
    """dockerd runs one disk-usage scan at a time: the host's command asks again, at most six times."""
    docker = tmp_path / "docker"
    docker.write_text(
        "#!/bin/sh\n"
        f"n=$(cat {tmp_path}/n 2>/dev/null || echo 0); echo $((n + 1)) > {tmp_path}/n\n"
        f'if [ "$n" -lt {refusals} ]; then echo "Error response from daemon: a disk usage operation is already running" >&2; exit 1; fi\n'  # noqa: E501
        'echo \'{"Type":"Build Cache","Size":"1MB"}\'\n'
    )
    docker.chmod(0o755)
    result = subprocess.run(["sh", "-c", containers.DF], capture_output=True, text=True,
                            env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, check=False)  # fmt: skip
    assert result.returncode == status
    assert (tmp_path / "n").read_text().strip() == str(min(refusals + 1, 6))
    assert ("Build Cache" in result.stdout) == (status == 0)


DOCKER_SHIM = """#!/bin/sh
echo "$*" >> {calls}
case "$*" in
  "ps -aq --no-trunc") cat {ids} ;;
  "inspect --format "*) shift 3; for id do cat {dir}/image-of-$id; done ;;
  "inspect "*) cat {inspect} ;;
  "image inspect "*) shift 2; printf '['; sep=
    for id do printf '%s{{"Id": "%s"}}' "$sep" "$id"; sep=,; done; echo ']' ;;
  *) exit 0 ;;
esac
"""


def docker_read(tmp_path, items: list[dict], inspect_text: str, shared: bool) -> tuple[dict[str, Output], list[str]]:
    """The container sections run by a real shell against a stand-in ``docker`` printing ``items``'s
    ids and ``inspect_text``: the sections found and the docker calls made."""
    from golive import facts as fact_script

    (tmp_path / "ids").write_text("".join(f"{item['Id']}\n" for item in items))
    for item in items:
        (tmp_path / f"image-of-{item['Id']}").write_text(f"{item['Image']}\n")
    (tmp_path / "inspect").write_text(inspect_text)
    calls = tmp_path / "calls"
    calls.write_text("")
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    text = DOCKER_SHIM.format(calls=calls, ids=tmp_path / "ids", dir=tmp_path, inspect=tmp_path / "inspect")
    (shim / "docker").write_text(text)
    (shim / "docker").chmod(0o755)
    script = fact_script.script(containers.SECTIONS, containers.SHARED if shared else "")
    env = {"PATH": f"{shim}:/usr/bin:/bin"}
    stdout = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env, timeout=60).stdout
    return fact_script.parse(stdout), calls.read_text().splitlines()


def test_the_images_are_read_from_the_one_docker_inspect(tmp_path):
    """docker ps and docker inspect once for both sections; the image ids are the containers' own
    (a label named Image is not one), each inspected once; the sections print what they print
    alone, where each asks docker itself."""
    image_a, image_b, planted = ("sha256:" + c * 64 for c in "cde")
    one = {**inspect_item(ID_A, "api"), "Image": image_a}
    one["Config"]["Labels"] = {"Image": planted}
    two = {**inspect_item("f" * 64, "db"), "Image": image_b}
    three = {**inspect_item("9" * 64, "db2"), "Image": image_a}
    items = [one, two, three]
    text = json.dumps(items, indent=4) + "\n"  # docker's own layout: 4 spaces a level
    found, calls = docker_read(tmp_path, items, text, shared=True)
    assert [call.split()[:2] for call in calls if call.split()[0] != "system"][:3] == [
        ["ps", "-aq"], ["inspect", ID_A], ["events", "--since"]
    ]  # fmt: skip
    assert sum(call.startswith(("ps", "inspect")) for call in calls) == 2
    assert [call for call in calls if call.startswith("image")] == [f"image inspect {image_a} {image_b}"]
    alone, calls_alone = docker_read(tmp_path, items, text, shared=False)
    assert found["inspect"] == alone["inspect"] and json.loads(found["inspect"].text) == items
    assert json.loads(found["images"].text) == json.loads(alone["images"].text)
    assert sum(call.startswith(("ps", "inspect")) for call in calls_alone) == 4
    parsed = containers.parse("h1", {**found, "now": Output(str(NOW), 0)})
    assert set(parsed.image_env) == {image_a, image_b}


def test_another_inspect_layout_falls_back_to_asking_docker_for_the_images(tmp_path):
    image_a = "sha256:" + "c" * 64
    items = [{**inspect_item(ID_A, "api"), "Image": image_a}, {**inspect_item("f" * 64, "db"), "Image": image_a}]
    for text in (json.dumps(items, indent=2), json.dumps(items)):
        found, calls = docker_read(tmp_path, items, text + "\n", shared=True)
        assert any(call.startswith("inspect --format") for call in calls)
        assert json.loads(found["images"].text) == [{"Id": image_a}]
    none, calls = docker_read(tmp_path, [], "[]\n", shared=True)
    assert none["images"] == Output("[]", 0) and none["inspect"] == Output("[]", 0)
    assert not any(call.startswith(("inspect", "image")) for call in calls)


def test_what_the_docker_cli_warns_beside_its_json_is_set_aside_and_no_json_is_an_error():
    """The inspect section's stderr is merged: warnings before or after the array (one opening
    with a bracket) leave the containers read as they are; output with no array is an error
    naming the host, never no containers."""
    items = json.dumps([inspect_item(ID_A, "api")], indent=4)
    for text in (
        f"WARNING: Error loading config file: /root/.docker/config.json: [Errno 13] denied\n{items}",
        f"[DEPRECATION NOTICE] the legacy builder is deprecated\n{items}\nWARNING: and one after it",
    ):
        found = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output(text, 0)})
        assert found.engine_problem is None and [c.name for c in found.containers] == ["api"], text
    assert containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output("", 0)}).containers == []
    garbled = containers.parse("h1", {"now": Output(str(NOW), 0), "inspect": Output("WARNING: [x]\n[{oops", 0)})
    with pytest.raises(TargetError, match="h1: docker inspect printed no JSON array"):
        garbled.not_applicable(ContainerPolicy())
