import pytest

from golive.host_scheduling import host_of

HOSTS = ["web", "web-1", "db"]


@pytest.mark.parametrize(
    ("nodeid", "host"),
    [
        ("tests_infra/test_security.py::test_x[web]", "web"),
        ("tests_infra/test_security.py::test_x[web-1]", "web-1"),
        ("tests_infra/test_containers.py::test_y[web-1/nginx]", "web-1"),
        ("tests_infra/test_containers.py::test_y[db-extra]", "db"),
        ("tests_infra/test_x.py::test_z[other]", None),
        ("tests_infra/test_x.py::test_plain", None),
    ],
)
def test_host_of(nodeid, host):
    assert host_of(nodeid, HOSTS) == host
