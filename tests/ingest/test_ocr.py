"""OCR of scanned PDFs: a real published statute rasterised into an image-only PDF, read back with Tesseract.

The scan is made here from pages of the Singapore Public Order Act 2009 as
published (../shared/real-statutes; skipped when absent): each page rendered
to a 200-dpi grey image and placed alone on a PDF page, so no text layer
remains. Tests that run Tesseract skip when it is not installed (``make ocr``
installs it where apt-get is usable).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from provrisk.errors import InputError
from provrisk.eval.bench.pdf import glued_word_rate
from provrisk.ingest import ingest_file, ocr

from .conftest import PDF_PAGES, real_statute, write_pdf

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed (make ocr, or apt-get install tesseract-ocr tesseract-ocr-eng)"
)
SOURCE = "sgp-public_order_act_2009.pdf"
SCANNED_PAGES = [10, 11, 12]  # ss. 6-7: subsections, items, amendment notes, running heads
SCAN_DPI = 200
_WORD = re.compile(r"[A-Za-z]{4,}")


def rasterise(source: Path, pages: list[int], target: Path, dpi: int = SCAN_DPI) -> Path:
    """An image-only PDF of ``pages`` (1-based) of ``source``, as a scanner would make it."""
    document = pypdfium2.PdfDocument(source)
    pdf = None
    try:
        for number in pages:
            page = document[number - 1]
            width, height = page.get_size()
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            pdf = pdf or canvas.Canvas(str(target), pagesize=(width, height))
            pdf.setPageSize((width, height))
            pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, width, height)
            pdf.showPage()
    finally:
        document.close()
    pdf.save()
    return target


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    return rasterise(real_statute(SOURCE), SCANNED_PAGES, tmp_path_factory.mktemp("scan") / "scan.pdf")


@pytest.fixture(scope="module")
def text_layer() -> str:
    """The same pages' text as ingested from the publisher's text layer (what OCR should find)."""
    document = ingest_file(real_statute(SOURCE))
    return "\n".join(document.text[span.start : span.end] for span in document.source_map if span.page in SCANNED_PAGES)


@pytest.fixture(scope="module")
def read_by_ocr(scan):
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (make ocr)")
    return ingest_file(scan, ocr="auto")


def test_scan_has_no_text_layer_and_says_how_to_turn_ocr_on(scan):
    with pytest.raises(InputError) as caught:
        ingest_file(scan)
    assert str(caught.value) == f"{scan}: scanned PDF without a text layer; OCR is off; turn it on with --ocr auto (command line) or PROVRISK_OCR=auto (server)"


def test_without_tesseract_the_message_says_what_to_install(scan, monkeypatch):
    monkeypatch.setattr(ocr, "TESSERACT_COMMAND", "no-such-tesseract-binary")
    with pytest.raises(InputError) as caught:
        ingest_file(scan, ocr="auto")
    assert str(caught.value) == (
        f"{scan}: scanned PDF without a text layer; OCR needs Tesseract, which is not installed: install it with "
        "`apt-get install tesseract-ocr tesseract-ocr-eng` (Debian/Ubuntu, as root; `make ocr` does it) "
        "or your system's Tesseract package with English data, then run again"
    )


@needs_tesseract
def test_ocr_finds_the_words_of_the_text_layer(read_by_ocr, text_layer):
    expected = {word.lower() for word in _WORD.findall(text_layer)}
    found = {word.lower() for word in _WORD.findall(read_by_ocr.text)}
    assert len(expected & found) / len(expected) >= 0.97, sorted(expected - found)[:20]
    rate, tokens, examples = glued_word_rate(read_by_ocr.text)
    assert rate <= 0.005 and tokens > 800, examples
    assert "Notice of intention to organise a public assembly or public" in read_by_ocr.text


@needs_tesseract
def test_ocr_keeps_the_page_map_and_drops_the_running_heads(read_by_ocr):
    assert [span.page for span in read_by_ocr.source_map] == [1, 2, 3]
    assert read_by_ocr.page_at(read_by_ocr.text.index("Notice of intention")) == 1
    assert "Informal Consolidation" not in read_by_ocr.text
    assert any("Informal Consolidation" in line for line in read_by_ocr.furniture)
    assert read_by_ocr.metadata["ocr_pages"] == "1, 2, 3"
    assert read_by_ocr.metadata["ocr"].startswith("tesseract ")
    assert read_by_ocr.metadata["in_force_from"] == "2025-10-01"
    assert read_by_ocr.warnings == [
        "page(s) 1, 2, 3 have no text layer and were read by OCR: check names, numbers and citations against the original"
    ]


@needs_tesseract
def test_auto_reads_only_the_scanned_page_of_a_mixed_pdf(tmp_path, scan):
    text_pages = write_pdf(tmp_path / "text.pdf", [PDF_PAGES[0], PDF_PAGES[1]], footer=False)
    mixed = tmp_path / "mixed.pdf"
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(text_pages).pages[0])
    writer.add_page(PdfReader(scan).pages[0])
    writer.add_page(PdfReader(text_pages).pages[1])
    with mixed.open("wb") as handle:
        writer.write(handle)

    document = ingest_file(mixed, ocr="auto")

    assert document.metadata["ocr_pages"] == "2"
    assert [span.page for span in document.source_map] == [1, 2, 3]
    assert document.page_at(document.text.index("1. Short title")) == 1
    assert document.page_at(document.text.index("Notice of intention")) == 2
    assert document.page_at(document.text.index("3. Unauthorised access")) == 3


@needs_tesseract
def test_force_reads_every_page_by_ocr_even_with_a_text_layer(statute_pdf):
    document = ingest_file(statute_pdf, ocr="force")
    assert document.metadata["ocr_pages"] == "1, 2, 3, 4"
    assert "This Act may be cited as the Cybercrime Act 2020." in document.text
    assert "Page 1 of 4" not in document.text


def test_an_unknown_ocr_mode_is_a_programming_error(statute_pdf):
    with pytest.raises(ValueError, match="ocr must be one of auto, never, force"):
        ingest_file(statute_pdf, ocr="sometimes")


@needs_tesseract
def test_command_line_ocr_option(scan):
    from typer.testing import CliRunner

    from provrisk.cli import app

    refused = CliRunner().invoke(app, ["ingest", str(scan), "--ocr", "never"])
    assert refused.exit_code == 2
    assert "scanned PDF without a text layer; OCR is off" in refused.output
    read = CliRunner().invoke(app, ["ingest", str(scan)])  # auto by default on the command line
    assert read.exit_code == 0, read.output
    assert "Notice of intention to organise a public assembly" in read.stdout
