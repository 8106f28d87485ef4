"""PDFium (via pypdfium2) in a child process with memory, CPU and wall-clock limits.

Input: a PDF's bytes. Output: :func:`extract_texts` gives each page's text
layer as :class:`PdfiumTexts`; :func:`render_pages` yields pages as grey PGM
images (for OCR). Nothing is written to disk: the document goes to the child
on stdin and text or images come back on its stdout.

The child is :mod:`provrisk.ingest.pdfium_worker`, started with ``python -I``
(no environment variables, user site or working directory on its path) and an
empty environment. It limits itself to :data:`MAX_PDFIUM_MEMORY_MB` of address
space and to the CPU time left in the caller's budget before it opens the
document; a watchdog here kills it at the caller's deadline. A child that
dies (PDFium aborts when an allocation fails) is reported with the page it was
reading, so the caller can read the rest another way.

Why PDFium: on the Singapore Statutes Online PDFs, which position justified
text glyph by glyph, pypdf glued 13-15% of words together and PDFium 0-0.01%,
at 1-2 ms per page against pypdf's 8-13 (``provrisk bench --pdf-only``,
eval/reports/bench.md).
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_PDFIUM_MEMORY_MB = 1024  # address space of the child: ten times what a 100-page statute needs
WORKER = Path(__file__).with_name("pdfium_worker.py")
# A line break PDFium removed after a hyphen at the end of a line ("com\ufffemunication").
PDFIUM_LINE_END_HYPHEN = "\ufffe"


@dataclass
class PdfiumTexts:
    """What the child read of a document's text layer."""

    texts: dict[int, str] = field(default_factory=dict)  # page number -> raw text
    errors: dict[int, str] = field(default_factory=dict)  # page number -> why PDFium could not read it
    open_error: str = ""  # PDFium could not open the document at all
    stopped_at: int | None = None  # the child died reading this page; it and later pages are unread
    stop_reason: str = ""
    over_budget_at: int | None = None  # the text passed the character budget on this page
    timed_out_at: int | None = None  # the deadline passed while reading this page
    peak_rss_mb: float = 0.0  # the child's peak resident memory, when it finished


def extract_texts(data: bytes, page_count: int, *, deadline: float, max_chars: int) -> PdfiumTexts:
    """Each page's text layer, read in the child until ``deadline`` (``time.monotonic()``) or ``max_chars``."""
    result = PdfiumTexts()
    request = {"mode": "text", "first_page": 1, "max_chars": max_chars}
    worker = _Worker(data, request, deadline)
    current = 1
    try:
        for record, _ in worker.records():
            if "end" in record:
                result.peak_rss_mb = record["peak_rss_mb"]
                return result
            if "over_budget" in record:
                result.over_budget_at = record["over_budget"]
                return result
            if "page" not in record:
                result.open_error = str(record.get("error", "unreadable"))
                return result
            number = record["page"]
            if "text" in record:
                result.texts[number] = record["text"].replace(PDFIUM_LINE_END_HYPHEN, "-\n")
            else:
                result.errors[number] = str(record["error"])
            current = number + 1
    finally:
        worker.close()
    if worker.timed_out:
        result.timed_out_at = min(current, page_count)
    else:
        result.stopped_at = min(current, page_count)
        result.stop_reason = worker.death_reason()
    return result


def render_pages(data: bytes, pages: list[int], *, dpi: int, max_pixels: int, deadline: float) -> Iterator[tuple[int, bytes]]:
    """Yield (page number, PGM image) for each of ``pages``; stops early if the child dies or the deadline passes.

    Raises :class:`RenderStopped` naming the page that could not be rendered.
    """
    request = {"mode": "render", "pages": pages, "dpi": dpi, "max_pixels": max_pixels}
    worker = _Worker(data, request, deadline)
    done = 0
    try:
        for record, payload in worker.records():
            if "end" in record:
                return
            if "page" not in record:
                raise RenderStopped(pages[0], str(record.get("error", "unreadable")))
            done += 1
            yield record["page"], payload
    finally:
        worker.close()
    page = pages[min(done, len(pages) - 1)]
    raise RenderStopped(page, "the time for OCR ran out" if worker.timed_out else worker.death_reason())


class RenderStopped(Exception):
    """The child could not render ``page``; ``reason`` says why."""

    def __init__(self, page: int, reason: str) -> None:
        super().__init__(f"page {page}: {reason}")
        self.page, self.reason = page, reason


class _Worker:
    """One child process: the document goes in on stdin, records come out of stdout."""

    def __init__(self, data: bytes, request: dict, deadline: float) -> None:
        remaining = max(deadline - time.monotonic(), 0.0)
        request = {**request, "memory_mb": MAX_PDFIUM_MEMORY_MB, "cpu_seconds": math.ceil(remaining) + 1}
        self.timed_out = False
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), json.dumps(request)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={},
        )
        self._watchdog = threading.Timer(remaining, self._kill_at_deadline)
        self._watchdog.daemon = True
        self._watchdog.start()
        try:
            self._process.stdin.write(data)
            self._process.stdin.close()
        except BrokenPipeError:  # the child died before reading the document; records() sees its end
            pass

    def _kill_at_deadline(self) -> None:
        self.timed_out = True
        self._process.kill()

    def records(self) -> Iterator[tuple[dict, bytes]]:
        """(record, payload) pairs until the child's output ends."""
        stream = self._process.stdout
        while line := stream.readline():
            try:
                record = json.loads(line)
            except ValueError:  # cut off mid-line by a kill
                return
            payload = stream.read(record["bytes"]) if "bytes" in record else b""
            if len(payload) < record.get("bytes", 0):
                return
            yield record, payload

    def death_reason(self) -> str:
        """Why the child ended without finishing, in words for a user."""
        code = self._process.wait()
        if code >= 0:
            return f"the PDF reader exited with status {code}"
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        if -code == signal.SIGXCPU:
            return "the PDF reader used up its CPU time"
        return (
            f"the PDF reader stopped ({name}): the page needs more than {MAX_PDFIUM_MEMORY_MB} MB "
            "of memory or is malformed"
        )

    def close(self) -> None:
        self._watchdog.cancel()
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._process.stdout.close()
