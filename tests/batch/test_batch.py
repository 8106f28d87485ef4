"""`provrisk batch`: parallel scoring, failures, resuming, duplicate ids, manifests, comparative outputs."""

from __future__ import annotations

import json
import shutil
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from provrisk.batch.run import FAILURES, collect_inputs, run_batch
from provrisk.cli import app
from provrisk.corpora.manifest import load_manifest
from provrisk.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
INTERCEPTION_ACT = """INTERCEPTION <AND> ACCESS ACT
1. Short title
This Act may be cited as the Interception and Access Act.
2. Interception directions
(1) The Minister may direct a service provider to intercept communications in real time.
(2) A service provider shall keep confidential the fact of a direction under subsection (1).
3. Unauthorised access
A person who intentionally and without authority accesses a computer commits an offence.
"""
BLOCKING_ACT = """CONTENT ACT
1. Blocking orders
The Authority may order a service provider to block access to any website it considers undesirable.
2. Warrants
A judge may, on application by a police officer, issue a warrant to search a computer where it is necessary and proportionate.
"""
COMPARATIVE = ["provisions.parquet", "provisions.csv", "matrix.csv", "heatmap.png", "index.html"]


def _statutes(folder):
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    (folder / "interception-act.txt").write_text(INTERCEPTION_ACT, encoding="utf-8")
    # Two files with one instrument id: neither report may overwrite the other.
    (folder / "Content Act.txt").write_text(BLOCKING_ACT, encoding="utf-8")
    (folder / "content-act.htm").write_text(f"<html><body><pre>{BLOCKING_ACT}</pre></body></html>", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.pdf").write_bytes(b"\x00\x01binary, not a PDF" * 50)
    (folder / "notes.md").write_text("not a statute format: ignored", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    items = collect_inputs(_statutes(root / "statutes"))
    result = run_batch(items, root / "out", workers=2)
    return items, result, root


def _snapshot(out):
    return {name: (out / name).read_bytes() for name in COMPARATIVE}


def test_every_input_is_scored_or_failed_and_every_output_exists(first_run):
    items, result, root = first_run
    out = root / "out"
    assert len(items) == 6, "notes.md is not a statute format"
    assert result.count("scored") == 4 and result.count("failed") == 2
    assert result.count("scored") + result.count("skipped") + result.count("failed") == len(items)
    ids = sorted(item.instrument_id for item in items)
    assert ids == ["content-act", "content-act-2", "empty", "example-cybercrime-act", "interception-act", "scan"]
    for item in items:
        if item.instrument_id in ("empty", "scan"):
            assert not (out / "reports" / f"{item.instrument_id}.json").exists()
            continue
        report = json.loads((out / "reports" / f"{item.instrument_id}.json").read_text(encoding="utf-8"))
        assert report["instrument"]["id"] == item.instrument_id
        assert report["batch"]["source"] == str(item.path)
        assert "<html" in (out / "reports" / f"{item.instrument_id}.html").read_text(encoding="utf-8").lower()
    sources = {json.loads((out / "reports" / f"{i}.json").read_text())["batch"]["source"] for i in ("content-act", "content-act-2")}
    assert {name.rsplit("/", 1)[-1] for name in sources} == {"Content Act.txt", "content-act.htm"}
    for name in COMPARATIVE + [FAILURES]:
        assert (out / name).exists(), name
    assert not list((out).rglob("*.tmp")), "no temporary file is left behind"


def test_failures_name_the_file_and_the_problem(first_run):
    _, result, root = first_run
    failures = [json.loads(line) for line in (root / "out" / FAILURES).read_text(encoding="utf-8").splitlines()]
    by_id = {f["instrument_id"]: f for f in failures}
    assert set(by_id) == {"empty", "scan"}
    assert [f["error"] for f in failures] == [o.error for o in result.failures]
    assert "empty.txt" in by_id["empty"]["error"] and "empty" in by_id["empty"]["error"]
    assert "scan.pdf" in by_id["scan"]["error"] and "PDF" in by_id["scan"]["error"]
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert "scan.pdf" in index and "empty.txt" in index


def test_comparative_outputs_hold_every_provision_and_the_matrix_adds_up(first_run):
    _, _, root = first_run
    out = root / "out"
    labels = load_taxonomy().ids
    provisions = pd.read_parquet(out / "provisions.parquet")
    reports = [json.loads(p.read_text()) for p in sorted((out / "reports").glob("*.json"))]
    assert len(provisions) == sum(len(r["provisions"]) for r in reports)
    assert {f"score_{label}" for label in labels} <= set(provisions.columns)
    surveillance = provisions[provisions["provision_id"].str.startswith("interception-act:")]
    assert any("surveillance_power" in list(row) for row in surveillance["labels"])
    csv = pd.read_csv(out / "provisions.csv", keep_default_na=False)
    assert len(csv) == len(provisions) and list(csv.columns) == list(provisions.columns)
    matrix = pd.read_csv(out / "matrix.csv", keep_default_na=False)
    instruments = matrix[matrix["level"] == "instrument"].set_index("instrument_id")
    for report in reports:
        row = instruments.loc[report["instrument"]["id"]]
        for label in labels:
            flagged = sum(label in p["labels"] for p in report["provisions"])
            assert row[label] == flagged
            assert row[f"{label}_share"] == pytest.approx(flagged / len(report["provisions"]), abs=1e-4)
    total = matrix[matrix["level"] == "jurisdiction"]
    assert total["provisions"].sum() == len(provisions)


def test_index_ranks_by_risk_links_reports_and_escapes_text(first_run):
    _, _, root = first_run
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    reports = [json.loads(p.read_text()) for p in (root / "out" / "reports").glob("*.json")]
    ranked = sorted(reports, key=lambda r: (-r["profile"]["risk_index"], r["instrument"]["id"]))
    positions = [index.index(f'href="reports/{r["instrument"]["id"]}.html"') for r in ranked]
    assert positions == sorted(positions)
    assert "INTERCEPTION &lt;AND&gt; ACCESS ACT" in index and "<AND>" not in index
    assert "data:image/png;base64," in index
    assert (root / "out" / "heatmap.png").read_bytes().startswith(b"\x89PNG")


def test_rerun_scores_nothing_again_and_writes_identical_outputs(first_run, tmp_path):
    items, _, root = first_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    before = _snapshot(out)
    reports = sorted((out / "reports").iterdir())
    mtimes = {p: p.stat().st_mtime_ns for p in reports}
    time.sleep(0.01)
    result = run_batch(items, out, workers=1)
    assert result.count("scored") == 0 and result.count("skipped") == 4
    assert result.count("failed") == 2, "failed statutes are tried again, and fail again"
    assert {p: p.stat().st_mtime_ns for p in reports} == mtimes
    assert _snapshot(out) == before


def test_rerun_rescores_deleted_corrupt_and_changed_reports_and_retries_failures(first_run, tmp_path):
    items, _, root = first_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    statutes = tmp_path / "statutes"
    shutil.copytree(root / "statutes", statutes)
    items = collect_inputs(statutes)
    reports = out / "reports"
    # Reports made from root/statutes name those paths; the copies have the same bytes, so they still count.
    (reports / "example-cybercrime-act.json").unlink()
    (reports / "content-act.json").write_text('{"schema": "provrisk.statute-report/2", "instr', encoding="utf-8")
    (reports / "content-act-2.html").unlink()
    (statutes / "interception-act.txt").write_text(INTERCEPTION_ACT.replace("real time", "real time and to decrypt them"), encoding="utf-8")
    (statutes / "empty.txt").write_text(BLOCKING_ACT, encoding="utf-8")
    untouched = (reports / "content-act-2.json").stat().st_mtime_ns
    result = run_batch(items, out, workers=1)
    status = {o.item.instrument_id: o.status for o in result.outcomes}
    assert status == {
        "content-act": "scored", "content-act-2": "skipped", "empty": "scored",
        "example-cybercrime-act": "scored", "interception-act": "scored", "scan": "failed",
    }
    assert (reports / "content-act-2.html").exists(), "a missing HTML report is rendered again from its JSON"
    assert (reports / "content-act-2.json").stat().st_mtime_ns == untouched
    assert "decrypt" in (reports / "interception-act.json").read_text(encoding="utf-8")
    assert [json.loads(line)["instrument_id"] for line in (out / FAILURES).read_text().splitlines()] == ["scan"]
    assert len(pd.read_parquet(out / "provisions.parquet")["instrument_id"].unique()) == 5


def test_a_statute_that_fails_now_loses_its_old_report(first_run, tmp_path):
    _, _, root = first_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    statutes = tmp_path / "statutes"
    statutes.mkdir()
    (statutes / "interception-act.txt").write_bytes(b"")
    result = run_batch(collect_inputs(statutes), out, workers=1)
    assert result.count("failed") == 1
    assert not (out / "reports" / "interception-act.json").exists()
    assert "No statute was scored" in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "heatmap.png").exists()
    assert pd.read_parquet(out / "provisions.parquet").empty


def _tiny_corpus(folder):
    (folder / "texts").mkdir(parents=True)
    records = [
        {"id": "xa-interception-act", "title": "Interception & Access Act", "jurisdiction": "XA", "kind": "statute"},
        {"id": "xb-content-act", "title": "Content Act", "jurisdiction": "XB", "kind": "statute"},
        {"id": "xb-missing-act", "title": "Missing Act", "jurisdiction": "XB", "kind": "statute"},
    ]
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "texts" / "xa-interception-act.txt").write_text(INTERCEPTION_ACT, encoding="utf-8")
    (folder / "texts" / "xb-content-act.txt").write_text(BLOCKING_ACT, encoding="utf-8")
    return folder / "manifest.jsonl"


def test_manifest_input_through_the_command_line(tmp_path):
    manifest = _tiny_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(manifest), "--out", str(out), "--workers", "2", "--format", "json", "--format", "csv"])
    assert result.exit_code == 2, result.output
    assert "3 statutes: 2 scored, 0 already scored, 1 failed" in result.output
    assert "xb-missing-act.txt: file not found" in result.output
    report = json.loads((out / "reports" / "xa-interception-act.json").read_text(encoding="utf-8"))
    assert report["instrument"]["title"] == "Interception & Access Act"
    assert report["batch"]["jurisdiction"] == "XA"
    assert (out / "reports" / "xb-content-act.csv").exists() and not (out / "reports" / "xb-content-act.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Interception &amp; Access Act" in index and 'href="reports/xa-interception-act.json"' in index
    matrix = pd.read_csv(out / "matrix.csv", keep_default_na=False)
    assert sorted(matrix.loc[matrix["level"] == "jurisdiction", "jurisdiction"]) == ["XA", "XB"]
    assert set(pd.read_parquet(out / "provisions.parquet")["jurisdiction"]) == {"XA", "XB"}
    # The corpus folder names the same manifest.
    assert [i.instrument_id for i in collect_inputs(tmp_path / "corpus")] == [r.id for r in load_manifest(tmp_path / "corpus")]
    # A corrected jurisdiction in the manifest reaches the comparison on the next run.
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"XB", "kind": "statute"}\n{"id": "xb-missing', '"XC", "kind": "statute"}\n{"id": "xb-missing'), encoding="utf-8")
    rerun = run_batch(collect_inputs(manifest), out, workers=1, formats=("json", "csv"))
    assert {o.item.instrument_id: o.status for o in rerun.outcomes} == {
        "xa-interception-act": "skipped", "xb-content-act": "scored", "xb-missing-act": "failed",
    }
    assert set(pd.read_parquet(out / "provisions.parquet")["jurisdiction"]) == {"XA", "XC"}


def test_bad_inputs_are_one_line_errors(tmp_path):
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "list.jsonl").write_text("{}\n", encoding="utf-8")
    for source, message in (
        (tmp_path / "empty-folder", "no statutes to score"),
        (tmp_path / "list.jsonl", "not a corpus manifest"),
        (tmp_path / "nowhere", "no such folder or manifest"),
    ):
        result = CliRunner().invoke(app, ["batch", str(source), "--out", str(tmp_path / "out")])
        assert result.exit_code == 2 and message in result.output, result.output


@pytest.mark.corpus
@pytest.mark.slow
def test_whole_corpus_with_two_workers(corpus_dir, tmp_path):
    items = collect_inputs(corpus_dir / "manifest.jsonl")
    assert len(items) == 40
    started = time.perf_counter()
    result = run_batch(items, tmp_path / "out", workers=2)
    seconds = time.perf_counter() - started
    failed = {o.item.instrument_id for o in result.failures}
    scored = {o.item.instrument_id for o in result.outcomes if o.status == "scored"}
    assert scored | failed == {item.instrument_id for item in items} and not scored & failed
    assert len(list((tmp_path / "out" / "reports").glob("*.json"))) == len(scored)
    print(f"\nwhole corpus: {len(scored)} scored, {len(failed)} failed in {seconds:.1f} s with 2 workers")
