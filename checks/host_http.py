"""An HTTP request made FROM a host (an ``internal`` endpoint): curl, else python3, else wget.

``host_command`` builds the request's command, run on the host through its
``RemoteHost`` (one command makes all the samples, over one connection); ``parse_curl``
reads what it printed into one ``Exchange`` per sample. The credential of a
credentialed request reaches the client on its standard input (a curl config read with
``-K -``, ``curl_config``), never on its command line, which the host's process list and
the ssh client's argv would show; a backend that cannot feed standard input
(``golive/facts/standard_input.py``) refuses the request.

A Debian server installed by hand often has no curl; a busybox-only host has wget and
no python. The command tries, on the host, in this order:

- ``curl`` (``curl_command``);
- ``python3`` (the system's, with the script below; never a service's virtualenv): the
  same options, the credential read from standard input in curl's config format
  (``header = "..."``, ``user = "..."``), certificates verified for a credentialed
  request (against ``ca_bundle`` or the host's store), no proxy, no redirect followed;
- ``wget`` (busybox or GNU) only for a request without a credential (wget has no way to
  read one from standard input) and without ``server_name`` (it cannot connect a name
  to another address). busybox wget follows redirects; the first answer is the one kept.

Each prints what ``parse_curl`` reads: the answer's status line and headers, then
``#golive-result CODE SECONDS``, and on failure a ``curl: (N) ...`` line on stderr with
curl's error numbers (6 name, 7 connect, 28 timeout, 60 certificate, 77 ca_bundle).
The first line says which client answered: ``#golive-client NAME``.
"""

from __future__ import annotations

import shlex
from urllib.parse import unquote, urlsplit, urlunsplit

from golive.checks.http import Exchange, Target, shown_headers
from golive.errors import TargetError
from golive.inventory import without_userinfo
from golive.redact import shorten

CURL_MARK = "#golive-result"  # not "@...": curl reads -w @NAME from a file
CLIENT_MARK = "#golive-client"
NOT_INSTALLED = 127

PYTHON_CLIENT = r"""
import http.client, re, socket, ssl, sys, time
url, samples, timeout, verified, cafile, connect_to, agent = sys.argv[1:8]
extra = sys.argv[8:]
from urllib.parse import urlsplit
parts = urlsplit(url)
https = parts.scheme == "https"
port = parts.port or (443 if https else 80)
headers = {"User-Agent": agent, "Accept": "*/*"}
for item in extra:
    name, _, value = item.partition(": ")
    headers[name] = value
user = None
if verified == "1":
    for line in sys.stdin.read().splitlines():
        key, _, value = line.partition(" = ")
        value = re.sub(r"\\(.)", r"\1", value.strip()[1:-1])
        if key.strip() == "header":
            name, _, value = value.partition(": ")
            headers[name] = value
        elif key.strip() == "user":
            user = value
if user is not None and "Authorization" not in headers:
    import base64
    headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
if https:
    context = ssl.create_default_context(cafile=cafile or None if verified == "1" else None)
    if verified != "1":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
host_header = parts.hostname + ("" if parts.port is None else ":%d" % parts.port)
address = connect_to or parts.hostname
for _ in range(int(samples)):
    started = time.monotonic()
    try:
        sock = socket.create_connection((address, port), timeout=float(timeout))
        if https:
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=float(timeout))
        connection.sock = sock
        connection.request("GET", path, headers={"Host": host_header, **headers})
        response = connection.getresponse()
        response.read(65536)
        elapsed = time.monotonic() - started
        print("HTTP/%d.%d %d %s" % (response.version // 10, response.version % 10, response.status, response.reason))
        for name, value in response.getheaders():
            print("%s: %s" % (name, value))
        print("\n#golive-result %d %.6f" % (response.status, elapsed))
        connection.close()
    except Exception as exc:
        elapsed = time.monotonic() - started
        text = str(exc)
        if isinstance(exc, socket.gaierror):
            code = 6
        elif isinstance(exc, (socket.timeout, TimeoutError)):
            code = 28
        elif isinstance(exc, ssl.SSLCertVerificationError):
            code = 60
        elif isinstance(exc, (FileNotFoundError, PermissionError)) and cafile:
            code = 77
        else:
            code = 7
        print("curl: (%d) %s (python3)" % (code, text.replace("\n", " ")), file=sys.stderr)
        print("#golive-result 000 %.6f" % elapsed)
"""

# wget -S prints each answer's headers on stderr, indented; keep the first answer's.
WGET_AWK = r"""
/^ *HTTP\// { n++; if (n == 1) { code = $2; sub(/^ +/, ""); print } ; next }
n == 1 && /^  [A-Za-z0-9-]+:/ { sub(/^ +/, ""); print; next }
/^wget: |failed: |unable to resolve/ { error = $0 }
END {
  if (code == "") {
    kind = 7
    if (error ~ /resolve|bad address|unknown host/) kind = 6
    if (error ~ /timed out/ || error == "") kind = 28
    print "curl: (" kind ") " error " (wget)" > "/dev/stderr"
    code = "000"
  }
  printf "\n#golive-result %s %.2f\n", code, elapsed
}
"""


def python_command(url: str, samples: int, timeout: float, *, verified: bool, cafile: str | None,
                   connect_to: str | None, headers: dict[str, str]) -> str:  # fmt: skip
    """The python3 client's command line (no secret on it: a credential comes on standard input)."""
    agent = headers.get("User-Agent", "golive")
    extra = [f"{name}: {value}" for name, value in headers.items() if name not in ("User-Agent", "Host")]
    arguments = [url, str(samples), f"{timeout:g}", "1" if verified else "0", cafile or "", connect_to or "", agent]
    return " ".join(shlex.quote(part) for part in ["python3", "-I", "-c", PYTHON_CLIENT, *arguments, *extra])


def wget_command(url: str, samples: int, timeout: float, headers: dict[str, str]) -> str:
    """busybox or GNU wget, once per sample, elapsed time from /proc/uptime (10 ms steps)."""
    options = ["-S", "-O", "/dev/null"]  # no -T: busybox 1.35's wget crashes on it; `timeout` bounds it
    if url.startswith("https://"):
        options.append("--no-check-certificate")  # as curl -k: certificates are SEC-03's to judge
    for name, value in headers.items():
        if name == "User-Agent":
            options += ["-U", value]
        elif name != "Host":
            options += ["--header", f"{name}: {value}"]
    wget = " ".join(shlex.quote(part) for part in ["timeout", f"{timeout:g}", "wget", *options, url])
    return (
        f"i=0; while [ $i -lt {samples} ]; do i=$((i + 1)); "
        "s=$(cut -d' ' -f1 /proc/uptime); out=$(" + wget + " 2>&1); e=$(cut -d' ' -f1 /proc/uptime); "
        f'printf \'%s\\n\' "$out" | awk -v elapsed="$(awk "BEGIN {{ print $e - $s }}")" {shlex.quote(WGET_AWK)}; '
        "done"
    )


def command(curl: str, python: str, wget: str | None) -> str:
    """The command trying curl, then python3, then (if allowed) wget; exit 127 naming what was missing."""
    clients = [("curl", curl), ("python3", python)] + ([("wget", wget)] if wget else [])
    branches = [
        f"{'if' if i == 0 else 'elif'} command -v {name} >/dev/null 2>&1; then echo '{CLIENT_MARK} {name}'; {line}"
        for i, (name, line) in enumerate(clients)
    ]
    missing = ", ".join(name for name, _ in clients)
    why = "" if wget else " (wget is not used: it cannot read a credential from standard input or use server_name)"
    return "\n".join(branches) + f"\nelse echo 'none of {missing} is installed{why}' >&2; exit {NOT_INSTALLED}; fi"


def client(stdout: str) -> str:
    """Which client answered, from the command's first line."""
    first = stdout.split("\n", 1)[0]
    return first[len(CLIENT_MARK) :].strip() if first.startswith(CLIENT_MARK) else "curl"


def curl_command(target: Target, url: str, headers: dict[str, str], *, verified: bool = False) -> str:
    """One curl on the host for all samples (one connection), headers dumped, bodies dropped.

    ``verified`` (a credentialed request): the certificate must verify (``ca_bundle``, a
    file on the host, else the host's store), no curlrc or proxy of the host's may weaken
    that, and the credential is read from standard input (``curl_config``), so the
    command line stays free of secrets. ``headers`` must hold none.
    """
    endpoint = target.endpoint
    parts = urlsplit(url)
    if verified:
        # -q first: no ~/.curlrc (it could say `insecure`); the config on stdin holds the secret
        options = ["-q", "-K", "-", "-sS", "--max-time", f"{target.host.http.timeout:g}"]
        if endpoint.ca_bundle:
            options += ["--cacert", endpoint.ca_bundle]
        if parts.scheme == "http":
            options += ["--noproxy", "*"]  # loopback only, and no proxy sees it in clear
    else:
        options = ["-sS", "-k", "--max-time", f"{target.host.http.timeout:g}"]
    if endpoint.server_name:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        options += ["--resolve", f"{endpoint.server_name}:{port}:{parts.hostname}"]
        url = urlunsplit(parts._replace(netloc=f"{endpoint.server_name}:{port}"))
    for name, value in headers.items():
        if name == "User-Agent":
            options += ["-A", value]
        elif name != "Host":
            options += ["-H", f"{name}: {value}"]
    options += ["-D", "-", "-w", f"{CURL_MARK} %{{http_code}} %{{time_total}}\\n"]
    transfers = [item for _ in range(endpoint.samples) for item in ("-o", "/dev/null", url)]
    return " ".join(shlex.quote(part) for part in ["curl", *options, *transfers])


def host_command(target: Target, url: str, headers: dict[str, str], *, verified: bool = False) -> str:
    """The request from the host: curl, else python3, else wget (``checks/host_http.py``)."""
    endpoint = target.endpoint
    parts = urlsplit(url)
    request_url, connect_to = url, None
    if endpoint.server_name:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        request_url = urlunsplit(parts._replace(netloc=f"{endpoint.server_name}:{port}"))
        connect_to = parts.hostname
    timeout = target.host.http.timeout
    python = python_command(
        request_url, endpoint.samples, timeout, verified=verified, cafile=endpoint.ca_bundle if verified else None,
        connect_to=connect_to, headers=headers,
    )  # fmt: skip
    wget = None if verified or endpoint.server_name else wget_command(url, endpoint.samples, timeout, headers)
    return command(curl_command(target, url, headers, verified=verified), python, wget)


def curl_config(secret_headers: dict[str, str], user: str | None) -> bytes:
    """The curl config (``-K -``) that carries the secret on standard input."""
    lines = [f"header = {_curl_quoted(f'{name}: {value}')}" for name, value in secret_headers.items()]
    if user is not None:
        lines.append(f"user = {_curl_quoted(user)}")
    return ("\n".join(lines) + "\n").encode()


def _curl_quoted(value: str) -> str:
    if any(character in value for character in "\r\n\0"):
        raise TargetError("a credential holds a line break or NUL, which no HTTP header can carry")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def userinfo(url: str) -> tuple[str | None, str]:
    """``user:password`` of the URL (decoded) and the URL without it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return None, url
    return unquote(parts.netloc.rpartition("@")[0]), without_userinfo(url)


def parse_curl(stdout: str, stderr: str, url: str, via: str) -> list[Exchange]:
    """curl's dumped headers and ``#golive-result CODE SECONDS`` lines → one Exchange per transfer."""
    errors = [line.removeprefix("curl: ") for line in stderr.splitlines() if line.startswith("curl: (")]
    exchanges: list[Exchange] = []
    headers: dict[str, str] = {}
    for line in stdout.splitlines():
        line = line.rstrip("\r")
        if line.startswith(CURL_MARK):
            _, code, seconds = line.split()
            if code == "000":
                error = errors[len(exchanges)] if len(exchanges) < len(errors) else (errors or ["no answer"])[-1]
                exchanges.append(Exchange("GET", url, via, elapsed=float(seconds), error=_plain_curl(error)))
            else:
                exchanges.append(
                    Exchange("GET", url, via, int(code), shown_headers(headers.items()), "", float(seconds))
                )
            headers = {}
        elif line.startswith("HTTP/"):
            headers = {}
        elif ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if not exchanges:
        raise TargetError(f"curl printed no result for {url}: {shorten(stderr.strip(), 300, end=True)}")
    return exchanges


def _plain_curl(error: str) -> str:
    if error.startswith("(6)"):
        return f"the name does not resolve ({error})"
    if error.startswith("(7)"):
        kind = "connection refused" if "refused" in error.lower() else "cannot connect (refused or unreachable)"
        return f"{kind} ({error})"
    if error.startswith("(28)"):
        return f"no answer in time (timeout) ({error})"
    if error.startswith(("(60)", "(51)")):
        return f"the certificate does not verify, so the credential was not sent ({error})"
    if error.startswith("(77)"):
        return f"the ca_bundle cannot be read on the host ({error})"
    return error
