"""Precision, recall and F1 for all of provrisk, multi-label scores, and threshold tuning.

Every precision/recall/F1 that provrisk reports is computed here: training's
cross-validation, the held-out evaluation, the labelling report, segmentation
and alignment quality, and annotator agreement. Inputs are counts, or 0/1
arrays of shape (n,) for one label and (n, L) for L labels (``proba``:
probabilities; ``gold`` and ``predicted``: 0/1; ``thresholds``: (L,)).
Outputs are floats, or plain dicts of floats ready for MLflow and JSON.

F1 of predictions against gold is the harmonic mean of precision and recall
(``2pr / (p + r)``), not scikit-learn's ``2tp / (2tp + fp + fn)``: equal in
exact arithmetic, they differ in the last bits of a float, and every reported
figure was computed this way. It is also the inner loop of threshold tuning
and of the bootstrap, where scikit-learn's input validation would cost
seconds. Positive agreement between two annotators was always
``2·both / (n1 + n2)``, which is scikit-learn's formula: it is scikit-learn's
``f1_score``.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score


def f1_of(precision: float, recall: float) -> float:
    """The harmonic mean of ``precision`` and ``recall``; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def precision_recall(correct: int, predicted: int, gold: int, *, undefined: float | None = 0.0) -> tuple:
    """(correct / predicted, correct / gold): precision and recall from counts; ``undefined`` where a count is 0."""
    precision = correct / predicted if predicted else undefined
    recall = correct / gold if gold else undefined
    return precision, recall


def precision_recall_f1_of_counts(correct: int, predicted: int, gold: int, *,
                                  undefined: float = 0.0) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts: ``correct`` of the ``predicted`` items, out of ``gold`` items.

    ``undefined``: precision with nothing predicted, recall with nothing in gold (0 for a label that
    was never predicted; 1 for a segmenter that rightly found nothing at a level).
    """
    precision, recall = precision_recall(correct, predicted, gold, undefined=undefined)
    return precision, recall, f1_of(precision, recall)


def precision_recall_f1(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of one label's 0/1 predictions; 0 where undefined."""
    gold, predicted = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    return precision_recall_f1_of_counts(int((predicted & gold).sum()), int(predicted.sum()), int(gold.sum()))


def f1_score_of(gold: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of one label's 0/1 predictions (0 where undefined)."""
    return precision_recall_f1(gold, predicted)[2]


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """The mean over labels (columns of the (n, L) arrays) of each label's F1."""
    return float(np.mean([f1_score_of(gold[:, k], predicted[:, k]) for k in range(gold.shape[1])]))


def positive_agreement(first: list[bool], second: list[bool]) -> float | None:
    """2·both / (n1 + n2) for two annotators' 0/1 decisions on one label (the F1 of either against the other);
    None when neither annotator used the label."""
    if not any(first) and not any(second):
        return None
    return float(f1_score(first, second))


def tune_thresholds(proba: np.ndarray, gold: np.ndarray, grid: np.ndarray, default: float = 0.5) -> np.ndarray:
    """Per label, the threshold in ``grid`` that maximises F1 on (proba, gold); ``default`` where a label has no positive."""
    thresholds = np.full(proba.shape[1], default)
    for k in range(proba.shape[1]):
        y = gold[:, k].astype(bool)
        if not y.any():
            continue
        scores = [f1_score_of(y, proba[:, k] >= t) for t in grid]
        # Ties go to the threshold nearest 0.5, the least surprising choice.
        best = max(scores)
        candidates = grid[np.isclose(scores, best)]
        thresholds[k] = candidates[np.argmin(np.abs(candidates - 0.5))]
    return thresholds


def expected_calibration_error(proba: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """ECE over every (provision, label) probability, equal-width bins."""
    p, y = proba.ravel(), gold.ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            error += mask.mean() * abs(p[mask].mean() - y[mask].mean())
    return float(error)


def multilabel_scores(proba: np.ndarray, gold: np.ndarray, predicted: np.ndarray, labels: list[str]) -> dict:
    """Per-label precision/recall/F1/PR-AUC, support (gold positives) and flagged (predicted positives, the
    count precision is measured on), macro- and micro-F1, macro PR-AUC and ECE."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    per_label = {}
    for k, label in enumerate(labels):
        precision, recall, f1 = precision_recall_f1(gold[:, k], predicted[:, k])
        # Undefined without a positive: None, not NaN, so metrics stay comparable and JSON-friendly.
        pr_auc = float(average_precision_score(gold[:, k], proba[:, k])) if gold[:, k].any() else None
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "pr_auc": pr_auc, "support": int(gold[:, k].sum()),
                            "flagged": int(predicted[:, k].sum())}
    return {
        "per_label": per_label,
        "macro_f1": macro_f1(gold, predicted),
        "micro_f1": f1_score_of(gold.ravel(), predicted.ravel()),
        "macro_pr_auc": float(np.mean([s["pr_auc"] for s in per_label.values() if s["pr_auc"] is not None] or [0.0])),
        "ece": expected_calibration_error(proba, gold),
    }
