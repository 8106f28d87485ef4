"""provrisk.compare.align: a law against the treaty it implements, through the public functions."""

from __future__ import annotations

import pytest

from provrisk.compare.align import align_reports
from provrisk.compare.config import load_compare_config
from provrisk.compare.similarity import similarity_matrix
from provrisk.compare.instruments import scored_instrument
from provrisk.errors import ConfigError, InputError
from provrisk.models.artifacts import load_model_dir

PHL = "phl-cybercrime-prevention-act-2012"
BUDAPEST = "coe-budapest-convention-2001"


@pytest.fixture(scope="module")
def model():
    return load_model_dir()


@pytest.fixture(scope="module")
def phl_budapest(corpus_dir, model):
    return align_reports(scored_instrument(PHL, model), scored_instrument(BUDAPEST, model), load_compare_config())


def test_every_law_provision_gets_one_pair_in_the_json_contract(phl_budapest, corpus_dir, model):
    law = scored_instrument(PHL, model)
    assert [p["provision"] for p in phl_budapest["pairs"]] == [p["citation"] for p in law["provisions"]]
    for pair in phl_budapest["pairs"]:
        assert pair["strength"] in ("exact", "partial", "none")
        assert (pair["article"] is None) == (pair["strength"] == "none")
        assert isinstance(pair["score"], float)
        assert isinstance(pair["labels_only_in_law"], list) and isinstance(pair["labels_only_in_treaty"], list)
    assert all(a.startswith("Art. ") for a in phl_budapest["unimplemented_articles"])


def test_offences_and_powers_copied_from_the_convention_find_their_articles(phl_budapest):
    by_provision = {p["provision"]: p for p in phl_budapest["pairs"]}
    # "Illegal Access. – The access to the whole or any part of a computer system without right."
    assert by_provision["s. 4(a)(1)"]["article"] == "Art. 2"
    assert by_provision["s. 12"]["article"] == "Art. 20"  # real-time collection of traffic data
    assert by_provision["s. 15"]["article"] == "Art. 19"  # search and seizure
    assert by_provision["s. 9"]["article"] == "Art. 12"  # corporate liability
    # a definition is matched by its term: "computer data" is the Convention's own term
    assert by_provision["s. 3(e)"]["article"] == "Art. 1"


def test_cyber_libel_has_no_counterpart_and_keeps_its_risk_labels(phl_budapest):
    libel = next(p for p in phl_budapest["pairs"] if p["provision"] == "s. 4(c)(4)")
    assert libel["article"] is None
    assert "expression_offence" in libel["labels_only_in_law"]
    assert "no counterpart" in libel["finding"]


def test_an_article_no_provision_implements_is_listed(phl_budapest):
    implemented = {a for p in phl_budapest["pairs"] for a in p["articles"]}
    listed = set(phl_budapest["unimplemented_articles"])
    assert listed and not listed & implemented
    assert phl_budapest["summary"]["articles_implemented"] + len(listed) == phl_budapest["summary"]["articles"]


def test_the_un_convention_is_read_from_its_verbatim_passages(corpus_dir, model):
    treaty = scored_instrument("un-cybercrime-convention-2024", model)
    assert treaty["instrument"]["metadata"]["partial_text"] is True
    assert {"Art. 6(1)", "Art. 40(21)"} <= {p["citation"] for p in treaty["provisions"]}
    assert all(treaty["instrument"]["metadata"]["sources"])


def test_unknown_treaty_and_bad_config_are_one_line_errors(tmp_path, model):
    with pytest.raises(InputError, match="no corpus or packaged instrument has this id"):
        scored_instrument("no-such-treaty", model)
    bad = tmp_path / "compare.yaml"
    bad.write_text("align: {threshold: 2}\n")
    with pytest.raises(ConfigError, match="align.threshold"):
        load_compare_config(bad)
    bad.write_text("align: {concepts: {weight: 2, patterns: {sanctions: 'penalt(y'}}}\n")
    with pytest.raises(ConfigError, match="align.concepts.*sanctions.*not a regular expression"):
        load_compare_config(bad)


def test_a_shared_legal_concept_counts_like_a_shared_word():
    concepts = load_compare_config().align.concepts
    law = ["A person who without authority modifies any computer data commits an offence."]
    articles = ["Data interference: the damaging, deletion, deterioration, alteration or suppression of computer data.",
                "Illegal interception: the interception of non-public transmissions."]
    plain = similarity_matrix(law, articles, "tfidf")
    with_concepts = similarity_matrix(law, articles, "tfidf", concepts)
    # "modifies" and "alteration" share no stem; the data_interference concept links them
    assert with_concepts[0, 0] > plain[0, 0] and with_concepts[0, 0] > with_concepts[0, 1]
