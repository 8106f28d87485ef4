"""One act, one result, whatever the format (issue 11, item 6).

Three corpus acts (Kenya, Pakistan, Singapore; read from ../shared, skipped
when it is absent) are rendered as a publisher would print them: a PDF with
running heads and footers on every page, long lines wrapped and long words
hyphenated at line ends, Pakistan's amendment footnotes ("Ins. by Act No. II
of 2025, s.3.") moved to the foot of the page where they are referred to; and
a DOCX with one paragraph per line and the running heads in the page header
and footer. Each is ingested, segmented and scored with the shipped model; the
provisions (citations, in order) and the flags (labels per citation) must be
those of the plain text.

The renderings are test fixtures made here; they are not evidence that real
published files work (tests/ingest/test_real_statutes.py reads those).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from provrisk.ingest import ingest_file
from provrisk.models.artifacts import load_model_dir
from provrisk.score.report import score_ingested

pytestmark = pytest.mark.corpus

TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "texts"
FONT, SIZE, LEADING = "Times-Roman", 10.5, 13.0
MARGIN = 72.0
# Hyphenate a word at a line end only past this many letters, as typesetters do, leaving
# at least MIN_TAIL letters for the next line.
MIN_HEAD, MIN_TAIL = 6, 4
FOOTNOTE = re.compile(r"^(?:Ins|Subs|Omitted|Added)\.?,? .*\bby\b.*\b\d{4}\b")


@dataclass(frozen=True)
class Print:
    """How the act's publisher prints every page; ``{n}`` is the page number."""

    head_odd: str
    head_even: str
    foot: str


ACTS = {
    "ken-computer-misuse-cybercrimes-act-2018": Print(
        head_odd="Computer Misuse and Cybercrimes No. 5 of 2018",
        head_even="No. 5 of 2018 Computer Misuse and Cybercrimes",
        foot="[Issue 1] CAP. 79C {n}",
    ),
    "pak-prevention-of-electronic-crimes-act-2016": Print(
        head_odd="THE GAZETTE OF PAKISTAN, EXTRA., AUGUST 22, 2016 [PART I {n}",
        head_even="{n} THE GAZETTE OF PAKISTAN, EXTRA., AUGUST 22, 2016 [PART I",
        foot="THE GAZETTE OF PAKISTAN, EXTRA.",
    ),
    "sgp-computer-misuse-act-1993": Print(
        head_odd="Computer Misuse Act 1993 2020 Ed.",
        head_even="2020 Ed. Computer Misuse Act 1993",
        foot="Informal Consolidation – version in force from 1/10/2025 {n}",
    ),
}


def wrap(line: str, width: float) -> list[str]:
    """``line`` in lines of at most ``width`` points; a long word that does not fit is hyphenated."""
    lines: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, FONT, SIZE) <= width:
            current = candidate
            continue
        head = _hyphenated_head(word, current, width)
        if head:
            lines.append(f"{current} {head}-" if current else f"{head}-")
            current = word[len(head):]
        else:
            lines.append(current)
            current = word
    return lines + [current] if current else lines


def _hyphenated_head(word: str, current: str, width: float) -> str:
    if not word.isalpha():
        return ""
    for cut in range(len(word) - MIN_TAIL, MIN_HEAD - 1, -1):
        head = word[:cut]
        if stringWidth(f"{current} {head}-" if current else f"{head}-", FONT, SIZE) <= width:
            return head
    return ""


def render_pdf(text: str, layout: Print, path: Path) -> Path:
    """The text set in pages with running heads and footers; footnote lines go to the foot of their page."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    page_width, page_height = A4
    width = page_width - 2 * MARGIN
    top, bottom = page_height - MARGIN, MARGIN + 2 * LEADING
    number, y, footnotes = 1, top, []

    def start_page() -> None:
        pdf.setFont(FONT, 9)
        head = layout.head_odd if number % 2 else layout.head_even
        pdf.drawString(MARGIN, page_height - MARGIN / 2, head.format(n=number))

    def finish_page(last: bool = False) -> None:
        nonlocal number, y, footnotes
        pdf.setFont(FONT, 9)
        for offset, note in enumerate(footnotes):  # top to bottom, above the footer
            pdf.drawString(MARGIN, MARGIN + (len(footnotes) - offset) * 11, note)
        pdf.drawString(MARGIN, MARGIN / 2, layout.foot.format(n=number))
        pdf.showPage()
        number, y, footnotes = number + 1, top, []
        if not last:
            start_page()

    # NFC as every reader applies it: the corpus text has a few compatibility characters
    # (U+037E for ";") that the PDF's standard font has no glyph for.
    lines = unicodedata.normalize("NFC", text).split("\n")
    start_page()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if FOOTNOTE.match(line) or (line.strip().isdigit() and FOOTNOTE.match(following)):
            footnotes.append(line.strip())
            continue
        if not line.strip():
            y -= LEADING / 2
            continue
        for printed in wrap(line, width):
            if y < bottom + len(footnotes) * 11:
                finish_page()
            pdf.setFont(FONT, SIZE)
            pdf.drawString(MARGIN, y, printed)
            y -= LEADING
    finish_page(last=True)
    pdf.save()
    return path


def render_docx(text: str, layout: Print, path: Path) -> Path:
    """One paragraph per line; the running head and footer in the section's header and footer."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = layout.head_odd.format(n=1)
    section.footer.paragraphs[0].text = layout.foot.format(n=1)
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(path)
    return path


@pytest.fixture(scope="module")
def model():
    return load_model_dir(None)


def outcome(path: Path, instrument_id: str, model) -> dict:
    """Citation -> labels of every provision, in order, and the report's title."""
    report = score_ingested(ingest_file(path), model, instrument_id=instrument_id)
    return {
        "provisions": [(p["citation"], tuple(sorted(p["labels"]))) for p in report["provisions"]],
        "title": report["instrument"]["title"],
    }


@pytest.fixture(scope="module", params=sorted(ACTS))
def act(request, tmp_path_factory, model):
    source = TEXTS / f"{request.param}.txt"
    if not source.exists():
        pytest.skip(f"shared corpus text {source.name} is not present")
    folder = tmp_path_factory.mktemp(request.param)
    text = source.read_text(encoding="utf-8")
    layout = ACTS[request.param]
    files = {
        "txt": source,
        "pdf": render_pdf(text, layout, folder / "act.pdf"),
        "docx": render_docx(text, layout, folder / "act.docx"),
    }
    return {"id": request.param, **{fmt: outcome(path, request.param, model) for fmt, path in files.items()}}


# Differences the segmenter still makes on wrapped PDF lines, each written up with a reproduction in
# /work/notes/segment-requests.md ("format invariance"). The test fails on any other difference; entries
# go as the segmenter fixes them (a citation listed here that no longer differs does not fail the test).
KNOWN_SEGMENTER_GAPS: dict[tuple[str, str], set[str]] = {}


def differing_citations(expected: list, got: list) -> set[str]:
    """Citations missing, added, or flagged differently in ``got``."""
    expected_flags, got_flags = dict(expected), dict(got)
    return {
        citation for citation in expected_flags.keys() | got_flags.keys()
        if expected_flags.get(citation) != got_flags.get(citation)
    }


def _difference(expected: list, got: list) -> str:
    expected_citations = [citation for citation, _ in expected]
    got_citations = [citation for citation, _ in got]
    missing = [c for c in expected_citations if c not in got_citations]
    extra = [c for c in got_citations if c not in expected_citations]
    flags = [(c, e, g) for (c, e), (c2, g) in zip(expected, got) if c == c2 and e != g]
    return f"{len(expected)} vs {len(got)} provisions; missing {missing[:8]}; extra {extra[:8]}; flags differ {flags[:5]}"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_provisions_and_flags_as_the_text(act, fmt):
    expected, got = act["txt"]["provisions"], act[fmt]["provisions"]
    known = KNOWN_SEGMENTER_GAPS.get((act["id"], fmt), set())
    unexplained = differing_citations(expected, got) - known
    assert not unexplained, f"{sorted(unexplained)[:10]}: " + _difference(expected, got)
    # apart from the known gaps, the provisions come in the same order
    assert [c for c, _ in got if c not in known] == [c for c, _ in expected if c not in known]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_title_as_the_text(act, fmt):
    assert act[fmt]["title"] == act["txt"]["title"]
