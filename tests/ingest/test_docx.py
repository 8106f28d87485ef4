"""DOCX ingestion: body order, tables, list numbers, tracked changes; archive checks before opening."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file

from .conftest import BILLION_LAUGHS_XML, W_NS, zip_bytes


def test_paragraphs_and_table_rows_in_body_order(statute_docx):
    document = ingest_file(statute_docx)

    assert document.format == "docx"
    assert document.text == (
        "12. Interception\n"
        "(1) A person shall not intercept a communication.\n"
        "(2) The Minister may authorise interception where—\n"
        "(a) national security requires it; or\n"
        "(b) a judge so orders.\n"
        "\n"
        "Offence | Penalty\n"
        "Interception | 5 years\n"
        "\n"
        "This section applies to every provider\n"
        "13. Search"
    )
    assert document.metadata["title"] == "Cybercrime Act 2020"
    assert document.language == "en"


def test_tracked_insertions_are_read_and_deletions_are_not(statute_docx):
    text = ingest_file(statute_docx).text
    assert "applies to every provider" in text
    assert "licensed providers only" not in text


def test_style_numbering_restarts_per_list_and_bullets_have_no_label():
    document = docx.Document()
    document.add_paragraph("first", style="List Number")
    document.add_paragraph("second", style="List Number")
    document.add_paragraph("a point", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)

    assert ingest_bytes(buffer.getvalue(), "lists.docx").text == "1. first\n2. second\na point"


def test_merged_cells_are_read_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Schedule 1"
    table.cell(1, 0).text, table.cell(1, 1).text = "Item", "Fee"
    path = tmp_path / "merged.docx"
    document.save(path)

    assert ingest_file(path).text == "Schedule 1\nItem | Fee"


def test_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "statute.docx"
    path.write_text("Section 1. Plain text with a .docx name.", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ingest_file(path)
    assert str(caught.value) == f"{path}: not a valid DOCX (not a zip archive)"


def test_truncated_docx_is_refused(statute_docx):
    data = statute_docx.read_bytes()
    with pytest.raises(InputError) as caught:
        ingest_bytes(data[: len(data) // 2], "cut.docx")
    assert str(caught.value) == "cut.docx: not a valid DOCX (not a zip archive)"


def test_zip_without_word_document_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(zip_bytes({"content.xml": b"<office/>"}), "report.docx")
    assert str(caught.value) == "report.docx: not a DOCX (no word/document.xml)"


def test_zip_with_broken_document_is_refused():
    broken = zip_bytes({"word/document.xml": b"<w:document><unclosed>"})
    with pytest.raises(InputError) as caught:
        ingest_bytes(broken, "broken.docx")
    assert str(caught.value).startswith("broken.docx: corrupt DOCX (")


def test_zip_bomb_is_refused_before_anything_is_decompressed(docx_zip_bomb):
    assert docx_zip_bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        ingest_file(docx_zip_bomb)
    assert time.perf_counter() - started < 1.0
    assert str(caught.value) == (
        f"{docx_zip_bomb}: DOCX expands to 300 MB, more than the 200 MB limit (possible zip bomb); refused"
    )


def test_extremely_compressed_member_is_refused(docx_ratio_bomb):
    with pytest.raises(InputError) as caught:
        ingest_file(docx_ratio_bomb)
    message = str(caught.value)
    assert message.startswith(f"{docx_ratio_bomb}: DOCX member 'word/document.xml' is compressed ")
    assert message.endswith(":1 (possible zip bomb); refused")


def _docx_with_body(statute_docx, document_xml: bytes) -> bytes:
    """The fixture DOCX with word/document.xml replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(statute_docx) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = document_xml if member.filename == "word/document.xml" else source.read(member)
            target.writestr(member.filename, data)
    return buffer.getvalue()


def test_entity_declarations_inside_the_document_part_are_refused(statute_docx):
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<w:document {W_NS}><w:body><w:p><w:r><w:t>Before &e; after</w:t></w:r></w:p></w:body></w:document>'
    )
    with pytest.raises(InputError) as caught:
        ingest_bytes(_docx_with_body(statute_docx, xxe.encode()), "xxe.docx")
    assert str(caught.value) == "xxe.docx: DOCX with entity declarations (DTD) in word/document.xml refused"


def test_billion_laughs_inside_the_document_part_is_refused_quickly(statute_docx):
    body = f'<w:document {W_NS}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    bomb = BILLION_LAUGHS_XML.split("<akomaNtoso>")[0].replace("lolz", "w:document") + body
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        ingest_bytes(_docx_with_body(statute_docx, bomb.encode()), "lol.docx")
    assert time.perf_counter() - started < 1.0
    assert str(caught.value).startswith("lol.docx: corrupt DOCX (")


def test_legacy_word_file_is_refused_with_advice():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    with pytest.raises(InputError) as caught:
        ingest_bytes(ole2, "old.doc")
    assert str(caught.value) == (
        "old.doc: legacy Word .doc or password-protected Office file; "
        "save it as an unencrypted .docx and try again"
    )
