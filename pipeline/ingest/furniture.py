"""Page furniture: running headers and footers and page numbers, found and removed page by page.

Input: the normalised text of each page of a paginated document (a PDF), in
page order. Output (:func:`remove_page_furniture`): the pages without their
furniture, and the removed lines in reading order (where the act's edition and
the date of the version in force are printed, see :mod:`provrisk.ingest.printed`).

Documents without pages (HTML, DOCX, text) converted from a printed edition
can still carry a running head where a page ended, in the middle of a
sentence: :func:`remove_running_titles` removes the act's title printed on one
or two lines between a line that does not end a sentence and a line that
continues it in lower case ("… designated by any contracting State to the
Convention to" / "Convention Abolishing … Act" / "issue the certificate …").

Only the first and last :data:`EDGE_LINES` non-empty lines of a page are
candidates, so a number or heading in the body of a page is never removed. A
candidate is furniture when it is

- a bare page number: "12", "- 12 -", "Page 12 of 40", "12/40", "ii" (not a
  bare year such as "2001", which is a title wrapped at a page edge);
- a running line: its shape (the line with each run of digits as ``#``)
  recurs at the edges of at least half the pages, and of at least
  :data:`MIN_PAGES_FOR_REPEATS` pages, counted over all pages or over the odd
  and the even pages apart, since books alternate left- and right-hand running
  heads ("2020 Ed. Public Order Act 2009 4" on one side, "5 Public Order Act
  2009 2020 Ed." on the other);
- the first or last few words of a running line printed on a line of their own
  ("2020 Ed." below a page number on the first page of a part).
"""

from __future__ import annotations

import math
import re
from collections import Counter

EDGE_LINES = 3  # how many lines at the top and at the bottom of a page can be furniture
MIN_PAGES_FOR_REPEATS = 3
# A fragment of a running line this short can stand on a line of its own ("2020 Ed."); longer
# lines that merely begin like a running head are body text.
MAX_FRAGMENT_WORDS = 3

_PAGE_NUMBER_LINE = re.compile(
    r"(?:page|p\.)?\s*[-–—]?\s*\d{1,5}\s*[-–—]?\s*(?:(?:of|/)\s*\d{1,5})?",
    re.IGNORECASE,
)
# Lower-case roman numerals, as front and back matter number their pages (i to lxxxix).
_ROMAN_PAGE_NUMBER = re.compile(r"l?x{0,3}(?:ix|iv|v?i{0,3})")
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_DIGITS = re.compile(r"\d+")
_LETTER = re.compile(r"[^\W\d_]")
_EXTRA_NEWLINES = re.compile(r"\n{3,}")


def is_page_number_line(line: str) -> bool:
    """True for a line that is only a page number: "12", "- 12 -", "Page 12 of 40", "12/40", "iv".

    A bare year ("2001") is not: a year wrapped onto a line of its own is body text
    ("... (Amendment) Act" / "2001").
    """
    stripped = line.strip()
    if not stripped or _YEAR.fullmatch(stripped):
        return False
    return _PAGE_NUMBER_LINE.fullmatch(stripped) is not None or _ROMAN_PAGE_NUMBER.fullmatch(stripped) is not None


def remove_page_furniture(pages: list[str]) -> tuple[list[str], list[str]]:
    """(pages without their furniture, the furniture lines removed, in reading order)."""
    lines_of = [page.split("\n") for page in pages]
    edges = [_edge_line_indexes(lines) for lines in lines_of]
    running = _running_shapes(lines_of, edges)
    cleaned: list[str] = []
    removed: list[str] = []
    for lines, indexes in zip(lines_of, edges):
        dropped = {i for i in indexes if _is_furniture(lines[i], running)}
        removed.extend(lines[i].strip() for i in sorted(dropped))
        kept = [line for i, line in enumerate(lines) if i not in dropped]
        cleaned.append(_EXTRA_NEWLINES.sub("\n\n", "\n".join(kept)).strip("\n"))
    return cleaned, removed


def _running_shapes(lines_of: list[list[str]], edges: list[set[int]]) -> set[str]:
    """Shapes at the page edges often enough, over all pages or over the pages of one parity."""
    overall: Counter[str] = Counter()
    by_parity: dict[int, Counter[str]] = {0: Counter(), 1: Counter()}
    for number, (lines, indexes) in enumerate(zip(lines_of, edges), start=1):
        shapes = {_line_shape(lines[i]) for i in indexes}
        overall.update(shapes)
        by_parity[number % 2].update(shapes)
    page_count = len(lines_of)
    parity_pages = {0: page_count // 2, 1: (page_count + 1) // 2}

    def often(counts: Counter[str], pages: int) -> set[str]:
        needed = max(MIN_PAGES_FOR_REPEATS, math.ceil(pages / 2))
        return {shape for shape, count in counts.items() if count >= needed}

    return often(overall, page_count) | often(by_parity[0], parity_pages[0]) | often(by_parity[1], parity_pages[1])


def _is_furniture(line: str, running: set[str]) -> bool:
    if is_page_number_line(line):
        return True
    shape = _line_shape(line)
    return shape in running or _is_running_fragment(shape, running)


def _is_running_fragment(shape: str, running: set[str]) -> bool:
    """True when ``shape`` is the first or last few words of a running line (and holds a letter)."""
    if not _LETTER.search(shape) or len(shape.split()) > MAX_FRAGMENT_WORDS:
        return False
    return any(line.startswith(shape + " ") or line.endswith(" " + shape) for line in running)


def _edge_line_indexes(lines: list[str]) -> set[int]:
    """Indexes of the first and last few non-empty lines."""
    non_empty = [i for i, line in enumerate(lines) if line.strip()]
    return set(non_empty[:EDGE_LINES] + non_empty[-EDGE_LINES:])


def _line_shape(line: str) -> str:
    """A line with each run of digits masked and spaces collapsed, so "Page 9" and "Page 10" have one shape."""
    return _DIGITS.sub("#", " ".join(line.split()))


_SENTENCE_ENDS = (".", ";", ":", "—", "–", "-", ")", "]")
MAX_TITLE_LINES = 2


def remove_running_titles(text: str, title: str) -> tuple[str, list[str]]:
    """(``text`` without the running heads that repeat ``title`` inside a sentence, the lines removed)."""
    wanted = " ".join(title.split()).casefold()
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    dropped: set[int] = set()
    for position in range(1, len(filled) - 1):
        for size in range(1, MAX_TITLE_LINES + 1):
            block = filled[position : position + size]
            if position + size >= len(filled) or len(block) < size:
                break
            joined = " ".join(" ".join(lines[i].split()) for i in block).casefold()
            before, after = lines[filled[position - 1]].rstrip(), lines[filled[position + size]].lstrip()
            if joined == wanted and not before.endswith(_SENTENCE_ENDS) and after[:1].islower():
                dropped.update(block)
    if not dropped:
        return text, []
    kept = "\n".join(line for i, line in enumerate(lines) if i not in dropped)
    return _EXTRA_NEWLINES.sub("\n\n", kept), [lines[i].strip() for i in sorted(dropped)]
