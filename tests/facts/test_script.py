"""Sections scripts, run for real by sh: any key, and framing no file content can forge."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
