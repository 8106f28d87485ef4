"""The JSON, CSV and terminal renderings of a statute report: fields, standards, the view, 80 columns."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console

from provrisk.score import score_document
from provrisk.score.formats import (
    COMPACT_WIDTH,
    SHORT_NAME_WIDTH,
    SHORT_NAMES,
    profile_table,
    report_csv,
    report_json,
    report_table,
    standards_table,
)
from provrisk.score.view import select
from provrisk.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT
# the example Act scored once with the shipped model, shared with the report's tests
from tests.score.test_report import example_report, model  # noqa: F401

REAL_STATUTE = REPO_ROOT.parent / "shared" / "real-statutes" / "sgp-electronic_transactions_act_2010.pdf"




def rendered(*renderables, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return console.export_text().splitlines()


def flag_lines(lines: list[str], document: dict) -> list[str]:
    """The table's body lines: those that start with a citation."""
    citations = tuple(f" {p['citation']} " for p in document["provisions"])
    return [line for line in lines if line.startswith(citations)]


def test_short_names_cover_the_taxonomy_and_fit():
    assert set(SHORT_NAMES) == set(load_taxonomy().ids)
    assert max(len(name) for name in SHORT_NAMES.values()) <= SHORT_NAME_WIDTH
    assert len(set(SHORT_NAMES.values())) == len(SHORT_NAMES)


@pytest.mark.parametrize("terminal", [80, 200])
def test_compact_table_is_one_line_per_flag_within_80_columns(example_report, terminal):
    lines = rendered(report_table(example_report), standards_table(example_report), width=terminal)
    assert max(len(line) for line in lines) <= COMPACT_WIDTH
    flags = [(p["citation"], f) for p in example_report["provisions"] for f in p["flags"]]
    body = flag_lines(lines, example_report)
    assert len(body) == len(flags)
    for line, (citation, flag) in zip(body, flags):
        assert line.split()[0:2] == citation.split()
        assert SHORT_NAMES[flag["label"]] in line and f"{flag['probability']:.2f}" in line and flag["verdict"] in line


def test_compact_legend_names_every_standard_of_the_labels_shown(example_report):
    text = " ".join(" ".join(rendered(standards_table(example_report), width=COMPACT_WIDTH)).split())
    shown = {f["label"] for p in example_report["provisions"] for f in p["flags"]}
    for label in load_taxonomy().labels:
        for standard in label.standards:
            assert (" ".join(standard.split()) in text) == (label.id in shown)


def test_wide_table_gives_full_names_records_quotes_and_standards(example_report):
    # Wide enough that no cell wraps: each standard, on its own line of the cell, reads whole.
    text = "\n".join(rendered(report_table(example_report, wide=True), width=1200))
    flag = next(f for p in example_report["provisions"] for f in p["flags"] if f["label"] == "executive_blocking_takedown")
    assert flag["name"] in text
    for standard in flag["standards"]:
        assert standard in text
    assert f"{flag['heldout_precision']:.0%} of {flag['heldout_flags']}" in text
    assert all(f'"{quote}"' in text for quote in flag["evidence"])


def test_profile_table_gives_each_labels_heldout_precision(example_report):
    text = "\n".join(rendered(profile_table(example_report), width=120))
    for label in example_report["labels"]:
        assert f"{label['heldout_precision']:.0%} of {label['heldout_flags']}" in text


def test_csv_has_page_verdict_heldout_and_standards_columns(example_report):
    rows = list(csv.DictReader(io.StringIO(report_csv(example_report))))
    flags = [(p, f) for p in example_report["provisions"] for f in p["flags"]]
    flagged_rows = [row for row in rows if row["label"]]
    assert len(flagged_rows) == len(flags)
    for row, (provision, flag) in zip(flagged_rows, flags):
        assert row["citation"] == provision["citation"] and row["page"] == ""  # a text file has no pages
        assert row["verdict"] == flag["verdict"] and row["why"] == flag["why"]
        assert float(row["heldout_precision"]) == pytest.approx(flag["heldout_precision"], abs=1e-3)
        assert int(row["heldout_flags"]) == flag["heldout_flags"]
        assert row["standards"].split(" | ") == flag["standards"]


def test_every_format_holds_the_same_narrowed_and_sorted_flags(example_report):
    narrowed = select(example_report, min_probability=0.5, order="probability")
    kept = sorted((f["probability"] for p in example_report["provisions"] for f in p["flags"] if f["probability"] >= 0.5),
                  reverse=True)
    assert kept, "the example Act has flags above 0.5"
    csv_probabilities = [float(row["probability"]) for row in csv.DictReader(io.StringIO(report_csv(narrowed)))]
    assert csv_probabilities == [round(p, 3) for p in kept]
    body = flag_lines(rendered(report_table(narrowed), width=COMPACT_WIDTH), narrowed)
    assert [float(next(word for word in line.split() if word.startswith(("0.", "1.")))) for line in body] == [
        round(p, 2) for p in kept]
    document = json.loads(report_json(narrowed))
    assert document["view"] == {"order": "probability", "min_probability": 0.5, "solid_only": False, "label": None,
                              "labelled_only": False, "provisions_in_statute": len(example_report["provisions"])}
    assert sorted((f["probability"] for p in document["provisions"] for f in p["flags"]), reverse=True) == kept


@pytest.mark.skipif(not REAL_STATUTE.exists(), reason="../shared/real-statutes is not present")
def test_real_pdf_csv_gives_each_provision_its_page(model):
    document = score_document(REAL_STATUTE, model)
    rows = list(csv.DictReader(io.StringIO(report_csv(document))))
    assert all(row["page"].isdigit() for row in rows)
    pages = {row["citation"]: int(row["page"]) for row in rows}
    assert pages == {p["citation"]: p["page"] for p in document["provisions"]}
    assert len(set(pages.values())) > 5, "a statute of many pages"
    lines = rendered(report_table(document), standards_table(document), width=200)
    assert max(len(line) for line in lines) <= COMPACT_WIDTH
