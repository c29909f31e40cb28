"""The sandbox certificates say what they should, checked by openssl itself."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.process import SandboxError
from sandbox.tls import Certificates, Minted
from tests.sandbox.conftest import unavailable

DAY = 86400


@pytest.fixture(scope="module")
def tls_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="golive-tls-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def minted(tls_dir: Path) -> Minted:
    try:
        return Certificates(tls_dir).up()
    except SandboxError as error:
        unavailable(str(error))
        raise


def openssl(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)


def verify(minted: Minted, name: str, hostname: str | None = None) -> subprocess.CompletedProcess[str]:
    host = ["-verify_hostname", hostname] if hostname else []
    return openssl("verify", "-CAfile", minted.ca_bundle, *host, minted.certs[name].cert)


def valid_for(minted: Minted, name: str, seconds: int) -> bool:
    """openssl's own answer: still valid ``seconds`` from now."""
    return openssl("x509", "-noout", "-checkend", seconds, "-in", minted.certs[name].cert).returncode == 0


def test_ok_verifies_for_its_host_for_about_90_days(minted: Minted) -> None:
    assert verify(minted, "ok", "ok.golive.test").returncode == 0
    assert valid_for(minted, "ok", 89 * DAY)
    assert not valid_for(minted, "ok", 91 * DAY)


def test_expiring_verifies_but_ends_in_about_3_days(minted: Minted) -> None:
    assert verify(minted, "expiring", "expiring.golive.test").returncode == 0
    assert valid_for(minted, "expiring", 2 * DAY)
    assert not valid_for(minted, "expiring", 4 * DAY)


def test_expired_is_expired(minted: Minted) -> None:
    assert not valid_for(minted, "expired", 0)
    result = verify(minted, "expired", "expired.golive.test")
    assert result.returncode != 0
    assert "certificate has expired" in result.stdout + result.stderr


def test_wronghost_chains_but_not_for_its_host(minted: Minted) -> None:
    assert verify(minted, "wronghost").returncode == 0
    result = verify(minted, "wronghost", minted.certs["wronghost"].hostname)
    assert result.returncode != 0
    assert "hostname mismatch" in result.stdout + result.stderr


def test_selfsigned_is_not_from_the_ca(minted: Minted) -> None:
    result = verify(minted, "selfsigned", "selfsigned.golive.test")
    assert result.returncode != 0
    assert "self-signed certificate" in result.stdout + result.stderr
    # ... though it is internally sound: it verifies against itself.
    own = openssl("verify", "-CAfile", minted.certs["selfsigned"].cert, minted.certs["selfsigned"].cert)
    assert own.returncode == 0


def test_up_reuses_what_is_still_right_and_remints_what_is_stale(tls_dir: Path, minted: Minted) -> None:
    before = {name: cert.cert.read_bytes() for name, cert in minted.certs.items()}
    assert {name: cert.cert.read_bytes() for name, cert in Certificates(tls_dir).up().certs.items()} == before

    # An "expiring" certificate that no longer expires soon (as if kept from another day) is minted anew.
    shutil.copy(minted.certs["ok"].cert, minted.certs["expiring"].cert)
    again = Certificates(tls_dir).up()
    assert again.certs["expiring"].cert.read_bytes() not in (before["ok"], before["expiring"])
    assert valid_for(again, "expiring", 2 * DAY) and not valid_for(again, "expiring", 4 * DAY)
    assert again.certs["ok"].cert.read_bytes() == before["ok"]
