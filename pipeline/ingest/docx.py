"""DOCX reader: paragraphs and table rows in body order, via python-docx.

Input: the bytes of a .docx file and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` with one line per paragraph (an
empty paragraph gives a blank line, as the author laid it out), one line per
table row with cells separated by " | ", and automatic list numbers ("(1)",
"(a)", "12.") rebuilt from the numbering definitions and written before the
paragraph text. Tracked changes are read as if accepted. Headers, footers,
footnotes, comments and text boxes are not read.

The archive is checked before python-docx opens it: anything that is not a zip
with ``word/document.xml``, or that would expand to an unreasonable size or to
more markup than :data:`~provrisk.ingest.limits.MAX_XML_MARKUP` (a zip bomb),
is refused with :class:`InputError`.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import docx
from lxml import etree

from ..errors import InputError
from .limits import MAX_XML_MARKUP, dense_markup_problem
from .normalise import error_reason, normalise_text
from .types import IngestedText

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Small members compress well legitimately (repetitive XML); only big ones are
# checked for an extreme ratio.
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
# Word's list labels are a few characters ("(%1)", "%1.%2."); a long one repeated
# on every numbered paragraph would multiply the document's text.
MAX_LABEL_TEMPLATE_CHARS = 64

_LEVELS = 9  # list levels Word defines (ilvl 0-8)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_NS = {"w": _W, "mc": _MC}


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


# Text that Word does not show in the accepted document: deletions, moved-away
# text, text boxes (drawn apart from the flow) and the fallback copy of
# alternate content.
_VISIBLE_RUN_CONTENT = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent"
    " or ancestor::mc:Fallback)]/*[self::w:t or self::w:tab or self::w:br or self::w:cr"
    " or self::w:noBreakHyphen]",
    namespaces=_NS,
)


def read_docx(data: bytes, source: str) -> IngestedText:
    """Check the archive, then read the document body as text lines."""
    check_archive(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
        if document.element.getroottree().docinfo.internalDTD is not None:
            # Word never writes a DTD; python-docx leaves entities unexpanded, so
            # text around them would silently go missing
            raise InputError(source, "DOCX with entity declarations (DTD) in word/document.xml refused")
        numbering = _ListNumbering(
            document.part.numbering_part.element, document.styles.element
        )
        lines = list(_block_lines(document.element.body, numbering))
        metadata = _metadata(document)
    except InputError:
        raise
    except ValueError as error:  # python-docx: the main part is not a Word document
        raise InputError(source, f"not a Word document ({error_reason(error)})") from None
    except Exception as error:  # broken XML, missing parts, bad CRC in a member
        raise InputError(source, f"corrupt DOCX ({error_reason(error)})") from None
    return IngestedText(
        source=source,
        format="docx",
        # a table at the start or end leaves blank lines that are not paragraph breaks
        text=normalise_text("\n".join(lines)).strip("\n"),
        metadata=metadata,
    )


def check_archive(data: bytes, source: str) -> None:
    """Refuse data that is not a zip holding word/document.xml, or that is a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(source, "not a valid DOCX (not a zip archive)") from None
    except Exception as error:  # damaged central directory
        raise InputError(source, f"corrupt DOCX ({error_reason(error)})") from None
    with archive:
        _check_members(archive, source)


def _check_members(archive: zipfile.ZipFile, source: str) -> None:
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise InputError(source, f"DOCX has {len(members)} archive members; refused (limit {MAX_ARCHIVE_MEMBERS})")
    if "word/document.xml" not in {member.filename for member in members}:
        raise InputError(source, "not a DOCX (no word/document.xml)")
    # zipfile stops each member at its declared size, so declared sizes bound
    # what opening the document can expand to.
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            source,
            f"DOCX expands to {total // 2**20} MB, more than the {MAX_UNCOMPRESSED_BYTES // 2**20} MB limit "
            "(possible zip bomb); refused",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                source,
                f"DOCX member {member.filename!r} is compressed {ratio:.0f}:1 "
                "(possible zip bomb); refused",
            )
    # python-docx parses every XML part it reaches (headers, footers, comments...),
    # so the limit applies to the expanded archive as a whole.
    if _markup_count(archive, members, source) > MAX_XML_MARKUP:
        raise InputError(source, dense_markup_problem("DOCX"))


def _markup_count(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], source: str) -> int:
    """How many "<" and "=" the members expand to, counted in 1 MB chunks up to just past the limit."""
    count = 0
    try:
        for member in members:
            with archive.open(member) as stream:
                while count <= MAX_XML_MARKUP and (chunk := stream.read(1024 * 1024)):
                    count += chunk.count(b"<") + chunk.count(b"=")
    except Exception as error:  # bad CRC, truncated member, unsupported compression or encryption
        raise InputError(source, f"corrupt DOCX ({error_reason(error)})") from None
    return count


def _block_lines(container: etree._Element, numbering: _ListNumbering) -> Iterator[str]:
    """Lines for the paragraphs and tables of a body, cell or content control, in order."""
    for child in container.iterchildren():
        if child.tag == _w("p"):
            yield _paragraph_line(child, numbering)
        elif child.tag == _w("tbl"):
            yield ""
            yield from _table_lines(child, numbering)
            yield ""
        elif child.tag in (_w("sdt"), _w("customXml")):
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from _block_lines(content, numbering)


def _paragraph_line(paragraph: etree._Element, numbering: _ListNumbering) -> str:
    text = _paragraph_text(paragraph)
    label = numbering.label_for(paragraph)
    return f"{label} {text}" if label and text.strip() else text


def _paragraph_text(paragraph: etree._Element) -> str:
    parts = []
    for node in _VISIBLE_RUN_CONTENT(paragraph):
        if node.tag == _w("t"):
            parts.append(node.text or "")
        elif node.tag == _w("tab"):
            parts.append("\t")
        elif node.tag == _w("noBreakHyphen"):
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _table_lines(table: etree._Element, numbering: _ListNumbering) -> Iterator[str]:
    """One line per row: each cell's paragraphs joined by spaces, cells joined by " | "."""
    for row in table.iterchildren(_w("tr")):
        cells = []
        for cell in row.iterchildren(_w("tc")):
            # the continuation of a vertically merged cell repeats nothing new
            merge = cell.find(f"{_w('tcPr')}/{_w('vMerge')}")
            if merge is not None and merge.get(_w("val"), "continue") == "continue":
                continue
            cell_text = " ".join(
                line.strip() for line in _block_lines(cell, numbering) if line.strip()
            )
            cells.append(cell_text.replace("\n", " "))
        if any(cells):
            yield " | ".join(cells)


def _metadata(document: docx.document.Document) -> dict[str, str]:
    properties = document.core_properties
    metadata = {}
    for key, value in (("file_title", properties.title), ("author", properties.author)):
        if value and value.strip():
            metadata[key] = " ".join(value.split())
    return metadata


@dataclass
class _Level:
    """One level of a list definition: how its number is written."""

    number_format: str = "decimal"
    text: str = ""  # e.g. "(%1)" or "%1.%2"
    start: int = 1
    legal: bool = False  # "isLgl": show all levels' numbers as decimals


class _ListNumbering:
    """Rebuilds the list labels Word would show ("(1)", "(a)", "2.3") for numbered paragraphs.

    Input: the numbering part's and the styles part's XML. ``label_for`` must be
    called on paragraphs in document order, since numbers count up.
    """

    def __init__(self, numbering_xml: etree._Element, styles_xml: etree._Element) -> None:
        abstract_levels: dict[str | None, dict[int, _Level]] = {}
        self._level_for_style: dict[tuple[str | None, str], int] = {}
        for abstract in numbering_xml.iterchildren(_w("abstractNum")):
            abstract_id = abstract.get(_w("abstractNumId"))
            abstract_levels[abstract_id] = {}
            for level in abstract.iterchildren(_w("lvl")):
                ilvl = _int(level.get(_w("ilvl")), 0)
                if ilvl >= _LEVELS:
                    continue
                abstract_levels[abstract_id][ilvl] = self._level(level)
                style = _child_val(level, "pStyle")
                if style:
                    self._level_for_style[(abstract_id, style)] = ilvl

        self._levels_by_num: dict[str | None, dict[int, _Level]] = {}
        self._abstract_of_num: dict[str | None, str | None] = {}
        self._counter_key: dict[str | None, str] = {}
        for num in numbering_xml.iterchildren(_w("num")):
            num_id, abstract_id = num.get(_w("numId")), _child_val(num, "abstractNumId")
            levels = dict(abstract_levels.get(abstract_id, {}))
            overrides = list(num.iterchildren(_w("lvlOverride")))
            for override in overrides:
                ilvl = _int(override.get(_w("ilvl")), 0)
                if ilvl >= _LEVELS:
                    continue
                replacement = override.find(_w("lvl"))
                if replacement is not None:
                    levels[ilvl] = self._level(replacement)
                start = _child_val(override, "startOverride")
                if start is not None:
                    levels[ilvl] = dataclasses.replace(levels.get(ilvl, _Level()), start=_int(start, 1))
            self._levels_by_num[num_id] = levels
            self._abstract_of_num[num_id] = abstract_id
            # Word continues one list across numbering instances of the same
            # definition unless an instance overrides (restarts) it.
            self._counter_key[num_id] = f"num:{num_id}" if overrides else f"abstract:{abstract_id}"

        self._styles = {
            style.get(_w("styleId")): style
            for style in styles_xml.iterchildren(_w("style"))
            if style.get(_w("type")) == "paragraph"
        }
        self._default_style = next(
            (sid for sid, style in self._styles.items() if style.get(_w("default")) in ("1", "true", "on")),
            None,
        )
        # the current number at each level of each list; None: not used since its parent advanced
        self._counters: dict[str, list[int | None]] = {}

    def label_for(self, paragraph: etree._Element) -> str | None:
        """The list label of ``paragraph`` (advancing the count), or None when it is not numbered."""
        num_id, ilvl = self._numbering_of(paragraph)
        if num_id is None or num_id == "0" or num_id not in self._levels_by_num:
            return None
        levels = self._levels_by_num[num_id]
        if ilvl not in levels:
            return None
        counters = self._counters.setdefault(self._counter_key[num_id], [None] * _LEVELS)
        current = counters[ilvl]
        counters[ilvl] = levels[ilvl].start if current is None else current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = None
        return self._render(levels, ilvl, counters)

    def _numbering_of(self, paragraph: etree._Element) -> tuple[str | None, int]:
        """(numId, level) from the paragraph's own properties, else from its style chain."""
        properties = paragraph.find(_w("pPr"))
        own = properties.find(_w("numPr")) if properties is not None else None
        num_id = _child_val(own, "numId") if own is not None else None
        ilvl_text = _child_val(own, "ilvl") if own is not None else None
        style_id = _child_val(properties, "pStyle") if properties is not None else None
        style_id = style_id or self._default_style
        styled_num, styled_ilvl = self._style_numbering(style_id)
        num_id = num_id or styled_num
        if ilvl_text is not None:
            return num_id, _int(ilvl_text, 0)
        if styled_ilvl is not None:
            return num_id, styled_ilvl
        abstract_id = self._abstract_of_num.get(num_id or "")
        return num_id, self._level_for_style.get((abstract_id, style_id or ""), 0)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            numbering = style.find(f"{_w('pPr')}/{_w('numPr')}")
            if numbering is not None:
                ilvl = _child_val(numbering, "ilvl")
                return _child_val(numbering, "numId"), (None if ilvl is None else _int(ilvl, 0))
            style_id = _child_val(style, "basedOn")
        return None, None

    @staticmethod
    def _render(levels: dict[int, _Level], ilvl: int, counters: list[int | None]) -> str | None:
        level = levels[ilvl]
        if level.number_format == "bullet":
            return None

        def number(match: re.Match[str]) -> str:
            referenced = int(match.group(1)) - 1
            referenced_level = levels.get(referenced, _Level())
            value = counters[referenced] if counters[referenced] is not None else referenced_level.start
            number_format = "decimal" if level.legal else referenced_level.number_format
            return _format_number(value, number_format)

        return re.sub(r"%([1-9])", number, level.text).strip() or None

    @staticmethod
    def _level(level: etree._Element) -> _Level:
        legal = level.find(_w("isLgl"))
        return _Level(
            number_format=_child_val(level, "numFmt") or "decimal",
            text=(_child_val(level, "lvlText") or "")[:MAX_LABEL_TEMPLATE_CHARS],
            start=_int(_child_val(level, "start"), 1),
            legal=legal is not None and legal.get(_w("val"), "1") not in ("0", "false", "off"),
        )


def _child_val(element: etree._Element | None, name: str) -> str | None:
    """The w:val attribute of the child ``w:<name>``, if any."""
    if element is None:
        return None
    child = element.find(_w(name))
    return None if child is None else child.get(_w("val"))


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value or ""), 10**6))
    except ValueError:
        return default


def _format_number(value: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter") and 0 < value <= _MAX_LETTER_NUMBER:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if number_format == "upperLetter" else letter
    if number_format in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if number_format == "upperRoman" else roman
    if number_format == "decimalZero":
        return f"{value:02d}"
    if number_format == "none":
        return ""
    return str(value)


# Word writes 27 as "aa", 53 as "aaa"... up to 780; beyond, a decimal is clearer.
_MAX_LETTER_NUMBER = 780
_ROMAN_DIGITS = [
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
]


def _roman(value: int) -> str:
    if not 0 < value < 4000:
        return str(value)
    digits = []
    for amount, symbol in _ROMAN_DIGITS:
        count, value = divmod(value, amount)
        digits.append(symbol * count)
    return "".join(digits)
