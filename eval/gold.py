"""Gold sets for risk labels.

``eval/gold/dev.jsonl`` holds, per provision, the instrument id, the citation,
a hash of the provision text, the adjudicated labels with a one-line rationale
each, and both annotators' original labels. The text itself is not stored: it
is joined from the corpus at load time by segmenting the instrument, and the
hash proves it is the text that was annotated. ``eval/gold/uncc_quoted.jsonl``
holds the UN Convention passages quoted verbatim in the seed analyses, with
their text (the treaty text is not in the corpus).

Output records carry ``labels`` (a list of ids) plus the provision fields the
labelling functions and models need (``text``, ``context``, ``kind`` ...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from provrisk.errors import ProvriskError
from provrisk.taxonomy import load_taxonomy

GOLD_DIR = Path(__file__).resolve().parent / "gold"
DEV_GOLD = GOLD_DIR / "dev.jsonl"
# The corpus gold files: dev (round 1) and train (later rounds) hold training instruments, test the held-out ones.
GOLD_FILES = (DEV_GOLD, GOLD_DIR / "train.jsonl", GOLD_DIR / "test.jsonl")
UNCC_GOLD = GOLD_DIR / "uncc_quoted.jsonl"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_jsonl(path: Path) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ProvriskError(f"{path}: gold file not found") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ProvriskError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
    return records


def join_gold(gold: Sequence[dict], corpus_records: Sequence[dict], source: Path = DEV_GOLD) -> list[dict]:
    """Attach corpus text to gold entries; refuse entries whose text no longer matches its hash."""
    taxonomy = load_taxonomy()
    by_key = {(r["instrument_id"], r["citation"]): r for r in corpus_records}
    joined, problems = [], []
    for entry in gold:
        taxonomy.check(entry["labels"])
        record = by_key.get((entry["instrument_id"], entry["citation"]))
        if record is None:
            problems.append(f"{entry['instrument_id']} {entry['citation']}: not found in the segmented corpus")
            continue
        if text_hash(record["text"]) != entry["text_sha256"]:
            problems.append(f"{entry['instrument_id']} {entry['citation']}: text differs from the annotated text")
            continue
        joined.append({**record, **{k: v for k, v in entry.items() if k not in ("text_sha256",)}})
    if problems:
        shown = "; ".join(problems[:5])
        raise ProvriskError(f"{source}: {len(problems)} gold entries cannot be joined to the corpus ({shown})")
    return joined


def load_uncc_gold(path: Path = UNCC_GOLD) -> list[dict]:
    records = read_jsonl(path)
    load_taxonomy().check(label for r in records for label in r["labels"])
    for record in records:
        record.setdefault("id", f"{record['instrument_id']}:{record['citation']}")
        record.setdefault("context", "")
        record.setdefault("heading", "")
        record.setdefault("instrument_kind", "treaty")
    return records
