"""The fast n-gram counter gives exactly the TF-IDF matrix scikit-learn's vectorizer gives."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

import provrisk.models.ngrams as ngrams
from provrisk.models.ngrams import NgramCounter

TRAINING = [
    "A person who intentionally accesses a computer system without right commits an offence.",
    "The court may issue a warrant to intercept the content data of specified communications.",
    "ΟΔΟΣ ΣΟΦΙΑΣ and naïve café — the Σ at a word's end lowers to ς, inside it to σ.",
    "Real-time collection of traffic data; the service provider shall retain records for 180 days.",
    "a b c aa bb cc aaa bbb ccc a-b a_b 1999 2000",
]
# Letters, marks, digits, punctuation, Greek capitals (context-dependent lower case) and many kinds of whitespace.
TEXT = st.text(alphabet=st.sampled_from(list("abcdeAΣΟσςé\u0301İK1_-.' \t\n\u00a0\u2003\u2028")), max_size=60)


def _vectorizers():
    return [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit(TRAINING),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32).fit(TRAINING),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(TRAINING),
        TfidfVectorizer(ngram_range=(2, 3), norm=None, use_idf=False).fit(TRAINING),
    ]


VECTORIZERS = _vectorizers()


def _same(expected, got) -> None:
    expected, got = sp.csr_array(expected), sp.csr_array(got)
    assert expected.shape == got.shape
    assert expected.dtype == got.dtype
    assert np.array_equal(expected.indptr, got.indptr)
    assert np.array_equal(expected.indices, got.indices)
    assert np.array_equal(expected.data, got.data)  # bit for bit, in the same order


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, max_size=5))
def test_counts_and_weights_equal_the_vectorizers_own(texts):
    texts = texts or [""]  # scikit-learn refuses an empty list of texts
    for vectorizer in VECTORIZERS:
        _same(vectorizer.transform(texts), NgramCounter(vectorizer).transform(texts))


def test_the_training_texts_themselves_and_words_remembered_from_an_earlier_call():
    for vectorizer in VECTORIZERS:
        counter = NgramCounter(vectorizer)
        for _ in range(2):
            _same(vectorizer.transform(TRAINING), counter.transform(TRAINING))


def test_remembered_words_are_forgotten_past_the_limit_without_changing_the_result(monkeypatch):
    monkeypatch.setattr(ngrams, "MAX_REMEMBERED_WORDS", 3)
    counter = NgramCounter(VECTORIZERS[1])
    for text in TRAINING:
        _same(VECTORIZERS[1].transform([text]), counter.transform([text]))
        assert len(counter._word_ngrams) <= 3 + len(set(text.split()))


@pytest.mark.parametrize("settings", [{"analyzer": "char"}, {"stop_words": "english"}, {"binary": True},
                                      {"lowercase": False}, {"strip_accents": "unicode"}])
def test_a_vectorizer_it_does_not_reproduce_is_refused(settings):
    with pytest.raises(ValueError, match="does not reproduce"):
        NgramCounter(TfidfVectorizer(**settings).fit(TRAINING))
