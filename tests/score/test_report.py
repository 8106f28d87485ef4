"""Scoring a whole statute: the report document, its profile, and the `provrisk score` command."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile

import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.ingest import ingest_bytes
from provrisk.label.apply import apply_lfs, provision_inputs
from provrisk.models.artifacts import load_model_dir
from provrisk.models.predict import predict_records
from provrisk.score import score_document, score_ingested
from provrisk.score.report import statute_profile
from provrisk.segment import segment_statute
from provrisk.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def model():
    return load_model_dir()


@pytest.fixture(scope="module")
def example_report(model):
    return score_document(EXAMPLE, model)


def test_every_provision_is_scored_as_provrisk_predict_scores_it(model, example_report):
    text = EXAMPLE.read_text(encoding="utf-8")
    provisions = [p.to_dict() for p in segment_statute(ingest_bytes(text.encode(), EXAMPLE.name).text, "example-cybercrime-act")]
    expected = {p["id"]: p for p in predict_records(model, provisions)}
    assert [p["id"] for p in example_report["provisions"]] == [p["id"] for p in provisions]
    for provision in example_report["provisions"]:
        assert {key: provision[key] for key in ("labels", "scores", "evidence")} == {
            key: expected[provision["id"]][key] for key in ("labels", "scores", "evidence")
        }
        assert set(provision["scores"]) == set(load_taxonomy().ids)
        assert [flag["label"] for flag in provision["flags"]] == sorted(
            provision["labels"], key=lambda label: -provision["scores"][label]
        )


def test_flags_cite_quote_and_name_the_standards(example_report):
    taxonomy = load_taxonomy()
    flagged = [p for p in example_report["provisions"] if p["flags"]]
    assert flagged, "the example statute was written to trigger several labels"
    assert [label["standards"] for label in example_report["labels"]] == [label.standards for label in taxonomy.labels]
    for provision in flagged:
        assert provision["citation"].startswith(("s. ", "Preamble", "Final"))
        for flag in provision["flags"]:
            assert flag["standards"] == taxonomy.label(flag["label"]).standards
            assert flag["evidence"], f"{provision['citation']} {flag['label']} has no quoted trigger words"
    blocking = next(p for p in example_report["provisions"] if p["citation"] == "s. 13(1)")
    assert "executive_blocking_takedown" in blocking["labels"]


def test_flags_carry_the_models_heldout_precision_and_a_verdict_by_the_rule(model, example_report):
    per_label = model.metadata["heldout_metrics"]["per_label"]
    flags = [flag for provision in example_report["provisions"] for flag in provision["flags"]]
    for flag in flags:
        measured = per_label[flag["label"]]
        assert flag["heldout_precision"] == pytest.approx(measured["precision"], abs=1e-4)
        assert flag["heldout_flags"] == measured["flagged"]
        solid = flag["probability"] >= 0.8 and measured["precision"] >= 0.6 and measured["flagged"] >= 10
        assert flag["verdict"] == ("solid" if solid else "check"), flag
        assert flag["why"]
    assert {flag["verdict"] for flag in flags} == {"solid", "check"}, "the example Act has flags of both kinds"
    profile = example_report["profile"]
    assert profile["flags"] == len(flags) and profile["solid"] == sum(flag["verdict"] == "solid" for flag in flags)
    assert example_report["confidence"]["measured"] is True
    assert example_report["view"] == {"order": "document", "min_probability": 0.0, "solid_only": False, "label": None,
                              "labelled_only": False, "provisions_in_statute": len(example_report["provisions"])}


def test_a_model_without_heldout_figures_marks_every_flag_check(model, tmp_path):
    import shutil

    from provrisk.models.artifacts import METADATA

    copy = tmp_path / "unmeasured"
    shutil.copytree(model.path, copy)
    metadata = json.loads((copy / METADATA).read_text())
    del metadata["heldout_metrics"]
    (copy / METADATA).write_text(json.dumps(metadata))
    report = score_document(EXAMPLE, load_model_dir(str(copy)))
    flags = [flag for provision in report["provisions"] for flag in provision["flags"]]
    assert flags and all(flag["verdict"] == "check" and flag["heldout_precision"] is None for flag in flags)
    assert all(flag["why"] == "the label was not measured on unseen laws" for flag in flags)
    assert report["confidence"]["measured"] is False
    result = runner.invoke(app, ["score", str(EXAMPLE), "--model", str(copy), "--format", "json"])
    assert result.exit_code == 0 and "carries no held-out precision per label" in result.stderr


def test_profile_counts_agree_with_the_provisions(example_report):
    profile, provisions = example_report["profile"], example_report["provisions"]
    assert profile["provisions"] == len(provisions)
    for label, count in profile["label_counts"].items():
        assert count == sum(label in p["labels"] for p in provisions)
    # every provision labelled a safeguard is listed once: under safeguards where a safeguard rule matched
    listed = profile["safeguards"] + profile["safeguards_model_only"]
    assert sorted(s["citation"] for s in listed) == sorted(p["citation"] for p in provisions if "rights_safeguard" in p["labels"])
    by_citation = {p["citation"]: p for p in provisions}
    for safeguard in profile["safeguards"]:
        flag = next(f for f in by_citation[safeguard["citation"]]["flags"] if f["label"] == "rights_safeguard")
        rule_quotes = [q for c in flag["evidence_clauses"] if c["source"] == "rule" for q in c["quotes"]]
        assert safeguard["evidence"] and set(safeguard["evidence"]) <= set(rule_quotes)
    assert 0 < profile["risk_index"] <= 100


def _provision(labels, kind="operative", role="rule"):
    return {"citation": "s. 1", "labels": labels, "kind": kind, "role": role, "evidence": {}, "flags": []}


def test_risk_index_follows_the_documented_formula():
    ids = load_taxonomy().ids
    provisions = [
        _provision(["surveillance_power", "no_prior_judicial_authorisation", "secrecy_obligation", "compelled_assistance"]),  # 1
        _provision(["surveillance_power", "rights_safeguard"]),  # 1/3 halved
        _provision([]),  # 0
        _provision(["expression_offence"], kind="definition"),  # not a rule: not counted
    ]
    profile = statute_profile(provisions, ids)
    assert profile["rules"] == 3
    assert profile["risk_index"] == pytest.approx(round(100 * (1 + 1 / 6) / 3, 1))
    assert profile["flagged"] == 3 and profile["share_flagged"] == 0.75


def test_text_without_provisions_is_an_input_error(model):
    from provrisk.errors import InputError

    with pytest.raises(InputError, match="notes.txt: no provisions found"):
        score_ingested(ingest_bytes(b"Just a shopping list: eggs, milk.", "notes.txt"), model)


def test_a_statute_scored_in_batches_reads_every_provision_against_all_its_definitions(model):
    # s. 80 falls in the second scoring batch; the definition that narrows its term is in s. 2.
    head = (
        "TEST ACT\n1. Short title\nThis Act may be cited as the Test Act.\n2. Interpretation\nIn this Act— "
        '"dishonestly" means with intent to obtain a financial benefit for oneself or to cause financial loss to another person;\n'
    )
    filler = "".join(f"{n}. Regulations {n}\nThe Minister may make regulations prescribing forms under section {n}.\n" for n in range(3, 80))
    offence = "80. Computer fraud\nA person who dishonestly accesses a computer system commits an offence.\n"
    document = ingest_bytes((head + filler + offence).encode(), "test-act.txt")
    report = score_ingested(document, model)
    provisions = [p.to_dict() for p in segment_statute(document.text, report["instrument"]["id"])]
    assert len(provisions) > 64, "needs two scoring batches"
    at_once = {p["id"]: p for p in predict_records(model, provisions)}
    for provision in report["provisions"]:
        assert provision["scores"] == at_once[provision["id"]]["scores"], provision["citation"]
    votes = apply_lfs(provision_inputs(provisions))
    assert votes.votes[-1, votes.lf_names.index("vague_offence_terms.defined_term_not_vague.v1")] != 0


@pytest.mark.corpus
def test_philippines_real_time_collection_and_blocking_are_flagged(corpus_dir, model):
    report = score_document(corpus_dir / "texts" / "phl-cybercrime-prevention-act-2012.txt", model)
    by_citation = {p["citation"]: p for p in report["provisions"]}
    collection, blocking = by_citation["s. 12"], by_citation["s. 19"]
    assert "surveillance_power" in collection["labels"]
    assert "executive_blocking_takedown" in blocking["labels"]
    for provision, label in ((collection, "surveillance_power"), (blocking, "executive_blocking_takedown")):
        quotes = provision["evidence"][label]
        assert quotes and all(quote.lower() in provision["text"].lower() for quote in quotes)


@pytest.mark.corpus
def test_kenya_blocking_evidence_is_the_clause_that_gives_the_power(corpus_dir, model):
    report = score_document(corpus_dir / "texts" / "ken-computer-misuse-cybercrimes-act-2018.txt", model)
    by_citation = {p["citation"]: p for p in report["provisions"]}
    functions = by_citation["s. 6(1)"]
    flag = next(f for f in functions["flags"] if f["label"] == "executive_blocking_takedown")
    [clause] = flag["evidence_clauses"]
    assert (clause["source"], clause["citation"]) == ("model", "s. 6(1)(ja)")
    assert "issue a directive to render the website or application inaccessible" in clause["clause"]
    assert not any(q.lower() in ("and cybercrimes", "act on") for q in flag["evidence"])
    # "security; (b) for" (the n-gram "security for" across an item label) is no safeguard
    assert "s. 12(2)" not in [s["citation"] for s in report["profile"]["safeguards"]]
    assert "s. 12(2)" in [s["citation"] for s in report["profile"]["safeguards_model_only"]]
    quotes = [q for p in report["provisions"] for f in p["flags"] for q in f["evidence"]]
    assert not [q for q in quotes if q.lower().startswith("security") and q.lower().endswith(" for")]
    for safeguard in report["profile"]["safeguards"]:
        flag = next(f for f in by_citation[safeguard["citation"]]["flags"] if f["label"] == "rights_safeguard")
        assert any(c["source"] == "rule" for c in flag["evidence_clauses"])


def test_score_command_writes_each_format(tmp_path):
    for fmt in ("json", "csv", "html"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(app, ["score", str(EXAMPLE), "--format", fmt, "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert "report written to" in result.stderr
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["schema"] == "provrisk.statute-report/2"
    assert {"citation", "text", "labels", "scores", "evidence"} <= set(document["provisions"][0])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text())))
    assert {row["citation"] for row in rows} == {p["citation"] for p in document["provisions"]}
    assert {row["label"] for row in rows if row["label"]} == {l for p in document["provisions"] for l in p["labels"]}
    assert "s. 13(1)" in (tmp_path / "report.html").read_text()


def test_score_table_prints_citations_labels_verdicts_and_standards():
    result = runner.invoke(app, ["score", str(EXAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "s. 13(1)" in result.stdout and "executive blocking" in result.stdout
    assert "risk index" in result.stdout and "solid" in result.stdout and "check" in result.stdout
    # The legend wraps each standard in its column; its words read on in order.
    assert "Joint Declaration on Freedom of Expression and the Internet (2011)" in " ".join(result.stdout.split())


def test_score_bad_file_is_one_line(tmp_path):
    binary = tmp_path / "statute.pdf"
    binary.write_bytes(b"\x00\x01garbage" * 10)
    result = runner.invoke(app, ["score", str(binary)])
    assert result.exit_code == 2
    assert "statute.pdf" in result.stderr and "Traceback" not in result.output


FRENCH_STATUTE = """LOI RELATIVE À LA CYBERCRIMINALITÉ
Article 1
Le fait d'accéder frauduleusement à tout ou partie d'un système de traitement automatisé de données est puni de deux ans d'emprisonnement.
Article 2
Le ministre peut ordonner aux fournisseurs d'accès de bloquer l'accès à tout service de communication au public en ligne.
"""


def test_a_statute_in_a_language_the_model_does_not_read_is_not_assessed_and_never_scores_0(model):
    report = score_ingested(ingest_bytes(FRENCH_STATUTE.encode(), "loi.txt"), model)
    assert report["assessment"]["assessed"] is False and report["assessment"]["language"] == "und-Latn"
    assert "the model reads only English" in report["assessment"]["reason"]
    assert report["model"]["languages"] == ["en"]
    profile = report["profile"]
    assert profile["provisions"] == len(report["provisions"]) == 2
    assert profile["risk_index"] is None and profile["flagged"] is None and profile["label_counts"] is None
    assert all(p["labels"] == [] and p["scores"] == {} and p["flags"] == [] for p in report["provisions"])


def test_the_languages_read_come_from_the_model(model):
    """The same French text is scored by a model whose metadata says it was trained on French text too."""
    reading_french = dataclasses.replace(model, metadata={**model.metadata, "languages": ["en", "und-Latn"]})
    report = score_ingested(ingest_bytes(FRENCH_STATUTE.encode(), "loi.txt"), reading_french)
    assert report["assessment"] == {"assessed": True, "language": "und-Latn", "reason": ""}
    assert isinstance(report["profile"]["risk_index"], float)
    assert all(set(p["scores"]) == set(load_taxonomy().ids) for p in report["provisions"])


@pytest.mark.corpus
def test_the_saudi_law_in_arabic_is_not_assessed_in_every_score_format(corpus_dir, tmp_path):
    saudi = corpus_dir / "texts" / "sau-anti-cyber-crime-law-2007-ar.txt"
    shown = "not assessed (language: ar)"
    table = runner.invoke(app, ["score", str(saudi)], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert shown in table.stdout and "risk index 0" not in table.stdout and "0.0" not in table.stdout
    for fmt in ("json", "csv", "html"):
        result = runner.invoke(app, ["score", str(saudi), "--format", fmt, "--output", str(tmp_path / f"sau.{fmt}")])
        assert result.exit_code == 0, result.output
        assert shown in " ".join(result.stderr.split()), result.stderr
    document = json.loads((tmp_path / "sau.json").read_text(encoding="utf-8"))
    assert document["assessment"]["assessed"] is False and document["assessment"]["language"] == "ar"
    assert document["profile"]["risk_index"] is None and document["profile"]["provisions"] > 10
    rows = list(csv.DictReader(io.StringIO((tmp_path / "sau.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(document["provisions"]) and {row["label"] for row in rows} == {shown}
    page = (tmp_path / "sau.html").read_text(encoding="utf-8")
    assert "Not assessed (language: ar):" in page and 'id="filters"' not in page
    assert "<b>0.0</b>" not in page


@pytest.mark.parametrize("name, data", [
    ("act.md", b"# Test Act\n\n## 1. Short title\n\nThis Act may be cited as the Test Act.\n"),
    ("act.odt", None),
])
def test_markdown_and_opendocument_are_refused_in_one_line_naming_the_file(tmp_path, name, data):
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
            archive.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(data)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = result.stderr.strip()
    assert message.count("\n") == 0 and name in message and "is not a format provrisk reads" in message
    assert ".txt, .pdf, .docx" in message
