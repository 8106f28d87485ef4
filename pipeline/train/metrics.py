"""Multi-label metrics and threshold tuning.

Inputs are (n, L) arrays: ``proba`` (probabilities), ``gold`` (0/1) and
``thresholds`` (L,). Outputs are plain dicts of floats, ready for MLflow.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score


def precision_recall_f1(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of one label's 0/1 predictions; 0 where undefined."""
    gold, predicted = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    tp = int((predicted & gold).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else 0.0
    recall = tp / int(gold.sum()) if gold.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def f1_score_of(gold: np.ndarray, predicted: np.ndarray) -> float:
    return precision_recall_f1(gold, predicted)[2]


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
    """Per-label precision/recall/F1/PR-AUC, macro- and micro-F1, macro PR-AUC and ECE."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    per_label = {}
    for k, label in enumerate(labels):
        precision, recall, f1 = precision_recall_f1(gold[:, k], predicted[:, k])
        # Undefined without a positive: None, not NaN, so metrics stay comparable and JSON-friendly.
        pr_auc = float(average_precision_score(gold[:, k], proba[:, k])) if gold[:, k].any() else None
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "pr_auc": pr_auc, "support": int(gold[:, k].sum())}
    return {
        "per_label": per_label,
        "macro_f1": float(np.mean([s["f1"] for s in per_label.values()])),
        "micro_f1": f1_score_of(gold.ravel(), predicted.ravel()),
        "macro_pr_auc": float(np.mean([s["pr_auc"] for s in per_label.values() if s["pr_auc"] is not None] or [0.0])),
        "ece": expected_calibration_error(proba, gold),
    }
