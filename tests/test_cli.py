"""The command line, driven as a user would."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
runner = CliRunner()


def test_segment_jsonl_cites_every_provision():
    result = runner.invoke(app, ["segment", str(EXAMPLE), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    citations = [r["citation"] for r in records]
    assert "s. 3(2)" in citations and 's. 2 "traffic data"' in citations
    record = next(r for r in records if r["citation"] == "s. 7(1)")
    assert [i["citation"] for i in record["items"]] == ["s. 7(1)(a)", "s. 7(1)(b)", "s. 7(1)(c)"]
    assert set(record) >= {"id", "instrument_id", "citation", "path", "heading", "text", "start", "end", "kind"}
    assert record["path"] == ["Part II Offences", "s. 7", "(1)"] or record["path"][-2:] == ["s. 7", "(1)"]


def test_segment_table_and_output_file(tmp_path):
    out = tmp_path / "provisions.jsonl"
    result = runner.invoke(app, ["segment", str(EXAMPLE), "--format", "table", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "s. 13(1)" in result.stdout
    assert len(out.read_text().splitlines()) > 20


def test_bad_input_is_one_line_and_non_zero(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(app, ["segment", str(empty)])
    assert result.exit_code == 2
    assert "empty.txt" in result.stderr and "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_one_line_and_non_zero(tmp_path):
    result = runner.invoke(app, ["segment", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2
    assert "nope.pdf" in result.stderr


def test_predict_with_the_shipped_model_from_segment_output(tmp_path):
    provisions = tmp_path / "provisions.jsonl"
    assert runner.invoke(app, ["segment", str(EXAMPLE), "--output", str(provisions)]).exit_code == 0
    predictions = tmp_path / "preds.jsonl"
    result = runner.invoke(app, ["predict", "--input", str(provisions), "--output", str(predictions)])
    assert result.exit_code == 0, result.output
    rows = {r["id"].split(":")[1]: r for r in map(json.loads, predictions.read_text().splitlines())}
    assert len(rows["s-12"]["scores"]) == 14
    assert "surveillance_power" in rows["s-12"]["labels"]
    assert rows["s-12"]["evidence"]["surveillance_power"]
    assert "executive_blocking_takedown" in rows["s-13-1"]["labels"]


def test_predict_refuses_lines_without_text(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    result = runner.invoke(app, ["predict", "--input", str(bad), "--output", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.stderr


def test_align_and_diff_from_the_command_line(tmp_path, corpus_dir):
    law = corpus_dir / "texts" / "phl-cybercrime-prevention-act-2012.txt"
    result = runner.invoke(app, ["align", str(law), "--to", "coe-budapest-convention-2001", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout[result.stdout.index("{"):])
    assert {"law", "treaty", "pairs", "unimplemented_articles"} <= set(document)
    brief = tmp_path / "diff.docx"
    result = runner.invoke(app, ["diff", "nga-cybercrimes-act-2015-s24-fragment",
                                 "nga-cybercrimes-amendment-act-2024-s24-fragment", "-f", "docx", "-o", str(brief)])
    assert result.exit_code == 0, result.output
    assert brief.read_bytes()[:2] == b"PK"
    result = runner.invoke(app, ["diff", "nga-cybercrimes-act-2015-s24-fragment", "nga-cybercrimes-amendment-act-2024-s24-fragment", "-f", "docx"])
    assert result.exit_code != 0 and "--output" in result.output


def test_score_writes_a_word_brief_and_refuses_one_to_stdout(tmp_path):
    import docx

    brief = tmp_path / "example.docx"
    result = runner.invoke(app, ["score", str(EXAMPLE), "--format", "docx", "--output", str(brief)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(brief))
    assert document.paragraphs[0].text == "CYBERCRIME AND DIGITAL INVESTIGATIONS (EXAMPLE) ACT 2026"
    assert document.tables[0].rows[0].cells[0].text == "Provision"
    result = runner.invoke(app, ["score", str(EXAMPLE), "--format", "docx"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --format docx writes a Word file, not text: give --output FILE.docx"


def test_help_shows_no_value_placeholder_after_flags():
    for command in (["score", "--help"], ["train", "--help"], ["--help"]):
        result = runner.invoke(app, command, env={"COLUMNS": "160"})
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.stdout, command
    score_help = runner.invoke(app, ["score", "--help"], env={"COLUMNS": "160"}).stdout
    assert "--all " in score_help and "--wide " in score_help and "--solid-only " in score_help
    assert "always prints" not in score_help


def test_score_filters_and_sorts_every_format(tmp_path):
    out = tmp_path / "solid.csv"
    result = runner.invoke(app, ["score", str(EXAMPLE), "--solid-only", "--sort", "probability", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {row["verdict"] for row in rows} == {"solid"}
    assert [float(row["probability"]) for row in rows] == sorted((float(row["probability"]) for row in rows), reverse=True)
    assert f"holding {len(rows)} of the flags" in " ".join(result.stderr.split())
    table = runner.invoke(app, ["score", str(EXAMPLE), "--min-probability", "0.9"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "(p ≥ 0.90)" in " ".join(table.stdout.split())
    json_out = tmp_path / "high.json"
    runner.invoke(app, ["score", str(EXAMPLE), "--min-probability", "0.9", "-f", "json", "-o", str(json_out)])
    document = json.loads(json_out.read_text())
    assert all(flag["probability"] >= 0.9 for provision in document["provisions"] for flag in provision["flags"])


def test_score_refuses_a_probability_outside_zero_to_one():
    result = runner.invoke(app, ["score", str(EXAMPLE), "--min-probability", "1.5"], env={"COLUMNS": "160"})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--min-probability'" in result.output


def test_export_never_overwrites_the_shipped_model_without_force(tmp_path):
    shipped = REPO_ROOT / "models" / "provrisk-linear"
    before = {path.name: path.read_bytes() for path in shipped.iterdir()}
    result = runner.invoke(app, ["export", "--model", "provrisk-linear", "--tracking-uri", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {shipped}: already exists; pass --force to replace it, or choose another --out"
    assert {path.name: path.read_bytes() for path in shipped.iterdir()} == before
    assert not (tmp_path / "none.db").exists()  # refused before MLflow was opened


def test_a_bad_set_value_is_refused_before_training_with_the_key_named():
    for override, message in (("model.params.C=high", "model.params.C: Input should be a valid number"),
                              ("cv.foldz=3", "cv.foldz: Extra inputs are not permitted"),
                              ("labels.not_a_label.threshold=0.5", "labels.not_a_label: not a label id")):
        result = runner.invoke(app, ["train", "--set", override])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: --set '{override}': {message}")
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.corpus
def test_gold_add_records_a_reviewed_provision_joinable_to_the_corpus(tmp_path, corpus_dir):
    from provrisk.corpora.dataset import provision_rows
    from provrisk.corpora.manifest import load_manifest
    from provrisk.eval.gold import GOLD_FILES, join_gold, read_jsonl

    tracked = {path: path.read_bytes() for path in GOLD_FILES}
    statute = corpus_dir / "texts" / "uga-computer-misuse-act-2011.txt"
    report = tmp_path / "uga.json"
    assert runner.invoke(app, ["score", str(statute), "--format", "json", "-o", str(report)]).exit_code == 0
    annotated = {(e["instrument_id"], e["citation"]) for path in GOLD_FILES for e in read_jsonl(path)}
    fresh = [p for p in json.loads(report.read_text())["provisions"]
             if ("uga-computer-misuse-act-2011", p["citation"]) not in annotated and p["kind"] == "operative"]
    gold = tmp_path / "gold.jsonl"
    first = runner.invoke(app, ["gold", "add", str(report), "--citation", fresh[0]["citation"], "--labels",
                                "rights_safeguard, surveillance_power", "--rationale", "'quoted words' and why", "--gold", str(gold)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["gold", "add", str(statute), "--citation", fresh[1]["citation"], "--labels", "",
                                 "--rationale", "no power, no safeguard", "--gold", str(gold)])
    assert second.exit_code == 0, second.output
    entries = read_jsonl(gold)
    assert [e["citation"] for e in entries] == [fresh[0]["citation"], fresh[1]["citation"]]
    assert entries[0]["labels"] == ["surveillance_power", "rights_safeguard"]  # taxonomy order
    assert entries[0]["rationale"] == {"surveillance_power": "'quoted words' and why", "rights_safeguard": "'quoted words' and why"}
    assert entries[1]["labels"] == [] and entries[1]["none_reason"] == "no power, no safeguard"
    instrument = next(i for i in load_manifest(corpus_dir) if i.id == "uga-computer-misuse-act-2011")
    joined = join_gold(entries, provision_rows(corpus_dir, instrument)[0], gold)  # what training does with them
    assert [j["text"] for j in joined] == [fresh[0]["text"], fresh[1]["text"]]

    refusals = {
        "already records": [str(report), "--citation", fresh[0]["citation"], "--labels", "", "--rationale", "again"],
        "unknown label ids surveilance": [str(report), "--citation", fresh[2]["citation"], "--labels", "surveilance", "--rationale", "x"],
        "did you mean": [str(report), "--citation", fresh[2]["citation"].replace(". ", " "), "--labels", "", "--rationale", "x"],
        "held-out test instrument": [str(corpus_dir / "texts" / "sgp-computer-misuse-act-1993.txt"), "--citation", "s. 3",
                                     "--labels", "", "--rationale", "x"],
        "not an instrument of the corpus": [str(EXAMPLE), "--citation", "s. 12", "--labels", "", "--rationale", "x"],
    }
    for message, arguments in refusals.items():
        result = runner.invoke(app, ["gold", "add", *arguments, "--gold", str(gold)])
        assert result.exit_code == 2 and message in result.stderr, (message, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
    assert len(read_jsonl(gold)) == 2
    assert {path: path.read_bytes() for path in GOLD_FILES} == tracked
