"""Turn two independent annotations of a batch into adjudication work, then into gold rows.

Inputs (a round folder written by :mod:`provrisk.eval.gold_sample`):
``batches/bNN.jsonl`` (the provisions), ``a1/bNN.jsonl`` and ``a2/bNN.jsonl``
(each annotator's ``{"id", "labels", "rationale", "none_reason"}``),
``selection.jsonl`` (split and how each provision was chosen),
``snapshot.jsonl`` (the annotated text's hash) and, after adjudication,
``adj/bNN.jsonl`` (the adjudicator's ``{"id", "labels", "rationale",
"none_reason", "decisions"}`` for every disputed provision).

Steps:

- ``disputes BATCH``: writes ``adj/input/bNN.jsonl``, one line per provision
  whose two label sets differ, with the text, the labels both gave, and for
  each disputed label who gave it and why (and the other annotator's reading);
- ``assemble``: writes the gold rows of every finished batch to
  ``eval/gold/train.jsonl`` and ``eval/gold/test.jsonl`` (by split). A label
  both annotators gave is kept (``status: agreed`` when the sets are equal);
  a disputed provision takes the adjudicator's labels (``status:
  adjudicated``). Rows store citation, text hash, labels, rationales, both
  annotations and the selection, never the text.

Run: ``.venv/bin/python -m provrisk.eval.gold_build disputes b01 --round /work/annot/round2``, then
``... assemble --round /work/annot/round2 --round /work/annot/round3``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provrisk.eval.gold import GOLD_DIR, read_jsonl
from provrisk.taxonomy import load_taxonomy

SPLIT_FILES = {"train": GOLD_DIR / "train.jsonl", "test": GOLD_DIR / "test.jsonl"}


def _by_id(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in read_jsonl(path)}


def _check_annotation(batch: list[dict], annotation: dict[str, dict], path: Path) -> None:
    missing = [row["id"] for row in batch if row["id"] not in annotation]
    if missing:
        raise SystemExit(f"{path}: {len(missing)} provisions not annotated (first: {missing[0]})")
    taxonomy = load_taxonomy()
    for row in annotation.values():
        taxonomy.check(row["labels"])


def disputes(round_dir: Path, batch_name: str) -> Path:
    batch = read_jsonl(round_dir / "batches" / f"{batch_name}.jsonl")
    first, second = (_by_id(round_dir / a / f"{batch_name}.jsonl") for a in ("a1", "a2"))
    _check_annotation(batch, first, round_dir / "a1" / f"{batch_name}.jsonl")
    _check_annotation(batch, second, round_dir / "a2" / f"{batch_name}.jsonl")
    out = round_dir / "adj" / "input" / f"{batch_name}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for row in batch:
        a, b = first[row["id"]], second[row["id"]]
        labels_a, labels_b = set(a["labels"]), set(b["labels"])
        if labels_a == labels_b:
            continue
        disputed = {}
        for label in sorted(labels_a ^ labels_b):
            giver, other = (a, b) if label in labels_a else (b, a)
            disputed[label] = {
                "given_because": giver.get("rationale", {}).get(label, ""),
                "other_annotator_labels": other["labels"],
                "other_annotator_none_reason": other.get("none_reason", ""),
            }
        lines.append(
            {
                **{k: row[k] for k in ("id", "instrument_id", "citation", "heading", "kind", "context", "text")},
                "labels_both_gave": sorted(labels_a & labels_b),
                "agreed_rationale": {label: a.get("rationale", {}).get(label, "") for label in sorted(labels_a & labels_b)},
                "disputed": disputed,
            }
        )
    out.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return out


def gold_rows(round_dir: Path, batch_name: str, selection: dict[str, dict], snapshot: dict[str, dict]) -> list[dict]:
    batch = read_jsonl(round_dir / "batches" / f"{batch_name}.jsonl")
    first, second = (_by_id(round_dir / a / f"{batch_name}.jsonl") for a in ("a1", "a2"))
    adjudicated = _by_id(round_dir / "adj" / f"{batch_name}.jsonl")
    taxonomy = load_taxonomy()
    rows = []
    for row in batch:
        a, b = first[row["id"]], second[row["id"]]
        if set(a["labels"]) == set(b["labels"]):
            labels, status = sorted(a["labels"]), "agreed"
            rationale, none_reason = {label: a["rationale"][label] for label in labels}, a.get("none_reason", "")
        else:
            decision = adjudicated.get(row["id"])
            if decision is None:
                raise SystemExit(f"{round_dir / 'adj' / (batch_name + '.jsonl')}: {row['id']} is disputed but not adjudicated")
            taxonomy.check(decision["labels"])
            labels, status = sorted(decision["labels"]), "adjudicated"
            rationale, none_reason = {label: decision["rationale"][label] for label in labels}, decision.get("none_reason", "")
        entry = {
            "instrument_id": row["instrument_id"],
            "citation": row["citation"],
            "text_sha256": snapshot[row["id"]]["text_sha256"],
            "labels": labels,
            "rationale": rationale,
            "status": status,
            "annotations": {"annotator_1": sorted(a["labels"]), "annotator_2": sorted(b["labels"])},
            "selection": selection[row["id"]]["selection"],
        }
        if not labels:
            entry["none_reason"] = none_reason
        rows.append({"split": selection[row["id"]]["split"], "entry": entry})
    return rows


def assemble(round_dirs: list[Path]) -> dict[str, int]:
    """Write every adjudicated batch of the rounds, in order, into the split gold files (rewritten whole)."""
    by_split: dict[str, list[dict]] = {split: [] for split in SPLIT_FILES}
    for round_dir in round_dirs:
        selection = _by_id(round_dir / "selection.jsonl")
        snapshot = _by_id(round_dir / "snapshot.jsonl")
        for batch_path in sorted((round_dir / "batches").glob("b*.jsonl")):
            name = batch_path.stem
            if not (round_dir / "adj" / f"{name}.jsonl").exists():
                continue
            for row in gold_rows(round_dir, name, selection, snapshot):
                by_split[row["split"]].append(row["entry"])
    for split, entries in by_split.items():
        SPLIT_FILES[split].write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")
    return {split: len(entries) for split, entries in by_split.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["disputes", "assemble"])
    parser.add_argument("batch", nargs="?", help="batch name (bNN), for disputes")
    parser.add_argument("--round", dest="round_dirs", type=Path, action="append", required=True,
                        help="a round folder; repeat for assemble, in the order the rounds were drawn")
    args = parser.parse_args()
    if args.step == "disputes":
        out = disputes(args.round_dirs[0], args.batch)
        print(f"{sum(1 for _ in open(out, encoding='utf-8'))} disputed provisions written to {out}")
    else:
        print(f"gold rows written: {assemble(args.round_dirs)}")


if __name__ == "__main__":
    main()
