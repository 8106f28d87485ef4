"""Weak labelling end to end on a small corpus: deterministic output, a report, a saved dataset."""

from __future__ import annotations

import hashlib
import json

import datasets
import numpy as np
import pytest

from provrisk.errors import ProvriskError
from provrisk.label.config import LabellingConfig, load_labelling_config
from provrisk.label.report import build_report, to_markdown
from provrisk.label.weak import save_weak_labels, weak_label_corpus
from tests.corpora.test_dataset import _corpus

ACT = """CYBER ACT

1. Interpretation
In this Act— "computer" means an electronic device.

2. Unauthorised access
A person who intentionally and without authority accesses a computer commits an offence.

3. Interception
The Minister may direct a service provider to intercept communications in real time and to keep confidential the fact of the direction.

4. Blocking
The Authority may order a service provider to block access to any website that is prejudicial to public order.
"""


@pytest.fixture()
def config(tmp_path):
    corpus = _corpus(tmp_path, {"cyber-act": ACT})
    return LabellingConfig(corpus_dir=corpus, output_dir=tmp_path / "weak")


def test_weak_labels_are_deterministic_and_carry_evidence(config):
    first, second = weak_label_corpus(config), weak_label_corpus(config)
    assert first.corpus_hash == second.corpus_hash
    assert np.array_equal(first.proba, second.proba)
    citations = [r["citation"] for r in first.records]
    surveillance = first.labels.index("surveillance_power")
    assert first.proba[citations.index("s. 3"), surveillance] > 0.5
    evidence = first.evidence(citations.index("s. 3"))
    assert any(item["quote"] == "intercept communications" for item in evidence["surveillance_power"])
    assert first.proba[citations.index("s. 1")].max() <= 0.5


def test_saved_dataset_has_a_probability_per_label(config, tmp_path):
    weak = weak_label_corpus(config)
    path = save_weak_labels(weak, config, tmp_path / "weak")
    dataset = datasets.load_from_disk(str(path))
    info = json.loads((path / "build_info.json").read_text())
    assert len(dataset) == len(weak.records) and len(dataset[0]["probabilities"]) == 14
    assert info["corpus_hash"] == weak.corpus_hash and info["labels"] == weak.labels
    assert json.loads(dataset[2]["evidence"])  # s. 3 carries evidence


def test_report_scores_gold_and_refuses_stale_gold(config, tmp_path):
    weak = weak_label_corpus(config)
    s3 = next(r for r in weak.records if r["citation"] == "s. 3")
    gold = tmp_path / "gold.jsonl"
    entry = {"instrument_id": "cyber-act", "citation": "s. 3", "labels": ["surveillance_power", "secrecy_obligation"],
             "rationale": {}, "text_sha256": hashlib.sha256(s3["text"].encode()).hexdigest(),
             "annotations": {"annotator_1": ["surveillance_power"], "annotator_2": ["surveillance_power", "secrecy_obligation"]}}
    gold.write_text(json.dumps(entry) + "\n")
    config.dev_gold = gold
    report = build_report(weak, config)
    assert report["label_model_scores"]["per_label"]["surveillance_power"]["tp"] == 1
    assert report["annotator_agreement"]["n"] == 1
    assert "Macro-F1" in to_markdown(report)
    gold.write_text(json.dumps({**entry, "text_sha256": "0" * 64}) + "\n")
    with pytest.raises(ProvriskError, match="text differs"):
        build_report(weak, config)


def test_shipped_config_is_valid():
    config = load_labelling_config()
    assert config.label_model.type == "dawid_skene"
