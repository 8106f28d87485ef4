"""Evidence from predict_records: the clause that carries each flag, marked rule or model, with checkable quotes."""

from __future__ import annotations

import re

import pytest

from provrisk.ingest import ingest_bytes
from provrisk.label.framework import REGISTRY
from provrisk.models.artifacts import load_model_dir
from provrisk.models.linear import FUNCTION_WORDS, quotable
from provrisk.models.predict import predict_records
from provrisk.segment import segment_statute
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


@pytest.fixture(scope="module")
def scored():
    text = ingest_bytes(EXAMPLE.read_bytes(), EXAMPLE.name).text
    provisions = [p.to_dict() for p in segment_statute(text, "example")]
    return provisions, predict_records(load_model_dir(), provisions)


def test_each_evidence_clause_says_whether_a_rule_or_the_model_gave_it(scored):
    provisions, predictions = scored
    sources = set()
    for provision, prediction in zip(provisions, predictions):
        assert set(prediction["evidence_clauses"]) == set(prediction["labels"])
        for label, clauses in prediction["evidence_clauses"].items():
            assert clauses, (provision["citation"], label)
            for clause in clauses:
                sources.add(clause["source"])
                assert clause["citation"].startswith(provision["citation"])
                assert clause["clause"] in " ".join(provision["text"].split())
                assert all(quote.lower() in clause["clause"].lower() for quote in clause["quotes"])
                if clause["source"] == "rule":
                    assert REGISTRY[clause["rule"]].label == label  # a rule of this label, by name
                else:
                    assert clause["source"] == "model" and "rule" not in clause
            # the model is asked only where no rule matched
            assert {c["source"] for c in clauses} in ({"rule"}, {"model"})
            # evidence lists every quote of the clauses once, case aside
            quotes = {q.casefold(): None for c in clauses for q in c["quotes"]}
            assert [q.casefold() for q in prediction["evidence"][label]] == list(quotes)
    assert sources == {"rule", "model"}


def test_model_quotes_never_begin_or_end_with_a_stop_word(scored):
    _, predictions = scored
    model_quotes = [q for p in predictions for clauses in p["evidence_clauses"].values()
                    for c in clauses if c["source"] == "model" for q in c["quotes"]]
    assert model_quotes
    for quote in model_quotes:
        words = [w for w in re.findall(r"\w+", quote.lower()) if len(w) > 1]
        assert words[0] not in FUNCTION_WORDS and words[-1] not in FUNCTION_WORDS, quote


def test_pairs_made_of_a_stop_word_and_a_content_word_are_not_quotable():
    for ngram in ("and cybercrimes", "act on", "security for", "in accordance", "under subsection", "the data", "2018"):
        assert not quotable(ngram), ngram
    for ngram in ("cybercrimes", "render inaccessible", "search warrant", "information sharing"):
        assert quotable(ngram), ngram


def test_records_without_a_citation_cite_clauses_by_their_labels():
    record = {"id": "r1", "text": "(1) The Minister may— (a) publish a notice; (b) order a service provider to block "
                                  "access to any website that carries content he considers undesirable."}
    prediction = predict_records(load_model_dir(), [record])[0]
    assert "executive_blocking_takedown" in prediction["labels"]
    clauses = prediction["evidence_clauses"]["executive_blocking_takedown"]
    assert {c["citation"] for c in clauses} <= {"(1)", "(1)(a)", "(1)(b)"}
    assert any(c["citation"] == "(1)(b)" for c in clauses)
