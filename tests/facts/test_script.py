"""Sections scripts, run for real by sh: any key, and framing no file content can forge."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from golive import facts as sections
from golive.checks import systemd
from golive.inventory import SystemdPolicy

TEMPLATED = ("wg-quick@wg0.service", "getty@tty1.service", "dev-disk-by\\x2duuid-0a1b.device", "it's a:unit")


def run(script: str) -> str:
    return subprocess.run(["sh", "-c", script], capture_output=True, timeout=30).stdout.decode()


def test_templated_and_escaped_unit_names_are_section_keys():
    wanted = systemd.sections(SystemdPolicy(units=TEMPLATED), ())
    echoed = [sections.Section(part.key, f"echo {sections.quote(part.key)}") for part in wanted]
    found = sections.parse(run(sections.script(echoed)))
    for unit in TEMPLATED:
        assert found[f"unit:{unit}"] == sections.Output(f"unit:{unit}", 0)


def test_forged_markers_in_a_private_file_cannot_end_its_section(tmp_path: Path):
    canary = "private-canary-7Qx"
    forged = [
        "@@golive:rc=0",  # the fixed markers sections printed before
        "@@golive:public",
        f"@@golive-{'0' * 16} section 7075626c6963",
        f"@@golive-{'0' * 16} section rc=0",
        f"@@golive-{'0' * 16} rc 0",  # the wire format's lines, with a nonce the file cannot know
        f"@@golive-{'0' * 16} end",
    ]
    secret = tmp_path / ".env"
    secret.write_text("\n".join([*forged, canary, "DB_PASSWORD=hunter2", ""]))
    parts = [sections.Section("env", f"cat -- {sections.quote(str(secret))}", private=True),
             sections.Section("public", "echo shown")]  # fmt: skip
    stdout = run(sections.script(parts))
    shown = sections.withheld(stdout, parts)
    assert canary not in shown and "hunter2" not in shown
    assert "[8 line(s) of file contents withheld]" in shown and "shown" in shown
    found = sections.parse(stdout)
    assert found["env"].text.splitlines()[-2:] == [canary, "DB_PASSWORD=hunter2"]
    assert found["public"] == sections.Output("shown", 0)


def test_a_script_read_by_many_tests_is_split_and_withheld_once_per_host(tmp_path: Path):
    """Each test gets the sections and the evidence (private sections withheld) as if it
    were the only reader; the host splits the output once."""
    from golive import evidence
    from golive.facts import RemoteHost
    from golive.inventory import Host

    secret = tmp_path / ".env"
    secret.write_text("DB_PASSWORD=hunter2\nAPI=x\n")
    parts = [sections.Section("env", f"cat -- {sections.quote(str(secret))}", private=True),
             sections.Section("public", "echo shown")]  # fmt: skip
    remote = RemoteHost(Host(name="split-once", backend="local://"))
    readers = [evidence.Evidence() for _ in range(3)]
    found = []
    for recorded in readers:
        with evidence.collecting(recorded):
            found.append(sections.run(remote, parts))
    assert found[0] == found[1] == found[2] and found[0] is not found[1]
    assert found[0]["public"] == sections.Output("shown", 0)
    found[0].clear()  # one reader's copy: the others' stay whole
    assert sections.run(remote, parts)["env"].text == "DB_PASSWORD=hunter2\nAPI=x"
    shown = [recorded.entries[0]["stdout"] for recorded in readers]
    expected = "[env] exit 0\n[2 line(s) of file contents withheld]\n[public] exit 0\nshown"
    assert shown[0] == shown[1] == shown[2] == expected
    # the same commands with no private section: shown whole, not taken from the other's evidence
    with evidence.collecting(open_reader := evidence.Evidence()):
        sections.run(remote, [sections.Section(p.key, p.command) for p in parts])
    assert "hunter2" not in open_reader.entries[0]["stdout"]  # redacted as a password pair
    assert "API=x" in open_reader.entries[0]["stdout"]


def test_the_json_a_section_printed_is_read_apart_from_the_warnings_merged_into_it() -> None:
    """A program's stderr lines before its JSON (even ones opening with a bracket, as restic's
    progress lines do) or after it are set aside; output with no JSON is an error."""
    from golive.facts import json_value

    snapshots = '[{"id": "4711", "time": "2026-12-01T03:00:00Z"}]'
    progress = "repository 1a2b opened (version 2)\n[0:00] 100.00%  1 / 1 index files loaded\n"
    assert json_value(progress + snapshots + "\nWARNING: one after it\n") == [
        {"id": "4711", "time": "2026-12-01T03:00:00Z"}
    ]
    assert json_value('Warning: [x]\n{\n  "archives": []\n}\n') == {"archives": []}
    for nothing in ("", "fatal: repository does not exist\n", "[0:00] 12.5% loading\n{oops\n"):
        with pytest.raises(ValueError, match="no JSON"):
            json_value(nothing)
