"""df parsing and judging, on output captured from real hosts."""

from golive.checks.disk import judge_usage, parse_df
from golive.inventory import DiskPolicy

# captured from the development VM (GNU coreutils df -P -T -k)
GNU_DF = """Filesystem              Type     1024-blocks     Used Available Capacity Mounted on
devtmpfs                devtmpfs    12334492        0  12334492       0% /dev
tmpfs                   tmpfs       24684092        0  24684092       0% /dev/shm
/dev/vda                ext4       264212084 23700248  82690664      23% /
/dev/loop3              ext4            3791     3473        31      100% /mnt/with space
"""
# busybox df -P -T -k prints the same columns
BUSYBOX_DF = """Filesystem           Type       1024-blocks    Used Available Capacity Mounted on
overlay              overlay       264212084  23700248  82690664  23% /
/dev/vda             ext4          264212084  23700248  82690664  23% /etc/hosts
"""


def test_parses_gnu_and_busybox_df():
    found = parse_df(GNU_DF)
    assert [fs.mount for fs in found] == ["/dev", "/dev/shm", "/", "/mnt/with space"]
    root = found[2]
    assert (root.fstype, root.used_kib, root.available_kib) == ("ext4", 23700248, 82690664)
    assert root.used_percent == 22.3
    assert found[3].used_percent == 99.2
    assert [fs.mount for fs in parse_df(BUSYBOX_DF)] == ["/", "/etc/hosts"]


def test_judge_ignores_pseudo_filesystems_and_fails_the_full_one():
    verdict = judge_usage(parse_df(GNU_DF), DiskPolicy(), 90)
    assert not verdict.passed
    assert "/mnt/with space" in verdict.summary and "99.2%, must be less than 90%" in verdict.summary
    assert [c.subject.split(" ")[0] for c in verdict.comparisons] == ["/", "/mnt/with"]


def test_declared_mounts_are_judged_even_if_tmpfs_and_must_exist():
    policy = DiskPolicy(mounts=("/dev/shm",))
    assert judge_usage(parse_df(GNU_DF), policy, 90).passed
    missing = judge_usage(parse_df(GNU_DF), DiskPolicy(mounts=("/srv",)), 90)
    assert not missing.passed and "not mounted: /srv" in missing.summary


def test_no_filesystem_selected_is_a_failure_not_a_pass():
    verdict = judge_usage(parse_df(GNU_DF), DiskPolicy(ignore_types=("ext4", "tmpfs", "devtmpfs")), 90)
    assert not verdict.passed
