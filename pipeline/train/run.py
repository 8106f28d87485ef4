"""One training run: weak labels -> instrument-grouped cross-validation -> final model -> MLflow.

Input: a :class:`~provrisk.train.config.TrainConfig`. Output: a
:class:`TrainResult` with the fitted model, its per-label thresholds and the
grouped cross-validation metrics on gold; :func:`log_run` records everything
in MLflow and registers the model.

Evaluation never trains on the instrument it scores: folds are groups of
instruments, gold labels enter training only from training-fold instruments,
calibration is fitted on non-gold provisions, and the threshold used to score
a fold's gold provisions is tuned on the other folds' out-of-fold predictions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from provrisk.eval.gold import join_gold, read_jsonl
from provrisk.label.apply import LFVotes
from provrisk.label.config import load_labelling_config
from provrisk.label.weak import WeakLabels, weak_label_corpus
from provrisk.train.config import TrainConfig
from provrisk.train.metrics import multilabel_scores, tune_thresholds


@dataclass
class TrainResult:
    config: TrainConfig
    labels: list[str]
    corpus_hash: str
    estimator: object
    thresholds: np.ndarray
    cv_metrics: dict
    label_model_metrics: dict
    n_train: int
    n_gold: int
    seconds: float
    extra: dict = field(default_factory=dict)


def _subset(votes: LFVotes, index: np.ndarray) -> LFVotes:
    return LFVotes(votes.lf_names, votes.lf_labels, votes.votes[index], [votes.evidence[i] for i in index])


def training_rows(rows: np.ndarray, targets: np.ndarray, is_gold: np.ndarray, cap: int | None, seed: int) -> np.ndarray:
    """``rows`` capped at ``cap``: gold first, then weakly positive provisions, then negatives, seeded samples of each.

    The cap is strict, so a fit's cost does not grow with the corpus: the final model
    (every instrument) trains on as many provisions as each cross-validation fold.
    """
    if cap is None or len(rows) <= cap:
        return rows
    rng = np.random.default_rng(seed)
    positive = (targets[rows] > 0.5).any(axis=1)
    chosen: list[np.ndarray] = []
    room = cap
    for tier in (rows[is_gold[rows]], rows[~is_gold[rows] & positive], rows[~is_gold[rows] & ~positive]):
        take = min(room, len(tier))
        chosen.append(rng.choice(tier, size=take, replace=False) if take < len(tier) else tier)
        room -= take
    return np.sort(np.concatenate(chosen))


def make_estimator(config: TrainConfig, labels: list[str]):
    params = dict(config.model.params)
    if config.model.type == "linear":
        from provrisk.models.linear import LinearRiskClassifier

        return LinearRiskClassifier(labels=labels, random_state=config.seed, **params)
    from provrisk.models.transformer import TransformerClassifier, TransformerParams

    return TransformerClassifier(labels=labels, params=TransformerParams(seed=config.seed, **params))


def _fit(estimator, records, targets, weights, votes):
    if hasattr(estimator, "set_calibration"):
        return estimator.fit(records, targets, sample_weight=weights, lf_votes=votes)
    from provrisk.models.text import encoder_text

    return estimator.fit([encoder_text(r) for r in records], targets, sample_weight=weights)


def _scores(estimator, records, votes):
    """Uncalibrated scores for the linear model, probabilities for the transformer."""
    if hasattr(estimator, "set_calibration"):
        return estimator.decision_function(records, votes)
    from provrisk.models.text import encoder_text

    return estimator.predict_proba([encoder_text(r) for r in records])


def train(config: TrainConfig, weak: WeakLabels | None = None, progress=print) -> TrainResult:
    started = time.perf_counter()
    labelling = load_labelling_config(config.resolve(config.weak_labels.labelling_config))
    if config.corpus_dir is not None:
        labelling.corpus_dir = config.resolved_corpus_dir()
    weak = weak or weak_label_corpus(labelling)
    records, labels = weak.records, weak.labels
    index = {r["id"]: i for i, r in enumerate(records)}
    gold_entries = join_gold(read_jsonl(config.resolve(config.gold.evaluation)), records, config.resolve(config.gold.evaluation))
    gold_rows = np.array([index[e["id"]] for e in gold_entries])
    gold = np.array([[label in e["labels"] for label in labels] for e in gold_entries], dtype=float)

    targets = weak.proba.copy()
    weights = np.ones(len(records))
    if config.gold.train_on_gold:
        targets[gold_rows] = gold
        weights[gold_rows] = config.gold.gold_weight
    groups = np.array([r["instrument_id"] for r in records])
    is_gold = np.zeros(len(records), dtype=bool)
    is_gold[gold_rows] = True
    cap = config.sampling.max_train_provisions

    # Out-of-fold scores for every provision, each from a model that never saw its instrument.
    oof = np.zeros((len(records), len(labels)))
    fold_of = np.zeros(len(records), dtype=int)
    splitter = GroupKFold(n_splits=config.cv.folds)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(records, groups=groups)):
        train_idx = training_rows(train_idx, targets, is_gold, cap, config.seed + fold)
        progress(f"fold {fold + 1}/{config.cv.folds}: training on {len(train_idx)} provisions")
        estimator = make_estimator(config, labels)
        _fit(estimator, [records[i] for i in train_idx], targets[train_idx], weights[train_idx], _subset(weak.votes, train_idx))
        # Calibration needs every provision's out-of-fold score; without it only gold is ever scored.
        scored = test_idx if hasattr(estimator, "set_calibration") else np.intersect1d(test_idx, gold_rows)
        oof[scored] = _scores(estimator, [records[i] for i in scored], _subset(weak.votes, scored))
        fold_of[test_idx] = fold

    final = make_estimator(config, labels)
    final_idx = training_rows(np.arange(len(records)), targets, is_gold, cap, config.seed)
    progress(f"final model: training on {len(final_idx)} provisions")
    _fit(final, [records[i] for i in final_idx], targets[final_idx], weights[final_idx], _subset(weak.votes, final_idx))
    if hasattr(final, "set_calibration"):
        # Calibrate on provisions without gold, so gold stays unseen by everything but the folds.
        not_gold = np.setdiff1d(np.arange(len(records)), gold_rows)
        final.set_calibration(oof[not_gold], weak.proba[not_gold])
        oof_proba = 1 / (1 + np.exp(-(oof * final.calibration_[:, 0] + final.calibration_[:, 1])))
    else:
        oof_proba = oof

    gold_proba = oof_proba[gold_rows]
    gold_folds = fold_of[gold_rows]
    predicted = np.zeros_like(gold, dtype=bool)
    if config.threshold.strategy == "fixed":
        thresholds = np.full(len(labels), config.threshold.fixed)
        predicted = gold_proba >= thresholds
    else:
        # Nested: a fold's gold is decided with thresholds tuned on the other folds' gold.
        for fold in np.unique(gold_folds):
            inside = gold_folds == fold
            fold_thresholds = tune_thresholds(gold_proba[~inside], gold[~inside])
            predicted[inside] = gold_proba[inside] >= fold_thresholds
        thresholds = tune_thresholds(gold_proba, gold)
    cv_metrics = multilabel_scores(gold_proba, gold, predicted, labels)

    label_model_proba = weak.proba[gold_rows]
    label_model_metrics = multilabel_scores(label_model_proba, gold, label_model_proba > labelling.threshold, labels)
    return TrainResult(
        config=config,
        labels=labels,
        corpus_hash=weak.corpus_hash,
        estimator=final,
        thresholds=thresholds,
        cv_metrics=cv_metrics,
        label_model_metrics=label_model_metrics,
        n_train=len(records),
        n_gold=len(gold_entries),
        seconds=time.perf_counter() - started,
        extra={"gold_instruments": sorted({e["instrument_id"] for e in gold_entries})},
    )
