"""HTML reader: visible body text with block structure kept as line breaks, via lxml.html.

Input: the bytes of an HTML page and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` with the page's text: block
elements start new lines, paragraphs and headings are separated by blank lines
(as a browser shows them), table rows become lines with cells separated by
" | ". Scripts, styles, forms, navigation, page-level headers and footers, and
elements hidden with the ``hidden`` attribute or an inline ``display: none``
are dropped; nothing is executed or fetched. The <title> goes into metadata
(``file_title``).
Pages with more markup than :data:`~provrisk.ingest.limits.MAX_XML_MARKUP`, or
beyond the parser's limits (nesting, text block size), are refused.
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from ..errors import InputError
from .limits import MAX_XML_MARKUP, dense_markup_problem, markup_count
from .normalise import error_reason, normalise_text
from .text import decode_text, refuse_binary
from .types import IngestedText

DROPPED_ELEMENTS = (
    "head", "script", "style", "noscript", "template", "nav", "form",
    "iframe", "object", "embed", "svg", "canvas", "button", "select", "textarea",
)
# <header>/<footer> inside an article or section hold that part's heading or
# notes (legislation sites put section titles there); only page-level ones are
# banners and menus.
PAGE_LEVEL_ONLY = ("header", "footer")
_SECTIONING = {"article", "section", "main"}

_PARAGRAPH_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
    "ul", "ol", "dl", "figure", "hr", "address", "details", "fieldset",
}
_LINE_BLOCKS = {
    "div", "section", "article", "main", "aside", "header", "footer", "li", "dt", "dd",
    "tr", "caption", "figcaption", "summary", "center", "body", "legend",
}
_CELLS = {"td", "th"}
HTML_LIMIT_PROBLEM = (
    "HTML nested more than 256 elements deep or with more than 10 MB in one block of text; "
    "the parser cannot read all of it, refused"
)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\s*(?:!important\s*)?(?:;|$)", re.IGNORECASE)
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096
# Browsers read these declarations as the superset encoding (WHATWG Encoding
# standard); pages declaring Latin-1 routinely contain cp1252 quotes.
_BROWSER_ENCODING = {
    "iso8859-1": "cp1252", "ascii": "cp1252",
    "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8",
}


def read_html(data: bytes, source: str) -> IngestedText:
    """Extract the visible text of an HTML document."""
    if markup_count(data) > MAX_XML_MARKUP:
        raise InputError(source, dense_markup_problem("HTML"))
    markup, warnings = _decode(data, source)
    # Characters XML forbids carry no text, and lxml refuses them when the tree is edited.
    markup = _NOT_XML_CHARACTERS.sub(" ", markup)
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1), parser=parser)
    except etree.ParserError:  # nothing but whitespace or comments: no text
        return IngestedText(source=source, format="html", text="", warnings=warnings)
    except Exception as error:
        raise InputError(source, f"unreadable HTML ({error_reason(error)})") from None
    # libxml2 stops at its limits (256 levels of nesting, 10 MB in one text node)
    # and returns what it had read, silently dropping the rest of the page.
    if any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log):
        raise InputError(source, HTML_LIMIT_PROBLEM)
    metadata = _metadata(root)
    _drop_invisible(root)
    return IngestedText(
        source=source,
        format="html",
        text=normalise_text(_visible_text(root)),
        warnings=warnings,
        metadata=metadata,
    )


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode by byte-order mark, then by a declared <meta> charset, then as plain text."""
    encoding = _declared_encoding(data)
    if encoding is None:
        return decode_text(data, source)
    markup = data.decode(encoding, errors="replace")
    refuse_binary(markup, source)
    if "\ufffd" in markup:
        return markup, [f"some bytes are not valid {encoding} (the declared charset) and were replaced"]
    return markup, []


def _declared_encoding(data: bytes) -> str | None:
    """The text encoding a <meta> tag declares, as browsers apply it; None without a usable one."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    declared = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not declared:
        return None
    try:
        codec = codecs.lookup(declared.group(1).decode("ascii"))
    except LookupError:
        return None
    # codecs also knows bytes-to-bytes transforms (base64, zlib) that decode() refuses
    if not getattr(codec, "_is_text_encoding", True):
        return None
    return _BROWSER_ENCODING.get(codec.name, codec.name)


def _metadata(root: lxml.html.HtmlElement) -> dict[str, str]:
    metadata = {}
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        metadata["file_title"] = " ".join(title.text_content().split())
    declared_language = root.get("lang")
    if declared_language and declared_language.strip():
        metadata["declared_language"] = declared_language.strip()[:35]
    return metadata


def _drop_invisible(root: lxml.html.HtmlElement) -> None:
    """Remove comments and elements whose content is not document text (their tails stay)."""
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    _drop_trees(list(root.iter(*DROPPED_ELEMENTS)))
    # Hidden in the browser: portals hide anchor ids ("[PCh6s3]") and editorial notes this way.
    _drop_trees([element for element in root.iter() if isinstance(element.tag, str) and _is_hidden(element)])
    _drop_trees([element for element in root.iter(*PAGE_LEVEL_ONLY)
                 if not any(ancestor.tag in _SECTIONING for ancestor in element.iterancestors())])


def _drop_trees(elements: list[lxml.html.HtmlElement]) -> None:
    """``drop_tree`` for many elements at once: each one's tail joins the text before it.

    lxml's ``drop_tree`` appends the tail to the previous sibling's tail (or the
    parent's text) one element at a time, so k dropped neighbours copy a growing
    string k times (``<script></script>x`` repeated: quadratic). Here each
    parent's children are walked once and every run of text is joined once.
    """
    dropped_by_parent: dict[lxml.html.HtmlElement, set[lxml.html.HtmlElement]] = {}
    for element in elements:
        parent = element.getparent()
        if parent is not None:
            dropped_by_parent.setdefault(parent, set()).add(element)
    for parent, dropped in dropped_by_parent.items():
        pieces = [parent.text or ""]
        holder = None  # the kept child whose tail the pieces become; None: the parent's text
        for child in list(parent):
            if child in dropped:
                pieces.append(child.tail or "")
                parent.remove(child)
                continue
            _set_text_before(parent, holder, "".join(pieces))
            holder, pieces = child, [child.tail or ""]
        _set_text_before(parent, holder, "".join(pieces))


def _set_text_before(parent, holder, text: str) -> None:
    if holder is None:
        parent.text = text or None
    else:
        holder.tail = text or None


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    """True for an element the page hides: the ``hidden`` attribute, or an inline ``display: none``."""
    style = element.get("style")
    return element.get("hidden") is not None or bool(style and _DISPLAY_NONE.search(style))


class _LineBuilder:
    """Accumulates text and line breaks; consecutive breaks merge instead of adding up."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._trailing_newlines = 0

    def add_text(self, text: str) -> None:
        if not text.strip(" \t"):
            # a space between inline elements separates words; at a line start
            # it is only source indentation
            if self._parts and not self._trailing_newlines:
                self._parts.append(" ")
            return
        self._parts.append(text)
        if not text.strip("\n"):
            self._trailing_newlines += len(text)
        else:
            self._trailing_newlines = len(text) - len(text.rstrip("\n"))

    def add_break(self, newlines: int) -> None:
        if self._parts and newlines > self._trailing_newlines:
            self._parts.append("\n" * (newlines - self._trailing_newlines))
            self._trailing_newlines = newlines

    def text(self) -> str:
        return re.sub(r"\n[ \t]+", "\n", "".join(self._parts)).strip()


def _visible_text(root: lxml.html.HtmlElement) -> str:
    """Walk the tree once (no recursion, so deep nesting is safe) and lay out its text."""
    out = _LineBuilder()
    in_pre = 0
    first_cell_in_row: list[bool] = []

    def add(text: str | None) -> None:
        if text:
            out.add_text(text if in_pre else re.sub(r"\s+", " ", text))

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag == "pre":
                in_pre += 1
            if tag == "tr":
                first_cell_in_row.append(True)
            elif tag in _CELLS and first_cell_in_row:
                if not first_cell_in_row[-1]:
                    out.add_text(" | ")
                first_cell_in_row[-1] = False
            _block_break(out, tag)
            add(element.text)
        else:
            if tag == "br":
                out.add_text("\n")
            _block_break(out, tag)
            if tag == "pre":
                in_pre -= 1
            if tag == "tr" and first_cell_in_row:
                first_cell_in_row.pop()
            add(element.tail)
    return out.text()


def _block_break(out: _LineBuilder, tag: str) -> None:
    if tag in _PARAGRAPH_BLOCKS:
        out.add_break(2)
    elif tag in _LINE_BLOCKS:
        out.add_break(1)
