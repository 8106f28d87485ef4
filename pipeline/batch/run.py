"""Score many statutes in worker processes, resumably, into one output folder.

Input: a folder of statutes (every ``.txt``, ``.pdf``, ``.docx``, ``.html``,
``.htm`` and ``.xml`` file directly in it, in name order; subfolders and hidden
files are not read) or a corpus (a ``manifest.jsonl``, or the folder holding
it, with the texts in ``texts/<id>.txt``; the manifest gives each instrument's
id, title and jurisdiction).

Output, under ``OUT``:

- ``reports/<instrument_id>.json`` for every statute scored (the statute report
  of :mod:`provrisk.score.report` plus a ``batch`` record: source path, source
  SHA-256, jurisdiction), and ``reports/<instrument_id>.html`` / ``.csv`` for
  the other formats asked for;
- ``failures.jsonl``: one ``{"instrument_id", "source", "error"}`` per statute
  that could not be scored in this run;
- the comparative outputs of :mod:`provrisk.batch.compare`.

Every file is written atomically. A statute whose JSON report is valid for the
same source bytes and the same model is not scored again, so a rerun after a
crash or a failure scores only what is missing; the JSON is written last, so
it is the mark that a statute is done.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from provrisk.corpora.manifest import load_manifest, text_path
from provrisk.errors import InputError
from provrisk.io import write_text_atomic
from provrisk.models.artifacts import METADATA, resolve_model_dir
from provrisk.score.report import REPORT_SCHEMA, instrument_id_for

READABLE_SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm", ".xml")
MANIFEST = "manifest.jsonl"
REPORTS = "reports"
FAILURES = "failures.jsonl"
# JSON is always written: reruns resume from it and the comparative outputs are built from it.
FORMATS = ("json", "html", "csv")
DEFAULT_FORMATS = ("json", "html")


@dataclass(frozen=True)
class BatchItem:
    """One statute to score and what the manifest (if any) says about it."""

    path: Path
    instrument_id: str
    jurisdiction: str = ""
    title: str = ""


@dataclass
class Outcome:
    item: BatchItem
    status: str  # "scored", "skipped" (a valid report from an earlier run) or "failed"
    error: str = ""


@dataclass
class BatchResult:
    inputs: list[BatchItem]
    outcomes: list[Outcome]
    outputs: dict[str, Path] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def collect_inputs(source: Path) -> list[BatchItem]:
    """The statutes named by a folder or a corpus manifest, each with a distinct instrument id."""
    source = Path(source)
    if source.is_dir() and (source / MANIFEST).exists():
        source = source / MANIFEST
    if source.is_file() and source.name == MANIFEST:
        corpus_dir = source.parent
        items = [
            BatchItem(text_path(corpus_dir, instrument.id), instrument.id, instrument.jurisdiction, instrument.title)
            for instrument in load_manifest(corpus_dir)
        ]
    elif source.is_dir():
        paths = sorted(
            p for p in source.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in READABLE_SUFFIXES
        )
        items = [BatchItem(p, instrument_id_for(p.name)) for p in paths]
    elif source.is_file():
        raise InputError(source, f"not a corpus manifest: give a folder of statutes or a file named {MANIFEST}")
    else:
        raise InputError(source, "no such folder or manifest")
    if not items:
        raise InputError(source, f"no statutes to score (looked for {', '.join(READABLE_SUFFIXES)} files)")
    return _distinct_ids(items)


def ignored_files(source: str | Path) -> list[Path]:
    """Files in a statutes folder that ``collect_inputs`` leaves out (not a statute format), to be reported."""
    source = Path(source)
    if not source.is_dir() or (source / MANIFEST).exists():
        return []
    return sorted(
        p for p in source.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in READABLE_SUFFIXES
    )


def _distinct_ids(items: list[BatchItem]) -> list[BatchItem]:
    """``act.txt`` and ``act.pdf`` both map to ``act``: later ones get ``act-2``, ``act-3`` so no report is overwritten."""
    used: set[str] = set()
    out = []
    for item in items:
        candidate, number = item.instrument_id, 2
        while candidate in used:
            candidate, number = f"{item.instrument_id}-{number}", number + 1
        used.add(candidate)
        out.append(item if candidate == item.instrument_id else BatchItem(item.path, candidate, item.jurisdiction, item.title))
    return out


def file_sha256(path: Path) -> str | None:
    try:
        with Path(path).open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def model_identity(model: str | Path | None) -> dict:
    """Name and training time of a model directory, read without loading the weights."""
    directory = resolve_model_dir(model)
    metadata = json.loads((directory / METADATA).read_text(encoding="utf-8"))
    return {"name": directory.name, "trained_at": metadata.get("trained_at")}


def read_report(path: Path) -> dict | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


def is_current(document: dict | None, item: BatchItem, sha256: str | None, model: dict) -> bool:
    """Whether a stored report is of these source bytes, under this id and manifest entry, by this model."""
    if document is None or sha256 is None or document.get("schema") != REPORT_SCHEMA:
        return False
    batch = document.get("batch") or {}
    instrument = document.get("instrument") or {}
    stored_model = document.get("model") or {}
    return (
        batch.get("source_sha256") == sha256
        and instrument.get("id") == item.instrument_id
        # A corrected title or jurisdiction in the manifest must reach the reports and the comparison.
        and batch.get("jurisdiction") == item.jurisdiction
        and (not item.title or instrument.get("title") == item.title)
        and stored_model.get("name") == model["name"]
        and stored_model.get("trained_at") == model["trained_at"]
        and isinstance(document.get("provisions"), list)
        and isinstance(document.get("profile"), dict)
    )


def render(document: dict, fmt: str) -> str:
    if fmt == "json":
        from provrisk.score.formats import report_json

        return report_json(document)
    if fmt == "csv":
        from provrisk.score.formats import report_csv

        return report_csv(document)
    from provrisk.score.html import report_html

    return report_html(document)


def write_reports(document: dict, reports_dir: Path, formats: tuple[str, ...]) -> None:
    """The other formats first, the JSON last: a JSON report means every format of it is on disk."""
    instrument_id = document["instrument"]["id"]
    for fmt in [f for f in formats if f != "json"] + ["json"]:
        write_text_atomic(reports_dir / f"{instrument_id}.{fmt}", render(document, fmt))


# Set once per worker process by the pool's initializer, so the model is loaded once per worker.
_worker_model = None


def _load_worker_model(model: str | None) -> None:
    global _worker_model
    from provrisk.models.artifacts import load_model_dir

    _worker_model = load_model_dir(model)


def score_item(
    item: BatchItem, reports_dir: Path, formats: tuple[str, ...], max_bytes: int | None, ocr: str = "never"
) -> Outcome:
    """Score one statute in a worker; any failure becomes the outcome's one-line error, never an exception."""
    from provrisk.score.report import score_document

    try:
        # Hashed before reading: if the file changes meanwhile, the next run sees a mismatch and scores it again.
        sha256 = file_sha256(item.path)
        document = score_document(item.path, _worker_model, max_bytes=max_bytes, instrument_id=item.instrument_id, ocr=ocr)
        if item.title:
            document["instrument"]["title"] = item.title
        if item.jurisdiction:
            document["instrument"]["metadata"]["jurisdiction"] = item.jurisdiction
        document["batch"] = {"source": str(item.path), "source_sha256": sha256, "jurisdiction": item.jurisdiction}
        write_reports(document, reports_dir, formats)
    except InputError as exc:
        return Outcome(item, "failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - one statute's bug must not stop the other 39
        return Outcome(item, "failed", f"{item.path}: unexpected failure: {type(exc).__name__}: {exc}")
    return Outcome(item, "scored")


def run_batch(
    items: list[BatchItem],
    out: Path,
    *,
    model: str | None = None,
    workers: int | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    max_bytes: int | None = None,
    ocr: str = "never",
    on_done: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Score every item not already scored, then rebuild the comparative outputs from all reports.

    ``ocr``: whether PDF pages without a text layer are read by OCR (see :func:`~provrisk.ingest.ingest_file`).
    """
    from provrisk.batch.compare import write_comparison

    out = Path(out)
    reports_dir = out / REPORTS
    reports_dir.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(("json", *formats)))
    identity = model_identity(model)
    outcomes: dict[str, Outcome] = {}
    todo = []
    for item in items:
        document = read_report(reports_dir / f"{item.instrument_id}.json")
        if is_current(document, item, file_sha256(item.path), identity):
            # A report whose HTML or CSV was deleted is re-rendered from its JSON, not re-scored.
            for fmt in formats:
                if fmt != "json" and not (reports_dir / f"{item.instrument_id}.{fmt}").exists():
                    write_text_atomic(reports_dir / f"{item.instrument_id}.{fmt}", render(document, fmt))
            outcomes[item.instrument_id] = Outcome(item, "skipped")
            if on_done is not None:
                on_done(outcomes[item.instrument_id])
        else:
            todo.append(item)
    if todo:
        workers = max(1, min(workers or default_workers(), len(todo)))
        # spawn, not fork: the parent runs a progress thread, and forking a threaded process can deadlock.
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_worker_model,
            initargs=(model,),
        )
        try:
            futures = {pool.submit(score_item, item, reports_dir, formats, max_bytes, ocr): item for item in todo}
            for future in as_completed(futures):
                item = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    outcome = Outcome(item, "failed", f"{item.path}: not scored: a worker process stopped unexpectedly "
                                                      "(out of memory, or the model failed to load: see the messages above); "
                                                      "run again to retry")
                outcomes[item.instrument_id] = outcome
                if on_done is not None:
                    on_done(outcome)
        finally:
            # On Ctrl+C, statutes not yet started are dropped rather than scored; a rerun picks them up.
            pool.shutdown(cancel_futures=True)
    ordered = [outcomes[item.instrument_id] for item in items]
    for outcome in ordered:
        if outcome.status == "failed":
            # A statute that scored earlier but fails now must not be compared on its stale report.
            for fmt in FORMATS:
                (reports_dir / f"{outcome.item.instrument_id}.{fmt}").unlink(missing_ok=True)
    write_text_atomic(
        out / FAILURES,
        "".join(
            json.dumps({"instrument_id": o.item.instrument_id, "source": str(o.item.path), "error": o.error}, ensure_ascii=False) + "\n"
            for o in ordered
            if o.status == "failed"
        ),
    )
    result = BatchResult(items, ordered)
    assert result.count("scored") + result.count("skipped") + result.count("failed") == len(items)
    documents = [read_report(reports_dir / f"{o.item.instrument_id}.json") for o in ordered if o.status != "failed"]
    result.outputs = write_comparison(
        [d for d in documents if d is not None],
        [{"instrument_id": o.item.instrument_id, "source": str(o.item.path), "error": o.error} for o in result.failures],
        out,
        html_reports="html" in formats,
    )
    result.outputs[FAILURES] = out / FAILURES
    return result


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)

