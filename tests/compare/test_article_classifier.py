"""provrisk.compare.article_classifier and `provrisk train-aligner`: the learned half of alignment."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from provrisk.compare.align import align_reports, rank
from provrisk.compare.article_classifier import (
    CLASSIFIER_JSON,
    ArticleClassifier,
    load_article_classifier,
    save_article_classifier,
)
from provrisk.compare.config import load_compare_config
from provrisk.cli import app
from provrisk.compare.instruments import scored_instrument
from provrisk.errors import ConfigError
from provrisk.models.artifacts import load_model_dir
from provrisk.settings import PROJECT_ROOT

BUDAPEST = "coe-budapest-convention-2001"
TEXTS = [
    "unauthorised access to a computer system",
    "illegal remaining in a computer system without right",
    "interception of data transmissions without right",
    "intercepts non-public transmissions of computer data",
    "the data protection authority shall keep a register",
    "the authority may issue licences to service providers",
]
ARTICLES = ["Art. 2", "Art. 2", "Art. 3", "Art. 3", None, None]


def _fitted() -> ArticleClassifier:
    return ArticleClassifier(C=10.0, treaty="test-treaty").fit(TEXTS, ARTICLES)


def test_what_it_learned_points_a_new_provision_to_its_article():
    probabilities = _fitted().article_probabilities(
        ["a person who gains access to a computer system without authority", "the authority keeps a register"],
        ["Art. 2", "Art. 3", "Art. 9"])
    assert probabilities[0].argmax() == 0
    assert probabilities[1, :2].max() < 0.5  # the register is "no counterpart", the third column an article never seen
    assert np.all(probabilities[:, 2] == 0)


def test_saved_and_loaded_it_gives_the_same_probabilities(tmp_path):
    classifier = _fitted()
    save_article_classifier(classifier, tmp_path, {"gold": "test"})
    loaded = load_article_classifier(tmp_path, "test-treaty")
    citations = ["Art. 2", "Art. 3"]
    assert np.allclose(loaded.article_probabilities(TEXTS, citations), classifier.article_probabilities(TEXTS, citations),
                       atol=1e-6)
    assert load_article_classifier(tmp_path, "another-treaty") is None


def test_a_damaged_classifier_is_a_one_line_error_naming_the_file(tmp_path):
    target = save_article_classifier(_fitted(), tmp_path, {})
    (target / CLASSIFIER_JSON).write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=CLASSIFIER_JSON):
        load_article_classifier(tmp_path, "test-treaty")
    (target / CLASSIFIER_JSON).write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="not a provrisk article classifier"):
        load_article_classifier(tmp_path, "test-treaty")


def test_the_parts_of_one_section_lean_towards_the_section_s_article():
    config = load_compare_config()
    config = config.model_copy(update={"align": config.align.model_copy(update={"section_smoothing": 0.5})})
    similarity = np.array([[0.6, 0.1], [0.05, 0.1], [0.05, 0.1]])  # s. 5(1) is clearly Art. A; s. 5(2) and s. 6 are not
    scores = rank(similarity, None, ["s. 5", "s. 5", "s. 6"], config)
    assert scores.ranking[1].argmax() == 0  # the penalty subsection follows its offence
    assert scores.ranking[2].argmax() == 1  # another section is untouched
    assert not scores.learned and np.array_equal(scores.similarity, similarity)


def test_budapest_is_aligned_with_its_classifier_and_another_treaty_on_similarity_alone(corpus_dir, tmp_path):
    model = load_model_dir()
    law = scored_instrument("phl-cybercrime-prevention-act-2012", model)
    treaty = scored_instrument(BUDAPEST, model)
    config = load_compare_config()
    document = align_reports(law, treaty, config)
    assert document["method"]["article_classifier"] is True
    assert document["method"]["threshold"] == config.align.classifier.threshold
    without = config.model_copy(update={"align": config.align.model_copy(update={
        "classifier": config.align.classifier.model_copy(update={"directory": str(tmp_path)})})})
    document = align_reports(law, treaty, without)
    assert document["method"]["article_classifier"] is False
    assert document["method"]["threshold"] == config.align.threshold


def test_train_aligner_rebuilds_the_shipped_classifier_and_never_overwrites_it(corpus_dir, tmp_path):
    runner = CliRunner()
    refused = runner.invoke(app, ["train-aligner"])
    assert refused.exit_code == 2
    assert refused.output.strip().count("\n") == 0 and "--force" in refused.output
    built = runner.invoke(app, ["train-aligner", "--out", str(tmp_path)])
    assert built.exit_code == 0, built.output
    config = load_compare_config()
    shipped = load_article_classifier(PROJECT_ROOT / config.align.classifier.directory, BUDAPEST)
    rebuilt = load_article_classifier(tmp_path, BUDAPEST)
    assert rebuilt.classes_ == shipped.classes_
    citations = [c for c in shipped.classes_ if c != "none"]
    assert np.allclose(rebuilt.article_probabilities(TEXTS, citations), shipped.article_probabilities(TEXTS, citations),
                       atol=1e-5)
