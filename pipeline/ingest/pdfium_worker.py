"""The PDFium child process: reads one untrusted PDF under operating-system limits.

Run as a script (``python -I pdfium_worker.py REQUEST_JSON``) by
:mod:`provrisk.ingest.pdfium_sandbox`, never imported by provrisk itself. It
imports only the standard library and pypdfium2, so it starts in tens of
milliseconds.

Input: the PDF's bytes on stdin; ``REQUEST_JSON`` holds ``mode`` ("text" or
"render"), ``memory_mb`` and ``cpu_seconds`` (the limits it sets on itself
before PDFium sees a byte), and per mode:

- text: ``first_page`` (1-based) and ``max_chars``, the text budget;
- render: ``pages`` (1-based numbers), ``dpi`` and ``max_pixels`` (a larger
  page is rendered at a lower resolution).

Output on stdout, one record per line, each a JSON object; a record with
``"bytes": n`` is followed by n raw bytes:

- ``{"page": n, "text": "..."}`` or ``{"page": n, "error": "..."}`` (text mode);
- ``{"page": n, "bytes": k}`` and a binary PGM image (render mode);
- ``{"over_budget": n}``: page n took the text past ``max_chars``;
- ``{"error": "..."}``: the document cannot be opened;
- ``{"end": true, "peak_rss_mb": m}``: every requested page was handled;
  m is this process's peak resident memory (for the benchmark).

Why a child process: PDFium is C++. A crafted file can make it inflate a
1 GB stream or build a text page of 50 million characters, and nothing inside
the process can stop it; a memory-safety bug would take the caller with it.
Here the address-space and CPU limits end such a file with this process
(PDFium aborts when an allocation fails), and the parent reads that as "this
page could not be read". Core dumps are off, so a crash leaves no copy of the
document on disk.
"""

from __future__ import annotations

import json
import resource
import sys

MB = 1024 * 1024


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    _limit_resources(request["memory_mb"], request["cpu_seconds"])
    import pypdfium2 as pdfium  # after the limits, so that loading PDFium counts against them

    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        _emit(out, {"error": str(error)})
        return 0
    if request["mode"] == "text":
        _texts(document, request["first_page"], request["max_chars"], out, pdfium.PdfiumError)
    else:
        _render(document, request["pages"], request["dpi"], request["max_pixels"], out)
    _emit(out, {"end": True, "peak_rss_mb": _peak_rss_mb()})
    return 0


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file; stdout is a pipe


def _texts(document, first_page: int, max_chars: int, out, pdfium_error: type[Exception]) -> None:
    """Each page's text from ``first_page`` on, until the character budget is spent."""
    total = 0
    for number in range(first_page, len(document) + 1):
        try:
            page = document[number - 1]
            text_page = page.get_textpage()
            chars = text_page.count_chars()
            total += chars
            if total > max_chars:
                _emit(out, {"over_budget": number})
                return
            _emit(out, {"page": number, "text": text_page.get_text_range()})
            text_page.close()
            page.close()
        except pdfium_error as error:
            _emit(out, {"page": number, "error": str(error)})


def _render(document, pages: list[int], dpi: int, max_pixels: int, out) -> None:
    """Each requested page as an 8-bit grey PGM image at ``dpi`` (lower for a page over ``max_pixels``)."""
    for number in pages:
        page = document[number - 1]
        width, height = page.get_size()  # in points, 1/72 inch
        scale = min(dpi / 72, (max_pixels / max(width * height, 1.0)) ** 0.5)
        bitmap = page.render(scale=scale, grayscale=True)  # one byte per pixel
        pixels = bytes(bitmap.buffer)
        if bitmap.stride != bitmap.width:
            pixels = b"".join(
                pixels[row * bitmap.stride : row * bitmap.stride + bitmap.width] for row in range(bitmap.height)
            )
        pgm = b"P5\n%d %d\n255\n" % (bitmap.width, bitmap.height) + pixels
        _emit(out, {"page": number, "bytes": len(pgm)}, pgm)
        bitmap.close()
        page.close()


def _emit(out, record: dict, payload: bytes = b"") -> None:
    out.write(json.dumps(record).encode("utf-8") + b"\n" + payload)
    out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
