"""The batch script, run for real by sh, splits back into each command's own result."""

import subprocess

from golive.facts.wire import parse, script

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
    results = parse(done.stdout, COMMANDS, nonce)
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
    truncated = done.stdout[: done.stdout.index(f"begin {b'1'.hex()}")]  # the second key, hex-encoded
    first, second = parse(truncated, ["echo one", "echo two"], nonce)
    assert first.stdout == "one\n" and second is None


def test_secrets_in_a_fact_are_registered_when_it_arrives(tmp_path):
    from golive.facts import RemoteHost, fact_command
    from golive.inventory import Host
    from golive.redact import redact

    canary = "canary-fact-Q7v2"
    first, second = f"echo TOKEN={canary}", "echo other"
    fact_command(
        lambda host: first if host.name == "secretive" else None, secrets=lambda out: [out.split("=", 1)[1].strip()]
    )
    fact_command(lambda host: second if host.name == "secretive" else None)
    remote = RemoteHost(Host(name="secretive", backend="local://"))
    remote.run(second)  # any first use fetches the batch, and the finder sees the output at once
    assert redact(f"a log line repeating {canary}") == "a log line repeating [REDACTED]"


def test_invalid_utf8_is_replaced_not_raised():
    text, nonce = script(["printf 'caf\\351 \\377\\376 ok\\n'", "printf 'err \\377' >&2", "echo next"], timeout=5)
    done = subprocess.run(["sh", "-c", text], capture_output=True, timeout=30)
    first, second, third = parse(done.stdout, ["a", "b", "c"], nonce)
    assert first is not None and first.stdout == "caf\ufffd \ufffd\ufffd ok\n"
    assert second is not None and second.stderr == "err \ufffd"
    assert third is not None and third.stdout == "next\n"


def test_output_over_the_cap_is_cut_on_the_host():
    # `yes` never ends by itself: only the host-side cap can stop it before its timeout
    text, nonce = script(["yes", "yes >&2", "echo small"], timeout=60, cap=1000)
    done = subprocess.run(["sh", "-c", text], capture_output=True, timeout=30)
    assert len(done.stdout) < 3 * 1001 + 400
    out, err, small = parse(done.stdout, ["yes", "yes >&2", "echo small"], nonce, cap=1000)
    assert out is not None and out.overflow and len(out.stdout) == 1000
    assert err is not None and err.overflow
    assert small is not None and not small.overflow and small.stdout == "small\n"


def test_a_command_longer_than_one_argument_runs_with_its_status_timeout_and_no_input():
    """A command over 128 KiB (Linux's limit for one argument) cannot be ``sh -c COMMAND``: it
    still runs, keeps its output and status, is bounded by its timeout and reads no input,
    with the script itself arriving on standard input as a long batch does."""
    filler = "x'y" * 60_000  # quotes too: the command goes through the script's own quoting
    long = f": '{filler.replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'; "
    commands = [long + 'read -r line; echo "read [$line]"; echo err >&2; exit 5', long + "sleep 30", "echo after"]
    assert all(len(command) > 131_072 for command in commands[:2])
    text, nonce = script(commands, timeout=1)
    done = subprocess.run(["sh", "-s"], input=text + "echo the rest of the script\n", capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    results = parse(done.stdout, commands, nonce)
    assert [(r.exit_status, r.stdout, r.stderr) for r in results] == [
        (5, "read []\n", "err"),
        (124, "", ""),
        (0, "after\n", ""),
    ]
    assert done.stdout.endswith("the rest of the script\n")
