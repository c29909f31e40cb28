"""The sandbox's certificates, minted with the ``openssl`` command line.

A private CA signs leaf certificates with planted faults (expiring soon, expired,
for another hostname); one more is self-signed. The files live under
``<run_dir>/tls`` and are reused while they still say what they should (a leaf
minted yesterday to expire "in 3 days" is minted again).

Compose: ``certs = Certificates(run_dir).up()`` returns ``Minted`` (the CA bundle
and a ``Cert`` per name in ``LEAVES``); ``Web(run_dir, certs)`` serves them and
``Monitoring`` trusts ``certs.ca_bundle``. ``describe()`` gives the same as JSON.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.debian import ensure_installed
from sandbox.process import SandboxError

DOMAIN = "golive.test"
CA_DAYS = 3650
# Minted files are reused while their notAfter is this close to the wanted one.
TOLERANCE = timedelta(hours=6)


@dataclass(frozen=True)
class Leaf:
    """What a leaf certificate should be: its name, the names it covers, its validity."""

    name: str
    sans: tuple[str, ...]
    not_before_days: int
    not_after_days: int
    ca_signed: bool = True

    @property
    def hostname(self) -> str:
        """The name the server answers to (SNI), whatever the certificate covers."""
        return f"{self.name}.{DOMAIN}"


LEAVES = (
    Leaf("ok", (f"ok.{DOMAIN}",), 0, 90),
    Leaf("expiring", (f"expiring.{DOMAIN}",), -87, 3),
    Leaf("expired", (f"expired.{DOMAIN}",), -90, -2),
    Leaf("wronghost", (f"other.{DOMAIN}",), 0, 90),
    Leaf("selfsigned", (f"selfsigned.{DOMAIN}",), 0, 90, ca_signed=False),
    # Sound certificates for hosts whose fault is elsewhere (old TLS versions, plain HTTP).
    Leaf("legacy", (f"legacy.{DOMAIN}",), 0, 90),
    Leaf("plain", (f"plain.{DOMAIN}",), 0, 90),
)


@dataclass(frozen=True)
class Cert:
    """One minted certificate: the host it is served for, and its files."""

    hostname: str
    cert: Path
    key: Path


@dataclass(frozen=True)
class Minted:
    """The CA bundle clients trust, and each leaf by name (``ok``, ``expired`` ...)."""

    ca_bundle: Path
    certs: dict[str, Cert]


class Certificates:
    """The sandbox CA and its leaves under ``<run_dir>/tls``."""

    name = "tls"

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir) / "tls"

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca.key"

    def up(self) -> Minted:
        """Mint what is missing or stale; return the paths."""
        ensure_installed(["openssl"])
        self.dir.mkdir(parents=True, exist_ok=True)
        fresh_ca = not (self.ca_cert.exists() and self.ca_key.exists())
        if fresh_ca:
            self._mint_ca()
        for leaf in LEAVES:
            cert, _ = self._paths(leaf)
            if fresh_ca or not _still_right(cert, leaf):
                self._mint(leaf)
        return self.minted()

    def down(self) -> None:
        """Certificates are files, not processes: nothing to stop."""

    def is_up(self) -> bool:
        return self.ca_cert.exists() and all(self._paths(leaf)[0].exists() for leaf in LEAVES)

    def minted(self) -> Minted:
        certs = {}
        for leaf in LEAVES:
            cert, key = self._paths(leaf)
            certs[leaf.name] = Cert(leaf.hostname, cert, key)
        return Minted(self.ca_cert, certs)

    def describe(self) -> dict[str, Any]:
        minted = self.minted()
        return {
            "ca_bundle": str(minted.ca_bundle),
            "certs": {
                name: {"hostname": c.hostname, "cert": str(c.cert), "key": str(c.key)}
                for name, c in minted.certs.items()
            },
        }

    def _paths(self, leaf: Leaf) -> tuple[Path, Path]:
        return self.dir / f"{leaf.name}.crt", self.dir / f"{leaf.name}.key"

    def _mint_ca(self) -> None:
        _openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", self.ca_key, "-out", self.ca_cert, "-days", str(CA_DAYS),
            "-subj", "/O=golive sandbox/CN=golive sandbox CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip

    def _mint(self, leaf: Leaf) -> None:
        cert, key = self._paths(leaf)
        san = "subjectAltName=" + ",".join(f"DNS:{name}" for name in leaf.sans)
        subject = f"/O=golive sandbox/CN={leaf.sans[0]}"
        if not leaf.ca_signed:
            _openssl(
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", cert, "-days", str(leaf.not_after_days),
                "-subj", subject, "-addext", san,
            )  # fmt: skip
            return
        csr = self.dir / f"{leaf.name}.csr"
        _openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", subject,
        )  # fmt: skip
        # `openssl ca` is the one OpenSSL 3.0 command that takes explicit dates,
        # which an already-expired certificate needs.
        config = self._ca_dir(san)
        now = datetime.now(UTC)
        _openssl(
            "ca", "-batch", "-config", config, "-in", csr, "-out", cert, "-notext",
            "-startdate", _asn1(now + timedelta(days=leaf.not_before_days)),
            "-enddate", _asn1(now + timedelta(days=leaf.not_after_days)),
        )  # fmt: skip
        csr.unlink()

    def _ca_dir(self, san: str) -> Path:
        """The minimal directory and config `openssl ca` insists on."""
        ca_dir = self.dir / "ca"
        (ca_dir / "new").mkdir(parents=True, exist_ok=True)
        (ca_dir / "index.txt").touch()
        config = ca_dir / "openssl.cnf"
        config.write_text(
            f"""[ca]
default_ca = sandbox
[sandbox]
dir = {ca_dir}
database = $dir/index.txt
new_certs_dir = $dir/new
certificate = {self.ca_cert}
private_key = {self.ca_key}
rand_serial = yes
unique_subject = no
default_md = sha256
policy = anything
x509_extensions = leaf
copy_extensions = none
[anything]
organizationName = optional
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
{san}
"""
        )
        return config


def not_after(cert: Path) -> datetime:
    """The certificate's notAfter, read by openssl."""
    out = _openssl("x509", "-noout", "-enddate", "-in", cert)
    stamp = out.strip().split("=", 1)[1]
    return datetime.strptime(stamp, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=UTC)


def _still_right(cert: Path, leaf: Leaf) -> bool:
    if not cert.exists() or not cert.with_suffix(".key").exists():
        return False
    ends = not_after(cert)
    now = datetime.now(UTC)
    if leaf.not_after_days < 0:
        return ends < now
    return abs(ends - (now + timedelta(days=leaf.not_after_days))) < TOLERANCE


def _asn1(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _openssl(*args: object) -> str:
    result = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SandboxError(f"tls: openssl {args[0]} failed: {result.stderr.strip()[-400:]}")
    return result.stdout
