"""One training run: training data -> instrument-grouped cross-validation -> calibrated final model.

Input: a :class:`~provrisk.train.config.TrainConfig`. Output: a
:class:`TrainResult` with the fitted model (Platt-calibrated), its per-label
thresholds and the grouped cross-validation metrics on the training gold;
:func:`~provrisk.train.tracking.log_run` records everything in MLflow.

Evaluation never trains on the instrument it scores: folds are groups of
whole training instruments. A fold's gold is scored by a model that never saw
its instrument, calibrated and thresholded with Platt scaling and thresholds
fitted on the other folds' out-of-fold scores. The final model is fitted on
every training provision; its calibration and thresholds are fitted on all
out-of-fold gold scores. The held-out test instruments are not read at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold

from provrisk.label.apply import LFVotes
from provrisk.label.config import LabellingConfig, load_labelling_config
from provrisk.label.features import LFVoteFeaturizer
from provrisk.models.calibration import apply_platt, fit_platt
from provrisk.train.config import TrainConfig
from provrisk.train.data import TrainingData, dataset_summary, load_training_data
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
    data: dict
    seconds: float


def _subset(votes: LFVotes | None, index: np.ndarray) -> LFVotes | None:
    if votes is None:
        return None
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


def make_estimator(config: TrainConfig, labels: list[str], labelling: LabellingConfig):
    params = config.model.params
    if config.model.type == "linear":
        from provrisk.models.linear import LinearRiskClassifier

        return LinearRiskClassifier(
            labels=labels,
            **params.model_dump(),
            lfs=labelling.lfs,
            label_model_params=labelling.label_model.estimator_params(),
            random_state=config.seed,
        )
    from provrisk.models.transformer import TransformerClassifier

    return TransformerClassifier(labels=labels, params=params.model_copy(update={"seed": config.seed}))


def _fit(estimator, records, targets, weights, votes):
    if hasattr(estimator, "lf_votes"):
        return estimator.fit(records, targets, sample_weight=weights, lf_votes=votes)
    return estimator.fit(records, targets, sample_weight=weights)


def _scores(estimator, records, votes):
    if hasattr(estimator, "lf_votes"):
        return estimator.decision_function(records, votes)
    return estimator.decision_function(records)


def _decide(config: TrainConfig, labels: list[str], proba: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per-label thresholds: the strategy's, then a label's own ``labels.<id>.threshold`` where the config fixes one."""
    if config.threshold.strategy == "fixed":
        thresholds = np.full(gold.shape[1], config.threshold.fixed)
    else:
        thresholds = tune_thresholds(proba, gold, config.threshold.grid.values())
    for k, label in enumerate(labels):
        settings = config.labels.get(label)
        if settings is not None and settings.threshold is not None:
            thresholds[k] = settings.threshold
    return thresholds


def fold_of(config: TrainConfig, data: TrainingData) -> np.ndarray:
    """Each provision's cross-validation fold; an instrument's provisions share one fold."""
    folds = np.zeros(len(data.records), dtype=int)
    for fold, (_, test_idx) in enumerate(GroupKFold(n_splits=config.cv.folds).split(data.records, groups=data.groups)):
        folds[test_idx] = fold
    return folds


def cross_validate(config: TrainConfig, data: TrainingData, labelling: LabellingConfig, votes, folds, progress) -> np.ndarray:
    """Out-of-fold decision scores of every gold provision, each from a model that never saw its instrument."""
    gold_rows = np.flatnonzero(data.is_gold)
    scores = np.zeros((len(data.records), len(data.labels)))
    cap = config.sampling.max_train_provisions
    for fold in range(config.cv.folds):
        train_idx, test_idx = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        train_idx = training_rows(train_idx, data.targets, data.is_gold, cap, config.seed + fold)
        progress(f"fold {fold + 1}/{config.cv.folds}: training on {len(train_idx)} provisions")
        estimator = make_estimator(config, data.labels, labelling)
        _fit(estimator, [data.records[i] for i in train_idx], data.targets[train_idx], data.weights[train_idx],
             _subset(votes, train_idx))
        scored = np.intersect1d(test_idx, gold_rows)
        if len(scored):
            scores[scored] = _scores(estimator, [data.records[i] for i in scored], _subset(votes, scored))
    return scores[gold_rows]


def train(config: TrainConfig, progress=print) -> TrainResult:
    started = time.perf_counter()
    labelling = load_labelling_config(config.resolve(config.weak_labels.labelling_config))
    data = load_training_data(config)
    progress(f"{len(data.records)} training provisions, {int(data.is_gold.sum())} of them gold")
    votes = LFVoteFeaturizer(lfs=labelling.lfs).fit().votes(data.records) if config.model.type == "linear" else None
    gold = data.targets[data.is_gold]
    folds = fold_of(config, data)
    gold_folds = folds[data.is_gold]
    oof_scores = cross_validate(config, data, labelling, votes, folds, progress)

    # Honest CV figures: each fold calibrated and thresholded on the other folds only.
    oof_proba = np.zeros_like(oof_scores)
    predicted = np.zeros_like(gold, dtype=bool)
    for fold in np.unique(gold_folds):
        inside = gold_folds == fold
        calibration = fit_platt(oof_scores[~inside], gold[~inside], config.calibration.C)
        oof_proba[inside] = apply_platt(oof_scores[inside], calibration)
        thresholds = _decide(config, data.labels, apply_platt(oof_scores[~inside], calibration), gold[~inside])
        predicted[inside] = oof_proba[inside] >= thresholds
    cv_metrics = multilabel_scores(oof_proba, gold, predicted, data.labels)

    final = make_estimator(config, data.labels, labelling)
    final_idx = training_rows(np.arange(len(data.records)), data.targets, data.is_gold, config.sampling.max_train_provisions, config.seed)
    progress(f"final model: training on {len(final_idx)} provisions")
    _fit(final, [data.records[i] for i in final_idx], data.targets[final_idx], data.weights[final_idx], _subset(votes, final_idx))
    final.set_calibration(oof_scores, gold, config.calibration.C)
    thresholds = _decide(config, data.labels, apply_platt(oof_scores, final.calibration_), gold)

    rules = data.weak_proba[data.is_gold]
    label_model_metrics = multilabel_scores(rules, gold, rules > labelling.threshold, data.labels)
    return TrainResult(
        config=config,
        labels=data.labels,
        corpus_hash=data.corpus_hash,
        estimator=final,
        thresholds=thresholds,
        cv_metrics=cv_metrics,
        label_model_metrics=label_model_metrics,
        data=dataset_summary(data),
        seconds=time.perf_counter() - started,
    )
