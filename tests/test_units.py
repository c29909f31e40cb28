import pytest

from golive.units import format_duration, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("26h", 93600),
        ("30d", 2592000),
        ("90s", 90),
        ("15m", 900),
        ("1h30m", 5400),
        ("500ms", 0.5),
        (45, 45),
        ("2w", 1209600),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["24hours", "", "h", "1 day", "-3h", "3x", True, -1])
def test_bad_durations_say_what_is_valid(text):
    with pytest.raises(ValueError, match="expected a duration like"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1GB", 10**9),
        ("1GiB", 2**30),
        ("500MB", 500 * 10**6),
        ("2gib", 2 * 2**30),
        ("10", 10),
        (1024, 1024),
        ("1.5KB", 1500),
    ],
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["1 gigabyte", "GB", "1PB", "-1GB", False])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="expected a size like"):
        parse_size(text)


def test_format_duration():
    assert format_duration(93600) == "1.1d"
    assert format_duration(5) == "5.0s"
