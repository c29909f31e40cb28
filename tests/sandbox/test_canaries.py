"""Canary secrets planted where targets leak them never reach HTML, JSON, JUnit or the terminal.

On a real sandbox host: a container whose environment holds a token and whose logs
repeat it (with a password= line, an api_key= line and a bearer header, and in lines
long enough that a cut, on the host or for display, goes through the token), an
endpoint whose URL carries credentials and whose request sends a token from a named
environment variable, and a service's EnvironmentFile whose
password the container's log repeats too (only its registration when the file is read
can hide it there). No part of a canary may show: not the value, not its letters
in a suggested pattern id, not the half a cut leaves.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from golive.checks.logs import HOST_LINE_CHARS
from golive.evidence import MAX_LINE_CHARS
from sandbox.fleet import Fleet
from sandbox.images import BUSYBOX_IMAGE

REPO = Path(__file__).resolve().parents[2]
ENV_CANARY = "envcanary-5Kq9w2Lz"
LOG_CANARY = "logcanary-p8Xc3Vb1"
URL_CANARY = "urlcanary-H4nT6mQe"
TOKEN_CANARY = "tokencanary-Zr7Yd2Wk"
API_KEY_CANARY = "apikeycanary-Tq3Lm8Rs"
LONG_CANARY = "longcanary-Mx7Qp2Vn" + "Hs4Kd9Wb" * 3
JWT = f"eyJ{'a' * 1200}.eyJ{'b' * 1200}.{'c' * 90}"
FILE_CANARY = "filecanary-Wd5Hx2Pq"
ENV_FILE = "/srv/canary/notes.env"
CANARIES = (ENV_CANARY, LOG_CANARY, URL_CANARY, TOKEN_CANARY, API_KEY_CANARY, LONG_CANARY, FILE_CANARY)
DISPLAY_CUT, HOST_CUT = MAX_LINE_CHARS, HOST_LINE_CHARS


def _straddling(cut: int, word: str, filler: str = "") -> str:
    """An error line whose long environment token a cut at ``cut`` goes through: the token
    begins 45 characters before it in the message, and docker's timestamp (20 to 31
    characters) comes first in the line. ``filler`` goes first (a token that redaction
    shortens brings the cut's place into what is shown)."""
    prefix = f"ERROR {word} {filler}"
    return f"echo '{prefix}{'q' * (cut - 45 - len(prefix) - 1)}' \"$SESSION_TOKEN\" then more words; "


def _fragments(canary: str) -> tuple[str, ...]:
    """What an output could keep of a canary: the value, its letters (a slug), either half."""
    half = len(canary) // 2
    return canary.lower(), canary.split("-")[0], canary[:half].lower(), canary[half:].lower()


def _unpacked(page: str) -> str:
    """The facts' outputs the page carries compressed (gzip in base64), as text."""
    blocks = re.findall(r'<script type="application/x-golive-facts" id="[^"]*">([^<]*)</script>', page)
    chunks = [json.loads(gzip.decompress(base64.b64decode(block))) for block in blocks]
    return "\n".join(text for chunk in chunks for outputs in chunk.values() for text in outputs)


def test_no_canary_reaches_any_output(fleet: Fleet, tmp_path: Path):
    h1 = fleet.hosts[0]
    script = (
        f'echo "ERROR cannot reach upstream with token $API_TOKEN"; '
        f"echo 'ERROR login failed password={LOG_CANARY}'; "
        f"echo 'ERROR upstream said Authorization: Bearer {LOG_CANARY}'; "
        f"echo 'ERROR database rejected {FILE_CANARY}'; "
        f"echo 'ERROR request failed api_key={API_KEY_CANARY} status=500'; "
        f"{_straddling(DISPLAY_CUT, 'shown')}{_straddling(HOST_CUT, 'read', JWT + ' ')}sleep 100000"
    )
    name = "golive-canary"
    h1.engine.docker("rm", "-f", name, check=False)
    h1.engine.docker(
        "run", "-d", "--name", name, "--network", "none",
        "-e", f"API_TOKEN={ENV_CANARY}", "-e", f"SESSION_TOKEN={LONG_CANARY}",
        BUSYBOX_IMAGE.tag, "sh", "-c", script,
    )  # fmt: skip
    subprocess.run([*h1.enter(), "sh", "-c", f"mkdir -p /srv/canary && umask 077 && "
                    f"printf 'NOTES_MODE=production\\nNOTES_DB_PASSWORD={FILE_CANARY}\\n' > {ENV_FILE}"],
                   check=True)  # fmt: skip
    try:
        web = fleet.describe()["services"]["web"]
        port = web["ports"]["https"]
        described = fleet.describe()["hosts"]["h1"]
        inventory = tmp_path / "hosts.yaml"
        inventory.write_text(
            "credentials:\n  api: {token_env: GOLIVE_CANARY_TOKEN}\n"
            "hosts:\n"
            f"  h1:\n    backend: '{described['spec']}'\n    ssh_config: '{described['ssh_config']}'\n"
            "    endpoints:\n"
            f"      - {{name: creds, url: 'https://user:{URL_CANARY}@127.0.0.1:{port}/missing',"
            f" server_name: ok.golive.test, ca_bundle: '{web['ca_bundle']}', credential: api}}\n"
            "    services:\n"
            f"      - {{unit: notes.service, env_files: [{{path: {ENV_FILE}, required_keys: [NOTES_DB_PASSWORD]}}]}}\n"
        )
        reports = tmp_path / "reports"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests_infra", "-rA",
             f"--inventory={inventory}", f"--report-dir={reports}", f"--junitxml={reports / 'junit.xml'}"],
            cwd=REPO, capture_output=True, text=True, timeout=300,
            env={**os.environ, "GOLIVE_CANARY_TOKEN": TOKEN_CANARY},
        )  # fmt: skip
        assert result.returncode == 1, result.stdout[-3000:]
        record = json.loads((reports / "readiness.json").read_text())
        ran = {c["id"]: c for c in record["criteria"] if c["instances"]}
        assert "LOG-03" in ran and "AVL-01" in ran and "REL-14" in ran  # the leaking places were really read
        rel14 = next(i for i in ran["REL-14"]["instances"] if i["target"] == "h1/notes")
        assert rel14["outcome"] == "passed", rel14["message"]  # the env file was read
        outputs = {
            "terminal": result.stdout + result.stderr,
            "json": (reports / "readiness.json").read_text(),
            "html": (reports / "readiness.html").read_text(),
            "junit": (reports / "junit.xml").read_text(),
        }
        outputs["html (packed facts)"] = _unpacked((reports / "readiness.html").read_text())
        assert outputs["html (packed facts)"], "the page packs the facts' outputs"
        for where, text in outputs.items():
            for canary in CANARIES:
                for fragment in _fragments(canary):
                    assert fragment not in text.lower(), f"{fragment!r} of {canary} leaked into {where}"
        assert "cannot reach upstream with token [REDACTED]" in outputs["json"]
        assert "api_key=[REDACTED] status=" in outputs["json"]  # the line was read, and shown redacted
        assert "ERROR shown qqq" in outputs["json"] and "ERROR read [REDACTED] qqq" in outputs["json"]
        assert "database rejected [REDACTED]" in outputs["json"]
    finally:
        h1.engine.docker("rm", "-f", name, check=False)
