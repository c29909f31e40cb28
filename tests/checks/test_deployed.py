"""SEC-10, CHG-03/04 and DOC-01 judges on captured inspect output and compose text
(the end-to-end self-tests are in tests/sandbox/test_deployed_criteria.py)."""

from __future__ import annotations

import json

import pytest

from golive.checks import compose, container_judges, containers, documents
from golive.checks.git import RepoFacts
from golive.errors import TargetError
from golive.facts import Output
from golive.inventory import ContainerPolicy, Repo

SECRET = "pw-unit-test-9876"
COMPOSE = """\
services:
  app:
    image: ${APP_IMAGE:-shop/app}
    environment:
      - MODE=${MODE-prod}
      - DB_PASSWORD=$DB_PASSWORD
      - LITERAL=$$HOME
  worker:
    image: shop/worker:2
    env_file: secrets.env
"""


def item(name: str, image: str, env: list[str], service: str | None = None, **host: object) -> dict:
    labels = {"com.docker.compose.project": "infra", "com.docker.compose.service": service} if service else {}
    return {
        "Id": name * 8, "Name": f"/{name}", "Image": "sha256:" + "c" * 64,
        "Config": {"Image": image, "Env": env, "Labels": labels},
        "State": {"Status": "running", "ExitCode": 0},
        "HostConfig": {"RestartPolicy": {"Name": "always"}, **host},
        "Mounts": [{"Source": "/srv/data", "Destination": "/data"}],
    }  # fmt: skip


def facts(items: list[dict], image_env: list[str] | None = None) -> containers.ContainerFacts:
    images = [{"Id": "sha256:" + "c" * 64, "Config": {"Env": image_env or ["PATH=/bin"]}}]
    found = {"now": Output("1", 0), "inspect": Output(json.dumps(items), 0), "images": Output(json.dumps(images), 0)}
    return containers.parse("h1", found)


def test_privileges_socket_capabilities_and_allow_list():
    found = facts([
        item("ui", "ui:1", [], CapAdd=["CAP_SYS_ADMIN", "CHOWN"], Binds=["/var/run/docker.sock:/var/run/docker.sock"]),
        item("root", "r:1", [], Privileged=True),
        item("proxy", "p:1", [], Binds=["/run/docker.sock:/var/run/docker.sock:ro"]),
        item("plain", "p:1", []),
    ])  # fmt: skip
    verdict = container_judges.judge_privileges(found, ContainerPolicy(docker_socket_allow=("proxy",)))
    assert not verdict.passed
    assert "h1/ui privileges: cap_add SYS_ADMIN, docker socket /var/run/docker.sock" in verdict.summary
    assert "h1/root privileges: privileged" in verdict.summary
    assert "h1/proxy" not in verdict.summary and "2 of 4" in verdict.summary
    exempt = ContainerPolicy(
        docker_socket_allow=("proxy",),
        exempt=tuple({"container": name, "criteria": ["SEC-10"], "reason": "r"} for name in ("ui", "root")),
    )  # fmt: skip
    assert container_judges.judge_privileges(found, exempt).passed


def test_interpolation_like_compose():
    variables = {"A": "1", "EMPTY": ""}
    assert compose.interpolate("${A} $A ${B:-x} ${EMPTY:-d} ${EMPTY-d} $$A ${B}", variables) == "1 1 x d  $A "
    assert compose.with_tag("shop/app") == "shop/app:latest"
    assert compose.with_tag("reg:5000/app") == "reg:5000/app:latest"
    assert compose.with_tag("app@sha256:ab") == "app@sha256:ab"


def repo_facts(env: str) -> RepoFacts:
    repo = Repo(name="infra", path="/srv/infra", compose=("docker-compose.yml",))
    return RepoFacts(repo, {"infra:compose:0": Output(COMPOSE, 0), "infra:env": Output(env, 0)})


def test_images_and_environment_drift_name_keys_never_values():
    repo = repo_facts(f"APP_IMAGE=shop/app:3\nDB_PASSWORD={SECRET}\n")
    running = facts(
        [
            item("infra-app-1", "shop/app:2", ["PATH=/bin", "MODE=debug", f"DB_PASSWORD={SECRET}", "LITERAL=$HOME",
                                               "EXTRA=1"], "app"),
        ]
    )  # fmt: skip
    images = compose.judge_images(repo, running)
    assert not images.passed
    assert "h1/infra-app-1: running shop/app:2, compose declares shop/app:3" in images.summary
    assert (
        "service worker of project infra" in images.summary
        and "(docker-compose.yml): no container, expected running" in images.summary
    )
    env, notes = compose.judge_environment(repo, running)
    assert not env.passed
    assert "value differs: MODE; set at runtime only: EXTRA" in env.summary
    assert SECRET not in env.summary and "debug" not in env.summary
    assert any("secrets.env is not read" in note for note in notes)
    healthy = facts([item("infra-app-1", "shop/app:3", ["PATH=/bin", "MODE=prod", f"DB_PASSWORD={SECRET}",
                                                       "LITERAL=$HOME"], "app")])  # fmt: skip
    assert compose.judge_environment(repo, healthy)[0].passed


def test_claims_compare_counts_and_sets():
    claims = [("docs/fleet.md", "containers", 83), ("docs/fleet.md", "services", ["app", "db"]),
              ("hosts.yaml", "hosts", ["h1", "h2"]), ("docs/fleet.md", "owner", "ops")]  # fmt: skip
    verdict, notes = documents.judge_claims(claims, {"containers": 62, "services": ["app"], "hosts": ["h1", "h2"]})
    assert not verdict.passed and "3 of 4" in verdict.summary
    assert "claimed containers 83 vs measured running: 62, expected 83" in verdict.summary
    assert "claimed, not measured: db" in verdict.summary
    assert "docs/fleet.md: front matter claims.owner: unknown claim 'owner'" in verdict.summary and not notes


def test_a_misspelt_claim_fails_naming_the_key():
    verdict, _ = documents.judge_claims([("docs/fleet.md", "containres", 83)], {"containers": 83, "services": [],
                                                                                "hosts": []})  # fmt: skip
    assert not verdict.passed and verdict.applicable
    assert (
        "claims.containres: unknown claim 'containres', expected one of known claims (containers, services, hosts)"
        in (verdict.summary)
    )


def test_claims_that_are_not_a_mapping_fail():
    verdict, _ = documents.judge_claims([("docs/fleet.md", "", ["containers", 83])], {})
    assert not verdict.passed and "docs/fleet.md: front matter claims: list, expected a mapping of claim: value" in (
        verdict.summary
    )


def test_a_compose_file_giving_a_key_twice_is_an_error_naming_its_lines():
    repo = Repo(name="infra", path="/srv/infra", compose=("docker-compose.yml",))
    text = COMPOSE + "  app:\n    image: shop/other:1\n"  # a second app: service, which compose refuses
    found = RepoFacts(repo, {"infra:compose:0": Output(text, 0), "infra:env": Output("", 0)})
    with pytest.raises(
        TargetError, match=r"docker-compose\.yml of /srv/infra gives services\.app twice, at lines 2 and 11"
    ):
        compose.services(found)
