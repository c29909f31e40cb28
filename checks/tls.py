"""Certificates and protocol versions of HTTPS endpoints (SEC-03, SEC-04, SEC-05, SEC-06).

A certificate is read once per host:port and server name, with Python's ``ssl``, and
shared by SEC-03..05: one verifying handshake (against the system store or the
endpoint's CA bundle) gives the certificate when it verifies; only when it does not
is a second, non-verifying handshake made to read what the server presents.
An ``internal`` endpoint is read on its host instead, by ``openssl s_client`` run there
(through the host's backend, bounded by ``timeout``): the same certificate and verify
result, against the host's system store or the endpoint's ``ca_bundle`` on the host.
SEC-06 offers TLS 1.0 and 1.1 explicitly (security level 0, so OpenSSL 3 can offer
them at all); a refusal that comes from our own side is an error, never a pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shlex
import socket
import ssl
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from golive.checks.http import Target
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict
from golive.facts import Fleet
from golive.inventory import Host

LEGACY_VERSIONS = (("TLS 1.0", ssl.TLSVersion.TLSv1), ("TLS 1.1", ssl.TLSVersion.TLSv1_1))
S_CLIENT_FLAGS = {ssl.TLSVersion.TLSv1: "-tls1", ssl.TLSVersion.TLSv1_1: "-tls1_1"}
PLAIN_WORDS = {
    "certificate has expired": "the certificate has expired",
    "certificate is not yet valid": "the certificate is not valid yet (notBefore is in the future)",
    "self-signed certificate": "the certificate is self-signed: no trusted CA vouches for it",
    "self-signed certificate in certificate chain": "the chain ends in a self-signed CA that is not trusted here",
    "unable to get local issuer certificate": "the chain does not lead to a trusted CA (issuer unknown here)",
    "unable to verify the first certificate": "the server sends no chain that leads to a trusted CA",
}


@dataclass(frozen=True)
class Certificate:
    """What an endpoint presented and whether it verified for its name."""

    endpoint: str
    subject: str
    sans: tuple[str, ...]
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    protocol: str
    verify_error: str | None

    @property
    def verifies(self) -> bool:
        return self.verify_error is None

    def days_left(self, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.UTC)
        return (self.not_after - now).total_seconds() / 86400

    def describe(self) -> str:
        return (
            f"{self.endpoint}: subject {self.subject}; SANs {', '.join(self.sans) or '(none)'}; issuer {self.issuer}; "
            f"notBefore {self.not_before:%Y-%m-%d %H:%M} UTC; notAfter {self.not_after:%Y-%m-%d %H:%M} UTC "
            f"({self.days_left():.1f} days left); {self.protocol}; "
            + ("verifies" if self.verifies else f"does not verify: {self.verify_error}")
        )


@dataclass(frozen=True)
class Unreadable:
    """No certificate could be read: the reason (refused, unresolvable, not TLS)."""

    endpoint: str
    reason: str


def verifying_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The context of verifying reads against ``ca_bundle`` (a file on the runner), else the
    system store: made once per run and shared by every read and thread.

    Making one that trusts the system store parses every certificate in it, about 30 ms of
    CPU for a distribution's bundle of some 140 authorities, where a handshake costs about
    1 ms. A read only wraps sockets with it (nothing sets anything on it afterwards), and a
    client context keeps no session between connections, so nothing passes from one
    endpoint's handshake to another's. A ``ca_bundle`` replaced or rewritten since (another
    inode, size or time) gets a context of its own; an unreadable one raises each time it is
    asked for (``OSError``, ``ssl.SSLError``).
    """
    if ca_bundle is None:
        return _verifying_context(None, None)
    try:
        found = os.stat(ca_bundle)
    except OSError:
        return ssl.create_default_context(cafile=ca_bundle)  # raises ssl's own words for it
    return _verifying_context(ca_bundle, (found.st_ino, found.st_size, found.st_mtime_ns))


@functools.lru_cache(maxsize=64)
def _verifying_context(ca_bundle: str | None, _version: tuple[int, int, int] | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_bundle)


@functools.cache
def unverified_context() -> ssl.SSLContext:
    """The context of the second read of a certificate that did not verify: it verifies
    nothing, to see what the server presents. Made once per run, as ``verifying_context``."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Certificates:
    """The run's certificate reads, one per (address, port, server name, CA bundle)."""

    def __init__(self, fleet: Fleet | None = None) -> None:
        self.fleet = fleet
        """Reaches the hosts of ``internal`` endpoints; without it they are an error."""
        self._read: dict[tuple[str, int, str, str | None], Certificate | Unreadable] = {}
        self._legacy: dict[tuple[str, int, str], dict[str, tuple[bool | None, str]]] = {}
        self._lock = threading.Lock()
        self._pending: dict[object, threading.Lock] = {}
        self.handshakes: dict[str, int] = {}
        self.before: Callable[[Host], None] | None = None
        """Called with a target's host before its first read (``checks/prefetch.py``)."""

    def _key_lock(self, key: object) -> threading.Lock:
        """The lock of one read: the same read waits for the one in flight, others go ahead."""
        with self._lock:
            return self._pending.setdefault(key, threading.Lock())

    def certificate(self, target: Target) -> Certificate | Unreadable:
        if self.before is not None:
            self.before(target.host)
        if target.endpoint.internal:
            if self.fleet is None:
                _local_only(target)
            return self._fetch_on_host(target)
        key = (target.hostname, target.port, target.server_name, target.endpoint.ca_bundle)
        with self._key_lock(key):
            if key not in self._read:
                self._read[key] = self._fetch(target)
            return self._read[key]

    def _fetch_on_host(self, target: Target) -> Certificate | Unreadable:
        """``openssl s_client`` on the endpoint's host (its output is cached per host)."""
        where = f"{target.server_name} at {target.hostname}:{target.port} (read on {target.host.name})"
        status, output = self._s_client(target, certificate_options(target))
        return parse_s_client(where, output, status)

    def _offer_on_host(self, target: Target, version: ssl.TLSVersion) -> tuple[bool | None, str]:
        status, output = self._s_client(target, offer_options(version))
        if "no protocols available" in output.lower():
            raise TargetError(f"{target.host.name}'s OpenSSL refused to offer {version.name}, so it cannot tell")
        accepted = re.search(r"^New, (TLSv1(?:\.[01])?), Cipher is (\S+)$", output, re.M)
        if accepted and status == 0:
            return True, f"accepted: handshake completed with {accepted.group(1)} {accepted.group(2)} (on the host)"
        if status == 124:
            return None, "not answered: no answer in time (timeout)"
        if "errno=111" in output or "Connection refused" in output:
            return None, "not answered: connection refused"
        alert = re.search(r"(alert [a-z ]+|unsupported protocol|wrong version number)", output)
        return False, f"refused by the server: {alert.group(1) if alert else f'openssl s_client exit {status}'}"

    def _s_client(self, target: Target, options: list[str]) -> tuple[int, str]:
        """``openssl s_client`` run on the endpoint's host, bounded by the host's HTTP timeout."""
        assert self.fleet is not None
        result = self.fleet[target.host].run(s_client_command(target, options))
        if result.exit_status in (126, 127):
            raise TargetError(f"{target.id}: openssl could not run on {target.host.name}: {result.stdout.strip()}")
        return result.exit_status, result.stdout

    def legacy_protocols(self, target: Target) -> dict[str, tuple[bool | None, str]]:
        """Per old protocol: (accepted, what happened)."""
        if self.before is not None:
            self.before(target.host)
        if target.endpoint.internal:
            if self.fleet is None:
                _local_only(target)
            return {name: self._offer_on_host(target, version) for name, version in LEGACY_VERSIONS}
        key = (target.hostname, target.port, target.server_name)
        with self._key_lock(("legacy", *key)):
            if key not in self._legacy:
                self._legacy[key] = {name: self._offer(target, version) for name, version in LEGACY_VERSIONS}
            return self._legacy[key]

    def _handshake(self, target: Target, context: ssl.SSLContext) -> ssl.SSLSocket:
        where = f"{target.hostname}:{target.port}"
        with self._lock:
            self.handshakes[where] = self.handshakes.get(where, 0) + 1
        raw = socket.create_connection((target.hostname, target.port), timeout=target.host.http.timeout)
        try:
            return context.wrap_socket(raw, server_hostname=target.server_name)
        except BaseException:
            raw.close()
            raise

    def _fetch(self, target: Target) -> Certificate | Unreadable:
        where = f"{target.server_name} at {target.hostname}:{target.port}"
        try:
            context = verifying_context(target.endpoint.ca_bundle)
        except (OSError, ssl.SSLError) as exc:  # before any connection: nothing was sent
            return Unreadable(where, f"ca_bundle {target.endpoint.ca_bundle} cannot be read on the runner: {exc}")
        try:
            with self._handshake(target, context) as tls:
                return _certificate(where, tls.getpeercert(binary_form=True) or b"", tls.version() or "", None)
        except ssl.SSLCertVerificationError as exc:
            error = _plain(exc.verify_message or str(exc))
        except OSError as exc:
            return Unreadable(where, _plain_connect(exc))
        try:
            with self._handshake(target, unverified_context()) as tls:
                der, version = tls.getpeercert(binary_form=True), tls.version() or ""
        except OSError as exc:
            return Unreadable(where, _plain_connect(exc))
        if not der:
            return Unreadable(where, "the server presented no certificate")
        return _certificate(where, der, version, error)

    def _offer(self, target: Target, version: ssl.TLSVersion) -> tuple[bool | None, str]:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        try:
            with warnings.catch_warnings():  # offering deprecated protocols is the point here
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = context.maximum_version = version
            context.set_ciphers("DEFAULT@SECLEVEL=0")
        except (ValueError, ssl.SSLError) as exc:
            raise TargetError(f"this runner's OpenSSL cannot offer {version.name}, so it cannot tell: {exc}") from None
        try:
            with self._handshake(target, context) as tls:
                cipher = tls.cipher()
                return (
                    True,
                    f"accepted: handshake completed with {tls.version()} {cipher[0] if cipher else 'no cipher'}",
                )
        except ssl.SSLError as exc:
            text = str(exc)
            if "NO_PROTOCOLS_AVAILABLE" in text.upper() or "no protocols available" in text:
                raise TargetError(f"this runner's OpenSSL refused to offer {version.name}: {text}") from None
            return False, f"refused by the server: {exc.reason or text}"
        except (ConnectionResetError, ConnectionAbortedError) as exc:
            return False, f"refused by the server (connection closed during the handshake: {exc})"
        except OSError as exc:
            return None, f"not answered: {_plain_connect(exc)}"


def judge_trust(target: Target, found: Certificate | Unreadable) -> Verdict:
    """SEC-03: valid for its name, with a chain that verifies."""
    if isinstance(found, Unreadable):
        return Verdict(False, f"{target.id}: no certificate read: {found.reason}")
    comparison = Comparison(
        f"{target.id} certificate for {target.server_name}", found.verify_error or "verifies", "==", "verifies",
        found.verifies,
    )  # fmt: skip
    summary = f"{target.id}: " + ("certificate verifies" if found.verifies else found.verify_error or "")
    return Verdict(found.verifies, summary, [comparison])


def judge_expiry(target: Target, found: Certificate | Unreadable, limit_days: float) -> Verdict:
    """SEC-04/05: more than ``limit_days`` left before notAfter."""
    if isinstance(found, Unreadable):
        return Verdict(False, f"{target.id}: no certificate read: {found.reason}")
    left = found.days_left()
    comparison = Comparison(
        f"{target.id} days left (notAfter {found.not_after:%Y-%m-%d %H:%M} UTC)", round(left, 1), ">", limit_days,
        left > limit_days, " days",
    )  # fmt: skip
    state = "expired" if left < 0 else f"expires in {left:.1f} days"
    return Verdict(comparison.passed, f"{target.id}: certificate {state} (limit {limit_days:g} days)", [comparison])


def judge_protocols(target: Target, results: dict[str, tuple[bool | None, str]]) -> Verdict:
    """SEC-06: every protocol older than TLS 1.2 refused."""
    comparisons = [
        Comparison(f"{target.id} {name}", detail, "==", "refused", not accepted)
        for name, (accepted, detail) in results.items()
    ]
    unanswered = [f"{name} {detail}" for name, (ok, detail) in results.items() if ok is None]
    if unanswered:
        return Verdict(False, f"{target.id}: cannot tell which protocols it accepts: {'; '.join(unanswered)}")
    accepted = [name for name, (ok, _) in results.items() if ok]
    if accepted:
        return Verdict(False, f"{target.id}: accepts {' and '.join(accepted)}", comparisons)
    return Verdict(True, f"{target.id}: TLS 1.0 and 1.1 refused", comparisons)


def _local_only(target: Target) -> None:
    if target.endpoint.internal:
        raise TargetError(
            f"{target.id}: reading certificates from the host is not implemented; "
            "declare the endpoint without internal: to read it from the runner"
        )


_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----", re.S)
_VERIFY_ERROR = re.compile(r"^verify error:num=\d+:(.+)$", re.M)
_VERIFY_CODE = re.compile(r"^Verify return code: (\d+) \((.*)\)$", re.M)
_PROTOCOL = re.compile(r"^New, (TLSv[0-9.]+), Cipher is ", re.M)


def parse_s_client(where: str, output: str, exit_status: int) -> Certificate | Unreadable:
    """The server's certificate and verify result from ``openssl s_client`` output."""
    pem = _PEM.search(output)
    if pem is None:
        if exit_status == 124:
            return Unreadable(where, "no answer in time (timeout)")
        if "errno=111" in output or "Connection refused" in output:
            return Unreadable(where, "connection refused")
        last = " ".join(output.strip().splitlines()[-2:])[:300]
        return Unreadable(where, f"no certificate presented (openssl s_client exit {exit_status}: {last})")
    code = _VERIFY_CODE.search(output)
    first_error = _VERIFY_ERROR.search(output)
    if code is not None and code.group(1) == "0":
        error = None
    elif first_error is not None:
        error = _plain(first_error.group(1))
    else:
        error = _plain(code.group(2)) if code is not None else "no verify result from openssl s_client"
    der = x509.load_pem_x509_certificate(pem.group(0).encode()).public_bytes(serialization.Encoding.DER)
    protocol = _PROTOCOL.search(output)
    # Python's ssl names TLS 1.0 "TLSv1"
    return _certificate(where, der, protocol.group(1).replace("TLSv1.0", "TLSv1") if protocol else "", error)


def _certificate(where: str, der: bytes, protocol: str, error: str | None) -> Certificate:
    """Decode the certificate the server presented (verified or not) with ``cryptography``."""
    cert = x509.load_der_x509_certificate(der)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = tuple(f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName)) + tuple(
            f"IP Address:{ip}" for ip in names.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        sans = ()
    return Certificate(
        where, cert.subject.rfc4514_string() or "(empty)", sans, cert.issuer.rfc4514_string() or "(empty)",
        cert.not_valid_before_utc, cert.not_valid_after_utc, protocol, error,
    )  # fmt: skip


def _plain(message: str) -> str:
    lowered = message.strip().rstrip(".")
    if lowered.lower().startswith("hostname mismatch"):
        return f"the certificate is not valid for this name ({message.strip()})"
    return PLAIN_WORDS.get(lowered, lowered)


def _plain_connect(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"the name does not resolve ({exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time (timeout)"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed: {exc.reason or exc}"
    return f"{type(exc).__name__}: {exc}"


def certificate_options(target: Target) -> list[str]:
    """``openssl s_client`` options reading an internal endpoint's certificate on its host."""
    options = ["-verify_hostname", target.server_name]
    if target.endpoint.ca_bundle:
        options += ["-CAfile", target.endpoint.ca_bundle]
    return options


def offer_options(version: ssl.TLSVersion) -> list[str]:
    """``openssl s_client`` options offering only an old protocol ``version``."""
    return [S_CLIENT_FLAGS[version], "-cipher", "DEFAULT@SECLEVEL=0"]


def s_client_command(target: Target, options: list[str]) -> str:
    """``openssl s_client`` on the endpoint's host, bounded by the host's HTTP timeout."""
    address = f"[{target.hostname}]" if ":" in target.hostname else target.hostname
    options = ["-connect", f"{address}:{target.port}", "-servername", target.server_name, *options]
    seconds = max(1, round(target.host.http.timeout))
    return f"timeout {seconds} openssl s_client {shlex.join(options)} </dev/null 2>&1"


def certificate_command(target: Target) -> str:
    """The command the certificate criteria (SEC-03..05) run on an internal https endpoint's host."""
    return s_client_command(target, certificate_options(target))


def offer_commands(target: Target) -> list[str]:
    """The commands the protocol criterion (SEC-06) runs on an internal https endpoint's host."""
    return [s_client_command(target, offer_options(version)) for _name, version in LEGACY_VERSIONS]
