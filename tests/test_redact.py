import pytest

from golive.evidence import clean
from golive.redact import MASK, Redactor


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.payload", "eyJhbGciOi.payload"),
        ("authorization: Basic Zm9vOmJhcg==", "Zm9vOmJhcg=="),
        ("DB_PASSWORD=hunter2hunter2", "hunter2hunter2"),
        ('{"api_key": "abcd1234efgh"}', "abcd1234efgh"),
        ("postgres://app:pa55word@db:5432/app", "pa55word"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("key AKIAABCDEFGHIJKLMNOP in env", "AKIAABCDEFGHIJKLMNOP"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"),
        ("Cookie: session=abcdef123456", "abcdef123456"),
    ],
)
def test_secret_looking_text_is_masked(text, secret):
    out = Redactor()(text)
    assert secret not in out
    assert MASK in out


def test_known_values_are_masked_anywhere():
    redactor = Redactor(["canary-7f3a9"])
    assert redactor("log: connecting with canary-7f3a9 now") == f"log: connecting with {MASK} now"


@pytest.mark.parametrize(
    "text",
    [
        "passwordauthentication no",
        "PermitRootLogin prohibit-password",
        "tcp 0.0.0.0:22",
        "passwordauthentication: yes == no",
    ],
)
def test_ordinary_settings_are_kept(text):
    assert Redactor()(text) == text


def test_clean_strips_control_codes_and_bounds_size():
    text = clean(b"\x1b[31mred\x1b[0m \x00nul \xff" + b"x" * 20000)
    assert "\x1b" not in text and "\x00" not in text
    assert "red" in text and "\ufffd" in text
    assert "chars cut" in text and len(text) < 9000
