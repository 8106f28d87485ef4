"""Top-level layout of a statute: divisions, numbered units, preamble, final clause.

Input: normalised statute text. Output: a :class:`Layout` that says where each
numbered unit (article, section, U.S. Code section, U.S. bill section) starts and ends, its
heading, the divisions (Part, Chapter, Title, Schedule) it sits in, the
preamble paragraphs before the first unit, the closing formula after the
last, the furniture that belongs to no provision (cover page, table of
contents, legislative history: see :mod:`provrisk.segment.front`) and the
annotations printed among the words (see :mod:`provrisk.segment.annotations`).
What happens inside a unit (subsections, items, definitions) is the job of
:mod:`provrisk.segment.tree`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from provrisk.segment.annotations import AnnotationIndex, find_annotations
from provrisk.segment.front import FrontMatter, find_front_matter

# Drafting styles; they decide how a unit is cited ("Art. 7", "s. 12", "§ 1030", "Sec. 2").
ARTICLE, SECTION, USC, SEC = "article", "section", "usc", "sec"

_ARTICLE_RE = re.compile(
    r"^(?:Article|ARTICLE|Art\.)\s*\(?\s*(\d{1,3}[A-Za-z]?(?:\s?bis|\s?ter)?)\s*\)?\s*(?:[:.\-–—]\s*(.*)|\s+([A-Z].*)|(\s*))$"
)
_USC_RE = re.compile(r"^§{1,2}\s*(\d{1,5}[a-z]{0,2}(?:-\d+)?)\.\s*(.*)$")
_NAMED_SECTION_RE = re.compile(r"^(?:Section|SECTION|Sec\.|SEC\.)\s+(\d{1,4}[A-Z]{0,3})\s*[.:]\s*(.*)$")
# US bills, Acts and statute compilations abbreviate: "SEC. 2. SHORT TITLE.", "Sec. 2. The Secretary ...".
_ABBREVIATED_SECTION_RE = re.compile(r"^(?:SEC|Sec)\.\s+\d{1,4}[A-Z]{0,3}\.(?:\s|$)")
# India and Pakistan print inserted sections as "[69B. Heading.--(1) ..." or "1[26A, Heading".
_DOTTED_SECTION_RE = re.compile(r"^(?:\d?\[)?(\d{1,4}(?:\.\d{1,4})?[A-Z]{0,4})(?:\.|(?<=[A-Z]),)(?=\s|—|–|-|\(|$)\s*(.*)$")
_BARE_SECTION_RE = re.compile(r"^(\d{1,4}(?:\.\d{1,4})?[A-Z]{0,4})\s+(\S.*)$")
_DIVISION_RE = re.compile(
    r"^(PART|Part|CHAPTER|Chapter|TITLE|Title|SECTION|Section|DIVISION|Division|Subdivision|"
    r"SUBPART|Subpart|Sub-Part|SCHEDULE|Schedule|ANNEX|Annex|Appendix|APPENDIX)"
    r"(?:\s+([IVXLC]+|\d{1,3}[A-Z]{0,2}|[A-Z]|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|"
    r"Eleven|Twelve|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN))?"
    r"\s*(?:[:.\-–—]\s*)?(.*)$"
)
_SCHEDULE_WORDS = {"schedule", "annex", "appendix"}
# "FIRST SCHEDULE", "Second Schedule — Licensable broadcasting services", "THE SCHEDULE"
# ("FIRST SCHEDULE — continued" at a page top is a running head: see provrisk.segment.annotations).
_ORDINAL_SCHEDULE_RE = re.compile(
    r"^(?:(FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|ELEVENTH|TWELFTH|THE)"
    r"|(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth))"
    r"\s+(SCHEDULE|Schedule|ANNEX|Annex)(?:\s*[—–]\s*(.{1,160}))?$"
)
_ORDINALS = {
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
    "eighth": "8", "ninth": "9", "tenth": "10", "eleventh": "11", "twelfth": "12",
}
# The empowering provisions printed under a schedule's heading: "Sections 2(1) and 65(1)", "(Section 10)".
# It may wrap: "Sections 20(2) and 21(2) and (3)," / "paragraph 1 of the Second Schedule" / "and paragraph 1 of ...".
_SCHEDULE_REFERENCE_RE = re.compile(
    r"^\(?(?:Sections?|SECTIONS?|ss?\.|Regulations?|Paragraphs?|Articles?)\s+\d[\w()]*(?:[\s,]+(?:and|or|to|of|the|"
    r"[Ss]ections?|[Pp]aragraphs?|\(?\w{1,6}\)?[\w()]*|[A-Z][a-z]+\s+Schedule))*[\s,)]*$"
)
_SCHEDULE_REFERENCE_WRAP_RE = re.compile(
    r"^(?:and|or|to|,|paragraph|section)\b[\w() ,]{0,80}?(?:Schedule)?[\s,)]*$"
)
_CLOSING_RE = re.compile(
    r"^(IN WITNESS WHEREOF|In witness whereof|DONE at|Done at|Adopted by|Approved[,:]|\(Sgd\.?\)|"
    r"This Act which is a consolidation|Passed in the)"
)
_WORD_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}
# Words that open the body of a Commonwealth section when the heading runs into it
# on one line ("1. Short title This Act may be cited as ...").
_BODY_STARTERS = {
    "This", "The", "A", "An", "Any", "In", "Where", "Subject", "No", "Every", "Each", "Nothing",
    "If", "For", "When", "Notwithstanding", "Without", "Despite", "Unless", "Except", "It",
    "There", "Save", "Upon", "On", "Whoever", "All", "Such", "Whenever", "Unlawful", "To",
}


@dataclass(frozen=True)
class Line:
    """A non-blank line: ``text == source[start:end]`` with surrounding spaces trimmed."""

    start: int
    end: int
    text: str


@dataclass
class Division:
    """A Part, Chapter, Title, Section-as-division or Schedule heading."""

    kind: str  # "part", "chapter", "title", "section", "division", "subpart", "schedule"
    label: str  # "Chapter II", "Part 3", "Schedule 1"
    title: str
    start: int
    end: int


@dataclass
class Unit:
    """One article or section: where its body is and what surrounds it."""

    number: str
    style: str
    start: int  # offset of the unit's number line
    body_start: int
    end: int
    heading: str | None = None
    divisions: list[Division] = field(default_factory=list)

    @property
    def in_schedule(self) -> bool:
        return any(d.kind == "schedule" for d in self.divisions)


@dataclass
class Layout:
    style: str
    units: list[Unit]
    preamble: list[Line]
    closing: tuple[int, int] | None
    headings: list[tuple[int, int]]  # spans of non-operative heading text
    front: FrontMatter = field(default_factory=lambda: FrontMatter(0, 0))
    annotations: AnnotationIndex = field(default_factory=lambda: AnnotationIndex([]))

    @property
    def furniture(self) -> list[tuple[int, int]]:
        """Spans that are neither provisions nor headings: cover page, contents, back matter."""
        return self.front.spans


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with their offsets."""
    lines = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group(0)
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        lines.append(Line(start, start + len(stripped), stripped))
    return lines


def detect_style(lines: list[Line]) -> str:
    """Which numbering the instrument uses for its top-level units."""
    articles = sum(1 for line in lines if _ARTICLE_RE.match(line.text))
    usc = sum(1 for line in lines if _USC_RE.match(line.text))
    if usc >= 1 and usc >= articles:
        return USC
    abbreviated = sum(1 for line in lines if _ABBREVIATED_SECTION_RE.match(line.text))
    if abbreviated >= 1 and abbreviated >= articles:
        return SEC
    if articles >= 2:
        return ARTICLE
    return SECTION


def _number_key(number: str) -> tuple[float, ...]:
    """Sort key for unit numbers such as "7", "8A", "188.1", "487.012", "1030"."""
    match = re.match(r"(\d+)(?:\.(\d+))?([A-Za-z]*)", number)
    if not match:
        return (0.0,)
    main, decimal, suffix = match.groups()
    # Canadian decimals are sequence numbers, not fractions: 487.01 < 487.011 < 487.02.
    fraction = float("0." + decimal) if decimal else 0.0
    letters = sum((ord(c.upper()) - 64) / 100 ** (i + 1) for i, c in enumerate(suffix))
    return (float(main), fraction, letters)


def _follows_unit(previous: str | None, number: str, max_gap: int) -> bool:
    if previous is None:
        return True
    prev_key, key = _number_key(previous), _number_key(number)
    if key <= prev_key:
        return False
    return key[0] - prev_key[0] <= max_gap


def _split_heading(rest: str, next_line: Line | None, next_is_structure: bool) -> tuple[str | None, int]:
    """Split the text after a section number into (heading, offset where the body starts).

    The offset is relative to ``rest``; ``len(rest)`` means the body starts on a
    later line.
    """
    if not rest:
        return None, 0
    # "—(1) Any person", "(1) A person", "— A person", "[Repealed by Act 22 of 2016]": no heading on this line.
    if rest[0] in "—–-(" or re.match(r"^\(?\d|^\[[^\]]*\]\.?$", rest):
        return None, 0
    # PHL: "Cybercrime Offenses. – The following acts ..."; NZ "Title." ; "Heading.—Body"
    dash = re.match(r"^(.{2,160}?)[.:]?\s*[–—-]\s+(?=\S)", rest)
    if dash and not re.search(r"[;]", dash.group(1)):
        return dash.group(1).strip().rstrip("."), dash.end()
    dash_tight = re.match(r"^(.{2,200}?)\.\s*(?:[–—]|--|__)\s*(?=\S)", rest)
    if dash_tight:
        return dash_tight.group(1).strip(), dash_tight.end()
    # Heading followed by an enumerated body on the same line: "Hacking (1) A person who—"
    enum = re.search(r"\s(?:—\s?)?\((?:1|a|i)\)\s", rest)
    if enum and enum.start() <= 160:
        return rest[: enum.start()].strip().rstrip("."), enum.start() + 1
    # "1. This Act is the Broadcasting Act 1994." with the next section's marginal note below:
    # a sentence, not a heading.
    tokens = rest.split()
    if rest.endswith(".") and len(tokens) >= 6 and tokens[0] in _BODY_STARTERS:
        return None, 0
    body_below = next_line is not None and not next_is_structure
    # "1. Subscription nationwide television" / "service": the line wraps, it is not a heading
    if body_below and re.match(r"[a-z]+\b(?![).])", next_line.text):
        return None, 0
    # a line that ends in a dash runs on into the next: body, not heading ("must —")
    lead_in = bool(re.search(r"[;:—–-]$", rest))
    if len(rest) <= 160 and body_below and not lead_in:
        return rest.rstrip(".").strip() or None, len(rest)
    # "Short title This Act may be cited as ...": the body starts at a sentence opener.
    words = list(re.finditer(r"\S+", rest))
    for word in words[1:12]:
        if word.group(0) in _BODY_STARTERS or word.group(0).startswith(('"', "“")):
            heading = rest[: word.start()].strip()
            if heading and not heading.endswith((",", ";")):
                return heading.rstrip("."), word.start()
            break
    # India: "1. Short title, extent, commencement and application." with body below.
    if len(rest) <= 160 and body_below and not lead_in:
        return rest.rstrip(".").strip(), len(rest)
    return None, 0


def _is_heading_like(text: str) -> bool:
    """A short line that names something rather than states a rule."""
    if len(text) > 160 or text.endswith((";", ",", ":")):
        return False
    if re.match(r"^\(?[a-z0-9ivx]{1,4}[).]\s", text):
        return False
    if text.endswith(".") and len(text.split()) > 12:
        return False
    return bool(re.match(r"^[\"'(A-Z0-9]", text))


class _UnitScanner:
    """Walks the lines once, recognising divisions and unit starts in order."""

    def __init__(self, text: str, lines: list[Line], style: str) -> None:
        self.text = text
        self.lines = lines
        self.style = style
        self.section_form = self._section_form() if style == SECTION else "named" if style == SEC else None

    def _section_form(self) -> str:
        named = sum(1 for line in self.lines if _NAMED_SECTION_RE.match(line.text))
        dotted = sum(1 for line in self.lines if _DOTTED_SECTION_RE.match(line.text))
        bare = sum(1 for line in self.lines if _BARE_SECTION_RE.match(line.text))
        if named >= 2 and named >= dotted / 2:
            return "named"
        if dotted >= 1 and dotted * 2 >= bare:
            return "dotted"
        return "bare"

    def division(self, line: Line) -> tuple[str, str, str] | None:
        ordinal = _ORDINAL_SCHEDULE_RE.match(line.text)
        if ordinal:
            upper, title_case, word, title = ordinal.groups()
            # "First Schedule" in running text starts a sentence ("First Schedule is amended ...");
            # as a heading it is in capitals or names its schedule after a dash.
            if title_case and title is None:
                return None
            number = _ORDINALS.get((upper or title_case).lower(), "")
            return "schedule", f"{word.capitalize()} {number}".strip(), (title or "").strip()
        match = _DIVISION_RE.match(line.text)
        if not match:
            return None
        word, number, title = match.groups()
        kind = word.lower().replace("sub-part", "subpart")
        if kind in _SCHEDULE_WORDS:
            kind = "schedule"
        elif number is None:
            return None
        if kind in {"section", "title"} and self.style != ARTICLE and not word.isupper():
            return None
        if kind == "section" and self.style == SEC:
            return None  # "SECTION 1. SHORT TITLE." opens a bill's first section
        if len(line.text) > 200 or (title and title.endswith(".") and len(title.split()) > 12):
            return None
        if kind == "schedule" and title and len(title.split()) > 20:
            return None
        # "Schedule 1 is repealed." is a sentence about a schedule, not its heading; nor is a
        # wrapped line of running text that starts with "Part 2, and such ...".
        if title and (title[0].islower() or title[0] in ",;)"):
            return None
        number = _WORD_NUMBERS.get((number or "").lower(), number or "")
        label = f"{word.capitalize()} {number}".strip()
        return kind, label, (title or "").strip()

    def unit_start(self, index: int, previous: str | None, in_schedule: bool) -> tuple[str, str] | None:
        """(number, rest of line) when line ``index`` starts a new unit."""
        text = self.lines[index].text
        if self.style == ARTICLE:
            match = _ARTICLE_RE.match(text)
            if not match:
                return None
            number = match.group(1).replace(" ", "")
            rest = (match.group(2) or match.group(3) or "").strip()
            rest = rest.rstrip(":").strip()
            if rest and not _is_heading_like(rest):
                return None
            return (number, rest) if _follows_unit(previous, number, max_gap=30) else None
        if self.style == USC:
            match = _USC_RE.match(text)
            return (match.group(1), match.group(2).strip()) if match else None
        regex = {"named": _NAMED_SECTION_RE, "dotted": _DOTTED_SECTION_RE, "bare": _BARE_SECTION_RE}[
            self.section_form
        ]
        match = regex.match(text) or (
            _DOTTED_SECTION_RE.match(text) if self.section_form == "named" else None
        )
        if not match:
            return None
        number, rest = match.group(1), match.group(2).strip()
        if self.section_form == "bare" and not re.match(r"^[A-Z\"'(—–]", rest):
            return None
        # Inside a schedule clause numbers restart; elsewhere they must move forward.
        max_gap = 60 if previous is not None else 400
        if not _follows_unit(previous, number, max_gap=max_gap):
            return None
        return number, rest


def parse_layout(text: str, style: str | None = None) -> Layout:
    """Find divisions, units, the preamble, the closing formula and the furniture of a statute."""
    lines = split_lines(text)
    style = style or detect_style(lines)
    scanner = _UnitScanner(text, lines, style)
    front = find_front_matter(lines, lambda line: scanner.division(line) is not None)
    annotations = AnnotationIndex(
        [a for a in find_annotations(text) if not any(s <= a.start < e for s, e in front.spans)]
    )
    units: list[Unit] = []
    headings: list[tuple[int, int]] = []
    open_divisions: list[Division] = []
    preamble: list[Line] = []
    closing_start: int | None = None
    previous_number: str | None = None
    in_schedule = False
    pending_heading: Line | None = None  # marginal note printed above a section (SGP, CAN)
    after_division = False  # a division heading came after the last unit's text
    body_end = len(text) if front.body_end == len(lines) else lines[front.body_end].start
    index = front.body_first
    while index < front.body_end:
        line = lines[index]
        if units and closing_start is None and _CLOSING_RE.match(line.text):
            closing_start = line.start
            units[-1].end = min(units[-1].end, _end_before(text, line.start))
            break
        if annotations.covers(line.start, line.end):
            # an amendment note or footnote on a line of its own: words of no structure
            if not units and preamble and preamble[-1].end == lines[index - 1].end:
                preamble[-1] = Line(preamble[-1].start, line.end, text[preamble[-1].start : line.end])
            index += 1
            continue
        division = scanner.division(line)
        if (
            division
            and index > front.body_first
            and "\n\n" not in text[lines[index - 1].end : line.start]
            and _wrapped_reference(lines[index - 1].text, line.text)
            and not scanner.division(lines[index - 1])
        ):
            division = None  # "... amend the" / "First Schedule." or "... unlawful under" / "Part 2, and ..."
        if division:
            kind, label, title = division
            end = line.end
            # Each schedule numbers its clauses from 1 again, and so does each Part inside one.
            if kind == "schedule" or in_schedule and kind == "part":
                in_schedule, previous_number = True, None
            if kind == "schedule":
                index, end = _schedule_heading_end(lines, index, end, bool(title))
                if not title and lines[index].start > line.start and not _SCHEDULE_REFERENCE_RE.match(lines[index].text):
                    title = lines[index].text
            # Division title printed on the following line: "CHAPTER I" / "USE OF TERMS", or
            # "Chapter V" / "Final Provisions" (a heading-like line that is not a unit, without a
            # full stop or followed by a unit or another division).
            elif not title and index + 1 < len(lines) and (
                _is_division_title(lines[index + 1].text)
                or _is_heading_like(lines[index + 1].text)
                and not scanner.unit_start(index + 1, previous_number, in_schedule)
                and (
                    not lines[index + 1].text.endswith(".")
                    or index + 2 < len(lines)
                    and bool(scanner.division(lines[index + 2]) or scanner.unit_start(index + 2, previous_number, in_schedule))
                )
            ):
                index += 1
                title = lines[index].text
                end = lines[index].end
            # a title that wrapped onto more lines ("OWNERSHIP AND CONTROL OF" / "COMPANIES",
            # "Division 5 — Cross-border recognition of" / "electronic transferable record")
            while (
                title
                and index + 1 < len(lines)
                and _title_wraps(title, lines[index + 1].text)
                and not scanner.division(lines[index + 1])
                and not scanner.unit_start(index + 1, previous_number, in_schedule)
                and not annotations.covers(lines[index + 1].start, lines[index + 1].end)
            ):
                index += 1
                title = f"{title} {lines[index].text}"
                end = lines[index].end
            rank = _division_rank(kind)
            open_divisions = [d for d in open_divisions if _division_rank(d.kind) < rank]
            open_divisions.append(Division(kind, label, title, line.start, end))
            headings.append((line.start, end))
            if units:
                units[-1].end = min(units[-1].end, _end_before(text, line.start))
            after_division = bool(units)
            pending_heading = None
            index += 1
            continue
        start = scanner.unit_start(index, previous_number, in_schedule)
        if start is None:
            # US bills print a section's heading on its number line, never in the margin above it
            # ("Sec. 7." / "Repealed by ..." / "Sec. 8.": the repeal note is Sec. 7's text).
            note_lines = (
                _marginal_note_lines(scanner, lines, index, previous_number, in_schedule, annotations)
                if (units or front.toc) and style != SEC
                else 0
            )
            if note_lines:
                last = lines[index + note_lines - 1]
                pending_heading = Line(line.start, last.end, " ".join(lines[i].text for i in range(index, index + note_lines)))
                index += note_lines
                continue
            if not units:
                if (index == 0 and front.toc is None) or _is_title_line(line.text):
                    headings.append((line.start, line.end))
                elif (
                    preamble
                    and preamble[-1].end == lines[index - 1].end
                    and "\n\n" not in text[preamble[-1].end : line.start]
                    and _continues_paragraph(preamble[-1].text, line.text)
                ):
                    preamble[-1] = Line(preamble[-1].start, line.end, text[preamble[-1].start : line.end])
                else:
                    preamble.append(line)
            elif after_division:
                # Text after a division heading that no numbered unit holds (an unnumbered
                # section, a part's opening words) is a unit of the division's own.
                units.append(Unit("", style, line.start, line.start, body_end, None, list(open_divisions)))
                after_division = False
            index += 1
            continue
        number, rest = start
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        next_is_structure = next_line is None or bool(
            scanner.division(next_line) or scanner.unit_start(index + 1, number, in_schedule)
        )
        # a schedule's numbered item ("1. Free-to-air nationwide television services.") has no heading
        if pending_heading is not None and _starts_body(rest) or in_schedule and rest.endswith("."):
            # the marginal note above is the heading; all of this line is body ("18. Where a person ...")
            heading, body_offset = None, 0
        else:
            heading, body_offset = _split_heading(rest, next_line, next_is_structure)
        # where rest begins in the line: an article's rest has lost a trailing colon
        rest_start = line.start + line.text.rfind(rest)
        unit_end_of_previous = line.start
        if heading is None and pending_heading is not None:
            heading = pending_heading.text
            headings.append((pending_heading.start, pending_heading.end))
            unit_end_of_previous = pending_heading.start
        elif pending_heading is not None and after_division:
            # no unit above to hold the line: a sub-title under the division heading
            headings.append((pending_heading.start, pending_heading.end))
        elif heading is None and style == ARTICLE and not rest and next_line and _is_heading_like(next_line.text) and not next_is_structure and not re.match(r"^\d+[.)-]", next_line.text):
            heading = next_line.text
            headings.append((next_line.start, next_line.end))
            index += 1
            rest_start = next_line.end
            body_offset = 0
        if units:
            units[-1].end = min(units[-1].end, _end_before(text, unit_end_of_previous))
        heading_alone = bool(rest) and body_offset == len(rest)  # the body starts on a later line
        if heading is not None and body_offset:
            # alone on its line, the heading takes the rest of it (an article's trailing colon too)
            headings.append((rest_start, line.end if heading_alone else rest_start + len(rest[:body_offset].rstrip())))
        number_end = line.start + line.text.rfind(rest)
        if not body_offset and (dash := re.match(r"[—–-]\s*(?=\()", rest)):
            number_end += dash.end()  # "2.—(1) In this Act": the dash belongs to the number
            body_offset = dash.end()
        headings.append((line.start, number_end))
        body_start = _skip_space(text, line.end if heading_alone else rest_start + body_offset)
        units.append(
            Unit(number, style, line.start, body_start, body_end, heading, list(open_divisions))
        )
        previous_number = number
        pending_heading = None
        after_division = False
        index += 1
    if units and closing_start is None:
        # min: a division heading after the last unit has already ended it
        units[-1].end = min(units[-1].end, _end_before(text, body_end))
    closing = (closing_start, _end_before(text, body_end)) if closing_start is not None else None
    return Layout(style, units, preamble, closing, headings, front, annotations)


def _continues_paragraph(previous: str, line: str) -> bool:
    """``line`` is the wrapped rest of the preamble paragraph ``previous`` (a PDF's printed lines)."""
    if previous.endswith((".", ";", ":", "]")):
        return False
    if line[:1].islower():
        return True
    return bool(re.search(r"[a-z]$", previous)) and not _is_title_line(line)


def _title_wraps(title: str, line: str) -> bool:
    """``line`` continues the division title ``title``: both in capitals, or a title cut after a connector."""
    if _is_division_title(title):
        return _is_division_title(line)
    return len(line.split()) <= 12 and (_ends_with_connector(title) or bool(re.match(r"[a-z]+\b(?![).])", line)))


def _wrapped_reference(previous: str, line: str) -> bool:
    """``line`` names a division in running text that wrapped there ("... amend the" / "First Schedule.")."""
    return bool(re.search(r"\b[a-z]+$", previous)) and not line.split()[0].isupper()


def _schedule_heading_end(lines: list[Line], index: int, end: int, titled: bool) -> tuple[int, int]:
    """A schedule heading runs on over its empowering provisions ("Sections 2(1) and 65(1)") and,
    when it has no title of its own, a title in capitals ("BROADCASTING APPARATUS")."""
    references = 0
    while index + 1 < len(lines) and (
        _SCHEDULE_REFERENCE_RE.match(lines[index + 1].text)
        or references and _SCHEDULE_REFERENCE_WRAP_RE.match(lines[index + 1].text)
    ):
        references += 1
        index += 1
        end = lines[index].end
    if not titled and index + 1 < len(lines) and _is_division_title(lines[index + 1].text) and not _DIVISION_RE.match(lines[index + 1].text) and not _ORDINAL_SCHEDULE_RE.match(lines[index + 1].text):
        index += 1
        end = lines[index].end
    return index, end


def _marginal_note_lines(
    scanner: _UnitScanner, lines: list[Line], index: int, previous: str | None, in_schedule: bool, annotations: AnnotationIndex
) -> int:
    """How many lines from ``index`` on are a heading printed above the unit that starts after them (0: none).

    A marginal note may wrap ("Meanings of "online communication service" and" /
    "associated terms"); the lines after its first are short and end without a
    full stop, and the line before it ends a sentence or is structure.
    """
    if not _is_heading_like(lines[index].text) or index + 1 >= len(lines):
        return 0
    if index > 0:
        before = lines[index - 1].text
        if not (before.endswith((".", ":", ";", "]", "—", "-", "–")) or annotations.covers(lines[index - 1].start, lines[index - 1].end) or _is_division_title(before) or scanner.division(lines[index - 1])):
            if _marginal_note_follows(scanner, lines, index, previous, in_schedule):
                return 1  # the old one-line rule, whatever precedes
            return 0
    for count in range(1, 4):
        if index + count >= len(lines):
            return 0
        if _marginal_note_follows(scanner, lines, index + count - 1, previous, in_schedule):
            return count
        # the next printed line (no blank line between) continues the note: "... in broadcasting" / "companies"
        above, wrapped = lines[index + count - 1], lines[index + count]
        if (
            "\n\n" in scanner.text[above.end : wrapped.start]
            or len(wrapped.text.split()) > 12
            or wrapped.text.endswith((";", ":", ","))
            or wrapped.text.endswith(".") and not wrapped.text.endswith("etc.")
            or not (wrapped.text[:1].islower() or wrapped.text[:1].isdigit() or _ends_with_connector(above.text))
            or scanner.division(wrapped)
        ):
            return 0
    return 0


def _ends_with_connector(text: str) -> bool:
    return bool(re.search(r"\b(?:of|and|or|for|to|in|on|by|with|the|from|under|against|between)$", text))


def _marginal_note_follows(scanner: _UnitScanner, lines: list[Line], index: int, previous: str | None, in_schedule: bool) -> bool:
    """Line ``index`` is a heading printed above the unit that starts on the next line."""
    start = scanner.unit_start(index + 1, previous, in_schedule)
    if start is None:
        return False
    rest = start[1]
    return not rest or _starts_body(rest) or rest[0].isupper() and not _is_heading_like(rest)


def _starts_body(rest: str) -> bool:
    """The words after a unit number open its body: "—(1) ...", "(1) ...", "Any person who ..."."""
    words = rest.split()
    return rest[:1] in ("—", "–", "-", "(") or bool(words) and words[0] in _BODY_STARTERS


def _division_rank(kind: str) -> int:
    # Treaties nest Chapter > Section > Title (Budapest: Chapter II, Section 1, Title 1).
    order = ["schedule", "part", "subpart", "chapter", "section", "division", "title", "subdivision"]
    return order.index(kind) if kind in order else len(order)


def _is_division_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(text) <= 200 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _is_title_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    if text.lower() in {"preamble", "have agreed as follows:"}:
        return text.lower() == "preamble"
    return sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(text) < 400


def _end_before(text: str, offset: int) -> int:
    """Offset just after the last non-space character before ``offset``."""
    end = offset
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _skip_space(text: str, offset: int) -> int:
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return offset
