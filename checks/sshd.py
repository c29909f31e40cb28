"""The SSH daemon's effective settings (SEC-09), from ``sshd -T``."""

from __future__ import annotations

import shlex

from golive.checks.remote import RemoteHost, fact_command
from golive.errors import TargetError
from golive.evidence import Comparison, Verdict

NOT_INSTALLED = "__golive_no_sshd__"
SAFE_ROOT_LOGIN = ("no", "prohibit-password", "without-password", "forced-commands-only")


def sshd_command(config: str | None) -> str:
    config_option = f" -f {shlex.quote(config)}" if config else ""
    return (
        'PATH="$PATH:/usr/sbin:/sbin"; '
        f"command -v sshd >/dev/null 2>&1 || {{ echo {NOT_INSTALLED}; exit 0; }}; "
        f"sshd -T{config_option}"
    )


fact_command(lambda host: sshd_command(host.sshd.config))


def effective_settings(remote: RemoteHost, config: str | None) -> dict[str, str] | None:
    """sshd's effective settings (lowercase keys), or None when sshd is not installed."""
    result = remote.run(sshd_command(config))
    if NOT_INSTALLED in result.stdout:
        return None
    if not result.succeeded:
        raise TargetError(f"{remote.name}: sshd -T failed with exit {result.exit_status}: {result.stderr.strip()}")
    settings: dict[str, str] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        settings.setdefault(key.lower(), value.strip())
    return settings


def judge_password_logins(settings: dict[str, str]) -> Verdict:
    """Password authentication off (also through PAM keyboard-interactive), no root password login."""
    password = settings.get("passwordauthentication", "yes")
    keyboard = settings.get("kbdinteractiveauthentication", settings.get("challengeresponseauthentication", "no"))
    use_pam = settings.get("usepam", "no")
    root = settings.get("permitrootlogin", "prohibit-password")
    comparisons = [
        Comparison("passwordauthentication", password, "==", "no", password == "no"),
        Comparison(
            "kbdinteractiveauthentication with usepam", f"{keyboard} (usepam {use_pam})", "==", "no",
            keyboard == "no" or use_pam == "no",
        ),
        Comparison("permitrootlogin", root, "in", "/".join(SAFE_ROOT_LOGIN), root in SAFE_ROOT_LOGIN),
    ]  # fmt: skip
    return Verdict.from_comparisons(comparisons, "sshd settings")
