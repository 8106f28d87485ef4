"""Normalisation: the listed substitutions, idempotence, running-line removal, page joining."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provrisk.ingest import ingest_file
from provrisk.ingest.normalise import join_pages, normalise_text

from .conftest import SHARED_TEXTS, shared_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the Minister’s ‘power’", "the Minister's 'power'"),
        ("“quoted” „low“ ‟reversed”", '"quoted" "low" "reversed"'),
        ("5′ and 7″", "5' and 7\""),
        ("e\u2010mail and non\u2011binding", "e-mail and non-binding"),
        ("pages 1\u20122 and 3\u20134", "pages 1–2 and 3–4"),
        ("data\u2014or\u2015not", "data—or—not"),
        ("requires--that and this---too", "requires—that and this—too"),
        ("a word -- spaced", "a word — spaced"),
        ("a ---- rule", "a ---- rule"),
        ("requires,--\nnext", "requires,--\nnext"),
        ("11\u00a0October 2\u202fdays 3\u2009m 4\u3000x", "11 October 2 days 3 m 4 x"),
        ("inter\u00adception", "interception"),
        ("zero\u200bwidth\u200c join\u200d and\ufeff bom\u2060", "zerowidth join and bom"),
        ("a\t\tb   c", "a b c"),
        ("line   \nnext  ", "line\nnext"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("para\n\n\n\n\nnext", "para\n\nnext"),
        ("para\n  \n \t\nnext", "para\n\nnext"),
        ("cafe\u0301", "café"),
        ("first line\nsecond line", "first line\nsecond line"),
    ],
)
def test_listed_substitutions(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the com-\nmunication", "the communication"),
        ("the com- \n munication is", "the communication is"),
        ("inter\u00ad\nception", "interception"),
        ("non-\nextendable", "non-\nextendable"),
        ("self-\ndefence", "self-\ndefence"),
        ("cyber-\nsecurity", "cyber-\nsecurity"),
        ("co-\noperation", "co-\noperation"),
        ("e-\nmail", "e-\nmail"),
        ("Anti-\nMoney Laundering", "Anti-\nMoney Laundering"),
        ("state-of-the-\nart", "state-of-the-\nart"),
        ("section 3-\n4", "section 3-\n4"),
    ],
)
def test_line_break_hyphenation(raw, expected):
    assert normalise_text(raw) == expected


_TRICKY = st.sampled_from(list(
    "aAbé- \n\t\r\u00ad\u200b\u0301\u2014\u2013\u2012\u2019\u201c\u00a0\u2029\u2028\u000c\u0085\ufeff\u037e1xNonco"
))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_TRICKY, max_size=40).map("".join), st.text(max_size=60)))
def test_normalisation_is_idempotent(raw):
    once = normalise_text(raw)
    assert normalise_text(once) == once


def _corpus_texts() -> list[Path]:
    return sorted(SHARED_TEXTS.glob("*.txt")) if SHARED_TEXTS.is_dir() else []


@pytest.mark.skipif(not _corpus_texts(), reason="the shared corpus is not present")
def test_corpus_texts_are_stable_and_keep_their_lines():
    for path in _corpus_texts():
        raw = path.read_text(encoding="utf-8")
        once = normalise_text(raw)
        assert normalise_text(once) == once, path.name
        # only runs of blank lines are merged: every non-blank line survives as a line
        raw_lines = [line for line in raw.split("\n") if line.strip()]
        assert len([line for line in once.split("\n") if line.strip()]) == len(raw_lines), path.name


def test_budapest_convention_changes_only_by_listed_substitutions():
    path = shared_text("coe-budapest-convention-2001.txt")
    raw = path.read_text(encoding="utf-8")
    expected = raw.replace("\u00a0", " ").replace("“", '"').replace("”", '"')
    assert ingest_file(path).text == expected


def test_join_pages_maps_pages_and_rejoins_hyphenation():
    text, spans = join_pages(["first page ends com-", "munication goes on", "", "last page"])
    assert text == "first page ends communication goes on\nlast page"
    assert spans == [(0, 19), (19, 37), (37, 37), (38, 47)]
    assert text[spans[3][0] : spans[3][1]] == "last page"
