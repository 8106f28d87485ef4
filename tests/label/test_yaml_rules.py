"""Labelling rules written in YAML vote, report and score like the Python ones, and never change an existing model."""

from __future__ import annotations

import pytest

import provrisk.label.cues as cues
from provrisk.errors import ConfigError
from provrisk.label.apply import apply_lfs, provision_inputs
from provrisk.label.config import LabellingConfig, load_labelling_config
from provrisk.label.features import ModelContractError
from provrisk.label.framework import NEGATIVE, POSITIVE, REGISTRY
from provrisk.label.weak import save_weak_labels, weak_label_corpus
from provrisk.label.yaml_rules import read_rules, register_rules
from provrisk.models.artifacts import load_model_dir, save_model_dir
from provrisk.models.predict import predict_records
from provrisk.settings import get_settings
from provrisk.train.config import load_train_config
from provrisk.train.run import train
from provrisk.train.tracking import metadata_for
from tests.train.test_training import setup  # noqa: F401 - the small-corpus training fixture

RULES = """
rules:
  - name: decryption_duty.v1
    label: compelled_assistance
    vote: positive
    description: A duty to decrypt or to hand over keys.
    phrases: [Decryption Key, provide the password]
    word_starts: [decrypt]
    none_of: [offence]
    kinds: [operative]
  - name: bona_fide_research.v1
    label: research_chilling
    vote: negative
    description: An express defence of bona fide security research.
    phrases: [bona fide security research]
"""
KEY_DUTY = "A service provider shall give the police any decryption key it holds."


@pytest.fixture()
def use_rules(tmp_path, monkeypatch):
    """Point the rules_file setting at a file with ``text`` and register its rules; everything is restored after."""
    registry, cue_table = dict(REGISTRY), dict(cues.CUES)

    def use(text: str):
        path = tmp_path / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("PROVRISK_RULES_FILE", str(path))
        get_settings.cache_clear()
        return register_rules(get_settings().rules_file)

    yield use
    REGISTRY.clear()
    REGISTRY.update(registry)
    cues.CUES.clear()
    cues.CUES.update(cue_table)
    cues._cue_matcher.cache_clear()
    monkeypatch.delenv("PROVRISK_RULES_FILE", raising=False)
    get_settings.cache_clear()


def _votes(text: str, kind: str = "operative") -> tuple[dict[str, int], dict[str, list[str]]]:
    out = apply_lfs(provision_inputs([{"id": "t", "instrument_id": "t", "text": text, "kind": kind}]))
    votes = {name: int(out.votes[0, j]) for j, name in enumerate(out.lf_names) if out.votes[0, j]}
    quotes = {name: [text[a:b] for a, b in spans] for name, spans in out.evidence[0].items()}
    return votes, quotes


def test_the_shipped_rules_file_is_valid_and_adds_no_rule():
    assert read_rules(get_settings().rules_file) == []


def test_a_yaml_rule_votes_with_its_own_words_as_evidence(use_rules):
    before, _ = _votes(KEY_DUTY)
    assert "compelled_assistance.decryption_duty.v1" not in before
    lfs = use_rules(RULES)
    assert [(lf.name, lf.polarity) for lf in lfs] == [("compelled_assistance.decryption_duty.v1", POSITIVE),
                                                       ("research_chilling.bona_fide_research.v1", NEGATIVE)]
    votes, quotes = _votes(KEY_DUTY)
    assert votes["compelled_assistance.decryption_duty.v1"] == POSITIVE
    assert quotes["compelled_assistance.decryption_duty.v1"] == ["decryption key"]
    assert _votes("The officer may require a person to decrypt any data.")[0]["compelled_assistance.decryption_duty.v1"] == POSITIVE
    # none_of and kinds hold it back
    assert "compelled_assistance.decryption_duty.v1" not in _votes(KEY_DUTY + " A provider who fails commits an offence.")[0]
    assert "compelled_assistance.decryption_duty.v1" not in _votes(KEY_DUTY, kind="definition")[0]
    access = "A person who accesses a computer without authority commits an offence, except in bona fide security research."
    assert _votes(access)[0]["research_chilling.bona_fide_research.v1"] == NEGATIVE


def test_labelling_runs_the_rules_and_weak_labels_made_without_them_are_stale(use_rules, tmp_path):
    from tests.corpora.test_dataset import _corpus

    corpus = _corpus(tmp_path, {"key-act": "KEY ACT\n\n1. Keys\n" + KEY_DUTY + "\n"})
    config = LabellingConfig(corpus_dir=corpus, output_dir=tmp_path / "weak")
    without = config.fingerprint()
    use_rules(RULES)
    assert config.fingerprint() != without  # `train` refuses weak labels made before the rule
    weak = weak_label_corpus(config)
    row = next(i for i, r in enumerate(weak.records) if r["citation"] == "s. 1")
    assert weak.proba[row, weak.labels.index("compelled_assistance")] > 0.5
    assert {"lf": "compelled_assistance.decryption_duty.v1", "quote": "decryption key"}.items() <= \
        weak.evidence(row)["compelled_assistance"][0].items()


@pytest.mark.parametrize(("text", "message"), [
    ("rules:\n  - {name: x.v1, label: surveillance, vote: positive, description: d, phrases: [a]}\n",
     "rules.0.label: 'surveillance' is not a label id"),
    ("rules:\n  - {name: x, label: surveillance_power, vote: positive, description: d, phrases: [a]}\n", "rules.0.name"),
    ("rules:\n  - {name: x.v1, label: surveillance_power, vote: maybe, description: d, phrases: [a]}\n", "rules.0.vote"),
    ("rules:\n  - {name: x.v1, label: surveillance_power, vote: positive, description: d, phrases: [a], all_of: [judge]}\n",
     "rules.0.all_of: Value error, unknown cues ['judge']"),
    ("rules:\n  - {name: x.v1, label: surveillance_power, vote: positive, description: d}\n",
     "rules.0 (x.v1): give the rule its own phrases or word_starts"),
    ("rules:\n  - {name: x.v1, label: surveillance_power, vote: positive, description: d, phrase: [a]}\n", "rules.0.phrase"),
])
def test_a_bad_rule_is_one_line_naming_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_rules(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value) and "\n" not in str(error.value)


def test_a_model_scores_with_the_rules_it_was_trained_with_and_the_shipped_model_ignores_them(use_rules, setup):  # noqa: F811
    path, tmp_path = setup
    shipped = load_model_dir(None)
    records = [{"id": "k", "text": KEY_DUTY}, {"id": "s", "text": "The Minister may direct a provider to intercept communications."}]
    shipped_before = predict_records(shipped, records)
    use_rules(RULES)
    assert predict_records(shipped, records) == shipped_before  # a model runs only the LFs it was trained with

    labelling = load_labelling_config(tmp_path / "labelling.yaml")
    save_weak_labels(weak_label_corpus(labelling), labelling, tmp_path / "weak")  # stale once the rules changed
    config, raw = load_train_config(path)
    result = train(config, progress=lambda m: None)
    assert "compelled_assistance.decryption_duty.v1" in result.estimator.lf_featurizer_.lf_names_
    directory = save_model_dir(tmp_path / "with-rules", result.estimator, metadata_for(result, raw, []))
    votes = load_model_dir(directory).lf_votes(records)
    j = votes.lf_names.index("compelled_assistance.decryption_duty.v1")
    assert votes.votes[0, j] == POSITIVE and votes.evidence[0]["compelled_assistance.decryption_duty.v1"]

    REGISTRY.pop("compelled_assistance.decryption_duty.v1")  # the rule removed from the file
    with pytest.raises(ModelContractError, match="compelled_assistance.decryption_duty.v1"):
        predict_records(load_model_dir(directory), records)
