"""Structure-aware segmentation of statutes and treaties into citable provisions.

``segment_statute(text, instrument_id)`` takes normalised text (see
:mod:`provrisk.ingest`) and returns :class:`Provision` records in document
order. Offsets index ``text``; every character of operative text (preamble,
unit bodies, closing formula) belongs to exactly one provision, while
headings, division titles and furniture (cover page, table of contents,
legislative history) belong to none. Amendment notes and footnotes printed
among a provision's words are cut out of its ``text`` and listed in its
``annotations``.
"""

from __future__ import annotations

import re

from provrisk.segment.assemble import (
    assemble_unit,
    closing_provision,
    paragraph_provisions,
    preamble_provisions,
    unit_kind,
)
from provrisk.segment.annotations import attach_annotations, mask_annotations
from provrisk.segment.layout import ARTICLE, SECTION, Unit, parse_layout
from provrisk.segment.provision import KINDS, NOTE_KINDS, Annotation, Item, Provision, provision_id, provision_text
from provrisk.segment.tree import TermUse, build_unit_tree, detect_bare_labels

__all__ = [
    "KINDS", "NOTE_KINDS", "Annotation", "Item", "Provision", "provision_id", "provision_text", "segment_statute",
]


def segment_statute(text: str, instrument_id: str, *, style: str | None = None) -> list[Provision]:
    """Split ``text`` into provisions; ``style`` ("article", "section", "usc", "sec") overrides detection."""
    layout = parse_layout(text, style)
    bare = detect_bare_labels(text)
    # Units are parsed with the annotations blanked out (same offsets): the notes are no structure.
    structure = mask_annotations(text, layout.annotations.annotations)
    if not layout.units and layout.preamble:
        return attach_annotations(text, _segment_extract(structure, instrument_id, layout, bare), layout.annotations)
    provisions = preamble_provisions(text, instrument_id, layout)
    term_use = TermUse(structure)  # one search budget for the whole document keeps its definitions linear
    for unit in layout.units:
        root = build_unit_tree(
            structure, unit.body_start, unit.end, bare=bare, definitional=unit_kind(unit) == "definition",
            term_use=term_use,
        )
        provisions.extend(assemble_unit(structure, instrument_id, unit, root))
    provisions.extend(closing_provision(text, instrument_id, layout))
    provisions = attach_annotations(text, provisions, layout.annotations)
    _make_citations_unique(provisions)
    return provisions


def _segment_extract(text: str, instrument_id: str, layout, bare: bool) -> list[Provision]:
    """A fragment without article or section numbers ("(1) Any person who ...")."""
    start, end = layout.preamble[0].start, layout.preamble[-1].end
    number, heading, style = _extract_unit(text, layout, start)
    unit = Unit(number, style or (layout.style if layout.style != "article" else SECTION), start, start, end, heading)
    root = build_unit_tree(text, start, end, bare=bare, definitional=False)
    # A heading between the paragraphs (a division line) must stay out of every provision.
    if not root.children or any(start < heading_start < end for heading_start, _ in layout.headings):
        return paragraph_provisions(text, instrument_id, layout)
    provisions = assemble_unit(text, instrument_id, unit, root)
    for provision in provisions:
        # the words before the first label, or the whole extract kept together: no label of its own
        provision.citation = provision.citation or "Extract"
    _make_citations_unique(provisions)
    return provisions


# An extract's title that names the unit it reproduces: "... ACT, 2015 — SECTION 24 (CYBERSTALKING), FRAGMENT".
_EXTRACT_UNIT = re.compile(
    r"\b(?P<kind>SECTION|Section|ARTICLE|Article)\s+(?P<number>\d+[A-Z]?)\b(?:\s*\((?P<heading>[^()]{2,80})\))?"
)


def _extract_unit(text: str, layout, start: int) -> tuple[str, str | None, str | None]:
    """Number, heading and style of the unit an extract's title names, so that its "(1)" is cited "s. 24(1)".

    Only a title before the extract's first label counts; ("", None, None) when it names none.
    """
    for heading_start, heading_end in layout.headings:
        if heading_end > start:
            break
        match = _EXTRACT_UNIT.search(text, heading_start, heading_end)
        if match:
            heading = match["heading"]
            style = SECTION if match["kind"].lower() == "section" else ARTICLE
            return match["number"], heading.strip().capitalize() if heading else None, style
    return "", None, None


def _make_citations_unique(provisions: list[Provision]) -> None:
    """A defective source can repeat a number; later repeats get an ordinal suffix."""
    seen: dict[str, int] = {}
    for provision in provisions:
        count = seen.get(provision.citation, 0) + 1
        seen[provision.citation] = count
        if count > 1:
            provision.citation = f"{provision.citation} [{count}]"
