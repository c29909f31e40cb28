"""A host's private Docker engine answers and runs containers from local images."""

from __future__ import annotations

from sandbox.fleet import Fleet
from sandbox.images import BUSYBOX_IMAGE, NO_WGET_IMAGE, ensure_image, has_image


def test_every_engine_answers(fleet: Fleet) -> None:
    for host in fleet.hosts:
        assert host.engine.answers(), host.name
        version = host.engine.docker("version", "--format", "{{.Server.Version}}")
        assert version.stdout.strip()


def test_images_exist_and_import_is_idempotent(fleet: Fleet) -> None:
    engine = fleet.hosts[0].engine
    assert has_image(engine, BUSYBOX_IMAGE.tag)
    assert has_image(engine, NO_WGET_IMAGE.tag)
    assert ensure_image(engine, BUSYBOX_IMAGE) is False


def test_container_runs_without_network(fleet: Fleet) -> None:
    engine = fleet.hosts[0].engine
    result = engine.docker("run", "--rm", "--network=none", BUSYBOX_IMAGE.tag, "sh", "-c", "id -u; ip -o link | wc -l")
    uid, links = result.stdout.decode().split()
    assert uid == "0"
    assert links == "1", "only lo in a --network none container"


def test_missing_tools_fail_like_production(fleet: Fleet) -> None:
    engine = fleet.hosts[0].engine
    no_wget = engine.docker("run", "--rm", "--network=none", NO_WGET_IMAGE.tag, "wget", check=False)
    assert no_wget.returncode == 127
    assert b"executable file not found" in no_wget.stderr
    healthcheck = "curl -f http://localhost/"
    no_curl = engine.docker("run", "--rm", "--network=none", BUSYBOX_IMAGE.tag, "sh", "-c", healthcheck, check=False)
    assert no_curl.returncode == 127
    assert b"curl: not found" in no_curl.stderr
