"""The suite's criteria, read from its files without importing them."""

from golive.suite import criterion_ids, declared_criteria


def test_reads_criterion_marks_without_running_the_module(tmp_path):
    (tmp_path / "test_a.py").write_text(
        "import no_such_module\nraise SystemExit('never imported')\n"
        "@pytest.mark.critical\n@pytest.mark.criterion('SEC-07', category='Security')\n"
        "def test_x(): '''criterion(\"NOT-01\") in a docstring is not a mark'''\n"
        "from pytest import mark\n@mark.criterion(\"SEC-08\", category='Security')\ndef test_y(): pass\n"
    )
    (tmp_path / "helpers.py").write_text("criterion('DOC-01')\n")  # not a test file
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "test_b.py").write_text("criterion('DOC-02')\n")
    (tmp_path / "test_broken.py").write_text("def (:\n")
    found = declared_criteria([tmp_path], skip_directories=["build"])
    assert list(found) == ["SEC-07", "SEC-08"]
    assert found["SEC-07"] == tmp_path / "test_a.py"
    assert criterion_ids("criterion(name)\nmark.criterion('X-01')\n") == ["X-01"]
