"""A small Python web service installed by hand as a systemd unit on ``sd``: REL-13/14, SEC-12/13, CHG-05/06.

``notes.service`` is what a volunteer deploys on a Debian server: its own system user
``notes``, a virtualenv in ``/opt/notes/venv`` (``--system-site-packages``: its one
pinned dependency, PyYAML, is Debian's ``python3-yaml``, pinned in
``/opt/notes/requirements.txt``; ``--without-pip``: nothing is ever installed into it,
and what CHG-05 reads is its ``pyvenv.cfg`` and the distributions' metadata, never
pip), an EnvironmentFile holding its database password,
a YAML config and a TOML limits file under ``/etc/notes``, a data directory
``/var/lib/notes`` it writes notes into, and a hardened unit that restarts on failure.
It answers ``GET /health`` on 127.0.0.1:8080 (from the host only: an internal endpoint).

The faults change the deployment for real, one file or one setting each: the env
file made world-readable and given to another user, a required key removed from the
config, the limits file broken, the unit rewritten to run as root unconfined with
``Restart=no``, a declared package removed with dpkg, the requirements pinning a
version the venv does not have, the data directory handed to root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.process import shell_wait_for

Shell = Callable[[str], str]
"""Runs a shell command on sd, returns its output, raises on failure."""

UNIT = "notes.service"
PORT = 8080
ENV_FILE = "/etc/notes/notes.env"
CONFIG = "/etc/notes/config.yaml"
LIMITS = "/etc/notes/limits.toml"
DATA = "/var/lib/notes"
VENV = "/opt/notes/venv"
REQUIREMENTS = "/opt/notes/requirements.txt"
ENV_CANARY = "envfilecanary-Qm4Tz8Rw"
PINNED = "PyYAML==6.0"
DRIFTED = "PyYAML==6.0.1"

APP = """\
import http.server, json, os, sys
import yaml

config = yaml.safe_load(open(sys.argv[1])) or {}
listen = config.get("listen") or {}
data = (config.get("storage") or {}).get("path", "/var/lib/notes")
if not os.environ.get("NOTES_DB_PASSWORD"):
    sys.exit("NOTES_DB_PASSWORD is not set")


class Notes(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"status": "ok", "notes": len(os.listdir(data))}).encode()
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer((listen.get("host", "127.0.0.1"), int(listen.get("port", 8080))), Notes).serve_forever()
"""
CONFIG_TEXT = f"listen:\n  host: 127.0.0.1\n  port: {PORT}\nstorage:\n  path: {DATA}\n  max_note_kib: 64\n"
LIMITS_TEXT = 'title = "notes limits"\n[requests]\nper_minute = 120\n'
ENV_TEXT = f"# notes.service environment\nNOTES_DB_PASSWORD={ENV_CANARY}\nNOTES_MODE=production\n"
HARDENING = """\
ProtectSystem=strict
ReadWritePaths=/var/lib/notes
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
IPAddressDeny=any
IPAddressAllow=localhost
UMask=0077
DevicePolicy=closed
"""


def unit_text(hardened: bool = True, restart: str = "on-failure") -> str:
    """The unit: as deployed (notes, hardened, restarting), or as a hurried fix left it."""
    service = f"# hardening\nUser=notes\nGroup=notes\n{HARDENING}# end of hardening\n" if hardened else ""
    return (
        "[Unit]\nDescription=notes web API\nAfter=network.target\n\n"
        f"[Service]\n{service}EnvironmentFile={ENV_FILE}\nEnvironmentFile=-/etc/notes/local.env\n"
        f"ExecStart={VENV}/bin/python /opt/notes/app.py {CONFIG}\nRestart={restart}\nRestartSec=1\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )


def _write(path: str, text: str) -> str:
    return f"cat > {path} <<'NOTES'\n{text}NOTES\n"


def deploy(sh: Shell) -> None:
    """Install notes.service the way the runbook says, start it, wait until it answers."""
    sh(
        "id notes >/dev/null 2>&1 || useradd --system --home-dir /var/lib/notes --shell /usr/sbin/nologin notes\n"
        f"mkdir -p /opt/notes /etc/notes {DATA}\n"
        + _write("/opt/notes/app.py", APP)
        + _write(REQUIREMENTS, f"# notes' pinned dependencies\n{PINNED}\n")
        + _write(CONFIG, CONFIG_TEXT)
        + _write(LIMITS, LIMITS_TEXT)
        + _write(ENV_FILE, ENV_TEXT)
        + _write(f"/etc/systemd/system/{UNIT}", unit_text())
        + f"[ -x {VENV}/bin/python ] || python3 -m venv --without-pip --system-site-packages {VENV}\n"
        f"chown root:notes {ENV_FILE} {CONFIG} {LIMITS} && chmod 0640 {ENV_FILE} {CONFIG} {LIMITS}\n"
        f"chown notes:notes {DATA} && chmod 0750 {DATA}\n"
        f"systemctl daemon-reload && systemctl enable --now {UNIT}"
    )
    sh(_ANSWERING)


# notes' /health polled from inside sd, in one command
_ANSWERING = shell_wait_for(
    f"python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{PORT}/health', timeout=2)\" "
    "2>/dev/null",
    20,
    f"sd: notes.service answering on 127.0.0.1:{PORT}",
)


def restart(sh: Shell) -> None:
    sh(f"systemctl daemon-reload && systemctl restart {UNIT}\n{_ANSWERING}")


def env_file_world_readable(sh: Shell) -> None:
    """SEC-13: the env file 0644 and owned by nobody (copied over by hand)."""
    sh(f"chown nobody:nogroup {ENV_FILE} && chmod 0644 {ENV_FILE}")


def config_key_missing(sh: Shell) -> None:
    """REL-14: storage.max_note_kib removed from config.yaml (the service starts; uploads would fail)."""
    sh(f"sed -i '/max_note_kib/d' {CONFIG}")


def config_broken(sh: Shell) -> None:
    """REL-14: limits.toml edited by hand into something TOML does not parse."""
    sh(f"printf '[requests\\nper_minute = 120\\n' > {LIMITS}")


def unit_as_root_unconfined(sh: Shell) -> None:
    """SEC-12: User= and every hardening setting removed from the unit ("it works as root")."""
    sh(f"sed -i '/^# hardening$/,/^# end of hardening$/d' /etc/systemd/system/{UNIT}")
    restart(sh)


def restart_no(sh: Shell) -> None:
    """REL-13: Restart=no: after its next crash the service stays down."""
    sh(f"sed -i 's/^Restart=on-failure$/Restart=no/' /etc/systemd/system/{UNIT}")
    restart(sh)


def package_removed(sh: Shell) -> None:
    """CHG-05: python3-venv, a declared package, removed (the venv still runs)."""
    sh("dpkg --remove python3-venv >/dev/null")


def requirements_drifted(sh: Shell) -> None:
    """CHG-05: the requirements now pin a release the venv was never upgraded to."""
    sh(f"sed -i 's/^{PINNED}$/{DRIFTED}/' {REQUIREMENTS}")


def data_dir_not_writable(sh: Shell) -> None:
    """CHG-06: the data directory handed to root (0755): notes can no longer write to it."""
    sh(f"chown root:root {DATA} && chmod 0755 {DATA}")


def declarations() -> list[dict[str, Any]]:
    """The inventory's ``services`` entry for notes."""
    return [
        {
            "unit": UNIT,
            "user": "notes",
            "config": [
                {
                    "path": CONFIG,
                    "format": "yaml",
                    "required_keys": ["listen.port", "storage.path", "storage.max_note_kib"],
                },
                {"path": LIMITS, "format": "toml", "required_keys": ["requests.per_minute"]},
            ],
            "env_files": [{"path": ENV_FILE, "required_keys": ["NOTES_DB_PASSWORD"]}],
            "packages": ["python3-yaml >= 6.0", "python3-venv"],
            "venv": {"path": VENV, "requirements": REQUIREMENTS},
            "paths": [
                {
                    "path": DATA,
                    "type": "directory",
                    "owner": "notes",
                    "group": "notes",
                    "mode": "0750",
                    "writable_by": "notes",
                },
                {"path": "/opt/notes", "type": "directory", "owner": "root", "not_writable_by": "notes"},
                {"path": CONFIG, "type": "file", "owner": "root", "group": "notes", "mode": "0640"},
            ],
        }
    ]
