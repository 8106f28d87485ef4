"""provrisk.eval.report_files: every evaluation report is written whole or not at all."""

from __future__ import annotations

import json

import pytest

from provrisk.eval.report_files import write_report_files


class Unserialisable:
    """A value json.dump cannot write: it fails after the keys before it are already in the file."""


def test_writes_json_with_its_options_and_markdown(tmp_path):
    paths = write_report_files("demo", data={"b": "é", "a": 1}, markdown="# Demo\n", directory=tmp_path,
                               indent=2, sort_keys=True, ensure_ascii=False)
    assert paths == [tmp_path / "demo.json", tmp_path / "demo.md"]
    assert (tmp_path / "demo.json").read_text(encoding="utf-8") == '{\n  "a": 1,\n  "b": "é"\n}\n'
    assert (tmp_path / "demo.md").read_text(encoding="utf-8") == "# Demo\n"


def test_either_file_may_be_left_out(tmp_path):
    assert write_report_files("only-md", markdown="text", directory=tmp_path) == [tmp_path / "only-md.md"]
    assert write_report_files("only-json", data=[1], directory=tmp_path) == [tmp_path / "only-json.json"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["only-json.json", "only-md.md"]


def test_a_write_interrupted_mid_serialisation_leaves_the_previous_report_intact(tmp_path):
    write_report_files("report", data={"figure": 0.5}, markdown="old\n", directory=tmp_path, indent=2)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    # Enough data ahead of the bad value that json.dump has written part of the file when it fails.
    broken = {"rows": ["x" * 100 for _ in range(1000)], "bad": Unserialisable()}
    with pytest.raises(TypeError):
        write_report_files("report", data=broken, markdown="new\n", directory=tmp_path, indent=2)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8")) == {"figure": 0.5}


def test_creates_the_folder_and_replaces_an_earlier_report(tmp_path):
    folder = tmp_path / "reports"
    write_report_files("r", data={"v": 1}, directory=folder)
    write_report_files("r", data={"v": 2}, directory=folder)
    assert json.loads((folder / "r.json").read_text(encoding="utf-8")) == {"v": 2}
    assert [path.name for path in folder.iterdir()] == ["r.json"]
