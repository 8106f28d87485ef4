"""Re-anchor gold entries after a segmenter change moved or trimmed the provisions they label.

Gold stores a citation and the SHA-256 of the annotated text, never the text
(the corpus is third-party data). When the segmenter changes, an entry's
provision may keep its citation but lose furniture (an amendment note such as
"[Act 16 of 2023 wef 08/02/2024]", a running header), or move to another
citation. This module maps each entry that no longer joins to the provision
that now holds its text.

Input: a gold JSONL; a snapshot JSONL of the texts as annotated (lines with
``instrument_id`` or ``instrument``, ``citation`` and ``text``: the one the
sampler wrote, or a dump of the segmentation before the change; kept outside
the repository); the corpus as segmented now. Output: per entry one of

- ``kept``: it joins as it is;
- ``same words``: the provision that now holds the same words once bracketed
  annotations, whitespace and case are set aside (citation and hash updated;
  labels stay, since only furniture changed);
- ``review``: the closest provision shares most words but its wording changed
  (it is listed with both texts' difference; labels must be re-checked by an
  adjudicator before the entry is re-anchored);
- ``lost``: no provision of the instrument holds the text any more (typically a
  list item the segmenter now keeps inside its provision).

``--write`` keeps the ``kept`` and ``same words`` entries and drops the others;
``--resegment-out DIR`` writes, as a round folder for
:mod:`provrisk.eval.gold_build` (``batches/b01.jsonl``, ``selection.jsonl``,
``snapshot.jsonl``), the provisions that replace them: the ``review``
provision as now segmented, and for a ``lost`` entry the provision that now
contains its words, unless gold already holds it. They are annotated twice
and adjudicated like any other batch, keeping the entry's split and
selection.

Run: ``.venv/bin/python -m provrisk.eval.gold_reanchor eval/gold/dev.jsonl --snapshot S [--write] [--resegment-out DIR]``
"""

from __future__ import annotations

import argparse
import json
import re
from difflib import SequenceMatcher
from pathlib import Path

from provrisk.corpora.dataset import corpus_records
from provrisk.eval.gold import GOLD_FILES, read_jsonl, text_hash
from provrisk.eval.split import held_out_instruments
from provrisk.settings import get_settings

_ANNOTATION = re.compile(r"\[[^\[\]]{0,120}\]")
REVIEW_RATIO = 0.8


def comparable(text: str) -> str:
    """The words of a provision, without bracketed annotations, case or spacing."""
    return " ".join(_ANNOTATION.sub(" ", text).lower().split())


def reanchor(entries: list[dict], snapshot: dict[tuple[str, str], str], records: list[dict]) -> list[dict]:
    """One decision per entry: ``{"status", "entry" (updated), "before", "after", "ratio"}``."""
    now = {(r["instrument_id"], r["citation"]): r for r in records}
    by_instrument: dict[str, list[dict]] = {}
    for record in records:
        by_instrument.setdefault(record["instrument_id"], []).append(record)
    taken = {(e["instrument_id"], e["citation"]) for e in entries
             if (e["instrument_id"], e["citation"]) in now and text_hash(now[(e["instrument_id"], e["citation"])]["text"]) == e["text_sha256"]}
    decisions = []
    for entry in entries:
        key = (entry["instrument_id"], entry["citation"])
        if key in taken and text_hash(now[key]["text"]) == entry["text_sha256"]:
            decisions.append({"status": "kept", "entry": entry})
            continue
        old = snapshot.get(key)
        if old is None or text_hash(old) != entry["text_sha256"]:
            decisions.append({"status": "lost", "entry": entry, "before": old, "reason": "annotated text not in the snapshot"})
            continue
        target = comparable(old)
        best, ratio = None, 0.0
        for record in by_instrument.get(entry["instrument_id"], []):
            candidate_key = (record["instrument_id"], record["citation"])
            if candidate_key in taken and candidate_key != key:
                continue
            candidate = comparable(record["text"])
            score = 1.0 if candidate == target else SequenceMatcher(None, target.split(), candidate.split(), autojunk=False).ratio()
            if score > ratio or (score == ratio and candidate_key == key):
                best, ratio = record, score
        if best is None or ratio < REVIEW_RATIO:
            decisions.append({"status": "lost", "entry": entry, "before": old, "ratio": ratio})
            continue
        updated = {**entry, "citation": best["citation"], "text_sha256": text_hash(best["text"])}
        status = "same words" if ratio == 1.0 else "review"
        if status == "same words":
            taken.add((best["instrument_id"], best["citation"]))
        decisions.append({"status": status, "entry": updated, "before": old, "after": best["text"], "ratio": round(ratio, 3),
                          "old_citation": entry["citation"]})
    return decisions


def replacements(decisions: list[dict], records: list[dict], gold_keys: set[tuple[str, str]]) -> list[dict]:
    """The provisions, as now segmented, that must be annotated afresh to replace ``review`` and ``lost`` entries."""
    now = {(r["instrument_id"], r["citation"]): r for r in records}
    chosen: dict[tuple[str, str], dict] = {}
    for decision in decisions:
        entry = decision["entry"]
        if decision["status"] == "review":
            key = (entry["instrument_id"], entry["citation"])
        elif decision["status"] == "lost" and decision.get("before"):
            target = comparable(decision["before"])
            holders = [r for r in records if r["instrument_id"] == entry["instrument_id"] and target in comparable(r["text"])]
            if not holders:
                continue
            key = (holders[0]["instrument_id"], holders[0]["citation"])
        else:
            continue
        if key in gold_keys or key in chosen:
            continue
        chosen[key] = {**now[key], "selection": entry.get("selection", "dev-batch")}
    return list(chosen.values())


def write_round(rows: list[dict], out: Path, split_of) -> None:
    (out / "batches").mkdir(parents=True, exist_ok=True)
    fields = ("id", "instrument_id", "citation", "heading", "kind", "context", "text")
    with open(out / "batches" / "b01.jsonl", "w", encoding="utf-8") as batch, \
            open(out / "selection.jsonl", "w", encoding="utf-8") as selection, \
            open(out / "snapshot.jsonl", "w", encoding="utf-8") as snapshot:
        for row in rows:
            batch.write(json.dumps({k: row[k] for k in fields}, ensure_ascii=False) + "\n")
            selection.write(json.dumps({"id": row["id"], "instrument_id": row["instrument_id"], "citation": row["citation"],
                                        "split": split_of(row["instrument_id"]), "selection": row["selection"]}) + "\n")
            snapshot.write(json.dumps({"id": row["id"], "instrument_id": row["instrument_id"], "citation": row["citation"],
                                       "text": row["text"], "text_sha256": text_hash(row["text"])}, ensure_ascii=False) + "\n")


def load_snapshot(path: Path) -> dict[tuple[str, str], str]:
    return {(row.get("instrument_id") or row["instrument"], row["citation"]): row["text"] for row in read_jsonl(path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--snapshot", type=Path, required=True, action="append", help="repeatable; later files win")
    parser.add_argument("--write", action="store_true", help="rewrite the gold file with every 'same words' entry re-anchored")
    parser.add_argument("--review-out", type=Path, help="write entries needing review (with both texts) here as JSONL")
    parser.add_argument("--resegment-out", type=Path, help="write the replacement provisions as a round folder here")
    args = parser.parse_args()
    snapshot: dict[tuple[str, str], str] = {}
    for path in args.snapshot:
        snapshot.update(load_snapshot(path))
    records, _ = corpus_records(get_settings().corpus_dir)
    entries = read_jsonl(args.gold)
    decisions = reanchor(entries, snapshot, records)
    counts: dict[str, int] = {}
    for decision in decisions:
        counts[decision["status"]] = counts.get(decision["status"], 0) + 1
        if decision["status"] in ("review", "lost") or decision.get("old_citation") != decision["entry"]["citation"] and decision["status"] != "kept":
            entry = decision["entry"]
            moved = f" (was {decision['old_citation']})" if decision.get("old_citation") not in (None, entry["citation"]) else ""
            print(f"{decision['status']:10s} {entry['instrument_id']} {entry['citation']}{moved} ratio={decision.get('ratio')}")
    print(json.dumps(counts))
    if args.review_out:
        with open(args.review_out, "w", encoding="utf-8") as handle:
            for decision in decisions:
                if decision["status"] in ("review", "lost"):
                    handle.write(json.dumps(decision, ensure_ascii=False) + "\n")
    kept = [d["entry"] for d in decisions if d["status"] in ("kept", "same words")]
    if args.resegment_out:
        # what gold holds once this file's review and lost entries are gone: the other files, and this file's kept entries
        others = [path for path in GOLD_FILES if path.exists() and path.resolve() != args.gold.resolve()]
        gold_keys = {(e["instrument_id"], e["citation"]) for path in others for e in read_jsonl(path)}
        gold_keys |= {(e["instrument_id"], e["citation"]) for e in kept}
        held_out = held_out_instruments()
        rows = replacements(decisions, records, gold_keys)
        write_round(rows, args.resegment_out, lambda instrument: "test" if instrument in held_out else "train")
        print(f"{len(rows)} provisions to annotate afresh written to {args.resegment_out}")
    if args.write:
        args.gold.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in kept), encoding="utf-8")


if __name__ == "__main__":
    main()
