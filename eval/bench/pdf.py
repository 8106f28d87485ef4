"""PDF ingestion on real published statutes: text extractors compared, and provrisk's own PDF ingestion.

Input: a folder of PDFs (by default ``real-statutes/`` beside the corpus
folder: official Singapore Statutes Online prints). Output: a dict
(:func:`run_pdf_bench`), the ``pdf_ingestion`` section of
``eval/reports/bench.{json,md}`` (``provrisk bench --pdf-only`` regenerates
only this section), with

1. per file and per text extractor (pypdf, pypdfium2, pdfminer.six, each
   called as its documentation shows for plain text, page by page): pages,
   milliseconds per page, peak memory over the process's baseline, and the
   glued-word rate;
2. per file, provrisk's ``ingest_file``: milliseconds per page (median of
   :data:`INGEST_RUNS`), peak memory of the process and of its PDFium child,
   and the glued-word rate of the text it returns;
3. OCR (``ocr="force"``: PDFium renders, Tesseract reads) of each file's first
   :data:`OCR_PAGES` pages, when Tesseract is installed: milliseconds per
   page, peak memory of the process, and the share of the words of the text
   layer (words of four letters or more, page furniture removed) that OCR
   found.

Glued-word rate (:func:`glued_word_rate`): the share of alphabetic tokens
(runs of letters) longer than :data:`GLUED_LETTERS` letters. English law has
almost no words that long ("telecommunications" has 18 letters), so such a
token is nearly always words run together by an extractor that lost the
spaces ("Thisrevisededitionincorporatesallamendmentsuptoand").

Each measurement runs in a fresh interpreter (``python -m
provrisk.eval.bench.pdf --measure ...``) so that its memory is its own: the
child reads its peak resident size after imports and after reading the file
(baseline), resets it (``/proc/self/clear_refs``), does the work, and reads it
again.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from provrisk.eval.bench.harness import print_child_result, process_status_mb, reset_peak_rss, run_child

EXTRACTORS = ("pypdf", "pypdfium2", "pdfminer.six")
GLUED_LETTERS = 20
INGEST_RUNS = 3
OCR_PAGES = 3
EXAMPLES = 3
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[A-Za-z]{4,}")


def glued_word_rate(text: str) -> tuple[float, int, list[str]]:
    """(rate, alphabetic tokens, a few glued examples): the share of letter runs over GLUED_LETTERS letters."""
    tokens = _LETTER_RUN.findall(text)
    glued = [token for token in tokens if len(token) > GLUED_LETTERS]
    return (len(glued) / len(tokens) if tokens else 0.0), len(tokens), glued[:EXAMPLES]


def default_pdf_dir(corpus_dir: Path) -> Path:
    """``real-statutes/`` beside the corpus folder (``../shared/real-statutes``)."""
    return Path(corpus_dir).resolve().parent / "real-statutes"


# -- the child: one measurement in a fresh interpreter ---------------------------------------


def _extract_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _extract_pypdfium2(path: Path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def _extract_pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfpage import PDFPage

    with path.open("rb") as handle:
        count = sum(1 for _ in PDFPage.get_pages(handle))
    return [extract_text(path, page_numbers=[index]) for index in range(count)]


_EXTRACT = {"pypdf": _extract_pypdf, "pypdfium2": _extract_pypdfium2, "pdfminer.six": _extract_pdfminer}


def _measure_extractor(name: str, path: Path) -> dict:
    extract = _EXTRACT[name]
    if name == "pdfminer.six":
        import pdfminer.high_level  # noqa: F401 - imported before the baseline, like the others
    elif name == "pypdfium2":
        import pypdfium2  # noqa: F401
    else:
        import pypdf  # noqa: F401
    path.read_bytes()  # the file in the page cache for every extractor alike
    reset_peak_rss()
    baseline = process_status_mb("VmRSS")
    started = time.perf_counter()
    pages = extract(path)
    seconds = time.perf_counter() - started
    peak = process_status_mb("VmHWM") - baseline
    rate, tokens, examples = glued_word_rate("\n".join(pages))
    return {"pages": len(pages), "seconds": seconds, "ms_per_page": 1000 * seconds / len(pages),
            "peak_mb": peak, "glued_rate": rate, "tokens": tokens, "glued_examples": examples}


def _measure_ingest(path: Path) -> dict:
    from provrisk.ingest import ingest_file
    from provrisk.ingest.pdfium_sandbox import extract_texts

    path.read_bytes()
    reset_peak_rss()
    baseline = process_status_mb("VmRSS")
    runs = []
    for _ in range(INGEST_RUNS):
        started = time.perf_counter()
        document = ingest_file(path)
        runs.append(time.perf_counter() - started)
    peak = process_status_mb("VmHWM") - baseline
    pages = int(document.metadata["pages"])
    # ingest_file does not say how large its child grew; the child reports it to extract_texts
    child_peak = extract_texts(path.read_bytes(), pages, deadline=time.monotonic() + 60, max_chars=10**9).peak_rss_mb
    rate, tokens, examples = glued_word_rate(document.text)
    return {"pages": pages, "runs_s": runs, "ms_per_page": 1000 * statistics.median(runs) / pages,
            "peak_mb": peak, "peak_kb_per_page": 1024 * peak / pages, "child_peak_rss_mb": child_peak,
            "glued_rate": rate, "tokens": tokens, "glued_examples": examples, "warnings": document.warnings}


def _measure_ocr(path: Path) -> dict:
    """OCR of the first OCR_PAGES pages of ``path`` against their text layer."""
    import tempfile

    from pypdf import PdfReader, PdfWriter

    from provrisk.ingest import ingest_file

    writer = PdfWriter()
    for page in PdfReader(path).pages[:OCR_PAGES]:
        writer.add_page(page)
    with tempfile.TemporaryDirectory(prefix="provrisk-bench-ocr-") as folder:
        first_pages = Path(folder) / path.name
        with first_pages.open("wb") as handle:
            writer.write(handle)
        layer = ingest_file(first_pages).text
        reset_peak_rss()
        baseline = process_status_mb("VmRSS")
        started = time.perf_counter()
        document = ingest_file(first_pages, ocr="force")
        seconds = time.perf_counter() - started
    peak = process_status_mb("VmHWM") - baseline
    expected = {word.lower() for word in _WORD.findall(layer)}
    found = {word.lower() for word in _WORD.findall(document.text)}
    rate, tokens, _ = glued_word_rate(document.text)
    return {"pages": OCR_PAGES, "seconds": seconds, "ms_per_page": 1000 * seconds / OCR_PAGES, "peak_mb": peak,
            "word_recall": len(expected & found) / len(expected) if expected else 0.0, "glued_rate": rate,
            "tokens": tokens, "engine": document.metadata.get("ocr", "")}


def _child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One PDF measurement in a fresh process (used by provrisk bench).")
    parser.add_argument("--measure", required=True, choices=[*EXTRACTORS, "ingest", "ocr"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.measure == "ingest":
        result = _measure_ingest(args.path)
    elif args.measure == "ocr":
        result = _measure_ocr(args.path)
    else:
        result = _measure_extractor(args.measure, args.path)
    print_child_result(result)


# -- the parent ------------------------------------------------------------------------------


def _run_child(arguments: list[str]) -> dict:
    return run_child(__name__, arguments, what=f"PDF benchmark ({' '.join(arguments)})")


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_pdf_bench(pdf_dir: Path, command: str, machine: dict) -> dict:
    """Measure every extractor and provrisk's ingestion on each ``*.pdf`` in ``pdf_dir``.

    ``command`` reproduces the run and ``machine`` (:func:`provrisk.eval.bench.harness.machine_info`) says where it ran.
    """
    pdf_dir = Path(pdf_dir)
    files = sorted(pdf_dir.glob("*.pdf"))
    if not files:
        return {"measured": False, "reason": f"not measured: no PDF files in {pdf_dir}"}
    modules = {"pypdf": "pypdf", "pypdfium2": "pypdfium2", "pdfminer.six": "pdfminer"}
    extractors = {}
    for name in EXTRACTORS:
        if not _installed(modules[name]):
            extractors[name] = {"measured": False, "reason": f"not measured: {name} is not installed (pip install -e '.[dev]')"}
            continue
        extractors[name] = {"measured": True, "files": {f.name: _run_child(["--measure", name, str(f)]) for f in files}}
    ingest = {f.name: _run_child(["--measure", "ingest", str(f)]) for f in files}
    from provrisk.ingest.ocr import tesseract_problem

    no_ocr = tesseract_problem()
    ocr = ({"measured": False, "reason": f"not measured: {no_ocr}"} if no_ocr else
           {"measured": True, "files": {f.name: _run_child(["--measure", "ocr", str(f)]) for f in files}})
    return {
        "measured": True,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine,
        "load_average": list(os.getloadavg()),
        "dir": str(pdf_dir),
        "glued_letters": GLUED_LETTERS,
        "extractors": extractors,
        "ingest": ingest,
        "ocr": ocr,
    }


if __name__ == "__main__":
    _child_main()
