"""Akoma Ntoso reader: the document hierarchy rendered as plain-text lines.

Input: the bytes of an Akoma Ntoso XML document (namespace
http://docs.oasis-open.org/legaldocml/ns/akn/3.0, or none) and its display
name. Output: :class:`~provrisk.ingest.types.IngestedText` whose text lays the
hierarchy out as a legal segmenter expects:

- part, chapter and similar containers: ``PART <num> <heading>`` on one line;
- articles: ``Article <n>`` then the heading on the next line (when the num
  says "Article" or the document is a treaty);
- sections and other headed units: ``<num> <heading>`` (``12. Interception``)
  with their text on the following lines;
- subsections, paragraphs, points, items: ``<num> <text>``;
- intro and wrapUp text on lines of their own; preface and preamble kept;

with a blank line between blocks. FRBR identification (title, country, date,
language, URI) goes into metadata.

Security: the document is parsed by
:func:`~provrisk.ingest.safe_xml.parse_untrusted_xml` (markup limit, entity
declarations refused, no DTD, entity or network access).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import InputError
from .normalise import normalise_text
from .safe_xml import local_name as _local_name
from .safe_xml import parse_untrusted_xml, split_tag
from .types import IngestedText

AKN_NAMESPACE = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

# Containers announced by a word: <part><num>II</num> -> "PART II".
_WORDED_CONTAINERS = {
    "book", "tome", "part", "subpart", "title", "subtitle", "chapter", "subchapter",
    "division", "subdivision",
}
# Numbered units laid out as "<num> <heading>" or "<num> <text>".
_UNITS = {
    "article", "section", "subsection", "paragraph", "subparagraph", "clause", "subclause",
    "point", "item", "indent", "alinea", "list", "sublist", "rule", "subrule", "proviso",
    "level", "transitional", "hcontainer", "tblock", "recital", "citation",
}
# Wrappers whose children are rendered in order, without lines of their own.
_WRAPPERS = {
    "body", "mainBody", "judgmentBody", "debateBody", "content", "intro", "blockList",
    "blockContainer", "recitals", "citations", "attachments", "attachment", "components",
    "component", "collectionBody", "longTitle", "formula", "container", "coverPage",
    "act", "bill", "doc", "amendment", "judgment", "debate", "debateReport", "statement",
    "portion", "portionBody", "documentCollection", "officialGazette", "amendmentList",
    "mod", "quotedStructure", "embeddedStructure", "interstitial",
}
# Front and back matter: every child is a block of its own.
_MATTER = {"preface", "preamble", "conclusions"}
# Parts of a unit that its own line already shows, and matter that is not text.
_NOT_RENDERED = {"num", "heading", "subheading", "meta", "toc", "authorialNote", "noteRef", "note"}
_LINE_BREAKS = {"eol", "eop", "br"}
_STRUCTURAL = _WORDED_CONTAINERS | _UNITS | _WRAPPERS | _MATTER | {"p", "table", "wrapUp", "listWrapUp"}
_TREATY_WORDS = re.compile(r"\b(treaty|convention|covenant|protocol|charter)\b", re.IGNORECASE)


def read_akn(data: bytes, source: str) -> IngestedText:
    """Parse safely and render an Akoma Ntoso document as text."""
    root = parse_untrusted_xml(data, source)
    namespace, name = split_tag(root)
    if name != "akomaNtoso":
        raise InputError(source, f"not Akoma Ntoso XML (root element <{name}>)")
    warnings = []
    if namespace not in ("", AKN_NAMESPACE):
        warnings.append(f"unexpected Akoma Ntoso namespace {namespace!r}; read as version 3.0")
    metadata = _frbr_metadata(root)
    document = next((child for child in root if isinstance(child.tag, str)), None)
    if document is None:
        return IngestedText(source=source, format="akn", text="", warnings=warnings, metadata=metadata)
    renderer = _Renderer(treaty=_is_treaty(document, metadata))
    try:
        renderer.render(document)
    except RecursionError:
        raise InputError(source, "XML nested too deeply") from None
    return IngestedText(
        source=source,
        format="akn",
        text=normalise_text(renderer.text()),
        warnings=warnings,
        metadata=metadata,
    )


def _frbr_metadata(root: etree._Element) -> dict[str, str]:
    def value(path: str) -> str | None:
        found = root.xpath(path)  # a list of attribute values, or a string for string(...)
        if isinstance(found, list):
            found = found[0] if found else ""
        return " ".join(str(found).split()) or None

    work = "//*[local-name()='identification']/*[local-name()='FRBRWork']"
    expression = "//*[local-name()='identification']/*[local-name()='FRBRExpression']"
    fields = {
        "title": value(f"{work}/*[local-name()='FRBRname']/@value")
        or value("string(//*[local-name()='preface']//*[local-name()='docTitle'])"),
        "country": value(f"{work}/*[local-name()='FRBRcountry']/@value"),
        "date": value(f"{work}/*[local-name()='FRBRdate']/@date"),
        "frbr_uri": value(f"{work}/*[local-name()='FRBRthis']/@value"),
        "declared_language": value(f"{expression}/*[local-name()='FRBRlanguage']/@language"),
        "subtype": value(f"{work}/*[local-name()='FRBRsubtype']/@value"),
    }
    return {key: text for key, text in fields.items() if text}


def _is_treaty(document: etree._Element, metadata: dict[str, str]) -> bool:
    """Treaties number articles bare ("5"); their articles are still "Article 5"."""
    signals = [document.get("name", ""), metadata.get("subtype", ""), metadata.get("title", "")]
    return any(_TREATY_WORDS.search(signal) for signal in signals)


def _inline_text(element: etree._Element) -> str:
    """The element's text on one line, without notes; inline markup contributes its text."""
    parts = [element.text or ""]
    for child in element:
        name = _local_name(child)
        if name in _LINE_BREAKS:
            parts.append(" ")
        elif name and name not in _NOT_RENDERED:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


class _Renderer:
    """Lays out an AKN element tree as blocks of lines (blocks separated by blank lines)."""

    def __init__(self, treaty: bool) -> None:
        self._blocks: list[list[str]] = [[]]
        self._pending_label: str | None = None  # a unit's num, waiting for its first line of text
        self._treaty = treaty

    def text(self) -> str:
        self._flush_label()
        return "\n\n".join("\n".join(block) for block in self._blocks if block)

    def render(self, element: etree._Element) -> None:
        name = _local_name(element)
        if not name or name in _NOT_RENDERED:
            return
        if name in _WORDED_CONTAINERS or name in _UNITS:
            self._unit(element, name)
        elif name in _MATTER:
            for child in element:
                self._new_block()
                self.render(child)
            self._new_block()
        elif name == "crossHeading":
            self._new_block()
            self._line(_inline_text(element))
            self._new_block()
        elif name in ("wrapUp", "listWrapUp"):
            self._new_block()
            self._children(element)
        elif name == "table":
            self._table(element)
        elif name == "p":
            self._line(_inline_text(element))
        elif name in _WRAPPERS or _has_structure(element):
            self._children(element)
        else:
            self._line(_inline_text(element))

    def _children(self, element: etree._Element) -> None:
        for child in element:
            self.render(child)

    def _unit(self, element: etree._Element, name: str) -> None:
        self._new_block()
        num = _child_text(element, "num")
        heading = _child_text(element, "heading")
        subheading = _child_text(element, "subheading")
        if name in _WORDED_CONTAINERS:
            self._line(" ".join(filter(None, [_worded_label(name, num), heading])))
        elif name == "article" and num and (self._treaty or num.lower().startswith("article")):
            self._line(num if num.lower().startswith("article") else f"Article {num.rstrip('.')}")
            self._line(heading)
        elif heading:
            self._line(" ".join(filter(None, [num, heading])))
        else:
            self._pending_label = num or None
        self._line(subheading)
        self._children(element)
        self._new_block()

    def _table(self, table: etree._Element) -> None:
        self._new_block()
        for row in (el for el in table.iter() if _local_name(el) == "tr"):
            cells = [_inline_text(cell) for cell in row if _local_name(cell) in ("td", "th")]
            if any(cells):
                self._line(" | ".join(cells))
        self._new_block()

    def _line(self, text: str | None) -> None:
        if not text:
            return
        if self._pending_label:
            text, self._pending_label = f"{self._pending_label} {text}", None
        self._blocks[-1].append(text)

    def _new_block(self) -> None:
        self._flush_label()
        if self._blocks[-1]:
            self._blocks.append([])

    def _flush_label(self) -> None:
        if self._pending_label:
            self._blocks[-1].append(self._pending_label)
            self._pending_label = None


def _has_structure(element: etree._Element) -> bool:
    """True when the element holds blocks or units rather than only inline text."""
    return any(_local_name(child) in _STRUCTURAL for child in element)


def _child_text(element: etree._Element, name: str) -> str:
    child = next((c for c in element if _local_name(c) == name), None)
    return _inline_text(child) if child is not None else ""


def _worded_label(container: str, num: str) -> str:
    """ "PART II" from <part><num>II</num>; a num that already names the container is kept."""
    word = container.upper()
    if not num:
        return ""
    return num if num.upper().startswith(word) else f"{word} {num}"
