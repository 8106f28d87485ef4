"""Editorial annotations printed among a statute's words: amendment notes, dates in force, footnotes.

Input: normalised statute text. Output: :class:`~provrisk.segment.provision.Annotation`
records in document order, without overlap, found in one pass of a few regular
expressions (linear in the text); :func:`mask_annotations`, the text with the
notes blanked out for structure parsing; and :func:`attach_annotations`, which
gives each provision the annotations it holds and its text without them.

Recognised (the forms real consolidations print; anything else stays text):

- Singapore: "[3/2013; 9/2018]", "[22/2017]", "[Act 38 of 2022 wef 01/02/2023]",
  "[S 738/2024 wef 25/09/2024]"; the commencement date "[1 October 1994]".
- Tanzania: "[G.N. No. 225 of 1967]", "[1st July, 1967]", the list of
  amending Acts under the long title ("Acts Nos." then "6 of 1967" per line),
  footnote numbers in the text ("Act 1*") and the endnotes they point to
  ("1Cap. 11").
- Zimbabwe: "[section 163A inserted by section 35(2) of Chapter 12:07]",
  "[definition of "data" substituted by ...]".
- Pakistan: footnotes on lines of their own ("1" then "Ins. by Act No. II of
  2025, s.3.") and the bare footnote number on the line before an inserted
  passage ("1" then "[(iiia) ...]").
- Page furniture inside a provision: a schedule's heading repeated at a page
  top ("FIRST SCHEDULE — continued"), kind "running_head".

Bracketed words that are part of the law stay text: India's "[electronic
signature]" (words substituted by an amendment), Canada's "[Repealed, 2019, c.
13, s. 22]" and "[Repealed]" (the unit's whole content), Zambia's "[Act No. 4 of
2021]" (a marginal reference to the Act just named).
"""

from __future__ import annotations

import bisect
import re

from provrisk.segment.provision import Annotation, Provision, provision_text

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# One entry of a Singapore legislative-history note: an amending Act or a subsidiary instrument.
_HISTORY_ENTRY = (
    r"(?:Act\s+\d{1,3}\s+of\s+\d{4}|S\s+\d{1,4}/\d{4}|\d{1,3}/\d{4})"
    r"(?:\s+wef\s+\d{1,2}/\d{1,2}/\d{4})?"
)
# How a Pakistan footnote says what an amendment did: "Ins.", "Subs., and Ins.", "Numbered and added".
_FOOTNOTE_VERB = (
    r"(?:Ins|Subs|Added|added|Omitted|omitted|Rep|Renumbered|Numbered|Inserted|inserted|Substituted|substituted|Deleted)"
)
# The contents of a bracketed note, by kind.
_BRACKETED_KINDS: list[tuple[str, re.Pattern]] = [
    ("amendment", re.compile(rf"\s*{_HISTORY_ENTRY}(?:\s*[;,]\s*{_HISTORY_ENTRY})*\s*")),
    (
        "amendment",
        re.compile(
            r"(?:definition\s+of\s+\"[^\"\n]{1,80}\"|(?:sections?|subsections?|paragraphs?|Part|Chapter|Schedule)"
            r"\s+[\w().]{1,20}(?:\s+and\s+[\w().]{1,20})?)\s+"
            r"(?:inserted|reinserted|substituted|amended|repealed|added|renumbered)\s+by\s+[^\[\]\n]{1,100}"
        ),
    ),
    # the reviser's note: "[*Updated to be consistent with the 2020 Revised Edition]"
    ("amendment", re.compile(r"\*\s?(?:Updated|Amended|Inserted|Renumbered)\b[^\[\]\n]{0,160}")),
    ("commencement", re.compile(r"\s*G\.\s?N\.\s+No\.\s+\d{1,4}\s+of\s+\d{4}\s*")),
    ("commencement", re.compile(rf"\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS}),?\s+\d{{4}}\s*")),
]
_BRACKETED = re.compile(r"\[([^\[\]\n]{1,200})\]")
# Notes on lines of their own, found from the line start.
_LINE_NOTES = re.compile(
    r"^[ \t]*(?:"
    r"(?P<footnote_mark>\d{1,2}[ \t]*$(?=\n[ \t]*\[))"
    rf"|(?P<footnote>(?:\d{{1,2}}[ \t]*\n[ \t]*)?(?:{_FOOTNOTE_VERB}\.?,?[ \t]+(?:and|&)[ \t]+)*{_FOOTNOTE_VERB}\.?,?[ \t]+by[ \t]"
    r"[^\n]{0,160}?\bof[ \t]+\d{4}\b[^\n]{0,80}$)"
    r"|(?P<amendment>Acts?\s+Nos?\.[ \t]*(?:\n[ \t]*\d{1,3}\s+of\s+\d{4}[ \t]*)+$)"
    r"|(?P<footnote_text>\d{1,2}[ \t]?Cap\.[ \t]?\d{1,4}[A-Z]?[ \t]*$)"
    r"|(?P<running_head>(?:[A-Z]+[ \t]+)?SCHEDULE[ \t]*[—–-][ \t]*(?:continued|CONTINUED)[ \t]*$)"
    r")",
    re.MULTILINE,
)


# A footnote's number printed after the words it annotates: "the Magistrates' Courts Act 1*" (found from
# the asterisk: a literal the regular-expression engine scans for quickly).
_INLINE_MARK = re.compile(r"\*(?=[\s.,;:)]|$)")
_MARK_NUMBER = re.compile(r"[A-Za-z)] ?(\d{1,2})$")


def find_annotations(text: str) -> list[Annotation]:
    """Every annotation in ``text``, in order; ``Annotation.text`` is the note as printed, trimmed."""
    found = []
    for match in _BRACKETED.finditer(text):
        kind = next((kind for kind, pattern in _BRACKETED_KINDS if pattern.fullmatch(match.group(1))), None)
        if kind is not None:
            found.append(Annotation(kind, match.group(0), match.start(), match.end()))
    for match in _LINE_NOTES.finditer(text):
        start, end = match.span(match.lastgroup)
        kind = "footnote" if match.lastgroup == "footnote_text" else match.lastgroup
        found.append(Annotation(kind, text[start:end], start, end))
    for match in _INLINE_MARK.finditer(text):
        number = _MARK_NUMBER.search(text, max(0, match.start() - 4), match.start())
        if number:
            start = number.start(1)
            found.append(Annotation("footnote_mark", text[start : match.end()], start, match.end()))
    found.sort(key=lambda a: a.start)
    # a bracketed note inside a footnote line belongs to the footnote
    return [a for i, a in enumerate(found) if i == 0 or a.start >= found[i - 1].end]


class AnnotationIndex:
    """Annotations sorted by offset, to ask which ones lie in a span."""

    def __init__(self, annotations: list[Annotation]) -> None:
        self.annotations = annotations
        self._starts = [a.start for a in annotations]

    def within(self, start: int, end: int) -> list[Annotation]:
        """The annotations that lie wholly inside ``[start, end)``."""
        first = bisect.bisect_left(self._starts, start)
        out = []
        # by index, not a slice: a slice would copy the rest of the list at every call
        for index in range(first, len(self.annotations)):
            annotation = self.annotations[index]
            if annotation.start >= end:
                break
            if annotation.end <= end:
                out.append(annotation)
        return out

    def covers(self, start: int, end: int) -> bool:
        """``[start, end)`` holds nothing but annotations and white space between them."""
        first = bisect.bisect_right(self._starts, start) - 1
        position = start
        for index in range(max(first, 0), len(self.annotations)):
            annotation = self.annotations[index]
            if annotation.start > position:
                break
            position = max(position, annotation.end)
            if position >= end:
                return True
        return position >= end


def mask_annotations(text: str, annotations: list[Annotation]) -> str:
    """``text`` with every annotation blanked out (line breaks kept), so offsets stay and structure
    parsing reads past the notes: "...signature;" / "THIRD SCHEDULE — continued" / "\"certificate\" means"."""
    if not annotations:
        return text
    pieces = []
    position = 0
    for annotation in annotations:
        pieces.append(text[position : annotation.start])
        pieces.append(re.sub(r"[^\n]", " ", text[annotation.start : annotation.end]))
        position = annotation.end
    pieces.append(text[position:])
    return "".join(pieces)


def attach_annotations(text: str, provisions: list[Provision], index: AnnotationIndex) -> list[Provision]:
    """Give each provision the annotations it holds and its words without them.

    A note printed after a provision's words, with only white space between
    ("... of an enhanced security special event." / "[23/2017]"), extends the
    provision to hold it. A provision that holds nothing but annotations is
    dropped and its annotations go to the provision before it. An annotation
    that no provision holds (one under a Part heading, between a heading and
    the first section) goes to the next provision, or to the last one at the
    end of the text.
    """
    if not provisions:
        return provisions
    starts = [p.start for p in provisions]
    for annotation in index.annotations:
        before = bisect.bisect_right(starts, annotation.start) - 1
        if before < 0:
            continue
        provision = provisions[before]
        if provision.end <= annotation.start and not text[provision.end : annotation.start].strip():
            provision.end = annotation.end
    kept: list[Provision] = []
    stray: list[Annotation] = []
    claimed: set[int] = set()
    for provision in provisions:
        inside = index.within(provision.start, provision.end)
        claimed.update(a.start for a in inside)
        if not inside:
            provision.text = text[provision.start : provision.end]
            kept.append(provision)
            continue
        words = provision_text(text, provision.start, provision.end, inside)
        if not words:
            (kept[-1].annotations if kept else stray).extend(inside)
            continue
        provision.text = words
        provision.annotations = list(inside)
        kept.append(provision)
    if not kept:
        return kept
    unclaimed = [a for a in index.annotations if a.start not in claimed] + stray
    if unclaimed:
        starts = [p.start for p in kept]
        for annotation in unclaimed:
            position = min(bisect.bisect_left(starts, annotation.start), len(kept) - 1)
            kept[position].annotations.append(annotation)
        for provision in kept:
            provision.annotations.sort(key=lambda a: a.start)
    return kept
