"""Fixture documents for the ingestion tests, built in code (nothing binary is committed).

Each fixture returns the path of a small file in a temporary folder. Builders
that are slow or reused are session-scoped.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_TEXTS = REPO_ROOT.parent / "shared" / "corpora" / "texts"
# Statutes exactly as their publishers put them online (../shared/real-statutes/README.md says where from).
REAL_STATUTES = REPO_ROOT.parent / "shared" / "real-statutes"

RUNNING_HEADER = "Cybercrime Act 2020 (No. 7 of 2020)"
# Body lines per page of the multi-page PDF. Page 1 hyphenates "communication"
# across a line break and keeps the compound "non-extendable"; the last line
# of page 2 hyphenates "surveillance" across the page break.
PDF_PAGES = [
    [
        "PART I PRELIMINARY",
        "1. Short title",
        "This Act may be cited as the Cybercrime Act 2020.",
        "2. Interpretation",
        "In this Act, unless the context otherwise requires, com-",
        "munication means any transfer of signs or data, for a non-",
        "extendable period of 12 months.",
    ],
    [
        "3. Unauthorised access",
        "(1) A person who intentionally accesses a computer system",
        "without authorisation commits an offence.",
        "(2) A service provider shall retain traffic data for the purposes of sur-",
    ],
    [
        "veillance ordered under section 12.",
        "4. Interception",
        "A person shall not intercept any communication.",
    ],
    [
        "5. Search and seizure",
        "A police officer may seize a computer system under a warrant.",
    ],
]


def write_pdf(path: Path, pages: list[list[str]], *, header: str | None = None, footer: bool = True) -> Path:
    """A PDF whose pages hold ``pages``' lines, with an optional running header and "Page n of m" footers."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        if header:
            pdf.drawString(72, height - 40, header)
        y = height - 90
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        if footer:
            pdf.drawCentredString(width / 2, 30, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="session")
def statute_pdf(tmp_path_factory) -> Path:
    return write_pdf(tmp_path_factory.mktemp("pdf") / "statute.pdf", PDF_PAGES, header=RUNNING_HEADER)


def _encrypted_copy(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


@pytest.fixture(scope="session")
def encrypted_pdf(statute_pdf, tmp_path_factory) -> Path:
    return _encrypted_copy(statute_pdf, tmp_path_factory.mktemp("pdf") / "locked.pdf", "secret")


@pytest.fixture(scope="session")
def owner_locked_pdf(statute_pdf, tmp_path_factory) -> Path:
    """Encrypted with an empty user password: opens without asking (printing/copying restrictions only)."""
    return _encrypted_copy(statute_pdf, tmp_path_factory.mktemp("pdf") / "restricted.pdf", "")


@pytest.fixture
def truncated_pdf(statute_pdf, tmp_path) -> Path:
    data = statute_pdf.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


@pytest.fixture
def scanned_pdf(tmp_path) -> Path:
    """Two pages of drawings only, like a scan: no text layer."""
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        pdf.setFillGray(0.6)
        pdf.rect(72, 300, 400, 400, fill=1)
        pdf.line(72, 200, 500, 200)
        pdf.showPage()
    pdf.save()
    return path


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# "(1)" at level 0 and "(a)" at level 1, as statutes number subsections and paragraphs.
LEGAL_NUMBERING = f"""
<w:abstractNum {W_NS} w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="(%1)"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%3)"/></w:lvl>
</w:abstractNum>"""
LEGAL_NUM = f'<w:num {W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def _number(paragraph, level: int) -> None:
    properties = paragraph._p.get_or_add_pPr()
    properties.append(parse_xml(
        f'<w:numPr {W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
    ))


@pytest.fixture(scope="session")
def statute_docx(tmp_path_factory) -> Path:
    """Heading, numbered subsections and paragraphs, a table, tracked changes."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    # abstractNum definitions must precede num elements in numbering.xml
    numbering.insert(0, parse_xml(LEGAL_NUMBERING))
    numbering.append(parse_xml(LEGAL_NUM))
    document.core_properties.title = "Cybercrime Act 2020"
    document.add_heading("12. Interception", level=2)
    _number(document.add_paragraph("A person shall not intercept a communication."), 0)
    _number(document.add_paragraph("The Minister may authorise interception where—"), 0)
    _number(document.add_paragraph("national security requires it; or"), 1)
    _number(document.add_paragraph("a judge so orders."), 1)
    table = document.add_table(rows=2, cols=2)
    for row, (offence, penalty) in zip(table.rows, [("Offence", "Penalty"), ("Interception", "5 years")]):
        row.cells[0].text, row.cells[1].text = offence, penalty
    amended = document.add_paragraph("This section applies ")
    amended._p.append(parse_xml(
        f'<w:ins {W_NS} w:id="1" w:author="x"><w:r><w:t>to every provider</w:t></w:r></w:ins>'
    ))
    amended._p.append(parse_xml(
        f'<w:del {W_NS} w:id="2" w:author="x"><w:r><w:delText>to licensed providers only</w:delText></w:r></w:del>'
    ))
    document.add_paragraph("13. Search", style="Heading 2")
    path = tmp_path_factory.mktemp("docx") / "statute.docx"
    document.save(path)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_zeros_member(path: Path, megabytes: int) -> Path:
    """A zip whose word/document.xml is ``megabytes`` MB of zeros, streamed so memory and disk stay small."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


@pytest.fixture(scope="session")
def docx_zip_bomb(tmp_path_factory) -> Path:
    return write_zeros_member(tmp_path_factory.mktemp("bomb") / "bomb.docx", 300)


@pytest.fixture(scope="session")
def docx_ratio_bomb(tmp_path_factory) -> Path:
    """Under the total size limit, but one member compressed far beyond any real document."""
    return write_zeros_member(tmp_path_factory.mktemp("bomb") / "dense.docx", 20)


STATUTE_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Cybercrime Act 2020</title>
<style>p { color: red }</style><script>document.write("tracking code")</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/acts">Acts</a></nav>
<header>Government Printer website banner</header>
<h1>Cybercrime Act 2020</h1>
<section><header><h2>12. Interception</h2></header>
<p>(1) A person shall not&nbsp;intercept a <b>communication</b> <i>without</i> a warrant.</p>
<p>(2) The Minister may issue &ldquo;interception directions&rdquo;.<script>steal()</script></p>
</section>
<table><tr><th>Offence</th><th>Penalty</th></tr><tr><td>Interception</td><td>5 years</td></tr></table>
<noscript>Enable JavaScript</noscript>
<form><input name="q"> Search the site</form>
<footer>Copyright notice</footer>
</body></html>
"""


@pytest.fixture
def statute_html(tmp_path) -> Path:
    path = tmp_path / "statute.html"
    path.write_text(STATUTE_HTML, encoding="utf-8")
    return path


AKN_ACT = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
  <act name="act">
    <meta>
      <identification source="#provrisk">
        <FRBRWork>
          <FRBRthis value="/akn/ke/act/2018/5/!main"/>
          <FRBRuri value="/akn/ke/act/2018/5"/>
          <FRBRdate date="2018-05-16" name="Generation"/>
          <FRBRauthor href="#parliament"/>
          <FRBRcountry value="ke"/>
          <FRBRnumber value="5"/>
          <FRBRname value="Computer Misuse and Cybercrimes Act"/>
        </FRBRWork>
        <FRBRExpression><FRBRthis value="/akn/ke/act/2018/5/eng@/!main"/><FRBRuri value="/akn/ke/act/2018/5/eng@"/>
          <FRBRdate date="2018-05-16" name="Generation"/><FRBRauthor href="#parliament"/><FRBRlanguage language="eng"/></FRBRExpression>
      </identification>
    </meta>
    <preface>
      <p class="title"><docTitle>Computer Misuse and Cybercrimes Act</docTitle></p>
      <longTitle><p>An Act of Parliament to provide for offences relating to computer systems.</p></longTitle>
    </preface>
    <body>
      <part eId="part_I">
        <num>I</num>
        <heading>PRELIMINARY</heading>
        <section eId="sec_1">
          <num>1.</num>
          <heading>Short title</heading>
          <content><p>This Act may be cited as the Computer Misuse and Cybercrimes Act, 2018.</p></content>
        </section>
        <section eId="sec_2">
          <num>2.</num>
          <heading>Interpretation</heading>
          <subsection eId="sec_2__subsec_1">
            <num>(1)</num>
            <intro><p>In this Act, unless the context otherwise requires—</p></intro>
            <paragraph eId="sec_2__subsec_1__para_a">
              <num>(a)</num>
              <content><p>"<term refersTo="#access">access</term>" means gaining entry into a computer system;<authorialNote marker="1"><p>Amended by Act 2 of 2020.</p></authorialNote></p></content>
            </paragraph>
            <paragraph eId="sec_2__subsec_1__para_b">
              <num>(b)</num>
              <content><p>"data" means any representation of facts.</p></content>
            </paragraph>
            <wrapUp><p>and related expressions have corresponding meanings.</p></wrapUp>
          </subsection>
          <subsection eId="sec_2__subsec_2">
            <num>(2)</num>
            <content><p>This section applies throughout the Act.</p></content>
          </subsection>
        </section>
      </part>
      <part eId="part_III">
        <num>III</num>
        <heading>OFFENCES</heading>
        <section eId="sec_14">
          <num>14.</num>
          <heading>Unauthorised access</heading>
          <content><p>A person who causes a computer system to perform a function commits an offence.</p></content>
        </section>
      </part>
    </body>
  </act>
</akomaNtoso>
"""

AKN_ACT_TEXT = """Computer Misuse and Cybercrimes Act

An Act of Parliament to provide for offences relating to computer systems.

PART I PRELIMINARY

1. Short title
This Act may be cited as the Computer Misuse and Cybercrimes Act, 2018.

2. Interpretation

(1) In this Act, unless the context otherwise requires—

(a) "access" means gaining entry into a computer system;

(b) "data" means any representation of facts.

and related expressions have corresponding meanings.

(2) This section applies throughout the Act.

PART III OFFENCES

14. Unauthorised access
A person who causes a computer system to perform a function commits an offence."""


@pytest.fixture
def akn_act(tmp_path) -> Path:
    path = tmp_path / "act.xml"
    path.write_text(AKN_ACT, encoding="utf-8")
    return path


XXE_XML = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<akomaNtoso><act><body><section><num>1.</num><content><p>&e;</p></content></section></body></act></akomaNtoso>
"""

BILLION_LAUGHS_XML = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<akomaNtoso><act><body><p>&lol9;</p></body></act></akomaNtoso>
"""


@pytest.fixture
def xxe_xml(tmp_path) -> Path:
    path = tmp_path / "xxe.xml"
    path.write_text(XXE_XML, encoding="utf-8")
    return path


@pytest.fixture
def billion_laughs_xml(tmp_path) -> Path:
    path = tmp_path / "lol.xml"
    path.write_text(BILLION_LAUGHS_XML, encoding="utf-8")
    return path


def shared_text(name: str) -> Path:
    """A corpus text from ../shared, or skip the test when the shared folder is absent."""
    path = SHARED_TEXTS / name
    if not path.exists():
        pytest.skip(f"shared corpus text {name} is not present")
    return path


def real_statute(name: str) -> Path:
    """A published statute from ../shared/real-statutes, or skip the test when the shared folder is absent."""
    path = REAL_STATUTES / name
    if not path.exists():
        pytest.skip(f"real statute {name} is not present (../shared/real-statutes)")
    return path
