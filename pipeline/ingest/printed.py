"""What a statute prints about itself: its title, its edition and the date of the version in force.

Input: a document's normalised text and the page-furniture lines removed from
it (running headers and footers, see :mod:`provrisk.ingest.furniture`; none
for formats without pages). Output (:func:`printed_metadata`): a dict with
those of ``title``, ``edition`` and ``in_force_from`` that are printed:

- ``title``: the first line among the first :data:`HEAD_LINES` that reads as
  the name of an instrument: it names one ("Act", "Code", "Ordinance",
  "Convention"...), every word is capitalised (or is a short joining word),
  and it is not numbered, bracketed or ended like a sentence ("PUBLIC ORDER ACT
  2009", "THE PREVENTION OF ELECTRONIC CRIMES ACT, 2016", "Convention on
  Cybercrime"). Covers print long titles over two lines: a title line with
  no name ("ACT 2010") takes the capitalised line above ("ELECTRONIC
  TRANSACTIONS"), and a capitalised line below that starts with a joining word
  continues the title ("CONVENTION ABOLISHING THE REQUIREMENTS" / "OF
  LEGALISATION FOR FOREIGN PUBLIC DOCUMENTS ACT");
- ``edition``: "2020 REVISED EDITION", "R.E. 2019", "2020 Ed." as printed,
  from the first lines or the furniture;
- ``in_force_from``: the ISO date of "version in force from 1/10/2025"
  (day/month/year, as Singapore prints it) in the furniture or the first lines.

The title printed in the act is what reports show; a file's own title
property (PDF document information, DOCX core properties, HTML ``<title>``) is
often a template's or a converter's ("untitled", a GUID, a portal's page name).
"""

from __future__ import annotations

import re

HEAD_LINES = 40  # the cover page and the title block are within the first lines
MAX_TITLE_WORDS = 20

_INSTRUMENT = re.compile(
    r"\b(?:act|code|ordinance|decree|law|proclamation|convention|covenant|treaty|protocol|charter|regulations|statute)\b",
    re.IGNORECASE,
)
# Words a title leaves in lower case ("Prevention of Electronic Crimes Act").
_JOINING_WORDS = {"of", "and", "the", "on", "for", "in", "to", "a", "an", "&", "with", "against", "relating", "concerning"}
# A numbered line is a provision or a list item, not a title: "1. Short title", "(2)", "Section 4".
_NUMBERED = re.compile(r"\s*(?:\(?[0-9]+[A-Z]?[.)]|\([a-z]{1,4}\)|section\s+\d|article\s+\d|§)", re.IGNORECASE)
_SENTENCE_END = (".", ";", ":", ",", "—", "–", "-")
_EDITION = re.compile(
    r"\b(?:\d{4}\s+REVISED\s+EDITION|REVISED\s+EDITION\s+\d{4}|R\.\s?E\.\s+\d{4}|\d{4}\s+Ed\.)",
    re.IGNORECASE,
)
_IN_FORCE = re.compile(r"version\s+in\s+force\s+from\s+(\d{1,2})/(\d{1,2})/(\d{4})\b", re.IGNORECASE)


def printed_metadata(text: str, furniture: list[str]) -> dict[str, str]:
    """The title, edition and in-force date printed in ``text`` or its ``furniture`` (only those found)."""
    head = [line.strip() for line in text.split("\n") if line.strip()][:HEAD_LINES]
    found: dict[str, str] = {}
    title = _title(head)
    if title:
        found["title"] = title
    for line in head + furniture:
        edition = _EDITION.search(line)
        if edition:
            found["edition"] = " ".join(edition.group().split())
            break
    for line in furniture + head:
        in_force = _IN_FORCE.search(line)
        if in_force:
            day, month, year = (int(part) for part in in_force.groups())
            if 1 <= day <= 31 and 1 <= month <= 12:
                found["in_force_from"] = f"{year:04d}-{month:02d}-{day:02d}"
                break
    return found


def _title(head: list[str]) -> str | None:
    for index, line in enumerate(head):
        if not is_title_line(line):
            continue
        above = head[index - 1] if index else ""
        below = head[index + 1] if index + 1 < len(head) else ""
        if _kind_and_number_only(line) and _continued_by(above, line) and not is_title_line(above):
            line = f"{above} {line}"
        elif below and below.split()[0].lower() in _JOINING_WORDS and _continued_by(line, below) and not line[-1].isdigit():
            line = f"{line} {below}"
        return " ".join(line.split())
    return None


def _kind_and_number_only(line: str) -> bool:
    """ "ACT 2010", "Act No. 5 of 2018": the kind of instrument and its number, no name."""
    return all(
        _INSTRUMENT.fullmatch(word.strip(",.")) or word.lower() in _JOINING_WORDS or re.search(r"\d", word)
        or word.lower() in ("no.", "no")
        for word in line.split()
    )


def _continued_by(first: str, second: str) -> bool:
    """True when ``second`` can continue ``first`` as one title printed over two lines."""
    return bool(first) and _capitalised(first) and _capitalised(second) and not first.endswith(_SENTENCE_END)


def is_title_line(line: str) -> bool:
    """True for a line that reads as an instrument's name (see the module docstring)."""
    stripped = line.strip()
    words = stripped.split()
    if not words or len(words) > MAX_TITLE_WORDS or not _INSTRUMENT.search(stripped):
        return False
    if _NUMBERED.match(stripped) or stripped.startswith(("(", "[")) or stripped.endswith(_SENTENCE_END):
        return False
    return _capitalised(stripped)


def _capitalised(line: str) -> bool:
    """Every word that starts with a letter starts with a capital, or is a joining word."""
    lettered = [word for word in line.split() if re.match(r"[^\W\d_]", word)]
    return bool(lettered) and all(word[0].isupper() or word.lower() in _JOINING_WORDS for word in lettered)
