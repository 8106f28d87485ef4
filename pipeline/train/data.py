"""The training set of a run: training instruments' provisions, gold where annotated, weak labels elsewhere.

Input: a :class:`~provrisk.train.config.TrainConfig`. It reads the weak-label
dataset that ``provrisk label corpus`` wrote (refused when its corpus hash or
its labelling config's fingerprint do not match the corpus and config now)
and the training gold files. Output: a :class:`TrainingData`:

- ``records``: every English provision of the training instruments (the
  held-out test instruments of ``eval/gold/sampling.yaml`` are dropped, and a
  gold entry of one is refused), each carrying its instrument's definitions
  (``defined_terms``), since a fold trains on a subset of an instrument, and
  made layout-free as every scoring path makes them (``model_records``);
- ``targets`` (n, L): 0/1 gold where a provision is annotated, the label
  model's probability elsewhere;
- ``weights`` (n, L): the gold weight for gold rows; for weak rows the weak
  weight times the label model's confidence ``|2p - 1|`` in that label (at
  least ``min_confidence``); a provision positive for a label is further
  weighted by that label's ``labels.<id>.positive_weight``;
- ``is_gold``, ``weak_proba`` (the label model's probabilities, for the
  rules-only baseline) and the corpus hash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provrisk.corpora.dataset import corpus_hash, load_provisions_dataset
from provrisk.corpora.manifest import load_manifest
from provrisk.errors import ConfigError
from provrisk.eval.gold import join_gold, read_jsonl
from provrisk.eval.split import held_out_instruments
from provrisk.label.apply import attach_definitions
from provrisk.label.config import load_labelling_config
from provrisk.models.text import model_records
from provrisk.taxonomy import load_taxonomy
from provrisk.train.config import TrainConfig


@dataclass
class TrainingData:
    records: list[dict]
    labels: list[str]
    targets: np.ndarray
    weights: np.ndarray
    is_gold: np.ndarray
    weak_proba: np.ndarray
    corpus_hash: str
    gold_files: list[str]

    @property
    def groups(self) -> np.ndarray:
        return np.array([r["instrument_id"] for r in self.records])


def load_weak_labels(config: TrainConfig) -> tuple[list[dict], np.ndarray, dict]:
    """The weak-label dataset's rows and probabilities, checked against the corpus and labelling config."""
    labelling = load_labelling_config(config.resolve(config.weak_labels.labelling_config))
    corpus_dir = config.resolved_corpus_dir() if config.corpus_dir else labelling.resolved_corpus_dir()
    dataset_dir = config.resolve(config.weak_labels.dataset)
    dataset, info = load_provisions_dataset(dataset_dir)
    rerun = f"rerun `provrisk label corpus --config {config.weak_labels.labelling_config}`"
    expected_hash = corpus_hash(corpus_dir, load_manifest(corpus_dir))
    if info.get("corpus_hash") != expected_hash:
        raise ConfigError(f"{dataset_dir}: weak labels were made from another corpus or segmenter version; {rerun}")
    if info.get("config_fingerprint") != labelling.fingerprint():
        raise ConfigError(f"{dataset_dir}: weak labels were made with another labelling config; {rerun}")
    rows = dataset.to_list()
    proba = np.array([row.pop("probabilities") for row in rows], dtype=float)
    for row in rows:
        row.pop("evidence", None)
    return rows, proba, info


def load_training_data(config: TrainConfig) -> TrainingData:
    labels = load_taxonomy(config.resolve(config.taxonomy)).ids
    rows, proba, info = load_weak_labels(config)
    if info.get("labels") != labels:
        raise ConfigError(f"{config.taxonomy}: its labels differ from the weak-label dataset's; rerun `provrisk label corpus`")
    held_out = held_out_instruments()
    keep = [i for i, r in enumerate(rows) if r["instrument_id"] not in held_out and r["language"] == "en"]
    records = attach_definitions([rows[i] for i in keep])
    weak_proba = proba[keep]

    entries: list[dict] = []
    for path in config.gold.train:
        file_entries = read_jsonl(config.resolve(path))
        leaked = sorted({e["instrument_id"] for e in file_entries} & held_out)
        if leaked:
            raise ConfigError(f"{path}: gold of held-out test instruments must never be trained on ({', '.join(leaked)})")
        entries.extend(join_gold(file_entries, records, config.resolve(path)))
    index = {r["id"]: i for i, r in enumerate(records)}
    gold_rows = np.array([index[e["id"]] for e in entries], dtype=int)
    # Models read layout-free text (models/text.py), in training as in scoring; gold joins on the text as segmented.
    records = model_records(records)
    if len(set(gold_rows.tolist())) != len(gold_rows):
        raise ConfigError(f"{', '.join(map(str, config.gold.train))}: a provision is annotated in more than one gold entry")

    targets = weak_proba.copy()
    confidence = np.maximum(np.abs(2 * weak_proba - 1), config.weak_labels.min_confidence)
    weights = config.weak_labels.weight * confidence
    targets[gold_rows] = np.array([[label in e["labels"] for label in labels] for e in entries], dtype=float)
    weights[gold_rows] = config.gold.weight
    for k, label in enumerate(labels):
        if label in config.labels:
            weights[:, k] *= np.where(targets[:, k] > 0.5, config.labels[label].positive_weight, 1.0)
    is_gold = np.zeros(len(records), dtype=bool)
    is_gold[gold_rows] = True
    return TrainingData(
        records=records,
        labels=labels,
        targets=targets,
        weights=weights,
        is_gold=is_gold,
        weak_proba=weak_proba,
        corpus_hash=info["corpus_hash"],
        gold_files=[str(path) for path in config.gold.train],
    )


def dataset_summary(data: TrainingData) -> dict:
    """Counts for the run's log and the model card."""
    gold_instruments = sorted({r["instrument_id"] for r, g in zip(data.records, data.is_gold) if g})
    return {
        "n_provisions": len(data.records),
        "n_gold": int(data.is_gold.sum()),
        "gold_instruments": gold_instruments,
        "training_instruments": sorted({r["instrument_id"] for r in data.records}),
        # The languages the model reads: a statute in any other is reported as not assessed.
        "languages": sorted({r["language"] for r in data.records}),
        "gold_positives": {label: int(data.targets[data.is_gold, k].sum()) for k, label in enumerate(data.labels)},
    }

