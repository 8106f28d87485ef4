"""US legislative XML (USLM) reader: U.S. Code titles, bills and statute compilations as plain-text lines.

Input: the bytes of a USLM document as the Office of the Law Revision Counsel
(``<uscDoc>``, namespace http://xml.house.gov/schemas/uslm/1.0) or the
Government Publishing Office (``<bill>``, ``<statuteCompilation>``, namespace
http://schemas.gpo.gov/xml/uslm) publish it, and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` (format "uslm") whose text lays
the document out as it is printed, so that the segmenter cites provisions in
the statute's own form:

- big levels (title, subtitle, chapter, subchapter, part, subpart, division):
  ``CHAPTER 1—GENERAL PROVISIONS`` on a line of their own, the designation in
  capitals as the Code prints it;
- sections: ``§ 10. Same; vacation; grounds; rehearing`` (U.S. Code, cited
  "§ 10(a)(1)"), ``SEC. 2. TOTAL SPENDING LIMITS.`` or ``Sec. 2.`` (bills and
  compilations, cited "Sec. 2(a)"), their text on the following lines. The
  unnumbered first section of an old Act ("That (a) for the purpose ...",
  which later sections call "section 1") is printed ``Sec. 1.``;
- subsections, paragraphs, subparagraphs, clauses, subclauses, items:
  ``<num> <heading> <chapeau or content>`` on one line, each on a line of its
  own unless USLM marks it as run in (``class="inline"``: "(b)(1) The
  Secretary ..."); ``<p>`` and ``<continuation>`` text on lines of their own;
- text quoted by an amending provision (``<quotedContent>``) on lines of its
  own inside that provision, each opening with the quotation mark printed
  before its label, so its labels are never taken for this statute's;
- tables (XHTML ``<table>``, USLM ``<layout>``) a row per line, cells joined
  by " | ";
- the long title and the enacting formula of a bill or Act before its first
  section.

Editorial matter is not provision text and is dropped: notes (``<notes>``,
``<note>``: amendments, derivation, codification, effective dates),
``<sourceCredit>``, tables of contents, footnotes, page markers and
``<editorialNote>`` (the "[16 U.S.C. 757a]" references of a compilation); a
section that an editorial note wraps as repealed ("[Sec. 7. Repealed by ...]")
keeps its number and words. The bill's cover (congress, session, sponsors)
is not text either. Metadata: ``title`` (the short title when the document
marks one, else the official title, else the title of the U.S. Code title),
``short_title``, ``official_title``, ``document_type`` (the root element),
``identifier`` (its USLM identifier, "/us/usc/t9"), ``edition`` (the Code's
release point, the compilation's "amended through" law, the bill's stage)
and ``declared_language``.

Security: parsed by :func:`~provrisk.ingest.safe_xml.parse_untrusted_xml`
(markup limit, entity declarations refused, no DTD, entity or network access).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import InputError
from .normalise import normalise_text
from .safe_xml import local_name, parse_untrusted_xml, split_tag
from .types import IngestedText

USLM_NAMESPACES = ("http://xml.house.gov/schemas/uslm/1.0", "http://schemas.gpo.gov/xml/uslm")
# Root elements read, and the other USLM document types, named when refused.
DOCUMENT_TYPES = ("uscDoc", "bill", "statuteCompilation")
OTHER_DOCUMENT_TYPES = ("resolution", "amendment", "pLaw", "statute", "statutesAtLarge", "frDoc", "rule")

_BIG_LEVELS = {"title", "subtitle", "chapter", "subchapter", "part", "subpart", "division", "subdivision"}
_SMALL_LEVELS = {
    "subsection", "paragraph", "subparagraph", "clause", "subclause", "item", "subitem", "subsubitem", "level",
}
_STRUCTURE = _BIG_LEVELS | _SMALL_LEVELS | {"section"}
# Editorial and cover matter: never provision text (an editorial note may wrap a repealed section).
_DROPPED = {
    "meta", "preface", "notes", "note", "sourceCredit", "toc", "footnote", "page", "endMarker",
    "editorialNote", "img", "signatures", "attestation",
}
# A unit's own line already shows these.
_LABELS = {"num", "heading", "subheading"}
# Children that start a line of their own inside running text.
_LINE_ELEMENTS = {"p", "continuation", "proviso"}
_TABLES = {"table", "layout"}
# What running text does not simply continue with: rendered by ``_Renderer.render``.
_BREAKS_FLOW = _DROPPED | _LINE_ELEMENTS | _TABLES | _STRUCTURE | {"quotedContent"}
_ROWS = {"tr", "header", "row", "tocItem"}
_ROW_CELLS = {"td", "th", "column"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_uslm(data: bytes, source: str) -> IngestedText:
    """Parse safely and render a USLM document as text."""
    root = parse_untrusted_xml(data, source)
    namespace, name = split_tag(root)
    if name in OTHER_DOCUMENT_TYPES:
        raise InputError(
            source,
            f"USLM <{name}> documents are not supported; provrisk reads <uscDoc>, <bill> and <statuteCompilation>",
        )
    if name not in DOCUMENT_TYPES:
        raise InputError(source, f"not USLM XML (root element <{name}>)")
    if namespace not in USLM_NAMESPACES:
        raise InputError(source, f"not USLM XML (<{name}> in namespace {namespace!r})")
    main = _child(root, "main")
    metadata = _metadata(root, name, main)
    if main is None:
        return IngestedText(source=source, format="uslm", text="", metadata=metadata)
    renderer = _Renderer(number_first_section=name != "uscDoc")
    try:
        renderer.render_children(main)
    except RecursionError:
        raise InputError(source, "XML nested too deeply") from None
    return IngestedText(source=source, format="uslm", text=normalise_text(renderer.text()), metadata=metadata)


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first child element called ``name`` (any namespace)."""
    if element is None:
        return None
    return next((child for child in element if local_name(child) == name), None)


def _text(element: etree._Element | None) -> str:
    """The element's words on one line, without notes and footnotes."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if local_name(child) not in _DROPPED:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _label(num: str, heading: str) -> str:
    """ "Title 9—" and "ARBITRATION" as printed: "Title 9—ARBITRATION"; "SEC. 2." and "SHORT TITLE." with a space."""
    separator = "" if not num or num.endswith(("—", "–")) else " "
    return f"{num}{separator}{heading}".strip()


def _metadata(root: etree._Element, document_type: str, main: etree._Element | None) -> dict[str, str]:
    meta = _child(root, "meta")
    outside_quotes = "[not(ancestor::*[local-name()='quotedContent'])]"
    short_titles = main.xpath(f".//*[local-name()='shortTitle']{outside_quotes}") if main is not None else []
    short_title = (_text(short_titles[0]) if short_titles else _text(_child(meta, "containsShortTitle"))).rstrip(".")
    official_title = _text(_child(_child(main, "longTitle"), "officialTitle"))
    code_title = _child(main, "title")
    if document_type == "uscDoc":
        edition = _text(_child(meta, "docPublicationName"))
    elif document_type == "statuteCompilation":
        through = _text(_child(_child(_child(root, "preface"), "editionNote"), "currentThroughPublicLaw"))
        edition = f"amended through {through}" if through else ""
    else:
        edition = _text(_child(meta, "docStage"))
    fields = {
        "title": short_title or official_title
        or _label(_text(_child(code_title, "num")), _text(_child(code_title, "heading")))
        or _text(_child(meta, "title")),
        "short_title": short_title,
        "official_title": official_title,
        "document_type": document_type,
        "identifier": root.get("identifier", ""),
        "edition": edition,
        "declared_language": _text(_child(meta, "language")) or root.get(_XML_LANG, ""),
    }
    return {key: value for key, value in fields.items() if value}


class _Renderer:
    """Lays out the USLM tree as blocks of lines (blocks separated by blank lines).

    A line is built from pieces of inline text. ``_label_only`` says that the
    line so far holds only a unit's number and heading, so that its first words
    (or a run-in child unit) join it.
    """

    def __init__(self, number_first_section: bool) -> None:
        self._blocks: list[list[str]] = [[]]
        self._pieces: list[str] = []
        self._label_only = False
        self._quote_depth = 0
        self._number_first_section = number_first_section
        self._sections_seen = 0

    def text(self) -> str:
        self._new_block()
        return "\n\n".join("\n".join(block) for block in self._blocks if block)

    def render_children(self, element: etree._Element) -> None:
        for child in element:
            self.render(child)

    def render(self, element: etree._Element) -> None:
        name = local_name(element)
        if not name or name in _LABELS:
            return
        if name == "editorialNote":
            self._structure_inside(element)
        elif name == "toc" and self._quote_depth:
            self._quoted_contents(element)
        elif name in _DROPPED:
            return
        elif name in _BIG_LEVELS:
            self._big_level(element)
        elif name == "section":
            self._section(element)
        elif name in _SMALL_LEVELS:
            self._small_level(element)
        elif name in _TABLES:
            self._table(element)
        elif name == "quotedContent":
            self._quoted(element)
        elif name in _LINE_ELEMENTS:
            self._line_element(element)
        elif name in ("longTitle", "enactingFormula"):
            self._new_block()
            for part in (element if name == "longTitle" else [element]):
                self._flow(part)
                self._end_line()
            self._new_block()
        else:
            self._flow(element)

    # -- units ------------------------------------------------------------------------------
    def _big_level(self, element: etree._Element) -> None:
        """ "CHAPTER 1—GENERAL PROVISIONS": the designation in capitals, as the Code prints it."""
        self._new_block()
        num = re.sub(r"^[^\W\d_]+", lambda word: word.group().upper(), _text(_child(element, "num")))
        self._line(_label(num, _text(_child(element, "heading"))))
        self._new_block()
        self.render_children(element)
        self._new_block()

    def _section(self, element: etree._Element) -> None:
        self._sections_seen += 1
        self._new_block()
        num = _text(_child(element, "num"))
        if not num and self._sections_seen == 1 and self._number_first_section and not self._quote_depth:
            # "That (a) ..." right after the enacting formula: the Act's section 1, unnumbered in print.
            num = "Sec. 1."
        self._line(_label(num, _text(_child(element, "heading"))))
        self._body(element)
        self._new_block()

    def _small_level(self, element: etree._Element) -> None:
        run_in = self._label_only and "inline" in (element.get("class") or "").split()
        if not run_in:
            self._new_unit_line()
        self._pieces.append(_text(_child(element, "num")))
        heading = _text(_child(element, "heading"))
        if heading:
            self._pieces.append(" " + heading)
        self._label_only = True
        self._body(element)
        self._end_line()

    def _body(self, element: etree._Element) -> None:
        """A unit's parts after its number and heading: chapeau, content, sub-units, continuation."""
        for child in element:
            if local_name(child) in ("chapeau", "content"):
                self._flow(child)
            else:
                self.render(child)

    def _structure_inside(self, element: etree._Element) -> None:
        """The units an editorial wrapper holds ("[Sec. 7. Repealed ...]"), without the wrapper's words."""
        for child in element:
            if local_name(child) in _STRUCTURE:
                self.render(child)
            elif isinstance(child.tag, str):
                self._structure_inside(child)

    def _quoted_contents(self, toc: etree._Element) -> None:
        """A table of contents an amendment inserts: one line per item ("“Sec. 251. Total spending limits.”")."""
        for item in toc.iter():
            if local_name(item) == "referenceItem":
                self._line(_text(item))

    # -- running text -----------------------------------------------------------------------
    def _flow(self, element: etree._Element) -> None:
        """Inline text joins the current line; lines, tables, quoted text and units break it."""
        self._piece(element.text)
        for child in element:
            name = local_name(child)
            if name in _BREAKS_FLOW:
                self.render(child)
            elif name in ("br", "eol"):
                self._piece(" ")
            elif name:
                self._flow(child)
            self._piece(child.tail)

    def _line_element(self, element: etree._Element) -> None:
        if not self._label_only:
            self._end_line()
        self._flow(element)
        self._end_line()

    def _quoted(self, element: etree._Element) -> None:
        """Quoted text: lines of their own; the words after it ("”.") close its last line."""
        self._end_line()
        self._quote_depth += 1
        self._flow(element)
        self._quote_depth -= 1
        self._end_line()
        if self._blocks[-1]:
            self._pieces = [self._blocks[-1].pop()]

    def _table(self, element: etree._Element) -> None:
        self._end_line()
        for row in (el for el in element.iter() if local_name(el) in _ROWS):
            cells = [_text(cell) for cell in row if local_name(cell) in _ROW_CELLS]
            if any(cells):
                self._blocks[-1].append(" | ".join(cells))

    # -- lines and blocks -------------------------------------------------------------------
    def _piece(self, text: str | None) -> None:
        """Inline text; the first words after a label are set off by a space, except after a dash (".—Section")."""
        if not text:
            return
        if self._label_only and text.strip():
            last = self._pieces[-1] if self._pieces else ""
            if last and not last[-1].isspace() and last[-1] not in "—–" and not text[0].isspace():
                text = " " + text
            self._label_only = False
        self._pieces.append(text)

    def _line(self, text: str) -> None:
        self._end_line()
        if text:
            self._blocks[-1].append(text)

    def _end_line(self) -> None:
        line = " ".join("".join(self._pieces).split())
        self._pieces = []
        self._label_only = False
        if line:
            self._blocks[-1].append(line)

    def _new_unit_line(self) -> None:
        """A unit starts a block of its own, or only a line of its own inside quoted text."""
        if self._quote_depth:
            self._end_line()
        else:
            self._new_block()

    def _new_block(self) -> None:
        self._end_line()
        if not self._quote_depth and self._blocks[-1]:
            self._blocks.append([])
