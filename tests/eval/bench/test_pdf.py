"""``provrisk bench --pdf-only`` on one real published PDF: the section's shape, and the numbers that chose the extractor.

Runs the real measurement (a fresh process per extractor) on the Singapore
Public Order Act 2009 as published (../shared/real-statutes, linked into a
temporary folder, never copied into the repository); the speed figures must
only be positive, the glued-word rates must show what the issue reported.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.eval.bench.pdf import glued_word_rate
from tests.ingest.conftest import real_statute

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

PDF = "sgp-public_order_act_2009.pdf"


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdfs")
    (folder / PDF).symlink_to(real_statute(PDF))
    out = tmp_path_factory.mktemp("bench")
    (out / "bench.json").write_text(json.dumps({"schema": "provrisk.bench/1", "other_sections": "kept"}), encoding="utf-8")
    result = CliRunner().invoke(app, ["bench", "--pdf-only", "--pdf-dir", str(folder), "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    return report, (out / "bench.md").read_text(encoding="utf-8")


def test_only_the_pdf_section_is_replaced(section):
    report, _ = section
    assert report["other_sections"] == "kept"
    assert report["pdf_ingestion"]["command"].endswith("--pdf-only")


def test_every_extractor_is_measured_on_every_page(section):
    extractors = section[0]["pdf_ingestion"]["extractors"]
    assert list(extractors) == ["pypdf", "pypdfium2", "pdfminer.six"]
    for name, result in extractors.items():
        row = result["files"][PDF]
        assert row["pages"] == 68, name
        assert row["ms_per_page"] > 0 and row["peak_mb"] >= 0 and row["tokens"] > 5000, name


def test_pypdf_glues_words_and_pdfium_and_provrisk_do_not(section):
    pdf = section[0]["pdf_ingestion"]
    assert pdf["extractors"]["pypdf"]["files"][PDF]["glued_rate"] > 0.10
    assert pdf["extractors"]["pypdfium2"]["files"][PDF]["glued_rate"] <= 0.005
    ingest = pdf["ingest"][PDF]
    assert ingest["glued_rate"] <= 0.005 and ingest["ms_per_page"] > 0 and ingest["child_peak_rss_mb"] > 0


def test_markdown_has_the_section(section):
    _, markdown = section
    assert "## 7. PDF ingestion: real statutes" in markdown
    assert f"| pypdfium2 | {PDF} | 68 |" in markdown


def test_glued_word_rate_counts_letter_runs_over_twenty_letters():
    rate, tokens, examples = glued_word_rate("This revised edition incorporates Thisrevisededitionincorporatesall 2020")
    assert (rate, tokens, examples) == (0.2, 5, ["Thisrevisededitionincorporatesall"])


def test_ocr_rows_when_tesseract_is_installed(section):
    import shutil

    ocr = section[0]["pdf_ingestion"]["ocr"]
    if shutil.which("tesseract") is None:
        assert ocr == {"measured": False, "reason": ocr["reason"]} and "Tesseract" in ocr["reason"]
        return
    row = ocr["files"][PDF]
    assert row["pages"] == 3 and row["ms_per_page"] > 0 and row["engine"].startswith("tesseract")
    assert row["word_recall"] >= 0.95
