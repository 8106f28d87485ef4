"""Combine LF votes into one probability per provision and label.

Two estimators with the scikit-learn API, both fitted on an LF vote matrix
(provisions x LFs, values -1/0/+1) with the label of each LF column given at
construction:

* :class:`MajorityVote`: per label, the share of positive among non-abstaining
  votes (no vote: probability 0).
* :class:`DawidSkeneLabelModel`: per label, a one-coin Dawid–Skene model
  fitted by EM: each LF gets an accuracy learned from how often it agrees
  with the others, and votes are weighted by it.

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
    """Per-label one-coin Dawid–Skene model fitted with EM.

    Each LF j has one accuracy a_j: the probability that its vote, when it
    votes, is right. A provision's log-odds for a label is the sum over the
    LFs that voted of ±log(a_j / (1 - a_j)); with no vote the probability is
    0, as in majority vote. EM alternates between these posteriors and the
    accuracies they imply (counting only items another LF also voted on), so
    where LFs disagree the ones that agree with the rest more often win; a Beta prior (``accuracy_prior``) keeps rare LFs near
    a believable accuracy. Abstentions carry no evidence: LFs abstain for
    reasons unrelated to the label (a positive LF on the thousands of
    provisions outside its domain, a negative "exclusion" LF on everything
    inside it), and counting silence double-counts correlated LFs.

    Learned attributes: ``labels_`` and ``accuracy_`` (one per LF column).
    """

    def __init__(
        self,
        labels: Sequence[str] = (),
        lf_labels: Sequence[str] = (),
        max_iter: int = 200,
        tol: float = 1e-6,
        accuracy_prior: tuple[float, float] = (7.0, 3.0),
        accuracy_bounds: tuple[float, float] = (0.51, 0.99),
    ):
        self.labels = labels
        self.lf_labels = lf_labels
        self.max_iter = max_iter
        self.tol = tol
        self.accuracy_prior = accuracy_prior
        self.accuracy_bounds = accuracy_bounds

    def _log_odds(self, votes: np.ndarray, accuracy: np.ndarray) -> np.ndarray:
        weights = np.log(accuracy / (1 - accuracy))
        return votes @ weights

    def fit(self, votes, y=None):
        votes = np.asarray(votes, dtype=float)
        lf_labels = np.asarray(self.lf_labels)
        alpha, beta = self.accuracy_prior
        self.labels_ = list(self.labels)
        self.accuracy_ = np.full(votes.shape[1], alpha / (alpha + beta))
        self.n_iter_ = 0
        for label in self.labels_:
            columns = np.flatnonzero(lf_labels == label)
            block = votes[:, columns]
            voted = (block != 0).any(axis=1)
            block = block[voted]
            accuracy = self.accuracy_[columns].copy()
            voted_by = block != 0
            for iteration in range(1, self.max_iter + 1):
                posterior = (1 / (1 + np.exp(-self._log_odds(block, accuracy))))[:, None]
                # Only items some other LF also voted on say anything about an LF's accuracy:
                # on an item it votes on alone, the posterior is its own vote confirming itself.
                informative = voted_by & ((voted_by.sum(axis=1, keepdims=True) - voted_by) > 0)
                agree = np.where(block > 0, posterior, 1 - posterior) * informative
                new = (agree.sum(axis=0) + alpha - 1) / (informative.sum(axis=0) + alpha + beta - 2)
                # An LF is at least better than chance in the direction its author declared;
                # without this floor EM can flip a broad exclusion LF into a positive one.
                new = np.clip(new, *self.accuracy_bounds)
                converged = np.abs(new - accuracy).max(initial=0) < self.tol
                accuracy = new
                if converged:
                    break
            self.accuracy_[columns] = accuracy
            self.n_iter_ = max(self.n_iter_, iteration)
        return self

    def predict_proba(self, votes) -> np.ndarray:
        votes = np.asarray(votes, dtype=float)
        lf_labels = np.asarray(self.lf_labels)
        proba = np.zeros((votes.shape[0], len(self.labels_)))
        for k, label in enumerate(self.labels_):
            columns = np.flatnonzero(lf_labels == label)
            block = votes[:, columns]
            odds = self._log_odds(block, self.accuracy_[columns])
            proba[:, k] = np.where((block != 0).any(axis=1), 1 / (1 + np.exp(-odds)), 0.0)
        return apply_conventions(proba, self.labels_)

    def predict(self, votes, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(votes) > threshold).astype(int)
