"""The Word brief of a statute report: summary, flag table and safeguards, read back with python-docx and LibreOffice."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess

import docx
import pypdfium2
import pytest

from provrisk.models.artifacts import load_model_dir
from provrisk.score import score_document
from provrisk.score.brief import TABLE_COLUMNS, statute_brief
from provrisk.score.view import select
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def report() -> dict:
    return score_document(EXAMPLE, load_model_dir())


def read(data: bytes):
    return docx.Document(io.BytesIO(data))


def paragraph_after(document, heading: str) -> str:
    texts = [p.text for p in document.paragraphs]
    return texts[texts.index(heading) + 1]


def table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def risk_flagged(report: dict) -> list[dict]:
    return [p for p in report["provisions"] if any(not f["mitigating"] for f in p["flags"])]


def test_brief_of_the_example_statute_has_its_summary_table_and_safeguards(report):
    document = read(statute_brief(report))
    profile = report["profile"]
    assert document.paragraphs[0].text == "CYBERCRIME AND DIGITAL INVESTIGATIONS (EXAMPLE) ACT 2026"

    summary = paragraph_after(document, "Summary")
    assert f"has {profile['provisions']} provisions" in summary
    assert f"{profile['flagged']} of the {profile['provisions']} provisions" in summary
    assert f"risk index is {profile['risk_index']:.1f} out of 100" in summary
    assert "Part III Investigations" in summary
    # s. 9(1) carries four risk features, more than any other provision of the example
    assert "most serious provisions" in summary and "s. 9(1) Real-time collection of traffic data: 4 risk features" in summary
    assert "Safeguards were found in" in summary and "s. 10(1)" in summary

    rows = table_rows(document)
    assert tuple(rows[0]) == TABLE_COLUMNS
    flagged = risk_flagged(report)
    assert len(rows) - 1 == sum(len(p["flags"]) for p in flagged)
    position = 1
    for provision in flagged:
        for flag in provision["flags"]:
            citation, page, quoted, feature, standards, confidence = rows[position]
            assert citation.splitlines() == [provision["citation"], provision["heading"]]
            assert page == "–"  # a .txt file has no pages
            assert all(f"“{words}”" in quoted for words in flag["evidence"])
            assert feature == flag["name"]
            assert standards.splitlines() == flag["standards"]
            assert confidence == f"p = {flag['probability']:.2f} ({flag['verdict']})"
            position += 1
    blocking = next(row for row in rows if row[0].startswith("s. 13(1)") and row[3] == "Executive blocking or takedown")
    assert "“Minister”" in blocking[2]

    safeguards = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    expected = [p["citation"] for p in report["provisions"] if "rights_safeguard" in p["labels"]]
    assert [text.split(" (")[0] for text in safeguards] == expected
    assert any("“necessary and proportionate”" in text for text in safeguards if text.startswith("s. 10(1)"))


def test_brief_of_a_selection_lists_only_the_chosen_provisions_and_says_so(report):
    label = "surveillance_power"
    document = read(statute_brief(select(report, label=label)))
    carrying = [p for p in report["provisions"] if label in p["labels"]]
    citations = {row[0].splitlines()[0] for row in table_rows(document)[1:]}
    assert citations == {p["citation"] for p in carrying if any(not f["mitigating"] for f in p["flags"])}
    texts = [p.text for p in document.paragraphs]
    assert any(f"hold the provisions carrying ‘Surveillance power’, as chosen: {len(carrying)} provisions" in text
               for text in texts)
    # the summary still describes the whole statute
    assert f"has {report['profile']['provisions']} provisions" in paragraph_after(document, "Summary")


def test_brief_of_solid_flags_only_says_so(report):
    document = read(statute_brief(select(report, solid_only=True)))
    verdicts = {row[5].split("(")[-1].rstrip(")") for row in table_rows(document)[1:]}
    assert verdicts == {"solid"}
    assert any("hold solid flags only, as chosen" in p.text for p in document.paragraphs)


def test_brief_of_a_statute_without_flags_says_so(report):
    report = copy.deepcopy(report)
    for provision in report["provisions"]:
        provision["labels"], provision["flags"] = [], []
    report["profile"].update(flagged=0, share_flagged=0.0, risk_index=0.0,
                             label_counts={label: 0 for label in report["profile"]["label_counts"]})
    document = read(statute_brief(report))
    texts = [p.text for p in document.paragraphs]
    assert "No provision carries a risk feature." in texts
    assert "No provision was found to carry a human-rights safeguard." in texts
    assert not document.tables


def test_brief_of_a_statute_not_assessed_says_its_features_are_unknown(report):
    report = copy.deepcopy(report)
    for provision in report["provisions"]:
        provision["labels"], provision["flags"] = [], []
    report["assessment"] = {"assessed": False, "language": "ar", "reason": "the model reads only English"}
    report["profile"].update(flagged=None, share_flagged=None, risk_index=None, label_counts=None)
    document = read(statute_brief(report))
    summary = paragraph_after(document, "Summary")
    assert "not assessed (language: ar): the model reads only English" in summary
    assert "unknown, not absent" in summary and "risk index" not in summary
    texts = [p.text for p in document.paragraphs]
    assert "No provision carries a risk feature." not in texts and not document.tables


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (make office, or apt-get install libreoffice-writer)")
def test_libreoffice_converts_the_brief_to_pdf_with_summary_and_table(report, tmp_path):
    brief = tmp_path / "example.docx"
    brief.write_bytes(statute_brief(report))
    # a profile of its own, so that a LibreOffice the user has open is not disturbed
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(brief)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = pypdfium2.PdfDocument(tmp_path / "example.pdf")
    # words as LibreOffice laid them out, line breaks read as spaces
    pages = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    assert "Summary" in pages[0] and "most serious provisions" in pages[0]
    assert pdf[0].get_size()[0] < pdf[0].get_size()[1]  # the summary page is portrait
    assert "Flagged provisions" in pages[1] and "Standards engaged" in pages[1] and "s. 3(1)" in pages[1]
    assert pdf[1].get_size()[0] > pdf[1].get_size()[1]  # the table is on landscape pages
    text = "".join(pages)
    for provision in risk_flagged(report):
        assert provision["citation"] in text
    # the safeguards follow the table (the list may run onto a page of its own)
    assert text.index("Safeguards found") > text.index("Flagged provisions")
    assert "Safeguards found" in " ".join(pages[-2:])


def test_statute_words_that_look_like_word_markup_stay_words(report):
    report = copy.deepcopy(report)
    injected = '</w:t></w:r><w:fldSimple w:instr="DDEAUTO cmd"/><w:r><w:t>'
    provision = next(p for p in report["provisions"] if p["citation"] == "s. 13(1)")
    provision["heading"] = injected
    provision["flags"][0]["evidence"] = [injected]
    data = statute_brief(report)
    document = read(data)
    row = next(row for row in table_rows(document) if row[0].startswith("s. 13(1)"))
    assert row[0].splitlines()[1] == injected and row[2] == f"“{injected}”"
    body = document.element.body
    assert not body.findall(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}fldSimple")
