"""The monitoring systems' HTTP APIs (MON-01..07): one client per run, GET only.

Prometheus, Alertmanager, Loki and Grafana are read through their documented HTTP
APIs with one ``httpx.Client`` per run (explicit timeouts, no redirects followed, no
proxy from the environment). Every exchange is recorded as evidence (request line,
status, time, and the decisive part of the answer, which the caller chooses);
answers are shared for the run, so MON-01, MON-02 and MON-03 read one target list.

A system that cannot be reached fails every criterion reading it with the reason
(``Unreachable``, ``CheckTimeout``, or ``TargetError`` for an HTTP error or a body
that is not the API's JSON); after the first such failure the others fail at once.
Credentials (``credentials:`` entries named by ``credential``) are sent as a bearer
token or basic auth and never recorded: request headers are not evidence. Every
request verifies the certificate (``ca_bundle``, else the system store), and a
credential never goes over plain HTTP to a host other than loopback.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from golive.checks.http import authorization
from golive.errors import CheckTimeout, TargetError, Unreachable
from golive.evidence import Evidence
from golive.inventory import MonitoringApi, has_userinfo, sends_in_clear, without_userinfo
from golive.redact import shorten

SHARED_NOTE = "(answer shared by the criteria of this run) "


@dataclass(frozen=True)
class System:
    """A declared monitoring system (``prometheus``, ``alertmanager``, ``loki``, ``grafana``)."""

    name: str
    api: MonitoringApi

    def __str__(self) -> str:
        return self.name

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return self.api.url.rstrip("/") + path + query


@dataclass(frozen=True)
class Answer:
    """A JSON answer of a monitoring API."""

    url: str
    status: int
    body: Any
    elapsed: float


class MonitoringClient:
    """Reads the monitoring APIs; ``get`` records each exchange on the test's evidence."""

    def __init__(self, credentials: Mapping[str, Mapping[str, str]]) -> None:
        self._credentials = credentials
        self._clients: dict[str, httpx.Client] = {}
        self._answers: dict[str, Answer] = {}
        self._failed: dict[str, TargetError] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def get(
        self,
        system: System,
        path: str,
        evidence: Evidence,
        params: Mapping[str, str] | None = None,
        *,
        excerpt: Callable[[Any], str] | None = None,
        accept: tuple[int, ...] = (200,),
        share: bool = True,
    ) -> Answer:
        """GET ``path`` of ``system`` as JSON; the answer's status must be in ``accept``.

        ``excerpt`` turns the decoded body into what the evidence keeps (default:
        the body's first characters); ``share`` reuses an answer within the run.
        """
        url = system.url(path, params)
        failed = self._failed.get(system.name)
        if failed is not None:
            evidence.http("GET", url, None, error=f"not requested: {failed}")
            raise type(failed)(str(failed))
        shared = self._answers.get(url) if share else None
        answer = shared or self._fetch(system, url, evidence, accept)
        if share:
            self._answers[url] = answer
        summary = excerpt(answer.body) if excerpt else shorten(json.dumps(answer.body), 1500)
        evidence.http("GET", url, answer.status, body=(SHARED_NOTE if shared else "") + summary, elapsed=answer.elapsed)
        return answer

    def _fetch(self, system: System, url: str, evidence: Evidence, accept: tuple[int, ...]) -> Answer:
        started = time.monotonic()
        try:
            response = self._client(system.api).get(url, headers=self._auth(system.api), timeout=system.api.timeout)
        except httpx.TimeoutException:
            raise self._fail(
                system,
                url,
                evidence,
                CheckTimeout(f"{system.name} at {system.api.url}: no answer within {system.api.timeout:g} s"),
            ) from None
        except httpx.HTTPError as exc:
            reason = _plain_error(exc)
            raise self._fail(
                system, url, evidence, Unreachable(f"{system.name} at {system.api.url} is unreachable: {reason}")
            ) from None
        elapsed = time.monotonic() - started
        if response.status_code not in accept:
            hint = " (check its credential)" if response.status_code in (401, 403) else ""
            evidence.http("GET", url, response.status_code, body=shorten(response.text, 1000), elapsed=elapsed)
            raise TargetError(
                f"{system.name}: GET {url} answered {response.status_code}{hint}: {shorten(response.text.strip(), 200)}"
            )
        try:
            body = response.json()
        except ValueError:
            evidence.http("GET", url, response.status_code, body=shorten(response.text, 1000), elapsed=elapsed)
            raise TargetError(
                f"{system.name}: GET {url} did not answer JSON; is {system.api.url} really {system.name}?"
            ) from None
        return Answer(url, response.status_code, body, elapsed)

    def _fail(self, system: System, url: str, evidence: Evidence, error: TargetError) -> TargetError:
        evidence.http("GET", url, None, error=str(error))
        with self._lock:
            self._failed.setdefault(system.name, error)
        return error

    def _client(self, api: MonitoringApi) -> httpx.Client:
        verify = api.ca_bundle or "system"
        with self._lock:
            if verify not in self._clients:
                self._clients[verify] = httpx.Client(
                    verify=ssl.create_default_context(cafile=api.ca_bundle),
                    follow_redirects=False,
                    trust_env=False,
                    headers={"User-Agent": "golive/0.1 (production readiness check)", "Accept": "application/json"},
                )
            return self._clients[verify]

    def _auth(self, api: MonitoringApi) -> dict[str, str]:
        headers = {}
        if getattr(api, "tenant", None):
            headers["X-Scope-OrgID"] = api.tenant  # type: ignore[attr-defined]
        if api.credential is None and not has_userinfo(api.url):
            return headers
        if sends_in_clear(api.url):
            raise TargetError(
                f"{without_userinfo(api.url)} is plain HTTP to a host other than loopback; the credential would cross "
                "the network unencrypted, so the request is not made (use its https:// URL)"
            )
        if api.credential is None:
            return headers
        return {**headers, **authorization(self._credentials.get(api.credential, {}))}


def api_data(answer: Answer, system: System) -> Any:
    """The ``data`` of a Prometheus-style answer (``{"status": "success", "data": ...}``)."""
    body = answer.body
    if not isinstance(body, dict) or body.get("status") != "success" or "data" not in body:
        error = body.get("error", "") if isinstance(body, dict) else ""
        raise TargetError(f"{system.name}: {answer.url} did not answer success: {error or shorten(body, 200)}")
    return body["data"]


def _plain_error(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "name does not resolve"
    return text
