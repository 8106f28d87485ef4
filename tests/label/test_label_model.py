"""The label models on vote matrices whose truth is known."""

from __future__ import annotations

import numpy as np

from provrisk.label.label_model import DawidSkeneLabelModel, MajorityVote, apply_conventions

LABELS = ["a"]


def _synthetic(seed: int = 0, n: int = 3000, accuracies=(0.95, 0.6, 0.75)):
    """Three LFs that vote on every item, right with the given accuracies."""
    rng = np.random.default_rng(seed)
    truth = rng.random(n) < 0.4
    signed = np.where(truth, 1, -1)
    votes = np.stack([np.where(rng.random(n) < a, signed, -signed) for a in accuracies], axis=1)
    return votes, truth


def test_dawid_skene_learns_which_lf_to_trust():
    votes, truth = _synthetic()
    model = DawidSkeneLabelModel(labels=LABELS, lf_labels=["a", "a", "a"]).fit(votes)
    assert model.accuracy_[0] > model.accuracy_[2] > model.accuracy_[1]
    assert abs(model.accuracy_[0] - 0.95) < 0.08
    accuracy = ((model.predict_proba(votes)[:, 0] > 0.5) == truth).mean()
    majority = ((MajorityVote(labels=LABELS, lf_labels=["a", "a", "a"]).fit(votes).predict_proba(votes)[:, 0] > 0.5) == truth).mean()
    assert accuracy > majority


def test_no_vote_means_probability_zero_for_both_models():
    votes = np.zeros((2, 3), dtype=int)
    for model in (DawidSkeneLabelModel(labels=LABELS, lf_labels=["a"] * 3), MajorityVote(labels=LABELS, lf_labels=["a"] * 3)):
        assert model.fit(votes).predict_proba(votes).tolist() == [[0.0], [0.0]]


def test_fit_returns_self_and_is_deterministic():
    votes, _ = _synthetic(seed=3)
    model = DawidSkeneLabelModel(labels=LABELS, lf_labels=["a"] * 3)
    assert model.fit(votes) is model
    again = DawidSkeneLabelModel(labels=LABELS, lf_labels=["a"] * 3).fit(votes)
    assert np.array_equal(model.predict_proba(votes), again.predict_proba(votes))


def test_executive_blocking_implies_no_prior_judicial_authorisation():
    labels = ["no_prior_judicial_authorisation", "executive_blocking_takedown"]
    proba = np.array([[0.1, 0.9], [0.7, 0.2]])
    assert apply_conventions(proba, labels).tolist() == [[0.9, 0.9], [0.7, 0.2]]
