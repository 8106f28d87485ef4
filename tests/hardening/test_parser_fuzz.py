"""Bounded fuzzing of every file parser through ``ingest_bytes``.

Each format starts from a valid seed document (the ingestion tests' builders:
a reportlab PDF, a python-docx DOCX, the HTML page, the Akoma Ntoso act, a
plain-text statute) that hypothesis mutates: byte flips, truncations,
insertions of random bytes or of tokens that mean something to that parser
(PDF object syntax, entity declarations, BOMs, list numbering), deletions and
duplicated slices. DOCX is mutated both as raw zip bytes and inside its XML
parts (re-zipped, so the mutation reaches python-docx past the CRC checks);
PDF both compressed and uncompressed (so the mutation reaches the content
streams).

Property: ``ingest_bytes`` returns an ``IngestedText`` whose text is a
non-blank ``str``, or raises ``InputError`` with one line naming the upload;
never any other exception, and within a per-example time bound. The number of
examples per format keeps the file under a minute on two cores; CI runs it
as is (it is not marked slow).
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from provrisk.errors import InputError
from provrisk.ingest import IngestedText, ingest_bytes

from tests.ingest.conftest import (  # noqa: F401 - session fixtures shared with the ingestion tests
    AKN_ACT,
    PDF_PAGES,
    STATUTE_HTML,
    statute_docx,
    statute_pdf,
    write_pdf,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TEXT = (REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt").read_bytes()[:6000]
# Mutated documents are small; one taking this long is a parser that hangs.
PER_EXAMPLE_SECONDS = 10.0

_COMMON_TOKENS = [b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x80\x81", b"\r", b"\x0c", b"\xe2\x80\xa8"]
_XML_TOKENS = [
    b"<", b">", b"</", b"/>", b"&", b"&e;", b"&#0;", b"&#xD800;", b"&#1114112;", b"<![CDATA[", b"]]>",
    b"<!DOCTYPE x [<!ENTITY e 'x'>]>", b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    b'<?xml version="1.0" encoding="utf-16"?>', b'<?xml version="1.0" encoding="bogus"?>',
    b'xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"', b"<num>", b"<heading>", b"<p>", b"<table><tr><td>",
]
TOKENS = {
    "txt": _COMMON_TOKENS + [b"%PDF-", b"PK\x03\x04", b"<html>", b"<?xml", b"{\\rtf", b"\n\n", b"(1)", b"12. "],
    "html": _COMMON_TOKENS + _XML_TOKENS + [
        b'<meta charset="base64">', b'<meta charset="utf-7">', b'<meta charset="utf-16">', b"<script>",
        b"<pre>", b"<br>", b"<header>", b"<footer>", b"<tr>", b"<td>", b"<!--", b"-->",
    ],
    "akn": _COMMON_TOKENS + _XML_TOKENS + [b"<section>", b"<article>", b"<part>", b"<intro>", b"<wrapUp>"],
    "docx": _COMMON_TOKENS + _XML_TOKENS + [
        b'<w:numPr><w:ilvl w:val="99999999999"/><w:numId w:val="90"/></w:numPr>', b'w:val="-1"',
        b'<w:lvlText w:val="%9%1%1"/>', b"<w:tbl><w:tr><w:tc>", b"<w:vMerge/>", b"<w:sdt><w:sdtContent>",
        b"<w:del>", b"<w:br/>", b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06",
    ],
    "pdf": _COMMON_TOKENS + [
        b" 0 R", b" 3 0 R", b"<<", b">>", b"[", b"]", b"(", b")", b"<ff00>", b"/Kids [3 0 R 2 0 R]",
        b"/Prev 0", b"/Length 999999999", b"/Length -1", b"stream\n", b"endstream", b"/Filter /FlateDecode",
        b"/Filter /LZWDecode", b"/Encrypt 1 0 R", b"xref\n0 1\n", b"trailer", b"startxref\n0\n", b"%%EOF",
        b"obj", b"endobj", b"/Contents", b" Do ", b" Tj ", b" TJ ", b"/Font", b"/ToUnicode", b"1e999999",
    ],
}


def _uncompressed_pdf() -> bytes:
    """The ingestion tests' statute pages, with readable content streams for the mutations to hit."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for lines in PDF_PAGES[:2]:
        y = 750
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def seeds(statute_pdf, statute_docx) -> dict[str, tuple[str, bytes]]:  # noqa: F811 - the imported fixtures
    """A valid document per fuzz target: (upload name, bytes)."""
    return {
        "txt": ("statute.txt", EXAMPLE_TEXT),
        "html": ("statute.html", STATUTE_HTML.encode("utf-8")),
        "akn": ("act.xml", AKN_ACT.encode("utf-8")),
        "pdf": ("statute.pdf", statute_pdf.read_bytes()),
        "pdf-uncompressed": ("statute.pdf", _uncompressed_pdf()),
        "docx": ("statute.docx", statute_docx.read_bytes()),
        "docx-xml": ("statute.docx", statute_docx.read_bytes()),
    }


@st.composite
def mutations(draw, tokens: list[bytes]):
    """Edits as (kind, position, argument); positions wrap around the document's length."""
    position = st.integers(min_value=0, max_value=2**31)
    edit = st.one_of(
        st.tuples(st.just("flip"), position, st.integers(1, 255)),
        st.tuples(st.just("truncate"), position, st.none()),
        st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=16)),
        st.tuples(st.just("insert"), position, st.sampled_from(tokens)),
        st.tuples(st.just("delete"), position, st.integers(1, 64)),
        st.tuples(st.just("duplicate"), position, st.integers(1, 256)),
    )
    return draw(st.lists(edit, min_size=1, max_size=6))


def mutate(data: bytes, edits) -> bytes:
    buffer = bytearray(data)
    for kind, raw_position, argument in edits:
        at = raw_position % (len(buffer) + 1)
        if kind == "flip" and at < len(buffer):
            buffer[at] ^= argument
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "insert":
            buffer[at:at] = argument
        elif kind == "delete":
            del buffer[at : at + argument]
        elif kind == "duplicate":
            buffer[at:at] = buffer[at : at + argument]
    return bytes(buffer)


def mutate_docx_part(data: bytes, edits, part_index: int) -> bytes:
    """Mutate one XML part of the DOCX and zip it again with correct CRCs."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [m for m in source.infolist() if m.filename.endswith((".xml", ".rels"))]
        target_name = members[part_index % len(members)].filename
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for member in source.infolist():
                content = source.read(member)
                if member.filename == target_name:
                    content = mutate(content, edits)
                target.writestr(member.filename, content)
    return buffer.getvalue()


def check_ingest(data: bytes, name: str) -> None:
    started = time.monotonic()
    try:
        document = ingest_bytes(data, name)
    except InputError as error:
        message = str(error)
        assert message.startswith(f"{name}: ") and "\n" not in message, message
    else:
        assert isinstance(document, IngestedText)
        assert isinstance(document.text, str) and document.text.strip()
    elapsed = time.monotonic() - started
    assert elapsed < PER_EXAMPLE_SECONDS, f"{name}: took {elapsed:.1f} s"


_FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_TOKENS_FOR = {"pdf-uncompressed": TOKENS["pdf"], "docx-xml": TOKENS["docx"]}
# Examples per target: about 30 s for the whole file on two cores.
EXAMPLES = {"txt": 600, "html": 800, "akn": 800, "pdf": 500, "pdf-uncompressed": 600, "docx": 300, "docx-xml": 600}


@pytest.mark.parametrize("target", sorted(EXAMPLES))
def test_mutated_documents_are_read_or_refused_with_an_input_error(seeds, target):
    name, seed = seeds[target]
    tokens = _TOKENS_FOR.get(target) or TOKENS[target]

    @settings(_FUZZ, max_examples=EXAMPLES[target])
    @given(edits=mutations(tokens), part=st.integers(min_value=0, max_value=50))
    def fuzz(edits, part):
        data = mutate_docx_part(seed, edits, part) if target == "docx-xml" else mutate(seed, edits)
        check_ingest(data, name)

    fuzz()
