"""PDF ingestion: text layer per page, running lines removed, page map, refusals."""

from __future__ import annotations

import pytest

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file, pdf

from .conftest import PDF_PAGES, RUNNING_HEADER, write_pdf


def test_pages_are_joined_without_running_header_and_page_numbers(statute_pdf):
    document = ingest_file(statute_pdf)

    assert document.format == "pdf"
    assert RUNNING_HEADER not in document.text
    assert "Page 1 of 4" not in document.text and "Page" not in document.text
    assert document.text.startswith("PART I PRELIMINARY\n1. Short title\n")
    assert document.text.endswith("A police officer may seize a computer system under a warrant.")
    assert document.metadata["pages"] == "4"
    assert document.language == "en"
    assert document.warnings == []


def test_numbers_inside_the_page_body_are_kept(statute_pdf):
    document = ingest_file(statute_pdf)
    assert "extendable period of 12 months." in document.text
    assert "ordered under section 12." in document.text


def test_line_break_hyphenation_is_undone_but_compounds_are_kept(statute_pdf):
    text = ingest_file(statute_pdf).text
    assert "requires, communication means" in text
    assert "com-" not in text
    assert "for a non-\nextendable period" in text


def test_word_hyphenated_across_a_page_break_is_rejoined(statute_pdf):
    text = ingest_file(statute_pdf).text
    assert "for the purposes of surveillance ordered under section 12." in text


def test_source_map_gives_one_based_pages(statute_pdf):
    document = ingest_file(statute_pdf)

    assert [span.page for span in document.source_map] == [1, 2, 3, 4]
    assert document.page_at(document.text.index("1. Short title")) == 1
    assert document.page_at(document.text.index("3. Unauthorised access")) == 2
    assert document.page_at(document.text.index("4. Interception")) == 3
    assert document.page_at(document.text.index("5. Search and seizure")) == 4
    for span in document.source_map:
        assert 0 <= span.start < span.end <= len(document.text)


def test_same_result_from_bytes_as_from_file(statute_pdf):
    from_file = ingest_file(statute_pdf)
    from_bytes = ingest_bytes(statute_pdf.read_bytes(), "upload.pdf")
    assert from_bytes.text == from_file.text
    assert from_bytes.source == "upload.pdf"


def test_pdf_opened_with_empty_user_password_is_read(owner_locked_pdf):
    document = ingest_file(owner_locked_pdf)
    assert "1. Short title" in document.text


def test_password_protected_pdf_is_refused(encrypted_pdf):
    with pytest.raises(InputError) as caught:
        ingest_file(encrypted_pdf)
    assert str(caught.value) == (
        f"{encrypted_pdf}: password-protected PDF (encrypted); remove the password and try again"
    )


def test_truncated_pdf_is_refused(truncated_pdf):
    with pytest.raises(InputError) as caught:
        ingest_file(truncated_pdf)
    message = str(caught.value)
    assert message.startswith(f"{truncated_pdf}: corrupt or truncated PDF (")


def test_pdf_with_end_marker_but_damaged_structure_is_refused(statute_pdf):
    data = statute_pdf.read_bytes()
    damaged = data[: len(data) // 2] + b"\n%%EOF\n"
    with pytest.raises(InputError) as caught:
        ingest_bytes(damaged, "damaged.pdf")
    assert str(caught.value).startswith("damaged.pdf: corrupt or truncated PDF (")


def test_pdf_header_followed_by_junk_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(b"%PDF-1.7\n" + b"\x13\x37junk" * 50 + b"\n%%EOF\n", "junk.pdf")
    assert str(caught.value).startswith("junk.pdf: corrupt or truncated PDF (")


def test_scanned_pdf_without_text_layer_is_refused(scanned_pdf):
    with pytest.raises(InputError) as caught:
        ingest_file(scanned_pdf)
    assert str(caught.value) == f"{scanned_pdf}: scanned PDF without a text layer; {pdf.OCR_OFF}"


def test_scan_with_a_typed_running_header_is_still_a_scan(tmp_path):
    path = write_pdf(tmp_path / "stamped.pdf", [[], [], []], header="Laws of Kenya: Computer Misuse and Cybercrimes Act")
    with pytest.raises(InputError) as caught:
        ingest_file(path)
    assert str(caught.value) == f"{path}: scanned PDF without a text layer; {pdf.OCR_OFF}"


def test_pages_without_text_are_reported(tmp_path):
    pages = [PDF_PAGES[0], [], PDF_PAGES[1]]
    path = write_pdf(tmp_path / "gap.pdf", pages, footer=False)

    document = ingest_file(path)

    assert document.warnings == [f"1 page(s) have no text layer (blank or scanned): 2; {pdf.OCR_OFF}"]
    assert [span.page for span in document.source_map] == [1, 3]


def test_too_many_pages_is_refused(statute_pdf, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 3)
    with pytest.raises(InputError) as caught:
        ingest_file(statute_pdf)
    assert str(caught.value) == f"{statute_pdf}: PDF has 4 pages, more than the limit of 3"


def test_pdf_extension_without_pdf_content_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(b"Section 1. This is plain text saved as .pdf", "statute.pdf")
    assert str(caught.value) == "statute.pdf: not a valid PDF (no %PDF header)"


def test_pages_pdfium_cannot_read_are_read_with_pypdf_and_a_warning(statute_pdf, monkeypatch):
    def cannot_start(*_args, **_kwargs):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(pdf, "extract_texts", cannot_start)

    document = ingest_file(statute_pdf)

    assert "This Act may be cited as the Cybercrime Act 2020." in document.text
    assert document.warnings == [
        "PDFium could not read the file (the PDF reader could not be started: No such file or directory); "
        "page(s) 1, 2, 3, 4 were read with pypdf instead, which can run words together: check them against the original"
    ]
