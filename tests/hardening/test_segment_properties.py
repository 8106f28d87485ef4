"""Properties of the segmenter on generated statute-like texts and on arbitrary text.

For any input, ``segment_statute``:

- never raises;
- returns provisions whose ``text`` is ``source[start:end]`` without the
  annotations inside it, non-empty and without surrounding whitespace (the
  record's definition in ``provision.py``), and annotations that quote the source;
- returns them in document order without overlap, with their items inside them,
  each with a citation and a unique id;
- partitions the operative text: every non-whitespace character belongs to
  exactly one provision or to a heading (the spans ``parse_layout`` reports as
  headings: unit numbers, headings, division titles, title lines) or to
  furniture (cover page, table of contents, back matter), as the
  README's "What a provision is" promises, the one exception being an
  enumerator label with no words of its own (its citation carries it); and no
  provision holds heading text.

The generated texts mix the pieces the segmenter reacts to (unit headings of
every style, enumerator labels, quoted definitions, cross-references, closing
formulae) with random words, unicode, blank lines and stray punctuation.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provrisk.ingest.normalise import normalise_text
from provrisk.segment import provision_text, segment_statute
from provrisk.segment.layout import parse_layout
from provrisk.segment.tree import detect_bare_labels

STYLES = [None, "article", "section", "usc"]

_WORDS = st.sampled_from([
    "person", "commits", "offence", "computer", "system", "data", "means", "includes", "shall", "may", "the",
    "a", "of", "to", "or", "and", "any", "who", "without", "authorisation", "intercept", "warrant", "Minister",
    "service", "provider", "under", "subsection", "section", "Article", "paragraph", "this", "Act",
    "Convention", "Party", "such", "measures—",
])
_NUMBER = st.integers(min_value=1, max_value=40)
_LOWER = st.sampled_from("abcdefghij")
_ROMAN = st.sampled_from(["i", "ii", "iii", "iv", "v"])
# Text outside ASCII, including characters str.isspace() counts as space.
_ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
)
_PUNCTUATION = st.sampled_from(["", ".", ";", ":", ",", "—", "–", " -", "; or", "; and", ",—", "(", ")", '"', "§"])


@st.composite
def _sentences(draw) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=12))
    if draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))), draw(_ODD_TEXT))
    if draw(st.integers(0, 4)) == 0:
        words.append(draw(st.sampled_from(["under subsection (1)", "in paragraph (a)", "section 3(2)(b)"])))
    return " ".join(words) + draw(_PUNCTUATION)


_sentence = _sentences()


@st.composite
def _line(draw) -> str:
    n = draw(_NUMBER)
    kinds = {
        "section": lambda: f"{n}. {draw(_sentence)}",
        "section_dash": lambda: f"{n}. {draw(_sentence)}.—{draw(_sentence)}",
        "named_section": lambda: f"Section {n}. {draw(_sentence)} – {draw(_sentence)}",
        "article": lambda: f"Article {n} – {draw(_sentence)}",
        "article_bare": lambda: f"Article {n}",
        "usc": lambda: f"§ {1000 + n}. {draw(_sentence)}",
        "division": lambda: draw(st.sampled_from(["PART", "CHAPTER", "Chapter", "TITLE", "Schedule"]))
        + f" {draw(st.sampled_from(['I', 'II', 'IV', str(n)]))} {draw(_sentence).upper()}",
        "subsection": lambda: f"({n}) {draw(_sentence)}",
        "paragraph": lambda: f"({draw(_LOWER)}) {draw(_sentence)}",
        "treaty_item": lambda: f"{draw(_LOWER)}) {draw(_sentence)}",
        "roman": lambda: f"({draw(_ROMAN)}) {draw(_sentence)}",
        "chained": lambda: f"({n})({draw(_LOWER)}) {draw(_sentence)}",
        "definition": lambda: f'"{draw(_sentence).rstrip(".;:,")}" means {draw(_sentence)};',
        "interpretation": lambda: "In this Act—",
        "inline_labels": lambda: f"{draw(_sentence)} if— (a) {draw(_sentence)}; or (b) {draw(_sentence)}.",
        "closing": lambda: draw(st.sampled_from(["IN WITNESS WHEREOF", "Done at Budapest", "Passed in the"]))
        + f" {draw(_sentence)}",
        "preamble": lambda: draw(st.sampled_from(["Preamble", "Have agreed as follows:", "Recognising"]))
        + f" {draw(_sentence)}",
        "text": lambda: draw(_sentence),
        "odd": lambda: draw(_ODD_TEXT),
        "blank": lambda: draw(st.sampled_from(["", " ", "  \t"])),
    }
    return kinds[draw(st.sampled_from(sorted(kinds)))]()


statute_texts = st.lists(_line(), min_size=1, max_size=25).map("\n".join)


def _check_invariants(source: str, style: str | None) -> None:
    provisions = segment_statute(source, "prop", style=style)
    previous_end = 0
    owners = [0] * len(source)
    for provision in provisions:
        assert 0 <= provision.start < provision.end <= len(source), provision
        assert provision.text == provision_text(source, provision.start, provision.end, provision.annotations)
        assert provision.text, provision
        assert provision.text == provision.text.strip(), f"untrimmed span {provision.text!r}"
        for annotation in provision.annotations:
            assert source[annotation.start : annotation.end] == annotation.text
        assert provision.start >= previous_end, f"{provision.citation} overlaps or is out of order"
        assert provision.citation.strip(), f"provision without a citation: {provision.text!r}"
        previous_end = provision.end
        for item in provision.items:
            assert provision.start <= item.start < item.end <= provision.end, (provision.citation, item)
        # A provision owns its span except the annotations it carries apart from its text.
        carried = {offset for annotation in provision.annotations for offset in range(annotation.start, annotation.end)}
        for offset in range(provision.start, provision.end):
            owners[offset] += offset not in carried
    assert len({p.id for p in provisions}) == len(provisions), "duplicate provision ids"
    heading = [False] * len(source)
    layout = parse_layout(source, style)
    for start, end in layout.headings + layout.furniture + [(a.start, a.end) for a in layout.annotations.annotations]:
        for offset in range(start, end):
            heading[offset] = True
    for offset, char in enumerate(source):
        if heading[offset] and not char.isspace():
            assert owners[offset] == 0, f"heading text in a provision: {_around(source, offset)!r}"
    unowned = "".join(
        char if owners[offset] == 0 and not heading[offset] else " " for offset, char in enumerate(source)
    )
    labels = _LABELS_OR_BARE if detect_bare_labels(source) else _LABELS
    lost = labels.sub(" ", unowned).split()
    assert not lost, f"operative text in no provision: {lost[:5]}"


def _around(source: str, offset: int) -> str:
    return source[max(0, offset - 30) : offset + 30]


# An enumerator label whose unit has no words of its own ("(1)" in "(1)(a) any
# person") is structure, like a section number: the citations carry it, and it
# may belong to no provision. These are the label forms provrisk.segment.tree reads.
_LABEL_FORMS = (
    r"\(\s?[0-9A-Za-z]{1,5}\s?\)|[0-9]{1,3}[A-Z]?\.|[0-9]{1,3}\s?-|Principle\s+[0-9]{1,2}:?"
    r"|(?:[a-z]{1,2}|[ivx]{1,5})[)\-]|[—–]"
)
_LABELS = re.compile(rf"(?<!\S)(?:{_LABEL_FORMS})+(?!\S)")
# Texts that print labels without brackets ("— a a date ...") also have bare ones.
_LABELS_OR_BARE = re.compile(rf"(?<!\S)(?:{_LABEL_FORMS}|[0-9]{{1,3}}[A-Z]?|[a-z]{{1,2}}|[ivx]{{1,5}}|[A-Z])+(?!\S)")


# Sized for about 10 s: a few milliseconds per example.
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=statute_texts, style=st.sampled_from(STYLES))
def test_statute_like_text_is_partitioned_into_provisions(text, style):
    _check_invariants(normalise_text(text), style)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=400), style=st.sampled_from(STYLES))
def test_arbitrary_normalised_text_is_partitioned_into_provisions(text, style):
    _check_invariants(normalise_text(text), style)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400) | statute_texts)
def test_unnormalised_text_never_raises_and_offsets_hold(text):
    # Callers are meant to pass normalised text; raw text (\r, control and
    # zero-width characters) must still give consistent offsets, not a crash.
    for provision in segment_statute(text, "raw"):
        assert provision.text == provision_text(text, provision.start, provision.end, provision.annotations)
