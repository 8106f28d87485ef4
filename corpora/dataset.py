"""The corpus as a Hugging Face dataset of provisions.

Input: a corpus directory (``manifest.jsonl`` and ``texts/<id>.txt``).
Output: a ``datasets.Dataset`` saved with ``save_to_disk``, one row per
provision, plus ``build_info.json`` beside it with the content hash of the
inputs (manifest, texts and segmenter version) and the provision count per
instrument. Row ids are ``<instrument id>:<citation slug>``, so the same
inputs always give the same ids in the same order. A row's ``text`` is the
provision's words without its ``annotations`` (amendment notes, footnotes:
kind, text and offsets into the ingested text).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import datasets

import provrisk
from provrisk.corpora.manifest import Instrument, load_manifest, text_path
from provrisk.errors import ProvriskError
from provrisk.ingest import ingest_file
from provrisk.segment import segment_statute

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "instrument_id": datasets.Value("string"),
        "jurisdiction": datasets.Value("string"),
        "instrument_kind": datasets.Value("string"),
        "language": datasets.Value("string"),
        "citation": datasets.Value("string"),
        "path": datasets.Sequence(datasets.Value("string")),
        "heading": datasets.Value("string"),
        "text": datasets.Value("string"),
        "context": datasets.Value("string"),
        "start": datasets.Value("int64"),
        "end": datasets.Value("int64"),
        "kind": datasets.Value("string"),
        "role": datasets.Value("string"),
        "item_citations": datasets.Sequence(datasets.Value("string")),
        "text_hash": datasets.Value("string"),
        "annotations": [
            {
                "kind": datasets.Value("string"),
                "text": datasets.Value("string"),
                "start": datasets.Value("int64"),
                "end": datasets.Value("int64"),
            }
        ],
    }
)


@dataclass
class BuildResult:
    corpus_hash: str
    counts: dict[str, int]
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_provisions(self) -> int:
        return sum(self.counts.values())


def corpus_hash(corpus_dir: Path, instruments: list[Instrument]) -> str:
    """SHA-256 over the manifest, every text and the segmenter version."""
    digest = hashlib.sha256()
    digest.update(f"provrisk {provrisk.__version__}\n".encode())
    digest.update((corpus_dir / "manifest.jsonl").read_bytes())
    for instrument in instruments:
        path = text_path(corpus_dir, instrument.id)
        digest.update(instrument.id.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def provision_rows(corpus_dir: Path, instrument: Instrument) -> tuple[list[dict], list[str]]:
    """Segment one instrument into dataset rows; returns the rows and any ingest warnings."""
    document = ingest_file(text_path(corpus_dir, instrument.id))
    rows = []
    for provision in segment_statute(document.text, instrument.id):
        rows.append(
            {
                "id": provision.id,
                "instrument_id": instrument.id,
                "jurisdiction": instrument.jurisdiction,
                "instrument_kind": instrument.kind,
                "language": document.language,
                "citation": provision.citation,
                "path": provision.path,
                "heading": provision.heading or "",
                "text": provision.text,
                "context": provision.context,
                "start": provision.start,
                "end": provision.end,
                "kind": provision.kind,
                "role": provision.role,
                "item_citations": [item.citation for item in provision.items],
                "text_hash": provision.text_hash,
                "annotations": [asdict(annotation) for annotation in provision.annotations],
            }
        )
    return rows, [f"{instrument.id}: {w}" for w in document.warnings]


def build_provisions_dataset(corpus_dir: Path, out_dir: Path) -> BuildResult:
    """Segment the whole corpus and save it; an instrument that fails is reported, never dropped silently."""
    instruments = load_manifest(corpus_dir)
    result = BuildResult(corpus_hash(corpus_dir, instruments), {})
    rows: list[dict] = []
    for instrument in instruments:
        try:
            instrument_rows, warnings = provision_rows(corpus_dir, instrument)
        except ProvriskError as exc:
            result.failures[instrument.id] = str(exc)
            continue
        result.counts[instrument.id] = len(instrument_rows)
        result.warnings.extend(warnings)
        rows.extend(instrument_rows)
    info = {
        "corpus_dir": str(corpus_dir),
        "corpus_hash": result.corpus_hash,
        "provrisk_version": provrisk.__version__,
        "n_provisions": result.n_provisions,
        "counts": result.counts,
        "failures": result.failures,
    }
    save_dataset_atomically(datasets.Dataset.from_list(rows, features=FEATURES), info, out_dir)
    return result


def save_dataset_atomically(dataset: datasets.Dataset, info: dict, out_dir: Path) -> Path:
    """Save ``dataset`` with ``build_info.json`` beside it; an interrupted save never leaves half a dataset."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        dataset.save_to_disk(str(staging / "dataset"))
        (staging / "dataset" / "build_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (staging / "dataset").rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def load_provisions_dataset(out_dir: Path) -> tuple[datasets.Dataset, dict]:
    """The saved dataset and its build info."""
    out_dir = Path(out_dir)
    if not (out_dir / "build_info.json").exists():
        raise ProvriskError(f"{out_dir}: no provisions dataset here; run `provrisk corpus build` first")
    info = json.loads((out_dir / "build_info.json").read_text(encoding="utf-8"))
    return datasets.load_from_disk(str(out_dir)), info


def corpus_records(corpus_dir: Path) -> tuple[list[dict], str]:
    """Every provision of the corpus as a row dict, and the corpus hash (no dataset written)."""
    instruments = load_manifest(corpus_dir)
    rows: list[dict] = []
    for instrument in instruments:
        instrument_rows, _ = provision_rows(corpus_dir, instrument)
        rows.extend(instrument_rows)
    return rows, corpus_hash(corpus_dir, instruments)
