"""Plain-text ingestion: encodings, byte-order marks, binary refusal."""

from __future__ import annotations

import codecs

import pytest

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file

STATUTE = "Section 5. The Minister’s “power” to intercept – naïve café rules apply.\n(1) A person shall not intercept any communication."
NORMALISED = "Section 5. The Minister's \"power\" to intercept – naïve café rules apply.\n(1) A person shall not intercept any communication."


def test_utf8_text(tmp_path):
    path = tmp_path / "statute.txt"
    path.write_text(STATUTE, encoding="utf-8")

    document = ingest_file(path)

    assert document.format == "txt"
    assert document.text == NORMALISED
    assert document.source == str(path)
    assert document.warnings == []
    assert document.language == "en"


def test_utf8_with_bom():
    document = ingest_bytes(codecs.BOM_UTF8 + STATUTE.encode("utf-8"), "bom.txt")
    assert document.text == NORMALISED
    assert document.warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path, encoding):
    path = tmp_path / "wide.txt"
    data = STATUTE.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)

    document = ingest_file(path)

    assert document.text == NORMALISED
    assert document.warnings == []


def test_cp1252_is_detected_and_named_in_a_warning(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(STATUTE.encode("cp1252"))

    document = ingest_file(path)

    assert document.text == NORMALISED
    assert document.warnings == [
        "text is not UTF-8; decoded it as cp1252 (detected): check accented letters and symbols"
    ]


def test_latin1_text_with_few_accents_is_read_as_cp1252():
    document = ingest_bytes("The Act applies to every café and résumé service provider.".encode("latin-1"), "a.txt")
    assert document.text == "The Act applies to every café and résumé service provider."


def test_other_legacy_encodings_are_detected():
    russian = "Закон о связи. Статья 5. Оператор связи обязан хранить данные о соединениях абонентов.\n" * 3
    document = ingest_bytes(russian.encode("cp1251"), "law.txt")
    assert document.text.startswith("Закон о связи. Статья 5.")
    assert "decoded it as cp1251" in document.warnings[0]


def test_windows_line_endings_become_line_feeds():
    document = ingest_bytes(b"Section 1. Title.\r\n(1) First.\r(2) Second.\r\n", "crlf.txt")
    assert document.text == "Section 1. Title.\n(1) First.\n(2) Second.\n"


def test_text_full_of_control_characters_is_binary():
    junk = bytes(range(1, 32)) * 10 + b"some words"
    with pytest.raises(InputError) as caught:
        ingest_bytes(junk, "junk.txt")
    assert str(caught.value) == "junk.txt: binary file, not a text document"


def test_invalid_utf16_after_bom_is_refused():
    with pytest.raises(InputError) as caught:
        ingest_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00", "bad16.txt")
    assert str(caught.value).startswith("bad16.txt: invalid UTF-16 text at byte ")
