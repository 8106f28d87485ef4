"""Hostile documents: each is refused, or read, within bounded time and memory, with one line naming the file.

Covered here (tests/ingest/test_bad_input.py, test_docx.py and test_akn.py
already cover the basic cases: one 300 MB zip-bomb member, one 20 MB member
compressed beyond 100:1, entity declarations in Akoma Ntoso XML and in
word/document.xml, 5,000 levels of XML nesting, a file a few bytes over the
limit):

- DOCX: many members each under the ratio check that python-docx would parse
  into gigabytes of tree, more members than the limit, a central directory
  that claims gigabytes, a zip bomb nested inside the archive, a list label
  template repeated on every paragraph;
- XML and HTML: external entities and external DTDs pointing at /etc/passwd
  and at a secret file, XInclude, entity tricks in DOCX parts other than the
  document, 100,000 levels of nesting, a single 20 MB line of text, 45 MB of
  tiny elements;
- PDF: a FlateDecode stream inflating to 1 GB, a huge stream re-parsed by
  every page, a text-filled form run a thousand times, page-tree cycles,
  reference loops, /Prev loops;
- size: one byte over the limit, and a 1 GB sparse file refused before it is read;
- upload names with path traversal, absolute paths, NUL and thousands of
  characters: echoed as one safe component, never used to touch the filesystem;
- model settings naming a function to call: refused, never called;
- text in legacy and BOM-less encodings and with invalid bytes: decoded, with
  a warning naming the encoding, never a traceback.

Memory is measured with tracemalloc (Python allocations, where decompressed
bytes would live), or as the peak resident size of a child process running
under an address-space limit (the PDF bomb, and HTML just under the markup
limit, whose cost is in lxml's C allocations).
"""

from __future__ import annotations

import builtins
import copy
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Self

import docx
import pytest
from docx.oxml import parse_xml

import provrisk.ingest.pdf as pdf_reader
from provrisk.errors import ConfigError, InputError
from provrisk.ingest import DEFAULT_MAX_BYTES, ingest_bytes, ingest_file
from provrisk.ingest.limits import MAX_XML_MARKUP
from provrisk.models.artifacts import load_model_dir
from provrisk.taxonomy import load_taxonomy

from tests.ingest.conftest import (
    AKN_ACT,
    BILLION_LAUGHS_XML,
    STATUTE_HTML,
    W_NS,
    write_zeros_member,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
W_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
STATUTE = "Section 1. A person who intercepts a communication without a warrant commits an offence."


def refusal(data: bytes, name: str, **options) -> str:
    """The problem part of the one-line InputError that ingesting ``data`` raises."""
    with pytest.raises(InputError) as caught:
        ingest_bytes(data, name, **options)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message, message
    return message.removeprefix(f"{name}: ")


def read_or_refuse(data: bytes, name: str) -> str:
    """The text read, or the refusal message: what a user could see either way."""
    try:
        return ingest_bytes(data, name).text
    except InputError as error:
        assert "\n" not in str(error)
        return str(error)


class Peak:
    """Wall time and peak Python allocation (MB) of the block."""

    def __enter__(self) -> Self:
        tracemalloc.start()
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.monotonic() - self._started
        self.mb = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()


# --- DOCX ------------------------------------------------------------------------------------------


def simple_docx(text: str = STATUTE) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """``data`` (a zip) with members replaced and added."""
    replace = replace or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, replace.get(member.filename, source.read(member)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def docx_with_headers(header_xml: list[bytes]) -> bytes:
    """A DOCX whose document part references each of ``header_xml`` as a header python-docx parses."""
    base = simple_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        rels = source.read("word/_rels/document.xml.rels")
        types = source.read("[Content_Types].xml")
    relationships = "".join(
        f'<Relationship Id="rIdH{i}" Type="{W_HEADER}" Target="header{i}.xml"/>' for i in range(len(header_xml))
    )
    overrides = "".join(
        f'<Override PartName="/word/header{i}.xml" ContentType="{HEADER_TYPE}"/>' for i in range(len(header_xml))
    )
    return rezip(
        base,
        replace={
            "word/_rels/document.xml.rels": rels.replace(b"</Relationships>", relationships.encode() + b"</Relationships>"),
            "[Content_Types].xml": types.replace(b"</Types>", overrides.encode() + b"</Types>"),
        },
        add={f"word/header{i}.xml": xml for i, xml in enumerate(header_xml)},
    )


def test_docx_of_small_members_that_would_parse_into_gigabytes_is_refused_by_its_markup():
    # Each header is 8.9 MB of "<w:p/>" (under the 10 MB ratio check) and 9 KB
    # zipped; python-docx would parse each into a 200 MB tree.
    header = f"<w:hdr {W_NS}>".encode() + b"<w:p/>" * (int(8.9 * MB) // 6) + b"</w:hdr>"
    data = docx_with_headers([header] * 4)
    assert len(data) < 100 * 1024
    with Peak() as peak:
        problem = refusal(data, "headers.docx")
    assert problem.startswith(f"DOCX holds more than {MAX_XML_MARKUP:,} XML elements and attributes")
    assert peak.seconds < 5 and peak.mb < 32


def test_docx_with_more_members_than_the_limit_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {W_NS}/>")
        for i in range(10_000):
            archive.writestr(f"word/media/{i}.bin", b"")
    assert refusal(buffer.getvalue(), "many.docx") == "DOCX has 10001 archive members; refused (limit 10000)"


def test_docx_whose_directory_claims_gigabytes_is_refused_without_inflating_anything():
    # Overlapping entries: 3,000 names in the central directory all point at one
    # deflated megabyte of zeros (a "better zip bomb"): 3 GB declared, 1 KB stored.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(MB))
        original = archive.getinfo("word/document.xml")
        for i in range(3000):
            alias = copy.copy(original)
            alias.filename = f"word/media/alias{i}.xml"
            archive.filelist.append(alias)
            archive.NameToInfo[alias.filename] = alias
    with Peak() as peak:
        problem = refusal(buffer.getvalue(), "overlap.docx")
    assert problem == "DOCX expands to 3001 MB, more than the 200 MB limit (possible zip bomb); refused"
    assert peak.mb < 8


def test_zip_bomb_nested_inside_a_docx_is_never_expanded(tmp_path):
    inner = write_zeros_member(tmp_path / "inner.zip", 300).read_bytes()
    data = rezip(simple_docx(), add={"word/embeddings/oleObject1.bin": inner, "word/embeddings/bomb.zip": inner})
    with Peak() as peak:
        text = ingest_bytes(data, "nested.docx").text
    assert text == STATUTE
    assert peak.seconds < 5 and peak.mb < 48


def test_a_long_list_label_template_does_not_multiply_the_text():
    # 100 KB of label template on each of 2,000 numbered paragraphs was 200 MB of text.
    document = docx.Document()
    numbering = document.part.numbering_part.element
    template = "x" * 100_000 + "%1"
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="decimal"/><w:lvlText w:val="{template}"/></w:lvl></w:abstractNum>'
    ))
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for _ in range(2000):
        paragraph = document.add_paragraph("A person commits an offence.")
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W_NS}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
        )
    buffer = io.BytesIO()
    document.save(buffer)
    with Peak() as peak:
        text = ingest_bytes(buffer.getvalue(), "labels.docx").text
    assert len(text) < 500_000
    assert peak.seconds < 10 and peak.mb < 100


# --- XML and HTML: entities, external resources ----------------------------------------------------


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-4f9c2e credentials line\n", encoding="utf-8")
    return path


def backdate_access_time(path: Path) -> float:
    """Set the access time before the modification time, so that any read (relatime) moves it."""
    status = path.stat()
    os.utime(path, (status.st_mtime - 1000, status.st_mtime))
    return path.stat().st_atime


@pytest.fixture
def reads_are_visible(tmp_path) -> bool:
    """Whether this filesystem records reads in the access time (not under noatime)."""
    probe = tmp_path / "probe.txt"
    probe.write_text("x", encoding="utf-8")
    before = backdate_access_time(probe)
    probe.read_text(encoding="utf-8")
    return probe.stat().st_atime != before


def _hostile_xml_documents(url: str) -> dict[str, tuple[str, bytes]]:
    body = '<act><body><section><num>1.</num><content><p>{}</p></content></section></body></act>'
    akn = '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">{}</akomaNtoso>'
    xxe_part = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{url}">]>'
    lines = "A person commits an offence. &e; Text after."
    return {
        "external entity": ("xxe.xml", (xxe_part + akn.format(body.format(lines))).encode()),
        "external DTD": ("dtd.xml", (
            f'<?xml version="1.0"?><!DOCTYPE akomaNtoso SYSTEM "{url}">' + akn.format(body.format("A person commits an offence."))
        ).encode()),
        "XInclude": ("xinclude.xml", akn.format(body.format(
            f'A person commits an offence. <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}" parse="text"/>'
        )).encode()),
        "HTML entity": ("xxe.html", (
            f'<!DOCTYPE html [<!ENTITY e SYSTEM "{url}">]><html><body><p>{lines}</p>'
            f'<iframe src="{url}"></iframe><object data="{url}"></object></body></html>'
        ).encode()),
        "DOCX numbering part": ("numbering.docx", _docx_part_with(
            "word/numbering.xml", f'{xxe_part}<w:numbering {W_NS}><w:num w:numId="1">&e;</w:num></w:numbering>'
        )),
        "DOCX styles part": ("styles.docx", _docx_part_with(
            "word/styles.xml", f'{xxe_part}<w:styles {W_NS}><w:style w:styleId="&e;"/></w:styles>'
        )),
    }


def _docx_part_with(part: str, xml: str) -> bytes:
    return rezip(simple_docx(), replace={part: xml.encode()})


@pytest.mark.parametrize("kind", ["external entity", "external DTD", "XInclude", "HTML entity",
                                  "DOCX numbering part", "DOCX styles part"])
def test_external_resources_are_never_read(kind, secret_file, reads_are_visible):
    # libxml2 opens files itself, past any Python-level hook: the secret file's
    # access time shows whether it was read at all.
    name, data = _hostile_xml_documents(secret_file.as_uri())[kind]
    accessed = backdate_access_time(secret_file)
    outcome = read_or_refuse(data, name)
    assert "TOP-SECRET" not in outcome
    if reads_are_visible:
        assert secret_file.stat().st_atime == accessed, "the secret file was read"
    passwd = Path("/etc/passwd")
    if passwd.exists() and passwd.read_text(errors="replace").strip():
        name, data = _hostile_xml_documents(passwd.as_uri())[kind]
        assert passwd.read_text(errors="replace").splitlines()[0] not in read_or_refuse(data, name)


def test_billion_laughs_in_a_docx_part_other_than_the_document_is_harmless():
    bomb = BILLION_LAUGHS_XML.split("<akomaNtoso>")[0].replace("lolz", "w:styles")
    data = _docx_part_with("word/styles.xml", bomb + f'<w:styles {W_NS}><w:style w:styleId="&lol9;"/></w:styles>')
    with Peak() as peak:
        outcome = read_or_refuse(data, "lol.docx")
    assert "lollol" not in outcome
    assert peak.seconds < 5 and peak.mb < 64


# --- XML and HTML: shape ---------------------------------------------------------------------------

DEPTH = 100_000


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("deep.xml", b"<akomaNtoso><act><body>" + b"<hcontainer>" * DEPTH + b"x" + b"</hcontainer>" * DEPTH
         + b"</body></act></akomaNtoso>", "malformed XML (Excessive depth in document: 256"),
        ("deep.html", b"<html><body><p>Before.</p>" + b"<div>" * DEPTH + b"Deep text." + b"</div>" * DEPTH
         + b"<p>After.</p></body></html>", "HTML nested more than 256 elements deep"),
        ("deep.docx", None, "corrupt DOCX (Excessive depth in document: 256"),
    ],
)
def test_deeply_nested_markup_is_refused_quickly(name, data, problem):
    if data is None:
        nested = b"<w:sdt><w:sdtContent>" * DEPTH + b"<w:p/>" + b"</w:sdtContent></w:sdt>" * DEPTH
        data = rezip(simple_docx(), replace={
            "word/document.xml": f"<w:document {W_NS}><w:body>".encode() + nested + b"</w:body></w:document>"
        })
    with Peak() as peak:
        assert refusal(data, name).startswith(problem)
    assert peak.seconds < 5


def test_html_with_a_text_block_past_the_parser_limit_is_refused_not_truncated():
    # libxml2 silently drops everything from a text node over 10 MB on: this page
    # used to be read as its first paragraph alone.
    data = b"<html><body><p>Before.</p><pre>" + b"word " * (4 * MB) + b"</pre><p>After.</p></body></html>"
    assert refusal(data, "long.html").startswith("HTML nested more than 256 elements deep or with more than 10 MB")


def test_xml_with_a_20_mb_line_of_text_is_refused():
    data = b"<akomaNtoso><act><body><p>" + b"word " * (4 * MB) + b"</p></body></act></akomaNtoso>"
    assert refusal(data, "long.xml").startswith("malformed XML (Resource limit exceeded")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("dense.html", b"<html><body>" + b"<p>x" * (45 * MB // 4)),
        ("dense.xml", b"<akomaNtoso><act><body>" + b"<b/>" * (45 * MB // 4) + b"</body></act></akomaNtoso>"),
    ],
)
def test_45_mb_of_tiny_elements_is_refused_before_parsing(name, data):
    # parsed, 45 MB of "<p>x" took 2 GB of memory and 18 s
    with Peak() as peak:
        assert "XML elements and attributes" in refusal(data, name)
    assert peak.seconds < 2 and peak.mb < 1


# --- PDF -------------------------------------------------------------------------------------------


def build_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF with these numbered objects (1: catalog), a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


PAGE_TEXT = b"BT /F1 12 Tf 72 700 Td (" + STATUTE.encode() + b") Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def one_page_pdf(**changes: bytes) -> dict[int, bytes]:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(PAGE_TEXT),
        5: FONT,
    }
    objects.update({int(key.removeprefix("obj")): value for key, value in changes.items()})
    return objects


def deflated_zeros(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = bytes(MB)
    return b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()


_MEASURE_IN_CHILD = """
import json, resource, sys, time
from pathlib import Path
from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes

def status_kb(field):
    return int(next(line for line in open("/proc/self/status") if line.startswith(field + ":")).split()[1])

data = Path(sys.argv[1]).read_bytes()
ingest_bytes(b"Section 1. A person commits an offence.", "warm-up.txt")
limit = status_kb("VmSize") * 1024 + int(sys.argv[3]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # resets the peak resident size (VmHWM) to the current one
before = status_kb("VmRSS")
started = time.monotonic()
try:
    outcome = {"text": ingest_bytes(data, sys.argv[2]).text[:200]}
except InputError as error:
    outcome = {"error": str(error)}
outcome["seconds"] = time.monotonic() - started
outcome["peak_increase_mb"] = (status_kb("VmHWM") - before) / 1024
print(json.dumps(outcome))
"""


def ingest_in_child(path: Path, name: str, address_space_mb: int) -> dict:
    """Ingest the file in a fresh interpreter allowed ``address_space_mb`` more address space than after start-up."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE_IN_CHILD, str(path), name, str(address_space_mb)],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures with /proc/self/status")
def test_pdf_stream_inflating_to_a_gigabyte_is_refused_in_bounded_memory(tmp_path):
    bomb = deflated_zeros(1024)
    assert len(bomb) < 2 * MB
    path = tmp_path / "bomb.pdf"
    path.write_bytes(build_pdf(one_page_pdf(obj4=stream(bomb, b"/Filter /FlateDecode "))))
    outcome = ingest_in_child(path, "bomb.pdf", address_space_mb=1500)
    assert outcome["error"].startswith("bomb.pdf: corrupt or truncated PDF (no page's text could be extracted: ")
    assert outcome["peak_increase_mb"] < 500
    assert outcome["seconds"] < 30


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures with /proc/self/status")
def test_html_just_under_the_markup_limit_is_read_in_bounded_memory(tmp_path):
    # the shape that costs lxml the most per byte: an unclosed paragraph (element
    # and text node) for every "<"
    path = tmp_path / "dense.html"
    path.write_bytes(b"<html><body>" + b"<p>x" * (MAX_XML_MARKUP - 10))
    outcome = ingest_in_child(path, "dense.html", address_space_mb=2000)
    assert outcome["text"].startswith("x\n\nx")
    assert outcome["peak_increase_mb"] < 700


def test_huge_stream_reparsed_by_every_page_stops_at_the_time_budget(monkeypatch):
    # 40 pages share one content stream of 20 MB (blank but for one text
    # operator): 20 KB of file, about a second of parsing per page.
    monkeypatch.setattr(pdf_reader, "MAX_PDF_EXTRACT_SECONDS", 1.0)
    content = PAGE_TEXT + b" " * (20 * MB)
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(40))
    objects = one_page_pdf(obj2=b"<< /Type /Pages /Kids [" + kids + b"] /Count 40 >>",
                           obj4=stream(zlib.compress(content, 9), b"/Filter /FlateDecode "))
    del objects[3]
    for i in range(40):
        objects[10 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                           b"/Resources << /Font << /F1 5 0 R >> >> >>")
    with Peak() as peak:
        problem = refusal(build_pdf(objects), "reparse.pdf")
    assert problem.startswith("text extraction took more than 1 s while extracting text from page ")
    assert peak.seconds < 10


def test_text_filled_form_run_a_thousand_times_stops_at_the_text_budget(monkeypatch):
    # A form holding 50,000 characters, drawn 1,000 times on one page: 50 million
    # characters from a few kilobytes.
    monkeypatch.setattr(pdf_reader, "MAX_PDF_TEXT_CHARS", 1_000_000)
    form = b"BT /F1 12 Tf (" + b"word " * 10_000 + b") Tj ET"
    objects = one_page_pdf(
        obj3=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>",
        obj4=stream(PAGE_TEXT + b" /X1 Do" * 1000),
        obj6=stream(zlib.compress(form), b"/Filter /FlateDecode /Type /XObject /Subtype /Form /BBox [0 0 612 792] "
                    b"/Resources << /Font << /F1 5 0 R >> >> "),
    )
    with Peak() as peak:
        problem = refusal(build_pdf(objects), "forms.pdf")
    assert problem.startswith("more than 1,000,000 characters of text (possible decompression bomb) while extracting")
    assert peak.seconds < 10


def _prev_loop_pdf() -> bytes:
    """Two cross-reference sections whose /Prev entries point at each other."""
    plain = build_pdf(one_page_pdf())
    xref_at = plain.index(b"xref\n")
    section = plain[xref_at : plain.index(b"startxref")]
    first_at, second_at = xref_at, xref_at + len(section) + 32
    first = section.replace(b">>", b"/Prev %d >>" % second_at)
    first += b" " * (second_at - first_at - len(first))
    second = section.replace(b">>", b"/Prev %d >>" % first_at)
    return plain[:xref_at] + first + second + b"startxref\n%d\n%%%%EOF\n" % second_at


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("pages-cycle.pdf", build_pdf(one_page_pdf(obj2=b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>")),
         "corrupt or truncated PDF (Detected cyclic page references.)"),
        ("pages-cycle-2.pdf", build_pdf(one_page_pdf(obj2=b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
                                                     obj6=b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")),
         "corrupt or truncated PDF (Detected cyclic page references.)"),
        ("contents-loop.pdf", build_pdf(one_page_pdf(obj3=one_page_pdf()[3].replace(b"4 0 R", b"6 0 R"),
                                                     obj6=b"7 0 R", obj7=b"6 0 R")), "scanned PDF"),
        ("length-loop.pdf", build_pdf(one_page_pdf(obj4=stream(PAGE_TEXT).replace(b"/Length", b"/Length 6 0 R /L"),
                                                   obj6=b"6 0 R")), None),
        ("resources-loop.pdf", build_pdf(one_page_pdf(
            obj3=one_page_pdf()[3].replace(b"<< /Font << /F1 5 0 R >> >>", b"6 0 R"),
            obj6=b"<< /Font << /F1 5 0 R >> /Parent 6 0 R /XObject << /X 6 0 R >> >>")), STATUTE),
        ("form-loop.pdf", build_pdf(one_page_pdf(
            obj3=one_page_pdf()[3].replace(b"/F1 5 0 R >>", b"/F1 5 0 R >> /XObject << /X1 6 0 R >>"),
            obj4=stream(PAGE_TEXT + b" /X1 Do"),
            obj6=stream(b"BT /F1 12 Tf (Inner form text.) Tj ET /X1 Do", b"/Type /XObject /Subtype /Form "
                        b"/BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> "))),
         STATUTE + "\nInner form text."),
        ("prev-loop.pdf", _prev_loop_pdf(), STATUTE),
    ],
)
def test_pdf_reference_loops_end_quickly(name, data, expected):
    with Peak() as peak:
        outcome = read_or_refuse(data, name)
    assert peak.seconds < 5
    if expected is not None:
        assert outcome.removeprefix(f"{name}: ").startswith(expected), outcome


# --- size ------------------------------------------------------------------------------------------


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_is_not():
    statute = (STATUTE + "\n").encode() * 40
    statute = statute[:2048].rstrip(b"\n") + b"\n"
    limit = len(statute)
    assert ingest_bytes(statute, "at-limit.txt", max_bytes=limit).text
    assert refusal(statute + b" ", "over.txt", max_bytes=limit) == (
        f"file too large ({limit + 1:,} bytes; the limit is {limit:,} bytes)"
    )


def test_sparse_one_gigabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(1024 * MB)
    with Peak() as peak, pytest.raises(InputError) as caught:
        ingest_file(path)
    assert str(caught.value) == f"{path}: file too large (1024.0 MB; the limit is {DEFAULT_MAX_BYTES // MB}.0 MB)"
    assert peak.seconds < 1 and peak.mb < 1


# --- upload names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\drivers\\etc\\hosts.txt", "hosts.txt"),
        ("file:///etc/shadow.txt", "shadow.txt"),
        ("act\x00.pdf.txt", "act?.pdf.txt"),
        ("a" * 5000 + ".txt", "a" * 197 + "..."),
        ("", "upload"),
        ("../", "upload"),
    ],
)
def test_upload_names_are_echoed_as_one_safe_component_and_never_opened(name, shown, monkeypatch):
    data = (STATUTE + "\n").encode()
    ingest_bytes(data, "warm-up.txt")
    touched: list[str] = []
    real_open, real_os_open, real_stat = builtins.open, os.open, os.stat

    def watch(real):
        def watched(path, *args, **kwargs):
            touched.append(str(path))
            return real(path, *args, **kwargs)
        return watched

    monkeypatch.setattr(builtins, "open", watch(real_open))
    monkeypatch.setattr(os, "open", watch(real_os_open))
    monkeypatch.setattr(os, "stat", watch(real_stat))
    document = ingest_bytes(data, name)
    with pytest.raises(InputError) as caught:
        ingest_bytes(b"", name)
    monkeypatch.undo()
    assert document.source == shown
    assert str(caught.value) == f"{shown}: empty file (0 bytes)"
    assert touched == []


# --- model artifacts -------------------------------------------------------------------------------


def test_model_settings_cannot_name_a_class_or_function_to_call(tmp_path):
    """model.json is data: a setting that is not a parameter of the class being built is refused, never called."""
    import shutil

    from provrisk.models.artifacts import resolve_model_dir
    from provrisk.models.linear_file import LINEAR_JSON

    directory = tmp_path / "evil-model"
    shutil.copytree(resolve_model_dir(None), directory)
    document = json.loads((directory / LINEAR_JSON).read_text(encoding="utf-8"))
    document["vectorizers"][0]["params"]["tokenizer"] = {"py/function": "os.system"}
    (directory / LINEAR_JSON).write_text(json.dumps(document), encoding="utf-8")
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    metadata.pop("weights_sha256")  # so that the file's content, not the digest, is what is refused
    (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model_dir(directory)
    assert "model.json" in str(caught.value) and "\n" not in str(caught.value)


# --- text encodings --------------------------------------------------------------------------------

ENGLISH = "Section 12. A person who intercepts a “communication” — without a warrant — commits an offence; café, naïve.\n"
LATIN_1 = "Section 12. A person who intercepts a communication without a warrant commits an offence; café, naïve.\n"
RUSSIAN = "Статья 12. Лицо, которое перехватывает сообщение без ордера, совершает преступление.\n" * 3
JAPANESE = "第十二条 令状なしに通信を傍受した者は、犯罪を犯したものとする。\n" * 3


@pytest.mark.parametrize(
    ("label", "data", "text", "warning"),
    [
        ("cp1252", ENGLISH.encode("cp1252"), ENGLISH, "decoded it as cp1252"),
        ("latin-1", LATIN_1.encode("latin-1"), LATIN_1, "decoded it as cp1252"),
        ("UTF-16-LE with BOM", b"\xff\xfe" + ENGLISH.encode("utf-16-le"), ENGLISH, None),
        ("UTF-16-BE with BOM", b"\xfe\xff" + ENGLISH.encode("utf-16-be"), ENGLISH, None),
        ("UTF-16-LE without BOM", ENGLISH.encode("utf-16-le"), ENGLISH, "decoded it as UTF-16-LE"),
        ("UTF-16-BE without BOM", ENGLISH.encode("utf-16-be"), ENGLISH, "decoded it as UTF-16-BE"),
        ("Shift-JIS", JAPANESE.encode("shift_jis"), JAPANESE, "decoded it as cp932"),
        ("KOI8-R", RUSSIAN.encode("koi8-r"), RUSSIAN, "decoded it as koi8_r"),
    ],
)
def test_text_in_other_encodings_is_decoded_with_a_warning(label, data, text, warning):
    document = ingest_bytes(data, "statute.txt")
    assert document.text.strip() == text.strip().replace("“", '"').replace("”", '"')
    if warning is None:
        assert not any("decoded" in w for w in document.warnings)
    else:
        assert any(warning in w for w in document.warnings), document.warnings


@pytest.mark.parametrize(
    "data",
    [
        ENGLISH.encode("utf-8") + ENGLISH.encode("cp1252") + b"\xff\xfe\x80\x81\x8d",
        b"Section 1. A person \xc3\x28 commits \xe2\x82 an offence \xf0\x28\x8c\x28.",
        b"Section 1. Overlong \xc0\xaf\xe0\x80\xaf and surrogate \xed\xa0\x80 bytes in the text of the law.",
        b"\xef\xbb\xbfSection 1. A BOM, then invalid UTF-8: \xff\xfe.",
        b"\xff\xfeS\x00e\x00c\x00\x00\xd8",
    ],
    ids=["mixed UTF-8 and cp1252", "invalid UTF-8", "overlong and surrogate", "BOM then invalid", "truncated UTF-16"],
)
def test_invalid_bytes_are_decoded_with_a_warning_or_refused_in_one_line(data):
    try:
        document = ingest_bytes(data, "mixed.txt")
    except InputError as error:
        assert str(error).startswith("mixed.txt: ") and "\n" not in str(error)
        assert "UTF-8" in str(error) or "UTF-16" in str(error) or "binary" in str(error)
    else:
        assert "Section 1" in document.text or "Section 12" in document.text
        assert any("decoded it as" in warning for warning in document.warnings)


def test_markup_readers_decode_declared_and_bom_encodings():
    akn_utf16 = AKN_ACT.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    html_cp1252 = STATUTE_HTML.replace("<head>", '<head><meta charset="windows-1252">').replace("&ldquo;", "“")
    assert "Computer Misuse and Cybercrimes Act" in ingest_bytes(akn_utf16, "act.xml").text
    assert "interception directions" in ingest_bytes(html_cp1252.encode("cp1252"), "act.html").text
