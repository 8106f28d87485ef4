"""Ingestion: turn a document (PDF, DOCX, HTML, Akoma Ntoso XML, US legislative XML (USLM) or plain text)
into normalised text.

Public API:

- :func:`ingest_file` reads a file from disk (the CLI);
- :func:`ingest_bytes` reads an upload's bytes (the server); the upload's name is
  used only in messages and as a format hint, never as a path;
- :func:`ingest_file_bytes` reads a file's bytes that someone else has read
  (Spark's ``binaryFile`` source) exactly as :func:`ingest_file` reads the file.

Both return an :class:`IngestedText` (text, source map, detected language,
warnings, metadata, page furniture removed) and raise :class:`~provrisk.errors.InputError`, one line
naming the file and the problem, for anything they cannot read: too large,
empty, of an unsupported or unrecognised format, corrupt, encrypted, scanned
(with OCR off or unavailable), unsafe (entity-declaring XML, zip bombs), or without text. No library exception
escapes. Text that does not look English gets a warning: provrisk's models are
trained on English.

The format is decided from the content first (magic bytes, root element) and
the file name's extension second.

Metadata, whatever the format: ``title`` is the title the document marks up
(Akoma Ntoso, USLM) or prints (:mod:`provrisk.ingest.printed`), else its file's
title property (PDF document information, DOCX core properties, HTML
``<title>``), which is always kept as ``file_title``; ``edition`` and
``in_force_from`` when printed; PDFs add ``pages`` and ``author``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from .akn import read_akn
from .docx import read_docx
from .html import read_html
from .language import detect_language, language_name
from .furniture import remove_running_titles
from .normalise import error_reason
from .ocr import OCR_MODES
from .pdf import read_pdf
from .printed import printed_metadata
from .text import read_text
from .types import IngestedText, SourceSpan
from .uslm import DOCUMENT_TYPES as USLM_DOCUMENT_TYPES
from .uslm import OTHER_DOCUMENT_TYPES as OTHER_USLM_DOCUMENT_TYPES
from .uslm import USLM_NAMESPACES, read_uslm

__all__ = [
    "DEFAULT_MAX_BYTES",
    "READABLE_SUFFIXES",
    "REFUSED_SUFFIXES",
    "OCR_MODES",
    "IngestedText",
    "SourceSpan",
    "detect_format",
    "ingest_file_bytes",
    "ingest_bytes",
    "ingest_file",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# The file names a statute may have; content still decides the reader.
READABLE_SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm", ".xml")
# Formats statutes are also saved in that provrisk does not read: refused, naming the format, rather than read
# as something they are not (Markdown's #, * and links as words of the law; an OpenDocument file as a broken DOCX).
REFUSED_SUFFIXES = {".md": "Markdown (.md)", ".markdown": "Markdown (.md)", ".odt": "OpenDocument text (.odt)"}
_ODF_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument"  # at offset 30 of every ODF file (ODF 1.2, part 3, 3.3)

_READERS: dict[str, Callable[[bytes, str], IngestedText]] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "html": read_html,
    "akn": read_akn,
    "uslm": read_uslm,
    "txt": read_text,
}
_FORMAT_NAMES = {
    "pdf": "PDF", "docx": "DOCX", "html": "HTML", "akn": "Akoma Ntoso XML", "uslm": "USLM XML", "txt": "text",
}

# Formats recognised only to say why they are refused.
_REFUSED_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "legacy Word .doc or password-protected Office file; save it as an unencrypted .docx and try again"),
    (b"{\\rtf", "RTF is not supported; save it as .docx or PDF and try again"),
    (b"\x89PNG\r\n\x1a\n", "image file, not a text document; run OCR first"),
    (b"\xff\xd8\xff", "image file, not a text document; run OCR first"),
    (b"II*\x00", "image file, not a text document; run OCR first"),
    (b"MM\x00*", "image file, not a text document; run OCR first"),
]
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PDF_HEADER_WINDOW = 1024  # readers accept the %PDF header anywhere in the first KB
_SNIFF_BYTES = 4096
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_XML_SUFFIXES = {".xml", ".akn"}
_PROLOG_MARKUP = re.compile(
    r"\s*(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_FIRST_ELEMENT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|table|h[1-6])\b", re.IGNORECASE)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MAX_NAME_CHARS = 200


def ingest_file(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    display_name: str | None = None,
    ocr: str = "never",
) -> IngestedText:
    """Read the document at ``path`` (messages name it ``display_name`` if given).

    ``ocr`` ("never", "auto" or "force") says whether PDF pages are read by OCR (:func:`read_pdf`).
    """
    path = Path(path)
    source = _printable(display_name or str(path))
    try:
        if not path.exists():
            raise InputError(source, "file not found")
        if path.is_dir():
            raise InputError(source, "is a directory, not a file")
        if not path.is_file():
            # devices and pipes may never end
            raise InputError(source, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(source, too_large(size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as error:
        raise InputError(source, f"cannot read file ({error.strerror or type(error).__name__})") from None
    return _ingest(data, source, path.suffix, max_bytes, ocr)


def ingest_file_bytes(data: bytes, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: str = "never") -> IngestedText:
    """The bytes of the file at ``path``, read elsewhere, as :func:`ingest_file` would read that file (same source name)."""
    return _ingest(data, _printable(str(path)), Path(path).suffix, max_bytes, ocr)


def ingest_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr: str = "never") -> IngestedText:
    """Read an uploaded document; ``name`` (its file name) only labels messages and hints at the format."""
    source = _printable(re.split(r"[\\/]", name or "")[-1]) or "upload"
    return _ingest(data, source, Path(source).suffix, max_bytes, ocr)


def detect_format(data: bytes, suffix: str, source: str) -> str:
    """The reader for ``data``: "pdf", "docx", "html", "akn", "uslm" or "txt".

    Content decides first, the extension ``suffix`` second. Raises
    :class:`InputError` for formats recognised only to be refused.
    """
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        if data[30 : 30 + len(_ODF_MIMETYPE)] == _ODF_MIMETYPE:
            raise InputError(source, refused_format(".odt"))
        return "docx"
    for magic, problem in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise InputError(source, problem)
    suffix = suffix.lower()
    head = _markup_head(data)
    root_name = _root_element_name(head)
    if root_name == "akomaNtoso":
        return "akn"
    if root_name in USLM_DOCUMENT_TYPES or (
        root_name in OTHER_USLM_DOCUMENT_TYPES and any(namespace in head for namespace in USLM_NAMESPACES)
    ):
        return "uslm"  # the USLM reader names the USLM document types it does not read
    if root_name.lower() == "html" or head.lower().startswith("<!doctype html"):
        return "html"
    if head.startswith("<?xml") or suffix in _XML_SUFFIXES:
        return "akn"  # any other XML: the AKN reader applies the XML safety checks and names the root
    if suffix in _HTML_SUFFIXES or _HTML_START.match(head):
        return "html"
    if suffix == ".pdf":
        raise InputError(source, "not a valid PDF (no %PDF header)")
    if suffix == ".docx":
        return "docx"  # not a zip: the DOCX reader says so
    if suffix in REFUSED_SUFFIXES:
        raise InputError(source, refused_format(suffix))
    return "txt"


def refused_format(suffix: str) -> str:
    """Why a file of a format in :data:`REFUSED_SUFFIXES` is not read, and what to do instead."""
    return (f"{REFUSED_SUFFIXES[suffix]} is not a format provrisk reads; save it as .docx, PDF or plain text "
            f"(provrisk reads {', '.join(READABLE_SUFFIXES)} files)")


def _ingest(data: bytes, source: str, suffix: str, max_bytes: int, ocr: str) -> IngestedText:
    if len(data) > max_bytes:
        raise InputError(source, too_large(len(data), max_bytes))
    if not data:
        raise InputError(source, "empty file (0 bytes)")
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {', '.join(OCR_MODES)}, not {ocr!r}")
    document_format = detect_format(data, suffix, source)
    reader = _READERS[document_format]
    if document_format == "pdf":
        reader = functools.partial(reader, ocr=ocr)
    try:
        result = reader(data, source)
    except InputError:
        raise
    except Exception as error:  # a library failure the reader did not foresee: still one line
        raise InputError(
            source, f"could not read this {_FORMAT_NAMES[document_format]} file ({error_reason(error)})"
        ) from None
    if not result.text.strip():
        raise InputError(source, f"no text found in this {_FORMAT_NAMES[document_format]} file")
    _prefer_printed_title(result)
    result.language, result.language_confidence = detect_language(result.text)
    if result.language not in ("en", "und"):
        result.warnings.append(
            f"language looks like {language_name(result.language)} ({result.language}), not English: "
            "provrisk's labels and models are trained on English text"
        )
    return result


def _prefer_printed_title(result: IngestedText) -> None:
    """Add what the act prints about itself; the printed title wins over the file's title property.

    A title the document marks up as its own (Akoma Ntoso's docTitle) is kept. In a
    document without pages (no source map to keep), the printed title repeated as a
    running head inside a sentence is page furniture and goes.
    """
    printed = printed_metadata(result.text, result.furniture)
    for key, value in printed.items():
        result.metadata.setdefault(key, value)
    if "title" not in result.metadata and "file_title" in result.metadata:
        result.metadata["title"] = result.metadata["file_title"]
    if "title" in printed and not result.source_map:
        result.text, removed = remove_running_titles(result.text, printed["title"])
        result.furniture.extend(removed)


def _markup_head(data: bytes) -> str:
    """The start of the document, decoded just enough to see ASCII markup, without leading space or BOM."""
    head = data[:_SNIFF_BYTES]
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore").lstrip()
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")


def _root_element_name(head: str) -> str:
    """Local name of the first element after the prolog (comments, declarations, DOCTYPE), or ""."""
    if not head.startswith("<"):
        return ""
    position = 0
    while prolog := _PROLOG_MARKUP.match(head, position):
        position = prolog.end()
    element = _FIRST_ELEMENT.match(head, position)
    return element.group(1).rsplit(":", 1)[-1] if element else ""


def _printable(name: str) -> str:
    """A file name safe to put in a one-line message (no line breaks or control characters)."""
    cleaned = _UNPRINTABLE.sub("?", name).strip()
    return cleaned if len(cleaned) <= _MAX_NAME_CHARS else cleaned[: _MAX_NAME_CHARS - 3] + "..."


def too_large(size: int, limit: int) -> str:
    """The message for a file of ``size`` bytes over the ``limit``."""
    shown, shown_limit = human_size(size), human_size(limit)
    if shown == shown_limit:  # just over the limit: "2.0 KB; the limit is 2.0 KB" would read as a contradiction
        shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    return f"file too large ({shown}; the limit is {shown_limit})"


def human_size(size: int) -> str:
    """``2.0 KB``, ``3.5 MB``: a size for a message a reader of law can take in."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"
