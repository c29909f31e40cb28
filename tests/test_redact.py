import pytest

from golive.evidence import CUT_MARGIN, MAX_LINE_CHARS, MAX_REDACTED_CHARS, _cleaned, clean
from golive.redact import MASK, Redactor, bounded, shorten


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
        # a value after a file-like name that is not a line number is still masked
        ("token.go:82:hunter2hunter2", "hunter2hunter2"),
        ("secret.py: hunter2hunter2", "hunter2hunter2"),
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
        # a logger's caller: a file named after a keyword, and its line
        "2026-03-01T10:00:00Z WARN management/internals/shared/grpc/token_mgr.go:82: failed to refresh",
        "ERROR [secrets.py:120] vault sealed",
        "2026-12-03T09:01:02Z [ERROR] [/server/middleware/security/idtoken.go:61]: failed to verify",
        "at TokenService.java:57:13 in refresh",
    ],
)
def test_ordinary_settings_are_kept(text):
    assert Redactor()(text) == text


def test_clean_strips_control_codes_and_bounds_size():
    text = clean(b"\x1b[31mred\x1b[0m \x00nul \xff" + b"x" * 20000)
    assert "\x1b" not in text and "\x00" not in text
    assert "red" in text and "\ufffd" in text
    assert "chars cut" in text and len(text) < 9000


TOKEN = "ghp_" + "a1B2c3D4e5" * 4  # a token format recognized only whole (20+ characters)


def test_clean_redacts_before_it_cuts_a_line():
    line = "x" * (MAX_LINE_CHARS - 10) + " " + TOKEN + " after"
    out = clean(line)
    assert "ghp_" not in out and "a1B2c3" not in out
    assert "chars cut" in out


@pytest.mark.parametrize("end", [False, True])
def test_shorten_never_leaves_part_of_a_secret(end):
    text = "w" * 190 + " " + TOKEN + " " + "v" * 190
    out = shorten(text, 200, end=end)
    assert len(out) == 200
    assert "a1B2" not in out and "c3D4" not in out


def test_a_cut_before_redaction_drops_the_token_it_goes_through():
    assert bounded("keep this tok3n-secret", 15) == "keep this "
    assert bounded("keep this tok3n-secret", 10) == "keep this "  # the cut falls on a space: nothing to drop
    assert bounded("s3cr3t-tail and the end", 12, end=True) == " and the end"
    assert bounded("one-long-token", 5) == "" and bounded("short", 10) == "short"


def test_the_end_of_a_key_block_without_its_beginning_is_masked():
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nQ2hlY2tzdW0\n-----END RSA PRIVATE KEY-----\nnext line"
    cut = block[block.index("MIIE") + 6 :]
    out = Redactor()(cut)
    assert "Q2hlY2tzdW0" not in out and out.endswith("-----END RSA PRIVATE KEY-----\nnext line")


def test_redaction_is_stable_when_applied_twice():
    text = "Authorization: Bearer abc.def password=hunter22 https://u:pw12@h/x\n" + TOKEN
    once = Redactor()(text)
    assert Redactor()(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASSWORD=hunter2hunter2 and PWD=/root Secret: x api-key=k1 ACCESS_KEY=z credentials=c",
        "Authorization: Bearer abc; X-Auth-Token: t; Set-Cookie: s=1",
        "https://u:p@h/ -----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----",
        f"{TOKEN} github_pat_{'x' * 22} glpat-{'y' * 22} AKIAABCDEFGHIJKLMNOP xoxb-1234567890ab sk-{'z' * 22}",
        "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f",
        "nothing secret here, an ordinary error line with id 42",
    ],
)
def test_skipping_rules_by_their_strings_changes_nothing(text):
    # non-ASCII text runs every rule: the outputs must agree
    assert Redactor()(text + "\né") == Redactor()(text) + "\né"


def test_a_huge_text_is_cut_before_redaction_without_leaving_part_of_a_secret():
    head = MAX_REDACTED_CHARS * 3 // 4
    text = "w\n" * ((head - 10) // 2) + TOKEN + "\n" + "v\n" * MAX_REDACTED_CHARS
    assert text.index(TOKEN) < head < text.index(TOKEN) + len(TOKEN)
    out = clean(text, limit=4 * MAX_REDACTED_CHARS)
    assert "ghp_" not in out and "a1B2" not in out
    assert "chars cut" in out and out.startswith("w\nw")


# What the rules, applied one after another, made of tricky text: the single scan must
# redact the same (known values: "hunter2hunter2" and "x-oauth-basic").
SAME_AS_ONE_RULE_AT_A_TIME = [
    ("Authorization: Bearer eyJhbGciOi.payload", "Authorization: Bearer [REDACTED]"),
    ("proxy-authorization: Basic Zm9vOmJhcg==", "proxy-authorization: Basic [REDACTED]"),
    ("xauthorization: abc", "xauthorization: abc"),
    ("AUTHORIZATION=token abc123,next", "AUTHORIZATION=token [REDACTED],next"),
    ("Authorization: abc", "Authorization:  [REDACTED]"),
    (
        "DB_PASSWORD=hunter2hunter2 and PWD=/root Secret: x api-key=k1 ACCESS_KEY=z credentials=c",
        "DB_PASSWORD=[REDACTED] and PWD=[REDACTED] Secret: [REDACTED] api-key=[REDACTED] ACCESS_KEY=[REDACTED] "
        "credentials=[REDACTED]",
    ),
    ('{"api_key": "abcd1234efgh", "token" : "t0k3n"}', '{"api_key": "[REDACTED]", "token" : "[REDACTED]"}'),
    ("{'secret': 'v4lue'}", "{'secret': '[REDACTED]'}"),
    ("password:\n  hunter2", "password:\n  [REDACTED]"),
    ("password: [REDACTED]", "password: [REDACTED]"),
    ("passwordauthentication: yes == no", "passwordauthentication: yes == no"),
    ("my_password=abc x.token-name=def", "my_password=[REDACTED] x.token-name=[REDACTED]"),
    ("postgres://app:pa55word@db:5432/app", "postgres://app:[REDACTED]@db:5432/app"),
    (f"https://{TOKEN}:x-oauth-basic@github.com/o/r.git", "https://[REDACTED]:[REDACTED]@github.com/o/r.git"),
    ("http://h/?token=abc&password=def", "http://h/?token=[REDACTED]&password=[REDACTED]"),
    ("Set-Cookie: id=a3fWa; Expires=Thu", "Set-Cookie: [REDACTED]"),
    ("X-Auth-Token: t; X-API-Key: k", "X-Auth-Token: [REDACTED]"),
    ("x-api-key without separator then api_key=v", "x-api-key without separator then api_key=[REDACTED]"),
    (
        f"{TOKEN} github_pat_{'x' * 22} glpat-{'y' * 22} AKIAABCDEFGHIJKLMNOP xoxb-1234567890ab sk-{'z' * 22}",
        " ".join([MASK] * 6),
    ),
    ("task-abcdefghijklmnopqrstuvwxyz disk-abcdefghijklm", "task-abcdefghijklmnopqrstuvwxyz disk-abcdefghijklm"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nafter token=x",
        "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\nafter token=[REDACTED]",
    ),
    (
        "-----BEGIN EC PRIVATE KEY-----\nunterminated",
        "-----BEGIN EC PRIVATE KEY-----[REDACTED]-----END EC PRIVATE KEY-----",
    ),
    (
        "tail of a key\nQ2hlY2tzdW0\n-----END RSA PRIVATE KEY-----\nnext password=p",
        "[REDACTED]-----END RSA PRIVATE KEY-----\nnext password=[REDACTED]",
    ),
    (
        "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
    ),
    ("PASSWORD=Grüße token=ünïcode", "PASSWORD=[REDACTED] token=[REDACTED]"),
    ("paſsword=longs AUTHORİZATİON: x", "paſsword=[REDACTED] AUTHORİZATİON:  [REDACTED]"),
    ("ACCESS-KEY: val; private_key=pk", "ACCESS-KEY: [REDACTED]; private_key=[REDACTED]"),
    ("auth token=abc123 api.token.v2=xyz", "auth token=[REDACTED] api.token.v2=[REDACTED]"),
]


@pytest.mark.parametrize(("text", "expected"), SAME_AS_ONE_RULE_AT_A_TIME)
def test_one_scan_redacts_as_the_rules_one_at_a_time_did(text, expected):
    assert Redactor(["hunter2hunter2", "x-oauth-basic"])(text) == expected


def test_a_url_password_holding_a_pair_is_masked_whole():
    # the rules one at a time masked "abc@host/" as the token's value; one scan masks
    # the URL's password: either way nothing of it is left
    assert Redactor()("https://user:token=abc@host/") == "https://user:[REDACTED]@host/"


def test_a_known_value_spanning_a_rule_is_masked_whole():
    # a passphrase with spaces: the pair rule alone would mask its first word only
    redactor = Redactor(["correct horse battery staple"])
    assert redactor("password=correct horse battery staple") == "password=[REDACTED]"


def test_redacted_text_is_not_redacted_again():
    redactor = Redactor()
    once = redactor("Authorization: abc")  # the rule adds a space before the mask each time it runs
    assert redactor(once) is once
    assert redactor(redactor(once)) == once == "Authorization:  [REDACTED]"


def test_a_new_secret_applies_to_text_redacted_before():
    redactor = Redactor()
    assert redactor("connect with s3cr3t-value") == "connect with s3cr3t-value"
    redactor.add(["s3cr3t-value"])
    assert redactor("connect with s3cr3t-value") == f"connect with {MASK}"


def test_a_text_far_longer_than_its_limit_keeps_what_cleaning_it_whole_keeps():
    """Only the two ends that can be kept are cleaned, each with a margin: what is kept is
    what cleaning the whole text, then cutting it, keeps. Secrets and a key block straddle
    the points where the margins end, and the points where the kept parts end."""
    limit = 2000
    key = "-----BEGIN PRIVATE KEY-----\n" + "QUJD\n" * 40 + "-----END PRIVATE KEY-----\n"
    body = "".join(f"\x1b[31mline {i} password=hunter{i:04d} token={TOKEN}\x1b[0m\n" for i in range(9000))
    text = f"{key}x{body}{key}"
    assert len(text) > limit + 2 * CUT_MARGIN
    for at in (limit * 3 // 4 - 10, limit * 3 // 4 + CUT_MARGIN - 10, len(text) - limit // 4 - CUT_MARGIN - 30):
        text = text[:at] + key + text[at:]
    whole = _cleaned(text)
    out = clean(text, limit)
    head, _, tail = out.partition("\n… [")
    assert head == whole[: limit * 3 // 4]
    assert tail.split("] …\n", 1)[1] == whole[-limit // 4 :]
    assert "hunter" not in out and "ghp_" not in out and "QUJD" not in out and "\x1b" not in out
