"""The sshd judge, on `sshd -T` settings captured from Debian 12."""

import pytest

from golive.checks.sshd import judge_password_logins

DEBIAN_DEFAULT = {"usepam": "yes", "permitrootlogin": "without-password", "passwordauthentication": "yes",
                  "kbdinteractiveauthentication": "no"}  # fmt: skip
HARDENED = {**DEBIAN_DEFAULT, "passwordauthentication": "no"}


def test_debian_default_allows_passwords():
    verdict = judge_password_logins(DEBIAN_DEFAULT)
    assert not verdict.passed
    assert "passwordauthentication: yes, expected no" in verdict.summary


def test_hardened_passes():
    assert judge_password_logins(HARDENED).passed


@pytest.mark.parametrize(
    "change",
    [{"permitrootlogin": "yes"}, {"kbdinteractiveauthentication": "yes"}],
)
def test_root_password_login_or_pam_keyboard_interactive_fails(change):
    assert not judge_password_logins({**HARDENED, **change}).passed


def test_keyboard_interactive_without_pam_is_not_a_password_path():
    assert judge_password_logins({**HARDENED, "kbdinteractiveauthentication": "yes", "usepam": "no"}).passed
