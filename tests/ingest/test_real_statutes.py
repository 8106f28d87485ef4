"""Ingestion of statutes exactly as published: Singapore Statutes Online PDFs (../shared/real-statutes).

These PDFs position justified text glyph by glyph; an extractor that loses the
spaces runs words together ("Thisrevisededitionincorporatesallamendmentsuptoand").
The files are read from ../shared, never copied into the repository; the tests
skip when it is absent.
"""

from __future__ import annotations

import pytest

from provrisk.eval.bench_pdf import glued_word_rate
from provrisk.ingest import ingest_file

from .conftest import real_statute

pytestmark = pytest.mark.corpus

SGP_PDFS = {
    "sgp-broadcasting_act_1994.pdf": 102,
    "sgp-electronic_transactions_act_2010.pdf": 59,
    "sgp-public_order_act_2009.pdf": 68,
}
MAX_GLUED_RATE = 0.005  # issue 11: at most 0.5% of alphabetic tokens


@pytest.fixture(scope="module", params=sorted(SGP_PDFS))
def sgp_pdf(request):
    path = real_statute(request.param)
    return path, ingest_file(path)


def test_words_keep_their_spaces(sgp_pdf):
    path, document = sgp_pdf
    rate, tokens, examples = glued_word_rate(document.text)
    assert tokens > 5000
    assert rate <= MAX_GLUED_RATE, (path.name, rate, examples)
    assert "This revised edition incorporates all amendments up to and" in document.text


def test_every_page_is_read_by_pdfium_and_mapped(sgp_pdf):
    path, document = sgp_pdf
    assert document.warnings == []
    assert document.metadata["pages"] == str(SGP_PDFS[path.name])
    pages = [span.page for span in document.source_map]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == SGP_PDFS[path.name]
