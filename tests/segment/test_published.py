"""Statutes as their publishers put them online: front matter, marginal notes, annotations, schedules.

The files are the real ones in ../shared/real-statutes (Singapore Statutes Online PDFs, the Laws of
Tanzania HTML export), read through ``ingest_file``; the tests skip when the shared folder is absent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from provrisk.ingest import ingest_file
from provrisk.segment import provision_text, segment_statute
from provrisk.segment.layout import parse_layout, split_lines

REAL_STATUTES = Path(__file__).resolve().parents[2].parent / "shared" / "real-statutes"
PUBLISHED = [
    "sgp-broadcasting_act_1994.pdf",
    "sgp-electronic_transactions_act_2010.pdf",
    "sgp-public_order_act_2009.pdf",
    "tza-evidence-act-cap6.html",
]


@lru_cache(maxsize=None)
def _read(name: str):
    path = REAL_STATUTES / name
    if not path.exists():
        pytest.skip(f"real statute {name} is not present (../shared/real-statutes)")
    text = ingest_file(path).text
    return text, segment_statute(text, name.split(".")[0])


def _by_citation(name: str) -> dict:
    return {p.citation: p for p in _read(name)[1]}


@pytest.mark.parametrize("name", PUBLISHED)
def test_table_of_contents_and_cover_are_no_provision(name):
    text, provisions = _read(name)
    toc = parse_layout(text).front.toc
    assert toc is not None, "the arrangement of sections was not found"
    toc_lines = [line for line in split_lines(text) if toc[0] <= line.start < toc[1]]
    assert len(toc_lines) > 50
    assert not [p.citation for p in provisions if p.start < toc[1]], "a provision starts in the contents or cover"
    # Section 1 is the body's section 1: its words, not a contents line.
    assert "s. 1" in {p.citation for p in provisions}
    first = next(p for p in provisions if p.citation == "s. 1")
    assert len(first.text.split()) >= 6, first.text


@pytest.mark.parametrize(
    "name, last",
    [
        ("sgp-broadcasting_act_1994.pdf", 'Sch. 4, cl. 1 "app distribution service"'),
        ("sgp-electronic_transactions_act_2010.pdf", "Sch. 4, cl. 1"),
        ("sgp-public_order_act_2009.pdf", "s. 48(3)"),
    ],
)
def test_legislative_history_after_the_act_is_no_provision(name, last):
    text, provisions = _read(name)
    assert not any("LEGISLATIVE HISTORY" in p.text or "Bill :" in p.text for p in provisions)
    assert provisions[-1].citation == last


def test_marginal_note_above_the_section_is_its_heading():
    provisions = _by_citation("sgp-broadcasting_act_1994.pdf")
    assert provisions["s. 45H(1)"].heading == "Section 45H direction"
    assert provisions["s. 45I(2)"].heading == "Section 45I blocking direction"
    # a marginal note that wraps onto a second printed line
    assert provisions["s. 2A(1)"].heading == 'Meanings of "online communication service" and associated terms'
    # "3.—(1) ...": the dash after the number is not a provision of its own
    assert provisions["s. 3(1)"].text.startswith("(1) The Minister may")
    assert "s. 3" not in provisions


def test_amendment_notes_are_annotations_not_words():
    provisions = _by_citation("sgp-public_order_act_2009.pdf")
    subsection = provisions["s. 5(2)"]
    assert [a.text for a in subsection.annotations] == ["[23/2017]"]
    assert subsection.annotations[0].kind == "amendment"
    assert "[23/2017]" not in subsection.text
    assert subsection.text.endswith("enhanced security special event.")
    preamble = provisions["Preamble para. 1"]
    assert [a.kind for a in preamble.annotations] == ["commencement"]
    assert preamble.text.startswith("An Act to regulate assemblies") and preamble.text.endswith("public places.")


def test_provision_text_is_its_span_without_its_annotations():
    text, provisions = _read("sgp-broadcasting_act_1994.pdf")
    annotated = [p for p in provisions if p.annotations]
    assert len(annotated) > 50
    for provision in annotated:
        assert provision.text == provision_text(text, provision.start, provision.end, provision.annotations)
        for annotation in provision.annotations:
            assert text[annotation.start : annotation.end] == annotation.text
            assert annotation.text not in provision.text


def test_inserted_sections_and_subsections():
    provisions = _by_citation("sgp-broadcasting_act_1994.pdf")
    assert {"s. 2A(1)", "s. 45A", "s. 48A(1)", "s. 64A", "s. 35(3A)", "s. 36(4A)", "s. 44(1A)"} <= set(provisions)
    # repealed sections keep their number
    assert provisions["s. 23"].text == "[Repealed by Act 22 of 2016]"


def test_schedules_are_cited_by_schedule_and_item():
    provisions = _by_citation("sgp-broadcasting_act_1994.pdf")
    assert provisions["Sch. 2, cl. 20"].text.startswith("Computer online services.")
    assert {"Sch. 3, cl. 1(a)", "Sch. 3, cl. 1(b)"} <= set(provisions)
    assert provisions['Sch. 4, cl. 1 "app"'].kind == "definition"
    # the schedule's heading repeated at a page top is no part of the item's words
    first = provisions["Sch. 1, cl. 1"]
    assert "continued" not in first.text
    assert [a.kind for a in first.annotations] == ["running_head"]


def test_examples_belong_to_their_section():
    provisions = _by_citation("sgp-electronic_transactions_act_2010.pdf")
    section = provisions["s. 16C"]
    assert "Examples" in section.text and "(b) An electronic transferable record" in section.text
    assert "s. 16C(a)" not in provisions


def test_html_export_sections_with_headings_on_their_own_line():
    provisions = _by_citation("tza-evidence-act-cap6.html")
    assert provisions["s. 3(1)"].heading == "Interpretation"
    assert provisions['s. 3(1) "husband or wife"'].kind == "definition"
    # the long title keeps its commencement and amendment notes as annotations
    notes = [a.text for a in provisions["Preamble para. 1"].annotations]
    assert notes[:2] == ["[1st July, 1967]", "[G.N. No. 225 of 1967]"] and notes[2].startswith("Acts Nos.")
    # s. 56 prints no "(1)": its subsections start at (2)
    assert {"s. 56(2)", "s. 56(3)", "s. 56(4)"} <= set(provisions)
