"""The LF-vote featuriser fixes its LF set at fit: adding, retiring or subsetting LFs cannot shift columns or crash."""

from __future__ import annotations

import numpy as np
import pytest

from provrisk.label.features import LFVoteFeaturizer, ModelContractError
from provrisk.label.framework import REGISTRY, LabellingFunction
from provrisk.models.artifacts import LoadedModel
from provrisk.models.linear import LinearRiskClassifier
from provrisk.models.predict import predict_records
from provrisk.taxonomy import load_taxonomy

RECORDS = [
    {"id": "a", "instrument_id": "t", "text": "A police officer may intercept a private communication if a judge issues a warrant."},
    {"id": "b", "instrument_id": "t", "text": "The Minister may order a service provider to block access to a website."},
    {"id": "c", "instrument_id": "t", "text": "A person who intentionally and without authority accesses a computer commits an offence."},
    {"id": "d", "instrument_id": "t", "text": "This Act may be cited as the Computer Act."},
] * 3
LABELS = load_taxonomy().ids


def _always(label: str, name: str) -> LabellingFunction:
    """An LF that votes on every provision, so a column shift would show at once."""
    return LabellingFunction(f"{label}.{name}.v1", label, 1, "test LF", lambda p: [(0, 1)])


@pytest.fixture()
def fitted():
    return LFVoteFeaturizer().fit()


def test_a_newly_registered_lf_changes_no_column(fitted, monkeypatch):
    before = fitted.transform(RECORDS)
    monkeypatch.setitem(REGISTRY, "aaa_first_in_name_order.v1", _always("surveillance_power", "aaa_first_in_name_order"))
    monkeypatch.setitem(REGISTRY, "surveillance_power.aaa_new.v1", _always("surveillance_power", "aaa_new"))
    assert np.array_equal(fitted.transform(RECORDS), before)
    assert fitted.votes(RECORDS).lf_names == fitted.lf_names_


def test_a_retired_lf_is_refused_by_name(fitted, monkeypatch):
    retired = fitted.lf_names_[3]
    monkeypatch.delitem(REGISTRY, retired)
    with pytest.raises(ModelContractError, match=retired):
        fitted.transform(RECORDS)


def test_votes_computed_with_more_lfs_are_realigned_by_name(monkeypatch):
    subset = sorted(REGISTRY)[5:15]
    small = LFVoteFeaturizer(lfs=subset).fit()
    full = LFVoteFeaturizer().fit().votes(RECORDS)
    assert np.array_equal(small.transform(full), small.transform(RECORDS))
    assert small.transform(full).shape == (len(RECORDS), 10)
    # votes in another column order come back in the fitted order
    reversed_votes = LFVoteFeaturizer(lfs=list(reversed(subset))).fit().votes(RECORDS)
    assert np.array_equal(small.transform(reversed_votes), small.transform(RECORDS))


def test_votes_lacking_a_fitted_lf_are_refused(fitted):
    partial = LFVoteFeaturizer(lfs=fitted.lf_names_[:-1]).fit().votes(RECORDS)
    with pytest.raises(ModelContractError, match=fitted.lf_names_[-1]):
        fitted.transform(partial)


def _model(lfs) -> LinearRiskClassifier:
    targets = np.zeros((len(RECORDS), len(LABELS)))
    targets[0::4, LABELS.index("surveillance_power")] = 1
    targets[1::4, LABELS.index("executive_blocking_takedown")] = 1
    return LinearRiskClassifier(labels=LABELS, lfs=lfs, word_min_df=1, char_min_df=1, max_iter=100).fit(RECORDS, targets)


def test_a_trained_model_scores_the_same_after_an_lf_is_added(monkeypatch):
    model = _model("all")
    before = model.predict_proba(RECORDS)
    monkeypatch.setitem(REGISTRY, "surveillance_power.zzz_new.v1", _always("surveillance_power", "zzz_new"))
    assert np.array_equal(model.predict_proba(RECORDS), before)


def test_a_model_trained_on_an_lf_subset_scores_through_the_loaded_model_path(monkeypatch):
    """The path `provrisk score`, the API and the MLflow pyfunc share (LoadedModel + predict_records)."""
    subset = [name for name in sorted(REGISTRY) if name.startswith(("surveillance_power.", "executive_blocking_takedown."))]
    model = _model(subset)
    loaded = LoadedModel("subset", None, {"labels": LABELS, "thresholds": dict.fromkeys(LABELS, 0.5), "model_type": "linear"}, model)
    predictions = predict_records(loaded, RECORDS)
    assert len(predictions) == len(RECORDS)
    assert np.array_equal(loaded.predict_proba(RECORDS), model.predict_proba(RECORDS))
    assert loaded.lf_votes(RECORDS).lf_names == subset
