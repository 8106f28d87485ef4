"""PDF reader: the text layer of each page, via pypdf.

Input: the bytes of a PDF and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` whose text is the pages' text
(normalised, running headers/footers and page numbers removed) joined by line
breaks, with a source_map from character ranges to 1-based page numbers.

Refused with :class:`InputError`: password-protected, truncated or corrupt
files, files with more than :data:`MAX_PDF_PAGES` pages, scans without a text
layer, and files whose text extraction passes :data:`MAX_PDF_TEXT_CHARS`
characters or :data:`MAX_PDF_EXTRACT_SECONDS` seconds. A page whose text
cannot be extracted is reported in a warning.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from collections.abc import Iterator

from pypdf import PdfReader

from ..errors import InputError
from .normalise import drop_running_lines, error_reason, join_pages, normalise_text
from .types import IngestedText, SourceSpan

MAX_PDF_PAGES = 2000
# A text layer averaging fewer visible characters per page than this is the
# residue of a scan (stamps, page numbers), not the document's text.
MIN_TEXT_CHARS_PER_PAGE = 20
# PDF readers look for the end-of-file marker near the end; a file cut short
# in transfer has lost it (and the cross-reference table before it).
_EOF_MARKER_WINDOW = 2048
# pypdf bounds each stream (75 MB decoded) but not how often one is re-read: a
# few kilobytes can make every page parse the same huge content stream, or one
# page run a text-filled form 5,000 times, for hours of CPU and gigabytes of
# text. Extraction stops past these budgets, checked before every content-stream
# operator, so the overshoot is at most one stream parse.
MAX_PDF_TEXT_CHARS = 50_000_000  # as much text as the largest plain-text upload
MAX_PDF_EXTRACT_SECONDS = 120.0  # a 2,000-page statute takes about 15 s

ENCRYPTED_PROBLEM = "password-protected PDF (encrypted); remove the password and try again"
SCANNED_PROBLEM = "scanned PDF without a text layer; run OCR first"


def read_pdf(data: bytes, source: str) -> IngestedText:
    """Extract, clean and join the text of every page of a PDF."""
    if b"%%EOF" not in data[-_EOF_MARKER_WINDOW:]:
        raise _corrupt(source, "no end-of-file marker: the file is cut short")
    with _repair_notes() as repairs:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            _unlock(reader, source)
            page_count = len(reader.pages)
        except InputError:
            raise
        except Exception as error:  # pypdf raises many types on malformed input
            raise _corrupt(source, error_reason(error)) from None
        if page_count == 0:
            raise _corrupt(source, "no pages")
        if page_count > MAX_PDF_PAGES:
            raise InputError(source, f"PDF has {page_count} pages, more than the limit of {MAX_PDF_PAGES}")
        raw_pages, failures = _extract_pages(reader, source)
        metadata = _metadata(reader, page_count)
    if len(failures) == page_count:
        raise _corrupt(source, f"no page's text could be extracted: {failures[0][1]}")
    pages = drop_running_lines([normalise_text(page) for page in raw_pages])
    # counted after removing running headers: a scan with a typed header is still a scan
    visible_chars = sum(len("".join(page.split())) for page in pages)
    if visible_chars < MIN_TEXT_CHARS_PER_PAGE * page_count:
        raise InputError(source, SCANNED_PROBLEM)
    text, spans = join_pages(pages)
    source_map = [
        SourceSpan(start=start, end=end, page=number)
        for number, (start, end) in enumerate(spans, start=1)
        if end > start
    ]
    return IngestedText(
        source=source,
        format="pdf",
        text=text,
        source_map=source_map,
        warnings=_repair_warnings(repairs) + _page_warnings(pages, failures),
        metadata=metadata,
    )


@contextlib.contextmanager
def _repair_notes() -> Iterator[list[str]]:
    """Collect what pypdf logs while reading in this thread (damage it worked around).

    pypdf reports repairs through logging; with no handler configured Python
    would print them to stderr, in the middle of the CLI's output.
    """
    notes: list[str] = []
    handler = _ThreadNotes(notes, threading.get_ident())
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.addHandler(handler)
    try:
        yield notes
    finally:
        pypdf_logger.removeHandler(handler)


class _ThreadNotes(logging.Handler):
    def __init__(self, notes: list[str], thread: int) -> None:
        super().__init__(logging.WARNING)
        self._notes, self._thread = notes, thread

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:
            message = record.getMessage().strip().splitlines()
            self._notes.append(message[0][:120] if message else record.levelname)


def _repair_warnings(repairs: list[str]) -> list[str]:
    if not repairs:
        return []
    return [
        f"the PDF is damaged and was repaired while reading ({len(repairs)} problem(s), first: "
        f"{repairs[0]}); check the text against the original"
    ]


def _unlock(reader: PdfReader, source: str) -> None:
    """Decrypt with the empty password (owner-password-only PDFs open that way) or refuse."""
    if not reader.is_encrypted:
        return
    try:
        unlocked = reader.decrypt("")
    except Exception as error:  # unsupported or malformed encryption dictionary
        raise InputError(source, f"encrypted PDF that cannot be decrypted ({error_reason(error)})") from None
    if not unlocked:
        raise InputError(source, ENCRYPTED_PROBLEM)


def _extract_pages(reader: PdfReader, source: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Each page's raw text ("" where extraction failed) and the (page number, reason) failures."""
    texts: list[str] = []
    failures: list[tuple[int, str]] = []
    budget = _ExtractionBudget()
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text(visitor_operand_before=budget.check, visitor_text=budget.count) or "")
        except Exception as error:  # one broken content stream should not lose the other pages
            texts.append("")
            failures.append((number, error_reason(error)))
        # pypdf swallows what the visitors raise inside a form XObject, so check again here
        if budget.exceeded():
            raise InputError(source, f"{budget.exceeded()} while extracting text from page {number}; refused")
    return texts, failures


class _ExtractionBudget:
    """Counts extracted characters and time; the visitors raise once either budget is spent."""

    def __init__(self) -> None:
        self._deadline = time.monotonic() + MAX_PDF_EXTRACT_SECONDS
        self._chars = 0

    def count(self, text: str, *_state) -> None:
        self._chars += len(text)
        self.check()

    def check(self, *_operation) -> None:
        if reason := self.exceeded():
            raise RuntimeError(reason)

    def exceeded(self) -> str:
        if self._chars > MAX_PDF_TEXT_CHARS:
            return f"more than {MAX_PDF_TEXT_CHARS:,} characters of text (possible decompression bomb)"
        if time.monotonic() > self._deadline:
            return f"text extraction took more than {MAX_PDF_EXTRACT_SECONDS:g} s"
        return ""


def _page_warnings(pages: list[str], failures: list[tuple[int, str]]) -> list[str]:
    warnings = [
        f"page {number}: text could not be extracted ({reason}); its text is missing"
        for number, reason in failures
    ]
    failed = {number for number, _ in failures}
    empty = [n for n, page in enumerate(pages, start=1) if not page.strip() and n not in failed]
    if empty:
        warnings.append(
            f"{len(empty)} page(s) have no text layer (blank or scanned): {_page_list(empty)}; "
            "run OCR if they hold text"
        )
    return warnings


def _page_list(numbers: list[int], shown: int = 10) -> str:
    listed = ", ".join(str(n) for n in numbers[:shown])
    return listed + (f" and {len(numbers) - shown} more" if len(numbers) > shown else "")


def _metadata(reader: PdfReader, page_count: int) -> dict[str, str]:
    metadata = {"pages": str(page_count)}
    try:
        info = reader.metadata
        title, author = (info.title, info.author) if info else (None, None)
    except Exception:  # a damaged info dictionary is no reason to lose the text
        return metadata
    for key, value in (("title", title), ("author", author)):
        if isinstance(value, str) and value.strip():
            metadata[key] = " ".join(value.split())
    return metadata


def _corrupt(source: str, reason: str) -> InputError:
    return InputError(source, f"corrupt or truncated PDF ({reason})")
