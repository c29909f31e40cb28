"""An HTTP request made FROM a host (an ``internal`` endpoint): curl, else python3, else wget.

A Debian server installed by hand often has no curl; a busybox-only host has wget and
no python. The command tries, on the host, in this order:

- ``curl`` (``checks/http.py``'s ``curl_command``);
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
