"""Combine LF votes into one probability per provision and label.

Two estimators with the scikit-learn API, both fitted on an LF vote matrix
(provisions x LFs, values -1/0/+1) with the label of each LF column given at
construction:

* :class:`MajorityVote`: per label, the share of positive among non-abstaining
  votes (no vote: probability 0).
* :class:`DawidSkeneLabelModel`: per label, a two-class Dawid–Skene model fitted
  by EM. Each LF has its own confusion table P(vote | true class) over
  {+1, -1, abstain}, so an LF that fires often but is often wrong counts for
  less than a rare precise one; a Dirichlet prior keeps every LF's vote
  pointing the way its author declared.

Why not a library: Snorkel's LabelModel is single-label and in maintenance
mode; skweak's multi-label aggregators pin Python < 3.12 and an old hmmlearn.
A per-label Dawid–Skene is a few dozen lines of numpy and is tested here.

Both apply the taxonomy's one cross-label convention: a provision labelled
``executive_blocking_takedown`` also carries ``no_prior_judicial_authorisation``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator

_VALUES = (1, -1, 0)  # vote categories in the confusion tables


def apply_conventions(proba: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Cross-label rules from the taxonomy's conventions."""
    labels = list(labels)
    if "executive_blocking_takedown" in labels and "no_prior_judicial_authorisation" in labels:
        blocking = labels.index("executive_blocking_takedown")
        no_judge = labels.index("no_prior_judicial_authorisation")
        proba = proba.copy()
        proba[:, no_judge] = np.maximum(proba[:, no_judge], proba[:, blocking])
    return proba


class MajorityVote(BaseEstimator):
    """Per label: positive votes / non-abstaining votes."""

    def __init__(self, labels: Sequence[str] = (), lf_labels: Sequence[str] = ()):
        self.labels = labels
        self.lf_labels = lf_labels

    def fit(self, votes, y=None):
        self.labels_ = list(self.labels)
        return self

    def predict_proba(self, votes) -> np.ndarray:
        votes = np.asarray(votes)
        proba = np.zeros((votes.shape[0], len(self.labels_)))
        lf_labels = np.asarray(self.lf_labels)
        for k, label in enumerate(self.labels_):
            block = votes[:, lf_labels == label]
            positive = (block == 1).sum(axis=1)
            cast = (block != 0).sum(axis=1)
            proba[:, k] = np.divide(positive, cast, out=np.zeros(len(cast), dtype=float), where=cast > 0)
        return apply_conventions(proba, self.labels_)

    def predict(self, votes, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(votes) > threshold).astype(int)


class DawidSkeneLabelModel(BaseEstimator):
    """Per-label two-class Dawid–Skene fitted with EM.

    Learned attributes: ``labels_``, ``class_prior_`` (P(label) per label) and
    ``confusion_`` (per label an array LFs x true class {0,1} x vote {+1,-1,0}).
    """

    def __init__(
        self,
        labels: Sequence[str] = (),
        lf_labels: Sequence[str] = (),
        lf_polarities: Sequence[int] = (),
        max_iter: int = 200,
        tol: float = 1e-6,
        prior_strength: float = 2.0,
    ):
        self.labels = labels
        self.lf_labels = lf_labels
        self.lf_polarities = lf_polarities
        self.max_iter = max_iter
        self.tol = tol
        self.prior_strength = prior_strength

    def _prior(self, polarity: int) -> np.ndarray:
        """Dirichlet pseudo-counts [true class][vote]: an LF mostly votes its polarity on its own side."""
        s = self.prior_strength
        prior = np.full((2, 3), 0.5)
        side = 1 if polarity == 1 else 0
        prior[side, _VALUES.index(polarity)] += s
        prior[1 - side, _VALUES.index(polarity)] += s / 4
        prior[:, 2] += s  # abstaining is common on both sides
        return prior

    def fit(self, votes, y=None):
        votes = np.asarray(votes)
        lf_labels = np.asarray(self.lf_labels)
        polarities = np.asarray(self.lf_polarities)
        self.labels_ = list(self.labels)
        self.class_prior_ = np.zeros(len(self.labels_))
        self.confusion_ = []
        self.n_iter_ = []
        for k, label in enumerate(self.labels_):
            columns = np.flatnonzero(lf_labels == label)
            block = votes[:, columns]
            one_hot = np.stack([(block == v) for v in _VALUES], axis=-1).astype(float)  # n x m x 3
            priors = np.stack([self._prior(polarities[j]) for j in columns]) if len(columns) else np.zeros((0, 2, 3))
            # Start from majority vote, abstentions count as weakly negative.
            positive = (block == 1).sum(axis=1)
            cast = (block != 0).sum(axis=1)
            posterior = (positive + 0.1) / (cast + 1.0)
            previous = None
            iterations = 0
            for iterations in range(1, self.max_iter + 1):
                class_prior = np.clip(posterior.mean(), 1e-3, 1 - 1e-3)
                weights = np.stack([1 - posterior, posterior], axis=1)  # n x 2
                counts = np.einsum("nc,nmv->mcv", weights, one_hot) + priors
                confusion = counts / counts.sum(axis=2, keepdims=True)
                log_like = np.einsum("nmv,mcv->nc", one_hot, np.log(confusion))
                log_like += np.log([1 - class_prior, class_prior])
                log_like -= log_like.max(axis=1, keepdims=True)
                joint = np.exp(log_like)
                posterior = joint[:, 1] / joint.sum(axis=1)
                if previous is not None and np.abs(posterior - previous).max() < self.tol:
                    break
                previous = posterior
            self.class_prior_[k] = class_prior
            self.confusion_.append(confusion)
            self.n_iter_.append(iterations)
        return self

    def predict_proba(self, votes) -> np.ndarray:
        votes = np.asarray(votes)
        lf_labels = np.asarray(self.lf_labels)
        proba = np.zeros((votes.shape[0], len(self.labels_)))
        for k, label in enumerate(self.labels_):
            block = votes[:, lf_labels == label]
            one_hot = np.stack([(block == v) for v in _VALUES], axis=-1).astype(float)
            log_like = np.einsum("nmv,mcv->nc", one_hot, np.log(self.confusion_[k]))
            log_like += np.log([1 - self.class_prior_[k], self.class_prior_[k]])
            log_like -= log_like.max(axis=1, keepdims=True)
            joint = np.exp(log_like)
            proba[:, k] = joint[:, 1] / joint.sum(axis=1)
        return apply_conventions(proba, self.labels_)

    def predict(self, votes, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(votes) > threshold).astype(int)
