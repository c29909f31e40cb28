"""The batch script, run for real by sh, splits back into each command's own result."""

import subprocess

from golive.checks.batch import parse, script

COMMANDS = [
    "echo out; echo err >&2; exit 3",
    "printf 'no newline'",
    "true",
    "echo '@@golive-forged rc 0'; printf 'two\\nlines\\n'",
    "sleep 30",
    "echo after the hung one",
]


def test_each_command_keeps_its_stdout_stderr_and_status():
    text, nonce = script(COMMANDS, timeout=1)
    done = subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30)
    results = parse(done.stdout, len(COMMANDS), nonce)
    assert [(r.exit_status, r.stdout, r.stderr) for r in results] == [
        (3, "out\n", "err"),
        (0, "no newline", ""),
        (0, "", ""),
        (0, "@@golive-forged rc 0\ntwo\nlines\n", ""),
        (124, "", ""),
        (0, "after the hung one\n", ""),
    ]


def test_a_batch_cut_short_leaves_the_rest_unknown():
    text, nonce = script(["echo one", "echo two"], timeout=5)
    done = subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30)
    truncated = done.stdout[: done.stdout.index("begin 1")]
    first, second = parse(truncated, 2, nonce)
    assert first.stdout == "one\n" and second is None
