"""provrisk.compare.formats and .brief: every output of a comparison, escaped and readable."""

from __future__ import annotations

import csv
import io

import docx
import pytest

from provrisk.compare import brief, formats
from provrisk.compare.config import load_compare_config
from provrisk.compare.diff import diff_reports
from provrisk.ingest import ingest_bytes
from provrisk.models.artifacts import load_model_dir
from provrisk.score.report import score_ingested

OLD = b"1. Interception\nAn officer may intercept any communication <script>alert(1)</script> with a warrant.\n"
NEW = b"1. Interception\nAn officer may intercept any communication <script>alert(1)</script> without a warrant.\n"


@pytest.fixture(scope="module")
def document():
    model = load_model_dir()
    old = score_ingested(ingest_bytes(OLD, "old.txt"), model)
    new = score_ingested(ingest_bytes(NEW, "new.txt"), model)
    return diff_reports(old, [new], load_compare_config())


def test_diff_html_marks_changed_words_and_escapes_statute_text(document):
    page = formats.diff_html(document)
    assert "<script>" not in page and "&lt;script&gt;" in page.replace(" ", "")
    assert "<del>with</del>" in page and "<ins>without</ins>" in page
    assert "Content-Security-Policy" in page


def test_diff_csv_has_one_row_per_pair(document):
    rows = list(csv.DictReader(io.StringIO(formats.diff_csv(document))))
    assert [(r["old"], r["new"], r["status"]) for r in rows] == [("s. 1", "s. 1", "modified")]


def test_diff_brief_is_a_word_document_with_the_change(document):
    opened = docx.Document(io.BytesIO(brief.diff_brief(document)))
    cells = [c.text for row in opened.tables[0].rows for c in row.cells]
    assert "modified" in cells
    assert any("without" in c for c in cells)
