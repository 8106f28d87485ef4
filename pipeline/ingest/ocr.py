"""OCR of PDF pages without a text layer: PDFium renders each page, Tesseract reads it.

Input: a PDF's bytes and the 1-based numbers of the pages to read. Output
(:func:`ocr_pages`): each page's text as Tesseract gives it (lines as printed),
and warnings for pages it could not read. :func:`tesseract_problem` says, in
one sentence a user can act on, why OCR is not available here ("" when it is).

Pages are rendered at :data:`OCR_DPI` in grey (a page larger than
:data:`MAX_OCR_PIXELS` at a lower resolution) by PDFium in its sandboxed child
process (:func:`~provrisk.ingest.pdfium_sandbox.render_pages`) and passed to
Tesseract on stdin; nothing is written to disk. Tesseract (English, ``-l
eng``) runs once per page under :data:`MAX_TESSERACT_MEMORY_MB` of address
space and one CPU thread, and is killed after :data:`OCR_PAGE_SECONDS`; all
pages together must finish within :data:`MAX_OCR_SECONDS`, and at most
:data:`MAX_OCR_PAGES` pages are read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from functools import lru_cache

from ..errors import InputError
from .pdfium_sandbox import RenderStopped, render_pages

OCR_MODES = ("auto", "never", "force")
OCR_DPI = 300  # what Tesseract is trained for; 200 dpi read "(ii)" as "(11)" more often
MAX_OCR_PIXELS = 25_000_000  # an A3 page at 300 dpi is 17 million
OCR_PAGE_SECONDS = 60.0  # a 300-dpi statute page takes 1 to 3 s on one core
MAX_OCR_SECONDS = 1800.0
MAX_OCR_PAGES = 500
MAX_TESSERACT_MEMORY_MB = 1024
TESSERACT_COMMAND = "tesseract"
TESSERACT_PACKAGES = "tesseract-ocr tesseract-ocr-eng"
HOW_TO_INSTALL = (
    f"install it with `apt-get install {TESSERACT_PACKAGES}` (Debian/Ubuntu, as root; `make ocr` does it) "
    "or your system's Tesseract package with English data, then run again"
)
# Started with ``python -I -c``: limits itself, then becomes Tesseract (no preexec_fn, which is unsafe in threads).
_LIMITED_EXEC = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1]) * 1024 * 1024\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def tesseract_problem() -> str:
    """Why OCR cannot run here, with what to install; "" when Tesseract and its English data are there."""
    return _tesseract_problem(shutil.which(TESSERACT_COMMAND) or "")


@lru_cache(maxsize=4)
def _tesseract_problem(path: str) -> str:
    if not path:
        return f"OCR needs Tesseract, which is not installed: {HOW_TO_INSTALL}"
    try:
        listed = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"OCR needs Tesseract, which does not run here ({type(error).__name__}): {HOW_TO_INSTALL}"
    if "eng" not in listed.stdout.split():
        return f"OCR needs Tesseract's English data, which is not installed: {HOW_TO_INSTALL}"
    return ""


def tesseract_version() -> str:
    """"tesseract 5.3.0" or ""."""
    return _tesseract_version(shutil.which(TESSERACT_COMMAND) or "")


@lru_cache(maxsize=4)
def _tesseract_version(path: str) -> str:
    if not path:
        return ""
    completed = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    lines = (completed.stdout or completed.stderr).splitlines()
    return lines[0].strip() if lines else ""


def ocr_pages(data: bytes, pages: list[int], source: str) -> tuple[dict[int, str], list[str]]:
    """Tesseract's text of each of ``pages`` (1-based), and warnings; InputError past the page or time limit."""
    if len(pages) > MAX_OCR_PAGES:
        raise InputError(
            source, f"{len(pages)} pages need OCR, more than the limit of {MAX_OCR_PAGES}; split the PDF and try again"
        )
    tesseract = shutil.which(TESSERACT_COMMAND)
    deadline = time.monotonic() + MAX_OCR_SECONDS
    texts: dict[int, str] = {}
    failed: list[str] = []
    try:
        for number, image in render_pages(data, pages, dpi=OCR_DPI, max_pixels=MAX_OCR_PIXELS, deadline=deadline):
            text, problem = _read_page(tesseract, image, deadline)
            if problem:
                failed.append(f"page {number}: {problem}")
            else:
                texts[number] = text
    except RenderStopped as stopped:
        if time.monotonic() >= deadline:
            raise InputError(source, _out_of_time(len(texts), len(pages))) from None
        failed.append(f"page {stopped.page} could not be rendered for OCR ({stopped.reason}); pages after it were not read")
    if time.monotonic() >= deadline and len(texts) + len(failed) < len(pages):
        raise InputError(source, _out_of_time(len(texts), len(pages)))
    warnings = [f"OCR could not read {len(failed)} page(s), whose text is missing: " + "; ".join(failed)] if failed else []
    return texts, warnings


def _read_page(tesseract: str | None, image: bytes, deadline: float) -> tuple[str, str]:
    """(text, "") or ("", why not)."""
    timeout = min(OCR_PAGE_SECONDS, max(deadline - time.monotonic(), 0.1))
    command = [sys.executable, "-I", "-c", _LIMITED_EXEC, str(MAX_TESSERACT_MEMORY_MB), tesseract or TESSERACT_COMMAND,
               "stdin", "stdout", "-l", "eng", "--dpi", str(OCR_DPI)]
    environment = {"OMP_THREAD_LIMIT": "1", **{k: os.environ[k] for k in ("TESSDATA_PREFIX",) if k in os.environ}}
    try:
        completed = subprocess.run(command, input=image, capture_output=True, timeout=timeout, env=environment, check=False)
    except subprocess.TimeoutExpired:
        return "", f"Tesseract took more than {timeout:.0f} s"
    except OSError as error:
        return "", f"Tesseract could not be started ({error.strerror or type(error).__name__})"
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        return "", f"Tesseract failed ({reason[-1][:120] if reason else f'exit status {completed.returncode}'})"
    return completed.stdout.decode("utf-8", "replace"), ""


def _out_of_time(done: int, wanted: int) -> str:
    return (f"OCR took more than {MAX_OCR_SECONDS:g} s ({done} of {wanted} pages read); "
            "split the PDF and try again")
