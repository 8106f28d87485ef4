"""Per-label Platt scaling: decision scores to probabilities that mean what they say.

Input: (n, L) decision scores of provisions scored by models that never saw
their instruments (out-of-fold), and their (n, L) 0/1 gold labels. Output: an
(L, 2) array of (slope, intercept) per label; :func:`apply_platt` maps scores
through it. A label whose gold has no positive (or no negative) keeps the
identity map (slope 1, intercept 0).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression


def identity_platt(n_labels: int) -> np.ndarray:
    return np.tile([1.0, 0.0], (n_labels, 1))


def fit_platt(scores: np.ndarray, gold: np.ndarray, C: float) -> np.ndarray:
    calibration = identity_platt(scores.shape[1])
    for k in range(scores.shape[1]):
        y = gold[:, k] > 0.5
        if y.min() == y.max():
            continue
        platt = LogisticRegression(C=C).fit(scores[:, [k]], y)
        calibration[k] = [platt.coef_[0, 0], platt.intercept_[0]]
    return calibration


def apply_platt(scores: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(scores * calibration[:, 0] + calibration[:, 1])))
