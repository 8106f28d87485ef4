"""Weak supervision end to end: corpus -> LF votes -> label model -> labelled provisions.

Input: a :class:`~provrisk.label.config.LabellingConfig`. Output: a
:class:`WeakLabels` with, for every corpus provision, one probability per
taxonomy label and the evidence spans of the LFs that voted for it; and
``save_weak_labels`` writes them as a Hugging Face dataset. Everything here
is deterministic given the config and the corpus hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np

from provrisk.corpora.dataset import FEATURES, corpus_records, save_dataset_atomically
from provrisk.eval.split import held_out_instruments
from provrisk.label.apply import LFVotes
from provrisk.label.config import LabellingConfig
from provrisk.label.features import LFVoteFeaturizer
from provrisk.label.framework import POSITIVE
from provrisk.label.label_model import DawidSkeneLabelModel, MajorityVote
from provrisk.models.text import layout_free, model_records
from provrisk.taxonomy import load_taxonomy


@dataclass
class WeakLabels:
    records: list[dict]
    corpus_hash: str
    labels: list[str]
    votes: LFVotes
    proba: np.ndarray  # provisions x labels
    model: object

    def evidence(self, index: int) -> dict[str, list[dict]]:
        """label -> [{lf, start, end, quote}] from the LFs that voted for the label."""
        text = layout_free(self.records[index]["text"])  # the votes were cast on the layout-free text
        out: dict[str, list[dict]] = {}
        for lf_name, spans in self.votes.evidence[index].items():
            column = self.votes.lf_names.index(lf_name)
            if self.votes.votes[index, column] != POSITIVE:
                continue
            label = self.votes.lf_labels[column]
            for start, end in spans:
                out.setdefault(label, []).append({"lf": lf_name, "start": start, "end": end, "quote": text[start:end]})
        return out


def make_label_model(config: LabellingConfig, votes: LFVotes, labels: list[str]):
    if config.label_model.type == "majority_vote":
        return MajorityVote(labels=labels, lf_labels=votes.lf_labels)
    return DawidSkeneLabelModel(labels=labels, lf_labels=votes.lf_labels, **config.label_model.estimator_params())


def lf_votes(records: list[dict], config: LabellingConfig) -> LFVotes:
    """The votes of the LFs the config names (``lfs``) on ``records``."""
    return LFVoteFeaturizer(lfs=config.lfs).fit().votes(records)


def fit_rows(records: list[dict]) -> np.ndarray:
    """Rows the label model may learn LF accuracies from: English text outside the held-out test instruments."""
    held_out = held_out_instruments()
    return np.array(
        [i for i, r in enumerate(records) if r["instrument_id"] not in held_out and r.get("language", "en") == "en"],
        dtype=int,
    )


def weak_label_corpus(config: LabellingConfig) -> WeakLabels:
    """Every corpus provision with a probability per label; the label model never fits on a test instrument."""
    records, corpus_hash = corpus_records(config.resolved_corpus_dir())
    labels = load_taxonomy().ids
    votes = lf_votes(model_records(records), config)
    model = make_label_model(config, votes, labels).fit(votes.votes[fit_rows(records)])
    return WeakLabels(records, corpus_hash, labels, votes, model.predict_proba(votes.votes), model)


def save_weak_labels(weak: WeakLabels, config: LabellingConfig, out_dir: Path) -> Path:
    """Write the labelled provisions dataset (atomically) with its build info."""
    features = datasets.Features(
        {
            **FEATURES,
            "probabilities": datasets.Sequence(datasets.Value("float32")),
            "evidence": datasets.Value("string"),
        }
    )
    rows = []
    for index, record in enumerate(weak.records):
        rows.append(
            {
                **{key: record[key] for key in FEATURES},
                "probabilities": [round(float(p), 6) for p in weak.proba[index]],
                "evidence": json.dumps(weak.evidence(index), ensure_ascii=False, sort_keys=True),
            }
        )
    info = {
        "corpus_hash": weak.corpus_hash,
        "config": json.loads(config.model_dump_json()),
        "config_fingerprint": config.fingerprint(),
        "labels": weak.labels,
        "lfs": weak.votes.lf_names,
        "n_provisions": len(rows),
    }
    return save_dataset_atomically(datasets.Dataset.from_list(rows, features=features), info, out_dir)

