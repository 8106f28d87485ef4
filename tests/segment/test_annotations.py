"""Amendment notes and footnotes in the corpus texts: out of the words, into ``Provision.annotations``."""

from __future__ import annotations

import pytest

from provrisk.corpora.manifest import text_path
from provrisk.ingest import ingest_file
from provrisk.segment import segment_statute
from provrisk.segment.annotations import find_annotations

pytestmark = pytest.mark.corpus


def _provisions(corpus_dir, instrument_id: str) -> dict:
    text = ingest_file(text_path(corpus_dir, instrument_id)).text
    return {p.citation: p for p in segment_statute(text, instrument_id)}


def test_singapore_amendment_notes_inside_flattened_text(corpus_dir):
    provisions = _provisions(corpus_dir, "sgp-computer-misuse-act-1993")
    subsection = provisions["s. 13(3)"]
    assert [a.text for a in subsection.annotations] == [
        "[Act 16 of 2023 wef 08/02/2024]", "[22/2017]", "[Act 16 of 2023 wef 08/02/2024]", "[Act 16 of 2023 wef 08/02/2024]",
    ]
    assert "wef" not in subsection.text and "[22/2017]" not in subsection.text
    # the cut leaves one space where the note stood inside a sentence
    assert "in Singapore at the material time; ( c ) the offence causes" in subsection.text


def test_pakistan_footnotes_and_their_markers(corpus_dir):
    provisions = _provisions(corpus_dir, "pak-prevention-of-electronic-crimes-act-2016")
    spamming = provisions["s. 25(1)"]
    assert [(a.kind, a.text) for a in spamming.annotations] == [("footnote", "1\nIns. by Act No. XXXVII of 2023, s.5.")]
    assert spamming.text.endswith("for wrongful gain.")
    marks = [a for p in provisions.values() for a in p.annotations if a.kind == "footnote_mark"]
    assert marks and all(a.text.isdigit() for a in marks)


def test_bracketed_words_of_the_law_stay_text(corpus_dir):
    # India prints substituted words in brackets; Canada prints a repealed unit as "[Repealed, ...]".
    india = _provisions(corpus_dir, "ind-information-technology-act-2000")
    assert any("[electronic signature]" in p.text for p in india.values())
    assert not any(a for p in india.values() for a in p.annotations if "electronic signature" in a.text)
    canada = ingest_file(text_path(corpus_dir, "can-csis-act")).text
    assert not [a for a in find_annotations(canada) if "Repealed" in a.text]


def test_zimbabwe_insertion_notes(corpus_dir):
    provisions = _provisions(corpus_dir, "zwe-criminal-law-code-chapter-viii-computer-crimes")
    notes = [a.text for p in provisions.values() for a in p.annotations]
    assert "[section 163A inserted by section 35(2) of Chapter 12:07]" in notes
    assert not any("inserted by section 35" in p.text for p in provisions.values())
