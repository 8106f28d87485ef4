"""Score many statutes in worker processes, resumably, into one output folder.

Input: a folder of statutes (every ``.txt``, ``.pdf``, ``.docx``, ``.html``,
``.htm`` and ``.xml`` file directly in it, in name order, and every ``.md`` and
``.odt`` file, which fails as ``provrisk score`` refuses it; subfolders and hidden
files are not read) or a corpus (a ``manifest.jsonl``, or the folder holding
it, with the texts in ``texts/<id>.txt``; the manifest gives each instrument's
id, title and jurisdiction).

What is read: only regular files inside the folder or corpus. A symbolic link
that leads outside it is refused unless ``follow_symlinks``; a FIFO, socket,
device or broken link is refused (each a failure naming the file, never a hang
or a silent skip). A manifest id must be a safe file name
(:data:`INSTRUMENT_ID`), because reports are named after it; a manifest with
any other id is refused before anything is written.

Output, under ``OUT`` and nowhere else (:func:`output_path` refuses any
path that would resolve outside it, through ``..`` or a symbolic link):

- ``reports/<instrument_id>.json`` for every statute scored (the statute report
  of :mod:`provrisk.score.report` plus a ``batch`` record: source path, source
  SHA-256, jurisdiction), and ``reports/<instrument_id>.html`` / ``.csv`` for
  the other formats asked for;
- ``reports/<instrument_id>.sha256``: the SHA-256 of each of those files, in
  ``sha256sum`` format (``cd reports && sha256sum -c <id>.sha256`` checks them);
- ``failures.jsonl``: one ``{"instrument_id", "source", "error"}`` per statute
  that could not be scored in this run;
- the comparative outputs of :mod:`provrisk.batch.compare`.

Every file is written atomically. The checksum file is written last and is the
mark that a statute is done: a rerun skips a statute only when its checksums
match every file they list and its JSON report is of the same source bytes,
manifest entry and model. A statute whose JSON no longer matches (truncated,
edited) is scored again; an HTML or CSV report that is missing or no longer
matches is rendered again from the verified JSON.

Worker processes die with the batch (:func:`provrisk.lifetime.die_with_parent`):
``kill -9`` of ``provrisk batch`` leaves no worker running.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from provrisk.corpora.manifest import load_manifest, text_path
from provrisk.errors import InputError
from provrisk.ingest import READABLE_SUFFIXES, REFUSED_SUFFIXES
from provrisk.io import write_text_atomic
from provrisk.models.artifacts import read_metadata, resolve_model_dir
from provrisk.score.report import REPORT_SCHEMA, instrument_id_for

if TYPE_CHECKING:
    from provrisk.compare.config import CompareConfig

MANIFEST = "manifest.jsonl"
REPORTS = "reports"
FAILURES = "failures.jsonl"
CHECKSUMS = "sha256"  # reports/<id>.sha256
# JSON is always written: reruns resume from it and the comparative outputs are built from it.
FORMATS = ("json", "html", "csv")
DEFAULT_FORMATS = ("json", "html")
# A manifest id names report files: letters, digits, ".", "_" and "-", not starting with "." or "-".
INSTRUMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFDIR: "a directory"}


@dataclass(frozen=True)
class BatchItem:
    """One statute to score, what the manifest (if any) says about it, and why it cannot be read (if so)."""

    path: Path
    instrument_id: str
    jurisdiction: str = ""
    title: str = ""
    root: Path | None = None  # the folder or corpus it belongs to
    follow_symlinks: bool = False  # read it even through a link that leads out of root
    problem: str = ""  # set when collect_inputs already knows the file cannot be read


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


def collect_inputs(source: Path, *, follow_symlinks: bool = False) -> list[BatchItem]:
    """The statutes named by a folder or a corpus manifest, each with a distinct instrument id.

    An item that cannot be read safely (outside the corpus through a symbolic
    link, not a regular file) carries its ``problem`` and is reported as a failure.
    """
    source = Path(source)
    if source.is_dir() and (source / MANIFEST).exists():
        source = source / MANIFEST
    if source.name == MANIFEST and source.exists():
        if not source.is_file():
            raise InputError(source, f"not a regular file ({_file_kind(source)})")
        corpus_dir = source.parent
        instruments = load_manifest(corpus_dir)
        for instrument in instruments:
            if not INSTRUMENT_ID.fullmatch(instrument.id):
                raise InputError(
                    source,
                    f"instrument id {json.dumps(instrument.id)} is not a safe file name: use letters, digits, '.', "
                    "'_' and '-' (at most 128, not starting with '.' or '-')",
                )
        items = [
            BatchItem(text_path(corpus_dir, instrument.id), instrument.id, instrument.jurisdiction, instrument.title)
            for instrument in instruments
        ]
    elif source.is_dir():
        corpus_dir = source
        # A refused format (.md, .odt) is listed too: it fails with the message `provrisk score` gives it.
        paths = sorted(
            p for p in source.iterdir()
            if not p.name.startswith(".") and p.suffix.lower() in (*READABLE_SUFFIXES, *REFUSED_SUFFIXES)
            and not _is_folder(p)
        )
        items = [BatchItem(p, instrument_id_for(p.name)) for p in paths]
    elif source.is_file():
        raise InputError(source, f"not a corpus manifest: give a folder of statutes or a file named {MANIFEST}")
    else:
        raise InputError(source, "no such folder or manifest")
    if not items:
        raise InputError(source, f"no statutes to score (looked for {', '.join(READABLE_SUFFIXES)} files)")
    items = [replace(item, root=corpus_dir, follow_symlinks=follow_symlinks) for item in items]
    return _distinct_ids([replace(item, problem=source_problem(item)) for item in items])


def _is_folder(path: Path) -> bool:
    """A subfolder (not read), as opposed to a link to one, which is a file the user named and gets an error."""
    return path.is_dir() and not path.is_symlink()


def source_problem(item: BatchItem) -> str:
    """Why ``item.path`` must not be read ("" when it may): outside its root through a link, or not a regular file."""
    path, corpus_dir = item.path, item.root or item.path.parent
    if not os.path.lexists(path):
        return ""  # reported by ingestion as "file not found" when it is read
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"{path}: broken symbolic link (it leads to {os.readlink(path) if path.is_symlink() else 'nothing'})"
    if not item.follow_symlinks and not resolved.is_relative_to(Path(corpus_dir).resolve()):
        return (f"{path}: a symbolic link to {resolved}, outside {corpus_dir}; provrisk does not follow links out "
                "of a corpus (pass --follow-symlinks to read it)")
    kind = _file_kind(resolved)
    if kind != "a regular file":
        return f"{path}: not a regular file ({kind}); provrisk reads only regular files"
    return ""


def _file_kind(path: Path) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"unreadable: {error.strerror}"
    return "a regular file" if stat.S_ISREG(mode) else _FILE_KINDS.get(stat.S_IFMT(mode), "not a file")


def ignored_files(source: str | Path) -> list[Path]:
    """Files in a statutes folder that ``collect_inputs`` leaves out (not a statute format), to be reported."""
    source = Path(source)
    if not source.is_dir() or (source / MANIFEST).exists():
        return []
    return sorted(
        p for p in source.iterdir()
        if not p.name.startswith(".") and p.suffix.lower() not in (*READABLE_SUFFIXES, *REFUSED_SUFFIXES)
        and not _is_folder(p)
    )


def _distinct_ids(items: list[BatchItem]) -> list[BatchItem]:
    """``act.txt`` and ``act.pdf`` both map to ``act``: later ones get ``act-2``, ``act-3`` so no report is overwritten.

    Ids are compared ignoring case, so ``Act`` and ``act`` cannot overwrite each
    other on a file system that ignores case either.
    """
    used: set[str] = set()
    out = []
    for item in items:
        candidate, number = item.instrument_id, 2
        while candidate.casefold() in used:
            candidate, number = f"{item.instrument_id}-{number}", number + 1
        used.add(candidate.casefold())
        out.append(item if candidate == item.instrument_id else replace(item, instrument_id=candidate))
    return out


def output_path(out: Path, *parts: str) -> Path:
    """``out/parts...``, refused (InputError) unless its folder stays inside ``out`` once links and ``..`` are resolved.

    The file itself may be a link: outputs are replaced or unlinked, never written through.
    """
    out = Path(out)
    path = out.joinpath(*parts)
    if path.name in ("", ".", "..") or not path.parent.resolve().is_relative_to(out.resolve()):
        raise InputError(path, f"would be written outside the output folder {out}; refusing")
    return path


def report_path(out: Path, instrument_id: str, suffix: str) -> Path:
    """``OUT/reports/<instrument_id>.<suffix>``; the id must be a safe file name (InputError otherwise)."""
    if not INSTRUMENT_ID.fullmatch(instrument_id):
        raise InputError(instrument_id, "not a safe file name for a report")
    return output_path(out, REPORTS, f"{instrument_id}.{suffix}")


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes; None for anything else (a FIFO is never opened for reading: it could block)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return hashlib.file_digest(handle, "sha256").hexdigest()


def model_identity(model: str | Path | None) -> dict:
    """Name and training time of a model directory, read without loading the weights."""
    directory = resolve_model_dir(model)
    return {"name": directory.name, "trained_at": read_metadata(directory).get("trained_at")}


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


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_checksums(out: Path, instrument_id: str) -> dict[str, str]:
    """format -> SHA-256 recorded for a statute's reports ({} when there is no valid checksum file)."""
    try:
        lines = report_path(out, instrument_id, CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    recorded = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        stem, _, fmt = name.rpartition(".")
        if stem != instrument_id or fmt not in FORMATS or not re.fullmatch(r"[0-9a-f]{64}", digest):
            return {}
        recorded[fmt] = digest
    return recorded if "json" in recorded else {}


def verified(out: Path, instrument_id: str, fmt: str, recorded: dict[str, str]) -> bool:
    """Whether a report file exists and has the SHA-256 its checksum file records."""
    return fmt in recorded and file_sha256(report_path(out, instrument_id, fmt)) == recorded[fmt]


def write_reports(document: dict, out: Path, formats: tuple[str, ...], kept: dict[str, str] | None = None) -> None:
    """Every format asked for, then the checksum file: a checksum file means every report it lists is on disk.

    ``kept``: formats already on disk and verified (format -> SHA-256), left as
    they are; a report of another format, rendered from an older report, is removed.
    """
    instrument_id = document["instrument"]["id"]
    checksums = dict(kept or {})
    for fmt in formats:
        if fmt in checksums:
            continue
        text = render(document, fmt)
        write_text_atomic(report_path(out, instrument_id, fmt), text)
        checksums[fmt] = _sha256_text(text)
    for fmt in FORMATS:
        if fmt not in checksums:
            report_path(out, instrument_id, fmt).unlink(missing_ok=True)
    listing = "".join(f"{checksums[fmt]}  {instrument_id}.{fmt}\n" for fmt in FORMATS if fmt in checksums)
    write_text_atomic(report_path(out, instrument_id, CHECKSUMS), listing)


# Set once per worker process (by the pool's initializer, or on a Spark executor), so the model is loaded once per worker.
_worker_model = None


def _init_worker(parent_pid: int, model: str | None) -> None:
    from provrisk.lifetime import die_with_parent

    die_with_parent(parent_pid)
    load_worker_model(model)


def load_worker_model(model: str | Path | None) -> None:
    """Load the model this worker process scores with, unless it already has it."""
    global _worker_model
    from provrisk.models.artifacts import load_model_dir, resolve_model_dir

    if _worker_model is None or _worker_model.path != resolve_model_dir(model):
        _worker_model = load_model_dir(model)


def score_item(
    item: BatchItem, out: Path, formats: tuple[str, ...], max_bytes: int | None, ocr: str = "never",
    data: bytes | None = None,
) -> Outcome:
    """Score one statute in a worker and write its reports; any failure becomes the outcome's one-line error.

    ``data``: the file's bytes when the engine has read them already (Spark's
    ``binaryFile`` source); otherwise the worker reads ``item.path`` itself.
    Either way the report is the same, down to its ``source``.
    """
    from provrisk.ingest import ingest_file_bytes
    from provrisk.score.report import score_document, score_ingested

    try:
        if data is None:
            # Checked again here: the file may have been replaced (by a link, a FIFO) since it was listed.
            problem = source_problem(item)
            if problem:
                return Outcome(item, "failed", problem)
            # Hashed before reading: if the file changes meanwhile, the next run sees a mismatch and scores it again.
            sha256 = file_sha256(item.path)
            document = score_document(item.path, _worker_model, max_bytes=max_bytes, instrument_id=item.instrument_id, ocr=ocr)
        else:
            sha256 = hashlib.sha256(data).hexdigest()
            kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
            document = score_ingested(ingest_file_bytes(data, item.path, ocr=ocr, **kwargs), _worker_model,
                                      instrument_id=item.instrument_id)
        if item.title:
            document["instrument"]["title"] = item.title
        if item.jurisdiction:
            document["instrument"]["metadata"]["jurisdiction"] = item.jurisdiction
        document["batch"] = {"source": str(item.path), "source_sha256": sha256, "jurisdiction": item.jurisdiction}
        write_reports(document, out, formats)
    except InputError as exc:
        return Outcome(item, "failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - one statute's bug must not stop the other 39
        return Outcome(item, "failed", f"{item.path}: unexpected failure: {type(exc).__name__}: {exc}")
    return Outcome(item, "scored")


def _resume(item: BatchItem, out: Path, formats: tuple[str, ...], identity: dict) -> bool:
    """Whether ``item`` is already done: its JSON verified and current (the other formats re-rendered if needed)."""
    recorded = read_checksums(out, item.instrument_id)
    if not verified(out, item.instrument_id, "json", recorded):
        return False
    document = read_report(report_path(out, item.instrument_id, "json"))
    if not is_current(document, item, file_sha256(item.path), identity):
        return False
    good = {fmt: recorded[fmt] for fmt in recorded if verified(out, item.instrument_id, fmt, recorded)}
    if any(fmt not in good for fmt in formats) or good.keys() != recorded.keys():
        # A report missing, truncated or edited is rendered again from the verified JSON, not re-scored.
        write_reports(document, out, formats, good)
    return True


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
    align_to: dict | None = None,
    compare_config: CompareConfig | None = None,
    engine: str = "processes",
    spark_master: str | None = None,
) -> BatchResult:
    """Score every item not already scored, then rebuild the comparative outputs from all reports.

    ``engine``: "processes" (worker processes on this machine) or "spark"
    (:mod:`provrisk.batch.spark`; ``spark_master`` as ``spark-submit --master``,
    default Spark's own); both score with :func:`score_item` and write the same outputs.
    ``ocr``: whether PDF pages without a text layer are read by OCR (see :func:`~provrisk.ingest.ingest_file`).
    ``align_to``: a treaty's statute report; every law is then aligned with it
    (:mod:`provrisk.batch.alignment`) under ``compare_config`` (default: ``configs/compare.yaml``).
    """
    from provrisk.batch.compare import write_comparison

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    output_path(out, REPORTS).mkdir(exist_ok=True)
    formats = tuple(dict.fromkeys(("json", *formats)))
    identity = model_identity(model)
    outcomes: dict[str, Outcome] = {}
    todo = []
    for item in items:
        if item.problem:
            outcomes[item.instrument_id] = Outcome(item, "failed", item.problem)
        elif _resume(item, out, formats, identity):
            outcomes[item.instrument_id] = Outcome(item, "skipped")
        else:
            todo.append(item)
            continue
        if on_done is not None:
            on_done(outcomes[item.instrument_id])
    if todo:
        if engine == "spark":
            from provrisk.batch.spark import score_with_spark

            scored = score_with_spark(todo, out, formats=formats, model=model, max_bytes=max_bytes, ocr=ocr,
                                      spark_master=spark_master)
        else:
            scored = score_in_processes(todo, out, formats=formats, model=model, workers=workers, max_bytes=max_bytes,
                                        ocr=ocr)
        for outcome in scored:
            outcomes[outcome.item.instrument_id] = outcome
            if on_done is not None:
                on_done(outcome)
        for item in todo:
            if item.instrument_id not in outcomes:
                # A batch never drops a statute silently, whatever the engine did.
                outcomes[item.instrument_id] = Outcome(item, "failed", f"{item.path}: not scored: the {engine} engine "
                                                                       "returned no result for it; run again to retry")
                if on_done is not None:
                    on_done(outcomes[item.instrument_id])
    ordered = [outcomes[item.instrument_id] for item in items]
    for outcome in ordered:
        if outcome.status == "failed":
            # A statute that scored earlier but fails now must not be compared on its stale report.
            for suffix in (CHECKSUMS, *FORMATS):
                report_path(out, outcome.item.instrument_id, suffix).unlink(missing_ok=True)
    write_text_atomic(
        output_path(out, FAILURES),
        "".join(
            json.dumps({"instrument_id": o.item.instrument_id, "source": str(o.item.path), "error": o.error}, ensure_ascii=False) + "\n"
            for o in ordered
            if o.status == "failed"
        ),
    )
    result = BatchResult(items, ordered)
    assert result.count("scored") + result.count("skipped") + result.count("failed") == len(items)
    documents = [d for d in (read_report(report_path(out, o.item.instrument_id, "json")) for o in ordered if o.status != "failed")
                 if d is not None]
    alignment = None
    if align_to is not None:
        from provrisk.batch.alignment import write_alignment
        from provrisk.compare.config import load_compare_config

        # A statute not assessed has no labels to align; the index lists it apart.
        assessed = [d for d in documents if d["assessment"]["assessed"]]
        alignment = write_alignment(assessed, align_to, compare_config or load_compare_config(), out)
    result.outputs = write_comparison(
        documents,
        [{"instrument_id": o.item.instrument_id, "source": str(o.item.path), "error": o.error} for o in result.failures],
        out,
        html_reports="html" in formats,
        alignment=alignment,
    )
    result.outputs[FAILURES] = out / FAILURES
    return result


def score_in_processes(
    todo: list[BatchItem], out: Path, *, formats: tuple[str, ...], model: str | None, workers: int | None,
    max_bytes: int | None, ocr: str,
) -> Iterator[Outcome]:
    """Score ``todo`` in worker processes on this machine, yielding each outcome as it comes."""
    workers = max(1, min(workers or default_workers(), len(todo)))
    # spawn, not fork: the parent runs a progress thread, and forking a threaded process can deadlock.
    # Workers are started by submit() in this thread, which lives as long as the batch (see die_with_parent).
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(os.getpid(), model),
    )
    try:
        futures = {pool.submit(score_item, item, out, formats, max_bytes, ocr): item for item in todo}
        for future in as_completed(futures):
            item = futures[future]
            try:
                yield future.result()
            except BrokenProcessPool:
                yield Outcome(item, "failed", f"{item.path}: not scored: a worker process stopped unexpectedly "
                                              "(out of memory, or the model failed to load: see the messages above); "
                                              "run again to retry")
    finally:
        # On Ctrl+C, statutes not yet started are dropped rather than scored; a rerun picks them up.
        pool.shutdown(cancel_futures=True)


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)

