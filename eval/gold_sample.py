"""Draw the provisions to annotate for the risk-label gold, as ``eval/gold/sampling.yaml`` says.

Input: the sampling plan, the segmented corpus, the gold already annotated
(never drawn again) and the rules-only label model's probabilities (for the
targeted share of training instruments). Output, in ``--out``:

- ``selection.jsonl``: one line per drawn provision with ``id``,
  ``instrument_id``, ``citation``, ``split`` (train | test) and ``selection``
  (whole | random | targeted:<label> | keyword:<label>);
- ``batches/bNN.jsonl``: the annotators' input, the same provisions with their
  ``heading``, ``kind``, ``context`` and ``text``, about ``--batch-size`` per
  file, an instrument's provisions kept together;
- ``snapshot.jsonl``: citation, text and hash of every drawn provision, kept
  outside the repository (third-party text) so that gold can be re-anchored if
  a segmenter change alters a provision's text later.

The draw is deterministic given the plan's seed and the corpus.

Run: ``.venv/bin/python -m provrisk.eval.gold_sample --out /work/annot/round2``
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

import yaml

from provrisk.eval.gold import GOLD_DIR, read_jsonl, text_hash
from provrisk.label.config import load_labelling_config
from provrisk.label.weak import weak_label_corpus

from provrisk.eval.split import SAMPLING_PLAN as PLAN
_BATCH_FIELDS = ("id", "instrument_id", "citation", "heading", "kind", "context", "text")


def load_plan(path: Path = PLAN) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def draw(plan: dict, records: list[dict], proba, labels: list[str], already: set[tuple[str, str]]) -> list[dict]:
    """The drawn provisions, in corpus order, each with its split and selection."""
    rng = random.Random(plan["seed"])
    rare = [labels.index(label) for label in plan["rare_labels"]]
    by_instrument: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        if record["role"] == "rule" and (record["instrument_id"], record["citation"]) not in already:
            by_instrument[record["instrument_id"]].append(index)
    chosen: dict[int, tuple[str, str]] = {}
    for split, instruments in plan["split"].items():
        for instrument_id, rule in instruments.items():
            pool = by_instrument.get(instrument_id)
            if not pool:
                raise SystemExit(f"{PLAN}: {instrument_id} has no provisions to draw")
            if rule == "whole":
                chosen.update({i: (split, "whole") for i in pool})
                continue
            n = min(rule["n"], len(pool))
            targeted = round(n * plan["targeted_share"]) if split == "train" else 0
            picked: list[int] = []
            for column in rare:  # rarest first: each rare label gets its share of the targeted draw
                if len(picked) >= targeted:
                    break
                hits = [i for i in pool if proba[i][column] >= 0.5 and i not in picked and i not in chosen]
                rng.shuffle(hits)
                for i in hits[: max(1, targeted // len(rare))]:
                    if len(picked) < targeted:
                        picked.append(i)
                        chosen[i] = (split, f"targeted:{labels[column]}")
            rest = [i for i in pool if i not in chosen]
            for i in rng.sample(rest, n - len(picked)):
                chosen[i] = (split, "random")
    return [
        {**records[i], "split": split, "selection": selection}
        for i, (split, selection) in sorted(chosen.items())
    ]


def draw_keyword_round(plan: dict, number: int, records: list[dict], already: set[tuple[str, str]]) -> list[dict]:
    """Every rule provision of a training instrument, not yet in gold, that matches a pattern of keyword round ``number``."""
    patterns = {label: re.compile(pattern, re.IGNORECASE) for label, pattern in plan["keyword_rounds"][number - 1].items()}
    drawn = []
    for record in records:
        key = (record["instrument_id"], record["citation"])
        if record["role"] != "rule" or key in already or record["instrument_id"] not in plan["split"]["train"]:
            continue
        matched = [label for label, pattern in patterns.items() if pattern.search(record["text"])]
        if matched:
            drawn.append({**record, "split": "train", "selection": f"keyword:{matched[0]}"})
    return drawn


def write_outputs(drawn: list[dict], out: Path, batch_size: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "batches").mkdir(exist_ok=True)
    with open(out / "selection.jsonl", "w", encoding="utf-8") as selection, open(
        out / "snapshot.jsonl", "w", encoding="utf-8"
    ) as snapshot:
        for record in drawn:
            selection.write(json.dumps({k: record[k] for k in ("id", "instrument_id", "citation", "split", "selection")}) + "\n")
            snapshot.write(json.dumps({"id": record["id"], "instrument_id": record["instrument_id"],
                                       "citation": record["citation"], "text": record["text"],
                                       "text_sha256": text_hash(record["text"])}, ensure_ascii=False) + "\n")
    # keep an instrument's provisions together; start a new batch once the current one is full
    batches: list[list[dict]] = [[]]
    by_instrument: dict[str, list[dict]] = defaultdict(list)
    for record in drawn:
        by_instrument[record["instrument_id"]].append(record)
    for rows in by_instrument.values():
        for row in rows:
            if len(batches[-1]) >= batch_size:
                batches.append([])
            batches[-1].append(row)
    for number, rows in enumerate(batches, start=1):
        with open(out / "batches" / f"b{number:02d}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps({k: row[k] for k in _BATCH_FIELDS}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for selection, batches and snapshot (outside the repo)")
    parser.add_argument("--plan", type=Path, default=PLAN)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--keyword-round", type=int, metavar="N", help="draw the plan's keyword round N (from 1) instead")
    args = parser.parse_args()
    plan = load_plan(args.plan)
    weak = weak_label_corpus(load_labelling_config())
    already = {(g["instrument_id"], g["citation"]) for path in sorted(GOLD_DIR.glob("*.jsonl")) if path.name != "uncc_quoted.jsonl" for g in read_jsonl(path)}
    if args.keyword_round:
        drawn = draw_keyword_round(plan, args.keyword_round, weak.records, already)
    else:
        drawn = draw(plan, weak.records, weak.proba, weak.labels, already)
    write_outputs(drawn, args.out, args.batch_size)
    counts: dict[str, int] = defaultdict(int)
    for record in drawn:
        counts[record["split"]] += 1
    print(f"drew {len(drawn)} provisions ({dict(counts)}) into {args.out}")


if __name__ == "__main__":
    main()
