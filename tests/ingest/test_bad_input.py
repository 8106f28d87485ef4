"""Bad input of every kind ends in one InputError line naming the file and the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provrisk.errors import InputError
from provrisk.ingest import DEFAULT_MAX_BYTES, ingest_bytes, ingest_file

from .conftest import zip_bytes


def _refusal(path_or_data, name: str | None = None, **options) -> str:
    """The one-line message of the InputError that ingesting raises."""
    with pytest.raises(InputError) as caught:
        if name is None:
            ingest_file(path_or_data, **options)
        else:
            ingest_bytes(path_or_data, name, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_default_size_limit_is_50_mb():
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert _refusal(path) == f"{path}: empty file (0 bytes)"


@pytest.mark.parametrize("name", ["blank.txt", "blank.html", "blank"])
def test_whitespace_only_file_has_no_text(name):
    assert _refusal(b" \n\t\r\n  \n", name).startswith(f"{name}: no text found in this ")


def test_random_bytes_are_binary(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(os.urandom(4096))
    assert _refusal(path) == f"{path}: binary file, not a text document"


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 400, encoding="utf-8")
    assert _refusal(path, max_bytes=1000) == f"{path}: file too large (2.0 KB; the limit is 1000 bytes)"


def test_upload_over_the_size_limit_is_refused():
    assert _refusal(b"x" * 2048, "big.txt", max_bytes=1024) == "big.txt: file too large (2.0 KB; the limit is 1.0 KB)"


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.pdf"
    assert _refusal(path) == f"{path}: file not found"


def test_directory(tmp_path):
    assert _refusal(tmp_path) == f"{tmp_path}: is a directory, not a file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_is_not_read():
    assert _refusal(Path("/dev/zero")) == "/dev/zero: not a regular file"


def test_display_name_is_used_in_messages(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        ingest_file(path, display_name="Statute (draft).txt")
    assert str(caught.value) == "Statute (draft).txt: empty file (0 bytes)"


def test_upload_name_is_never_a_path_and_cannot_break_the_line():
    message = _refusal(b"", "../../etc/passwd\nFAKE LOG LINE.txt")
    assert message == "passwd?FAKE LOG LINE.txt: empty file (0 bytes)"


def test_upload_without_a_name():
    assert _refusal(b"", "") == "upload: empty file (0 bytes)"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "image file, not a text document; run OCR first"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "image file, not a text document; run OCR first"),
        (b"{\\rtf1\\ansi Section 1}", "RTF is not supported; save it as .docx or PDF and try again"),
    ],
)
def test_unsupported_formats_are_named(data, problem):
    assert _refusal(data, "scan.bin") == f"scan.bin: {problem}"


def test_zip_that_is_not_a_docx_whatever_its_name():
    assert _refusal(zip_bytes({"a.txt": b"hello"}), "archive.zip") == "archive.zip: not a DOCX (no word/document.xml)"


_MAGIC_PREFIXES = [b"%PDF-1.7\n", b"PK\x03\x04", b'<?xml version="1.0"?>', b"<html><body>", b"<akomaNtoso>", b""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(_MAGIC_PREFIXES), body=st.binary(max_size=300),
       name=st.sampled_from(["x.pdf", "x.docx", "x.xml", "x.html", "x.txt", "x"]))
def test_mangled_input_raises_only_input_error(prefix, body, name):
    try:
        document = ingest_bytes(prefix + body, name)
    except InputError as error:
        assert str(error).startswith(f"{name}: ")
        assert "\n" not in str(error)
    else:
        assert document.text.strip()
