"""Parse an untrusted XML document (Akoma Ntoso, USLM) without letting it reach beyond itself.

Input: the document's bytes and its display name. Output: the root element of
the parsed tree, or :class:`~provrisk.errors.InputError` (one line naming the
file) for a document that is refused or cannot be parsed.

Documents with more markup than :data:`~provrisk.ingest.limits.MAX_XML_MARKUP`
are refused before parsing. Documents whose DOCTYPE declares entities are
refused, both by a byte scan before parsing (in ASCII-compatible and BOM-marked
UTF-16/32 encodings) and in the parsed DTD, and the parser never resolves
entities, loads DTDs or touches the network, so neither external entities nor
entity expansion (billion laughs) can take effect. libxml2's own limits (depth
256, text nodes of 10 MB) stay on; a document beyond them is malformed.
"""

from __future__ import annotations

import codecs

from lxml import etree

from ..errors import InputError
from .limits import MAX_XML_MARKUP, dense_markup_problem, markup_count
from .normalise import error_reason

ENTITY_PROBLEM = "XML with entity declarations (DTD) refused"


def parse_untrusted_xml(data: bytes, source: str) -> etree._Element:
    """The root element of ``data``; comments and processing instructions are dropped."""
    if markup_count(data) > MAX_XML_MARKUP:
        raise InputError(source, dense_markup_problem("XML"))
    if _declares_entities(_ascii_view(data)):
        raise InputError(source, ENTITY_PROBLEM)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InputError(source, f"malformed XML ({error_reason(error)})") from None
    internal_dtd = root.getroottree().docinfo.internalDTD
    # The byte scan above cannot see declarations in encodings that are not
    # ASCII-compatible; the parsed DTD can.
    if internal_dtd is not None and any(True for _ in internal_dtd.iterentities()):
        raise InputError(source, ENTITY_PROBLEM)
    return root


def split_tag(element: etree._Element) -> tuple[str, str]:
    """(namespace or "", local name) of an element."""
    qname = etree.QName(element)
    return qname.namespace or "", qname.localname


def local_name(node: etree._Element) -> str:
    """An element's name without its namespace; "" for anything that is not an element."""
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _ascii_view(data: bytes) -> str:
    """The document as text in which ASCII markup is visible, whatever its ASCII-compatible encoding."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return data.decode("latin-1")


def _declares_entities(markup: str) -> bool:
    doctype_at = markup.find("<!DOCTYPE")
    return doctype_at >= 0 and "<!ENTITY" in markup[doctype_at:]
