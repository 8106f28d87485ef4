"""PDF reader: the text layer of each page, read by PDFium in a sandboxed child process.

Input: the bytes of a PDF and its display name. Output:
:class:`~provrisk.ingest.types.IngestedText` whose text is the pages' text
(normalised, running headers/footers and page numbers removed) joined by line
breaks, with a source_map from character ranges to 1-based page numbers.

Two libraries, each for what it does best (chosen by measuring, see
:mod:`provrisk.ingest.pdfium_sandbox`): pypdf checks the file's structure in
this process (end marker, cross-references, page tree and its cycles,
encryption, page count, document information), and PDFium extracts each
page's text in a child process under memory, CPU and time limits, keeping the
spaces between words that pypdf loses in justified text. A page PDFium cannot
read (its child died of a limit, or the page is malformed) is read with pypdf,
under this module's own budgets, and a warning says so.

Pages without a text layer (scans) are read by OCR when the caller asks for it
(``ocr="auto"``, or ``"force"`` for every page; see :mod:`provrisk.ingest.ocr`),
and the source map keeps their page numbers.

Refused with :class:`InputError`: password-protected, truncated or corrupt
files, files with more than :data:`MAX_PDF_PAGES` pages, scans without a text
layer when OCR is off or unavailable (the message says how to turn it on or
what to install), and files whose text extraction passes
:data:`MAX_PDF_TEXT_CHARS` characters or :data:`MAX_PDF_EXTRACT_SECONDS`
seconds. A page whose text cannot be extracted is reported in a warning.
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
from .furniture import remove_page_furniture
from .normalise import error_reason, join_pages, normalise_text
from .ocr import ocr_pages, tesseract_problem, tesseract_version
from .pdfium_sandbox import PdfiumTexts, extract_texts
from .types import IngestedText, SourceSpan

MAX_PDF_PAGES = 2000
# A text layer averaging fewer visible characters per page than this is the
# residue of a scan (stamps, page numbers), not the document's text.
MIN_TEXT_CHARS_PER_PAGE = 20
# PDF readers look for the end-of-file marker near the end; a file cut short
# in transfer has lost it (and the cross-reference table before it).
_EOF_MARKER_WINDOW = 2048
# A few kilobytes can make every page parse the same huge content stream, or
# one page run a text-filled form 5,000 times, for hours of CPU and gigabytes
# of text. Extraction stops past these budgets: PDFium's child is killed at the
# deadline and stops at the character count; pypdf, when it reads a page
# PDFium could not, checks them before every content-stream operator.
MAX_PDF_TEXT_CHARS = 50_000_000  # as much text as the largest plain-text upload
MAX_PDF_EXTRACT_SECONDS = 120.0  # a 2,000-page statute takes about 4 s

ENCRYPTED_PROBLEM = "password-protected PDF (encrypted); remove the password and try again"
SCANNED = "scanned PDF without a text layer"
OCR_OFF = "OCR is off; turn it on with --ocr auto (command line) or PROVRISK_OCR=auto (server)"


def read_pdf(data: bytes, source: str, *, ocr: str = "never") -> IngestedText:
    """Check the structure, extract (or OCR), clean and join the text of every page of a PDF.

    ``ocr``: "never" reads only the text layer; "auto" also reads the pages that
    have none with Tesseract (:mod:`provrisk.ingest.ocr`); "force" reads every
    page with Tesseract, ignoring the text layer (for a layer that is garbled).
    """
    if b"%%EOF" not in data[-_EOF_MARKER_WINDOW:]:
        raise _corrupt(source, "no end-of-file marker: the file is cut short")
    with _repair_notes() as repairs:
        reader, page_count = _open(data, source)
        metadata = _metadata(reader, page_count)
        if ocr == "force":
            raw_pages, failures, fallback_warnings = [""] * page_count, [], []
        else:
            raw_pages, failures, fallback_warnings = _text_layer(data, reader, page_count, source)
    if len(failures) == page_count:
        raise _corrupt(source, f"no page's text could be extracted: {failures[0][1]}")
    pages = [normalise_text(page) for page in raw_pages]
    blank = _pages_without_text(pages, failures)
    read_by_ocr, ocr_warnings, no_ocr = [], [], OCR_OFF
    if blank and ocr != "never":
        no_ocr = tesseract_problem()
        if not no_ocr:
            texts, ocr_warnings = ocr_pages(data, blank, source)
            for number, page_text in texts.items():
                pages[number - 1] = normalise_text(page_text)
            read_by_ocr = sorted(texts)
    pages, furniture = remove_page_furniture(pages)
    # counted after removing running headers: a scan with a typed header is still a scan
    visible_chars = sum(len("".join(page.split())) for page in pages)
    if visible_chars < MIN_TEXT_CHARS_PER_PAGE * page_count:
        raise InputError(source, f"{SCANNED}, and OCR found no text in it" if read_by_ocr else f"{SCANNED}; {no_ocr}")
    if read_by_ocr:
        metadata["ocr"] = tesseract_version() or "tesseract"
        metadata["ocr_pages"] = _page_list(read_by_ocr, shown=len(read_by_ocr))
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
        warnings=_repair_warnings(repairs) + fallback_warnings + ocr_warnings + _ocr_notice(read_by_ocr)
        + _page_warnings(pages, failures, "" if read_by_ocr else no_ocr),
        metadata=metadata,
        furniture=furniture,
    )


def _pages_without_text(pages: list[str], failures: list[tuple[int, str]]) -> list[int]:
    """Page numbers whose text layer, without its furniture, is too short to be the page's text."""
    failed = {number for number, _ in failures}
    bodies, _ = remove_page_furniture(pages)
    return [
        number for number, body in enumerate(bodies, start=1)
        if number not in failed and len("".join(body.split())) < MIN_TEXT_CHARS_PER_PAGE
    ]


def _ocr_notice(pages: list[int]) -> list[str]:
    if not pages:
        return []
    return [f"page(s) {_page_list(pages)} have no text layer and were read by OCR: "
            "check names, numbers and citations against the original"]


def _open(data: bytes, source: str) -> tuple[PdfReader, int]:
    """pypdf's reader of ``data`` and its page count, or InputError (corrupt, encrypted, too many pages)."""
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
    return reader, page_count


def _text_layer(
    data: bytes, reader: PdfReader, page_count: int, source: str
) -> tuple[list[str], list[tuple[int, str]], list[str]]:
    """Each page's raw text, the (page, reason) failures, and warnings about pages pypdf had to read."""
    deadline = time.monotonic() + MAX_PDF_EXTRACT_SECONDS
    try:
        layer = extract_texts(data, page_count, deadline=deadline, max_chars=MAX_PDF_TEXT_CHARS)
    except OSError as error:  # the child could not be started: read everything with pypdf
        layer = PdfiumTexts(open_error=f"the PDF reader could not be started: {error.strerror or error_reason(error)}")
    if layer.timed_out_at is not None:
        raise InputError(
            source, f"text extraction took more than {MAX_PDF_EXTRACT_SECONDS:g} s while extracting text "
            f"from page {layer.timed_out_at}; refused"
        )
    if layer.over_budget_at is not None:
        raise InputError(source, f"{_too_much_text()} while extracting text from page {layer.over_budget_at}; refused")
    unread = [number for number in range(1, page_count + 1) if number not in layer.texts]
    texts = dict(layer.texts)
    failures: list[tuple[int, str]] = []
    warnings: list[str] = []
    if unread:
        budget = _ExtractionBudget(deadline, sum(map(len, texts.values())))
        fallback, failures = _extract_pages(reader, unread, source, budget)
        texts.update(fallback)
        if fallback:
            warnings.append(_fallback_warning(layer, sorted(fallback)))
    return [texts.get(number, "") for number in range(1, page_count + 1)], failures, warnings


def _fallback_warning(layer: PdfiumTexts, pages: list[int]) -> str:
    if layer.open_error:
        why = f"PDFium could not read the file ({layer.open_error})"
    elif layer.stopped_at is not None and layer.stopped_at in pages:
        why = f"PDFium stopped at page {layer.stopped_at} ({layer.stop_reason})"
    else:
        first = pages[0]
        why = f"PDFium could not read page {first} ({layer.errors.get(first, 'unknown reason')})"
    return (
        f"{why}; page(s) {_page_list(pages)} were read with pypdf instead, which can run words together: "
        "check them against the original"
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


def _extract_pages(
    reader: PdfReader, numbers: list[int], source: str, budget: _ExtractionBudget
) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """pypdf's text of the pages ``numbers`` (page number -> text) and the (page number, reason) failures."""
    texts: dict[int, str] = {}
    failures: list[tuple[int, str]] = []
    for number in numbers:
        try:
            page = reader.pages[number - 1]
            texts[number] = page.extract_text(visitor_operand_before=budget.check, visitor_text=budget.count) or ""
        except Exception as error:  # one broken content stream should not lose the other pages
            failures.append((number, error_reason(error)))
        # pypdf swallows what the visitors raise inside a form XObject, so check again here
        if budget.exceeded():
            raise InputError(source, f"{budget.exceeded()} while extracting text from page {number}; refused")
    return texts, failures


class _ExtractionBudget:
    """Counts extracted characters (from ``chars``) until ``deadline``; the visitors raise once either is spent."""

    def __init__(self, deadline: float, chars: int = 0) -> None:
        self._deadline = deadline
        self._chars = chars

    def count(self, text: str, *_state) -> None:
        self._chars += len(text)
        self.check()

    def check(self, *_operation) -> None:
        if reason := self.exceeded():
            raise RuntimeError(reason)

    def exceeded(self) -> str:
        if self._chars > MAX_PDF_TEXT_CHARS:
            return _too_much_text()
        if time.monotonic() > self._deadline:
            return f"text extraction took more than {MAX_PDF_EXTRACT_SECONDS:g} s"
        return ""


def _too_much_text() -> str:
    return f"more than {MAX_PDF_TEXT_CHARS:,} characters of text (possible decompression bomb)"


def _page_warnings(pages: list[str], failures: list[tuple[int, str]], no_ocr: str) -> list[str]:
    """Pages without text: failed ones, and blank ones with why OCR did not read them (``no_ocr``, "" if it tried)."""
    warnings = [
        f"page {number}: text could not be extracted ({reason}); its text is missing"
        for number, reason in failures
    ]
    failed = {number for number, _ in failures}
    empty = [n for n, page in enumerate(pages, start=1) if not page.strip() and n not in failed]
    if empty and no_ocr:
        warnings.append(f"{len(empty)} page(s) have no text layer (blank or scanned): {_page_list(empty)}; {no_ocr}")
    elif empty:
        warnings.append(f"{len(empty)} page(s) have no text, even by OCR (blank, or pictures only): {_page_list(empty)}")
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
    for key, value in (("file_title", title), ("author", author)):
        if isinstance(value, str) and value.strip():
            metadata[key] = " ".join(value.split())
    return metadata


def _corrupt(source: str, reason: str) -> InputError:
    return InputError(source, f"corrupt or truncated PDF ({reason})")
