"""provrisk.train.metrics: the one home of precision, recall and F1, from counts and from 0/1 arrays."""

from __future__ import annotations

import numpy as np
import pytest

from provrisk.train.metrics import (
    f1_of,
    macro_f1,
    multilabel_scores,
    positive_agreement,
    precision_recall,
    precision_recall_f1,
    precision_recall_f1_of_counts,
)


def test_counts_give_precision_recall_and_their_harmonic_mean():
    precision, recall, f1 = precision_recall_f1_of_counts(3, 4, 6)
    assert (precision, recall) == (0.75, 0.5)
    assert f1 == 2 * 0.75 * 0.5 / 1.25


def test_undefined_ratios_take_the_value_given():
    assert precision_recall_f1_of_counts(0, 0, 0) == (0.0, 0.0, 0.0)
    # a segmenter that rightly finds nothing at a level scores 1 there
    assert precision_recall_f1_of_counts(0, 0, 0, undefined=1.0) == (1.0, 1.0, 1.0)
    assert precision_recall(0, 0, 5, undefined=None) == (None, 0.0)
    assert f1_of(0.0, 0.0) == 0.0


def test_arrays_count_true_positives_against_predictions_and_gold():
    gold = np.array([1, 1, 0, 0, 1], dtype=bool)
    predicted = np.array([1, 0, 1, 0, 1], dtype=bool)
    assert precision_recall_f1(gold, predicted) == precision_recall_f1_of_counts(2, 3, 3)


def test_macro_f1_is_the_mean_of_the_labels_f1_and_multilabel_scores_agree():
    rng = np.random.default_rng(3)
    gold = rng.random((50, 4)) < 0.3
    predicted = rng.random((50, 4)) < 0.3
    per_label = [precision_recall_f1(gold[:, k], predicted[:, k])[2] for k in range(4)]
    assert macro_f1(gold, predicted) == pytest.approx(sum(per_label) / 4)
    scores = multilabel_scores(rng.random((50, 4)), gold, predicted, ["a", "b", "c", "d"])
    assert scores["macro_f1"] == macro_f1(gold, predicted)
    assert [scores["per_label"][label]["f1"] for label in "abcd"] == per_label
    # flagged: the predictions each precision is measured on
    assert [scores["per_label"][label]["flagged"] for label in "abcd"] == predicted.sum(axis=0).tolist()
    assert [scores["per_label"][label]["support"] for label in "abcd"] == gold.sum(axis=0).tolist()


def test_positive_agreement_is_twice_both_over_each_annotators_count():
    first = [True, True, False, True, False]
    second = [True, False, False, True, True]
    assert positive_agreement(first, second) == 2 * 2 / (3 + 3)
    assert positive_agreement([False, False], [False, False]) is None
    assert positive_agreement([True], [False]) == 0.0
