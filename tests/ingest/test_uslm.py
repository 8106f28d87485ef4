"""US legislative XML (USLM): real U.S. Code, bill and statute compilation files, cited in their own form.

The three fixtures are committed as published (tests/fixtures/README.md says where from): U.S. Code
Title 9 (<uscDoc>, OLRC), S. 2245 of the 116th Congress (<bill>, GPO) and the Anadromous Fish
Conservation Act compilation (<statuteCompilation>, GPO). Hostile variants are made from them.
"""

from __future__ import annotations

import codecs
import json
import time
from functools import lru_cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file
from provrisk.segment import segment_statute

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
USC_TITLE_9 = REAL / "usc-title9-arbitration.xml"
BILL = REAL / "bill-116-s2245-is.xml"
COMPILATION = REAL / "comps-1656-anadromous-fish-conservation-act.xml"
ENTITY_REFUSAL = "XML with entity declarations (DTD) refused"


@lru_cache(maxsize=None)
def _read(path: Path):
    document = ingest_file(path)
    return document, segment_statute(document.text, path.stem)


def _citations(path: Path) -> list[str]:
    provisions = _read(path)[1]
    return [p.citation for p in provisions] + [i.citation for p in provisions for i in p.items]


def _provision(path: Path, citation: str):
    return next(p for p in _read(path)[1] if p.citation == citation)


# -- U.S. Code ------------------------------------------------------------------------------------
def test_us_code_title_is_read_as_printed():
    document = _read(USC_TITLE_9)[0]
    assert document.format == "uslm"
    assert document.text.startswith("TITLE 9—ARBITRATION\n\nCHAPTER 1—GENERAL PROVISIONS\n\n§ 1. ")
    assert "\n§ 10. Same; vacation; grounds; rehearing\n\n(a) In any of the following cases" in document.text
    assert "\nCHAPTER 3—INTER-AMERICAN CONVENTION ON INTERNATIONAL COMMERCIAL ARBITRATION\n" in document.text
    assert document.metadata == {
        "title": "Title 9—ARBITRATION",
        "document_type": "uscDoc",
        "identifier": "/us/usc/t9",
        "edition": "Online@113-31",
        "declared_language": "en",
    }


def test_us_code_sections_are_cited_with_the_section_sign():
    citations = _citations(USC_TITLE_9)
    sections = sorted({c.split("(")[0].split(' "')[0] for c in citations}, key=lambda c: int(c[2:]))
    assert sections == [f"§ {n}" for n in [*range(1, 17), *range(201, 209), *range(301, 308)]]
    for citation in ["§ 10(a)", "§ 10(a)(4)", "§ 11(c)", "§ 16(a)(1)(E)", "§ 16(b)(4)", "§ 303(b)", "§ 305(2)", '§ 1 "commerce"']:
        assert citation in citations
    assert _provision(USC_TITLE_9, "§ 10(b)").text.startswith("(b) If an award is vacated")
    assert _provision(USC_TITLE_9, "§ 208").path == [
        "Chapter 2 CONVENTION ON THE RECOGNITION AND ENFORCEMENT OF FOREIGN ARBITRAL AWARDS", "§ 208"
    ]


def test_notes_source_credits_and_contents_are_no_provision_text():
    document, provisions = _read(USC_TITLE_9)
    for editorial in [
        "Derivation", "Act Feb. 12, 1925", "61 Stat. 670", "Pub. L. 101–552", "Effective Date", "Former Sections",
        "Positive Law", "realigned margins", "Chap.", "Same; vacation; grounds; rehearing.",
    ]:
        assert editorial not in document.text, editorial
    assert not any("Stat." in p.text or "Pub. L." in p.text for p in provisions)


# -- bill -----------------------------------------------------------------------------------------
def test_bill_sections_are_cited_sec():
    citations = _citations(BILL)
    assert [c for c in citations if "(" not in c] == ["Preamble para. 1", "Preamble para. 2", "Sec. 1"]
    for citation in ["Sec. 2(a)", "Sec. 2(c)(1)(B)(iii)", "Sec. 2(c)(1)(D)(vii)(III)", "Sec. 2(d)", "Sec. 3(b)"]:
        assert citation in citations
    assert _provision(BILL, "Sec. 1").heading == "SHORT TITLE"
    assert _provision(BILL, "Sec. 3(a)").heading == "ALLOCATION FOR EMERGENCIES"


def test_text_a_bill_quotes_into_another_act_stays_in_its_provision_uncited():
    citations = _citations(BILL)
    # the new section 251 and paragraphs (22), (23) belong to the Balanced Budget Act, not to the bill
    assert not any(c.startswith(("Sec. 251", "Sec. 2(a)(", "Sec. 2(b)(")) for c in citations)
    amendment = _provision(BILL, "Sec. 2(a)").text
    assert '\n"SEC. 251. TOTAL SPENDING LIMITS.\n"(a) Projections.—\n"(1) OMB report.—OMB shall' in amendment
    assert amendment.endswith('shall not be treated as being less than zero with respect to any fiscal year.".')
    assert _provision(BILL, "Sec. 2(d)").text.endswith('"Sec. 251. Total spending limits.".')


def test_bill_cover_is_metadata_not_text():
    document = _read(BILL)[0]
    assert document.text.startswith("A BILL\nTo cap noninterest Federal spending")
    assert "Braun" not in document.text and "116th CONGRESS" not in document.text
    assert document.metadata["title"] == "Maximizing America’s Prosperity Act of 2019"
    assert document.metadata["short_title"] == document.metadata["title"]
    assert document.metadata["official_title"].startswith("To cap noninterest Federal spending")
    assert document.metadata["edition"] == "Pre-Introduced"


# -- statute compilation --------------------------------------------------------------------------
def test_statute_compilation_sections_and_run_in_first_subsection():
    citations = _citations(COMPILATION)
    assert [c for c in citations if c.startswith("Sec.") and "(" not in c] == [f"Sec. {n}" for n in range(1, 9)]
    for citation in ["Sec. 1(a)", "Sec. 1(b)(1)", "Sec. 1(b)(2)", "Sec. 1(c)(2)(C)"]:
        assert citation in citations
    assert _provision(COMPILATION, "Sec. 1(a)").text.startswith("(a) for the purpose of conserving")
    # a repealed section that an editorial note wraps keeps its number and words
    assert _provision(COMPILATION, "Sec. 7").text.startswith("Repealed by section 3(a)")
    assert _provision(COMPILATION, "Sec. 4").heading == "AUTHORIZATION OF APPROPRIATIONS"


def test_statute_compilation_editorial_references_are_dropped():
    document = _read(COMPILATION)[0]
    assert "16 U.S.C. 757a" not in document.text and "[" not in document.text
    assert "Currency:" not in document.text
    assert document.metadata["title"] == "Anadromous Fish Conservation Act"
    assert document.metadata["edition"] == "amended through Public Law 109–479"


# -- tables ---------------------------------------------------------------------------------------
def test_a_table_in_provision_text_is_a_row_per_line():
    xml = USC_TITLE_9.read_text(encoding="utf-8").replace(
        "shall be enforced in United States courts in accordance with this chapter.</p>",
        "shall be enforced in United States courts in accordance with this chapter.</p>"
        '<table xmlns="http://www.w3.org/1999/xhtml"><tr><th>Convention</th><th>Date</th></tr>'
        "<tr><td>New York</td><td>June 10, 1958</td></tr></table>",
        1,
    )
    text = ingest_bytes(xml.encode("utf-8"), "usc09.xml").text
    assert "in accordance with this chapter.\nConvention | Date\nNew York | June 10, 1958\n\n§ 202." in text


# -- end to end -----------------------------------------------------------------------------------
def test_segment_command_reads_uslm():
    result = CliRunner().invoke(app, ["segment", str(BILL), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    citations = [json.loads(line)["citation"] for line in result.stdout.splitlines()]
    assert "Sec. 2(c)" in citations and "Sec. 3(b)" in citations


# -- refusals -------------------------------------------------------------------------------------
def _bill_with_doctype(doctype: str) -> bytes:
    xml = BILL.read_text(encoding="utf-8")
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    return xml.replace(declaration, declaration + doctype, 1).encode("utf-8")


def test_external_entity_in_a_bill_is_refused():
    data = _bill_with_doctype('<!DOCTYPE bill [<!ENTITY e SYSTEM "file:///etc/passwd">]>').replace(
        b"Maximizing America", b"&e; Maximizing America", 1
    )
    with pytest.raises(InputError) as caught:
        ingest_bytes(data, "bill.xml")
    assert str(caught.value) == f"bill.xml: {ENTITY_REFUSAL}"


def test_billion_laughs_in_a_bill_is_refused_quickly():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    data = _bill_with_doctype(f"<!DOCTYPE bill [{entities}]>").replace(b"A BILL", b"&lol9;", 1)
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        ingest_bytes(data, "bill.xml")
    assert time.perf_counter() - started < 1.0
    assert str(caught.value) == f"bill.xml: {ENTITY_REFUSAL}"


def test_entity_declarations_in_utf16_are_refused():
    xml = _bill_with_doctype('<!DOCTYPE bill [<!ENTITY e "x">]>').decode("utf-8")
    data = codecs.BOM_UTF16_LE + xml.replace('<?xml version="1.0" encoding="UTF-8"?>', "").encode("utf-16-le")
    with pytest.raises(InputError) as caught:
        ingest_bytes(data, "wide.xml")
    assert str(caught.value) == f"wide.xml: {ENTITY_REFUSAL}"


def test_external_dtd_is_not_loaded():
    data = _bill_with_doctype('<!DOCTYPE bill SYSTEM "file:///etc/passwd">')
    assert ingest_bytes(data, "bill.xml").text == _read(BILL)[0].text


def test_deeply_nested_document_is_refused():
    xml = COMPILATION.read_text(encoding="utf-8")
    deep = "<level>" * 5000 + "x" + "</level>" * 5000
    data = xml.replace("<num style=\"-uslm-dtd:enum\" value=\"7\">", deep + "<num style=\"-uslm-dtd:enum\" value=\"7\">", 1)
    with pytest.raises(InputError) as caught:
        ingest_bytes(data.encode("utf-8"), "deep.xml")
    assert str(caught.value).startswith("deep.xml: malformed XML (")


def test_markup_bomb_is_refused_before_parsing():
    xml = BILL.read_text(encoding="utf-8").replace("</main>", "<p>x</p>" * 800_000 + "</main>", 1)
    with pytest.raises(InputError) as caught:
        ingest_bytes(xml.encode("utf-8"), "bomb.xml")
    assert "more than 1,500,000 XML elements and attributes" in str(caught.value)


def test_truncated_file_is_malformed_xml(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_bytes(USC_TITLE_9.read_bytes()[:30_000])
    with pytest.raises(InputError) as caught:
        ingest_file(path)
    assert str(caught.value).startswith(f"{path}: malformed XML (")


def test_other_uslm_document_types_and_namespaces_are_named():
    resolution = BILL.read_text(encoding="utf-8").replace("<bill ", "<resolution ", 1).replace("</bill>", "</resolution>")
    with pytest.raises(InputError) as caught:
        ingest_bytes(resolution.encode("utf-8"), "hres.xml")
    assert str(caught.value) == (
        "hres.xml: USLM <resolution> documents are not supported; provrisk reads <uscDoc>, <bill> and <statuteCompilation>"
    )
    elsewhere = BILL.read_text(encoding="utf-8").replace(
        'xmlns="http://schemas.gpo.gov/xml/uslm"', 'xmlns="http://example.org/bills"', 1
    )
    with pytest.raises(InputError) as caught:
        ingest_bytes(elsewhere.encode("utf-8"), "other.xml")
    assert str(caught.value) == "other.xml: not USLM XML (<bill> in namespace 'http://example.org/bills')"
