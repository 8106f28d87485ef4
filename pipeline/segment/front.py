"""Front and back matter of a published act: cover page, table of contents, legislative history.

Input: the non-blank lines of a statute (see :func:`provrisk.segment.layout.split_lines`)
and a predicate that says whether a line is a division heading ("PART 2",
"CHAPTER I"). Output: a :class:`FrontMatter` that says which lines are the
act's body and where the furniture outside it is. (The title, edition and
date in force are metadata that ingestion reads: see :mod:`provrisk.ingest`.)

Official consolidations print, before the body, a cover page ("THE STATUTES OF
THE REPUBLIC OF SINGAPORE / BROADCASTING ACT 1994 / 2020 REVISED EDITION / This
revised edition incorporates ...") and an arrangement of sections: one line
per section, "12. Heading", under the Part headings, sometimes with a
"Section" column label at each page top. None of it is a provision. After the
last schedule some print a legislative history ("It is not part of the Act").

The table of contents is recognised by its shape, not only by its title: a run
of numbered lines that carry a heading and nothing else (between two entries
only division headings, column labels or the wrapped rest of a heading), whose
numbers start again further down, where the sections have text. A document
without such a run has no table of contents, whatever its first lines say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_TOC_ENTRY = re.compile(r"^(\d{1,4}[A-Z]{0,4})\.\s+(\S.{0,240})$")
# A numbered line of the body, which may also be "12.—(1) ..." (the contents never print the dash).
_NUMBERED_LINE = re.compile(r"^(\d{1,4}[A-Z]{0,4})\.(?:\s+\S|\s?[—–])")
_TOC_TITLE = re.compile(
    r"^(?:ARRANGEMENT\s+OF\s+(?:SECTIONS|CLAUSES|ARTICLES|PROVISIONS|REGULATIONS|RULES|PARAGRAPHS)|"
    r"Arrangement\s+of\s+(?:Sections|Clauses|Articles|Provisions|Regulations|Rules|Paragraphs)|"
    r"TABLE\s+OF\s+CONTENTS|Table\s+of\s+Contents|CONTENTS|Contents)\.?$"
)
_COLUMN_LABEL = re.compile(r"^(?:Sections?|SECTIONS?|Title|TITLE|Articles?|ARTICLES?|Clauses?|Page|PAGE|Paragraphs?)\.?$")
# "First Schedule — Broadcasting apparatus", "THE SCHEDULE", "Schedule 2": the schedules listed after the sections.
_SCHEDULE_ENTRY = re.compile(
    r"^(?:(?:THE|The|[A-Z][a-z]+|[A-Z]+)\s+)?(?:SCHEDULES?|Schedules?)\b(?:\s+\w{1,4})?(?:\s*[—–-]\s*.{0,160})?$"
)
_BODY_OPENERS = re.compile(r"^(?:An Act\b|AN ACT\b|BE IT ENACTED|Be it enacted|WHEREAS|Whereas|ENACTED by|\[)")
_BACK_MATTER = re.compile(r"^(?:LEGISLATIVE HISTORY|COMPARATIVE TABLE|LEGISLATIVE SOURCE KEY)$")
_MIN_ENTRIES = 3
_MAX_COVER_LINES = 60


@dataclass
class FrontMatter:
    """Which lines are the body, and where the rest is.

    ``body_first``/``body_end`` index the lines (``body_end`` exclusive);
    ``spans`` are the character spans of everything outside the body (cover,
    table of contents, back matter); ``toc`` is the table of contents' span.
    """

    body_first: int
    body_end: int
    spans: list[tuple[int, int]] = field(default_factory=list)
    toc: tuple[int, int] | None = None


def find_front_matter(lines: list, is_division: Callable[[object], bool]) -> FrontMatter:
    """Locate the cover page, the table of contents and any back matter in ``lines``."""
    front = FrontMatter(0, len(lines))
    toc = _table_of_contents(lines, is_division)
    if toc is not None:
        first, last = toc
        front.body_first = last + 1
        front.toc = (lines[first].start, lines[last].end)
        if first > 0:
            front.spans.append((lines[0].start, lines[first - 1].end))
        front.spans.append(front.toc)
    back = _back_matter_start(lines, front.body_first)
    if back is not None:
        front.body_end = back
        front.spans.append((lines[back].start, lines[-1].end))
    return front


def _table_of_contents(lines: list, is_division: Callable[[object], bool]) -> tuple[int, int] | None:
    """(first line, last line) of the table of contents, or None."""
    entries: list[tuple[int, tuple]] = []
    restart = None
    for index, line in enumerate(lines):
        match = _NUMBERED_LINE.match(line.text)
        if not match:
            continue
        key = _number_key(match.group(1))
        if entries and key <= entries[-1][1]:
            restart, restart_key = index, key
            break
        if not _TOC_ENTRY.match(line.text):
            return None  # a numbered line with a body before any restart: no contents run here
        entries.append((index, key))
    if restart is None or len(entries) < _MIN_ENTRIES:
        return None
    # Contents entries are headings, not numbered paragraphs of a body ("1. Providing the ... data ...").
    if sum(len(lines[index].text.split()) for index, _ in entries) > 15 * len(entries):
        return None
    # The body repeats the contents' numbers: the restart is one of them.
    if restart_key not in {key for _, key in entries}:
        return None
    body_like = 0
    for (index, _), (next_index, _) in zip(entries, entries[1:]):
        if len(lines[index].text.split()) > 30:
            body_like += 1
        body_like += sum(1 for line in lines[index + 1 : next_index] if not _toc_furniture(line.text, is_division(line)))
    if body_like > max(2, len(entries) // 20):
        return None
    first = entries[0][0]
    while first > 0 and _toc_furniture(lines[first - 1].text, is_division(lines[first - 1])):
        first -= 1
        if _TOC_TITLE.match(lines[first].text):
            break
    # Only a cover page comes before the contents: a few short lines, not the body of an act.
    if first > _MAX_COVER_LINES or any(len(line.text.split()) > 40 for line in lines[:first]):
        return None
    last = entries[-1][0]
    body_begins = _body_begins(lines, last, restart, is_division)
    while (
        last + 1 < body_begins
        and not _BODY_OPENERS.match(lines[last + 1].text)
        and (_toc_furniture(lines[last + 1].text, is_division(lines[last + 1])) or _SCHEDULE_ENTRY.match(lines[last + 1].text))
    ):
        last += 1
    return first, last


def _body_begins(lines: list, last_entry: int, restart: int, is_division: Callable[[object], bool]) -> int:
    """The first line of the headings directly above the body's first numbered line."""
    begins = restart
    while begins - 1 > last_entry:
        line = lines[begins - 1]
        if not (is_division(line) or _is_heading_text(line.text)) or _BODY_OPENERS.match(line.text):
            break
        begins -= 1
    return begins


def _toc_furniture(text: str, is_division: bool) -> bool:
    """A line that may stand between two contents entries."""
    if is_division or _TOC_TITLE.match(text) or _COLUMN_LABEL.match(text):
        return True
    # the wrapped rest of an entry's heading, or a division's title
    if text.endswith((";", ":", ",")) or text.endswith(".") and not text.endswith("etc."):
        return False
    return len(text.split()) <= 14 and not re.match(r"^\(\w{1,4}\)\s", text)


def _is_heading_text(text: str) -> bool:
    return len(text) <= 160 and not text.endswith((".", ";", ":", ",")) and bool(re.match(r"^[A-Z\"'(]", text))


def _back_matter_start(lines: list, body_first: int) -> int | None:
    for index in range(body_first + 1, len(lines)):
        if _BACK_MATTER.match(lines[index].text):
            return index
    return None


def _number_key(number: str) -> tuple:
    digits = re.match(r"\d+", number).group(0)
    return (int(digits), number[len(digits):])
