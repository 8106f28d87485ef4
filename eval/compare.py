"""Side-by-side scores on a gold file: the rules-only label model and any trained models.

Input: model directories (names under ``models/`` or paths) and a gold JSONL
(corpus gold joined by citation and text hash, or a file whose entries carry
their own ``text``, such as ``uncc_quoted.jsonl``). Output: per label and
model precision/recall/F1 and macro-F1. A model trained with this gold in its
training folds scores optimistically here; its instrument-grouped
cross-validation scores are in its ``metadata.json`` and model card.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from provrisk.corpora.dataset import corpus_records
from provrisk.eval.gold import join_gold, read_jsonl
from provrisk.label.apply import apply_lfs, defined_terms_by_instrument, provision_inputs
from provrisk.label.config import LabellingConfig
from provrisk.label.weak import make_label_model
from provrisk.models.artifacts import load_model_dir
from provrisk.taxonomy import load_taxonomy
from provrisk.train.metrics import multilabel_scores


def load_gold_records(gold_path: Path, corpus_dir: Path) -> tuple[list[dict], list[dict]]:
    """Gold entries with text, and the corpus records (for definitions and the label model)."""
    entries = read_jsonl(gold_path)
    records, _ = corpus_records(corpus_dir)
    if all("text" in e for e in entries):
        for e in entries:
            e.setdefault("id", f"{e['instrument_id']}:{e['citation']}")
        return entries, records
    return join_gold(entries, records, gold_path), records


def compare(model_names: list[str], gold_path: Path, corpus_dir: Path, labelling: LabellingConfig) -> dict:
    labels = load_taxonomy().ids
    gold_records, corpus = load_gold_records(gold_path, corpus_dir)
    gold = np.array([[label in r["labels"] for label in labels] for r in gold_records])
    definitions = defined_terms_by_instrument(corpus)
    corpus_votes = apply_lfs(provision_inputs(corpus, definitions))
    label_model = make_label_model(labelling, corpus_votes, labels).fit(corpus_votes.votes)
    gold_votes = apply_lfs(provision_inputs(gold_records, definitions))
    rules = label_model.predict_proba(gold_votes.votes)
    results = {"rules-only label model": multilabel_scores(rules, gold, rules > labelling.threshold, labels)}
    for name in model_names:
        model = load_model_dir(name)
        proba = model.predict_proba(gold_records, gold_votes if model.model_type == "linear" else None)
        results[model.name] = multilabel_scores(proba, gold, proba >= model.thresholds, labels)
        results[model.name]["grouped_cv_macro_f1"] = model.metadata["cv_metrics"]["macro_f1"]
        trained_gold = {Path(model.metadata.get("config", {}).get("gold", {}).get("evaluation", "")).name}
        results[model.name]["in_sample"] = bool(
            model.metadata.get("config", {}).get("gold", {}).get("train_on_gold") and gold_path.name in trained_gold
        )
    return {"gold": str(gold_path), "n": len(gold_records), "labels": labels, "results": results}
