"""The provision record that segmentation returns and every later stage consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

KINDS = ("preamble", "definition", "operative", "final_clause", "schedule")
# Annotation kinds a reader wants to see beside a provision (the others mark page furniture).
NOTE_KINDS = ("amendment", "commencement", "footnote")


@dataclass(frozen=True)
class Item:
    """A list item kept inside its provision (it completes the lead-in's sentence)."""

    citation: str
    start: int
    end: int


@dataclass(frozen=True)
class Annotation:
    """Editorial matter printed inside a provision but not part of its words.

    ``kind`` is "amendment" (a legislative-history note: "[3/2013; 9/2018]",
    "[Act 38 of 2022 wef 01/02/2023]", "[definition ... inserted by ...]", a
    list of amending Acts), "commencement" (the date in force: "[1 October
    1994]", "[G.N. No. 225 of 1967]"), "footnote" (Pakistan-style "Ins. by Act
    No. II of 2025, s.3."), "footnote_mark" (the bare footnote number printed
    before an inserted passage) or "running_head" (a heading repeated at a page
    top: "FIRST SCHEDULE — continued"). ``text == source[start:end]``.
    """

    kind: str
    text: str
    start: int
    end: int


@dataclass
class Provision:
    """One citable provision of an instrument.

    ``text`` is ``source[start:end]`` of the normalised text without the
    spans of its ``annotations`` that lie inside it (see :func:`provision_text`). ``path`` runs from the
    outermost division to the provision itself. ``role`` is "rule" for a
    provision that states a rule and "lead_in" for the opening words of a unit
    whose parts are separate provisions (kept so that every character of
    operative text belongs to exactly one provision). ``context`` is the
    heading and the lead-in words above the provision, which a reader needs to
    understand it ("The following acts constitute the offense of cybercrime:").
    ``annotations`` are the amendment notes and footnotes printed in the
    provision (or, for a note that no provision holds, such as one under a
    Part heading, the next provision), in document order.
    """

    instrument_id: str
    citation: str
    path: list[str]
    heading: str | None
    text: str
    start: int
    end: int
    kind: str
    role: str = "rule"
    items: list[Item] = field(default_factory=list)
    context: str = ""
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def id(self) -> str:
        return provision_id(self.instrument_id, self.citation)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        record = {"id": self.id, **asdict(self), "text_hash": self.text_hash}
        return record


def provision_id(instrument_id: str, citation: str) -> str:
    """A stable id such as ``coe-budapest-convention-2001:art-20-1``.

    A dot inside a section number becomes "_" so that Canada's s. 186.1 and
    s. 186(1) get different ids.
    """
    slug = re.sub(r"(?<=\d)\.(?=\d)", "_", citation.lower())
    slug = re.sub(r"[^a-z0-9_]+", "-", slug).strip("-")
    return f"{instrument_id}:{slug}"


def provision_text(source: str, start: int, end: int, annotations: list[Annotation]) -> str:
    """``source[start:end]`` with the annotations inside it cut out, trimmed.

    Each cut takes the annotation and the white space before it, so
    "Singapore. [22/2017] (2) Where" reads "Singapore. (2) Where" and a note on
    a line of its own leaves no blank line behind.
    """
    pieces = []
    position = start
    for annotation in annotations:
        if annotation.start < position or annotation.end > end:
            continue  # held by another provision, or before/after this one
        cut = annotation.start
        while cut > position and source[cut - 1].isspace():
            cut -= 1
        pieces.append(source[position:cut])
        position = annotation.end
    pieces.append(source[position:end])
    return "".join(pieces).strip()
