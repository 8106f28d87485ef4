"""The linear model's TF-IDF n-gram features, counted faster than scikit-learn counts them, with the same result.

Input: a fitted ``TfidfVectorizer`` as :class:`~provrisk.models.linear.LinearRiskClassifier`
makes them (word n-grams with the default token pattern, or ``char_wb`` n-grams;
lower-cased, no stop words, accents kept) and texts. Output:
:meth:`NgramCounter.transform` gives the same sparse matrix, value for value,
as ``vectorizer.transform(texts)``.

Why: scikit-learn counts n-grams one at a time in Python, with a dictionary
lookup per n-gram and a caught ``KeyError`` per n-gram outside the
vocabulary; for character 3-5-grams that was most of the linear model's
scoring time. Here:

- word n-grams of a text are counted with ``Counter`` (in C), and each
  distinct n-gram is looked up once;
- a ``char_wb`` n-gram never crosses whitespace (each word is padded with a
  space on either side and cut into n-grams on its own), so a text's counts
  are the sum over its words of each word's n-gram counts: each distinct
  word's n-grams are looked up once and remembered, and the texts × words
  count matrix times the words × n-grams matrix gives the texts' counts.

The counts then go through the vectorizer's own TF-IDF weighting and
normalisation, so the features are the ones the model was trained on.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

# Distinct words whose character n-grams are remembered; past this the memory is cleared and refilled.
MAX_REMEMBERED_WORDS = 50_000


class NgramCounter:
    """``transform(texts)`` equals ``vectorizer.transform(texts)`` for a fitted ``vectorizer`` (see the module docstring)."""

    def __init__(self, vectorizer: TfidfVectorizer):
        supported = (
            vectorizer.analyzer in ("word", "char_wb")
            and vectorizer.input == "content"
            and vectorizer.lowercase
            and not vectorizer.strip_accents
            and vectorizer.preprocessor is None
            and vectorizer.tokenizer is None
            and vectorizer.stop_words is None
            and not vectorizer.binary
        )
        if not supported:
            raise ValueError(f"NgramCounter does not reproduce a TfidfVectorizer with {vectorizer.get_params()}")
        self.vectorizer = vectorizer
        self._analyze = vectorizer.build_analyzer()  # char_wb: one word's n-grams
        self._tokenize = vectorizer.build_tokenizer()  # word: a lower-cased text's tokens
        self._word_ngrams: dict[str, tuple[list[int], list[int]]] = {}  # word -> (columns, counts)

    def transform(self, texts: Sequence[str]):
        """The TF-IDF matrix (n texts × vocabulary), as ``vectorizer.transform(texts)`` gives it."""
        return self.weigh(self.counts(texts))

    def counts(self, texts: Sequence[str]) -> sp.csr_array:
        """The n-gram counts (n texts × vocabulary), as the vectorizer counts them before weighing them."""
        counts = self._char_wb_counts(texts) if self.vectorizer.analyzer == "char_wb" else self._word_counts(texts)
        counts.sort_indices()
        return counts

    def weigh(self, counts):
        """TF-IDF features from counts: the vectorizer's transform is exactly its TfidfTransformer applied to them."""
        return self.vectorizer._tfidf.transform(counts, copy=False)

    def _word_counts(self, texts: Sequence[str]) -> sp.csr_array:
        vocabulary = self.vectorizer.vocabulary_
        low, high = self.vectorizer.ngram_range
        columns: list[int] = []  # every text's distinct n-grams' columns (-1: not in the vocabulary), run together
        counts: list[int] = []
        lengths: list[int] = []  # distinct n-grams per text
        for text in texts:
            tokens = self._tokenize(text.lower())
            ngrams: Counter[str] = Counter()
            for n in range(low, high + 1):
                ngrams.update(map(" ".join, zip(*(tokens[i:] for i in range(n)))))
            columns.extend(map(vocabulary.get, ngrams, itertools.repeat(-1)))
            counts.extend(ngrams.values())
            lengths.append(len(ngrams))
        return _rows(columns, counts, lengths, len(vocabulary), self.vectorizer.dtype)

    def _char_wb_counts(self, texts: Sequence[str]) -> sp.csr_array:
        if len(self._word_ngrams) > MAX_REMEMBERED_WORDS:
            self._word_ngrams.clear()
        # lower-casing maps whitespace to itself and nothing else to whitespace: splitting first is the same
        words_by_text = [Counter(text.split()) for text in texts]
        words = dict.fromkeys(itertools.chain.from_iterable(words_by_text))  # distinct words, in order
        row_of = dict(zip(words, itertools.count()))
        # texts × words: how often each distinct word occurs in each text
        texts_by_words = _rows(
            list(itertools.chain.from_iterable(map(row_of.__getitem__, counter) for counter in words_by_text)),
            list(itertools.chain.from_iterable(counter.values() for counter in words_by_text)),
            [len(counter) for counter in words_by_text],
            len(words),
            np.int64,
        )
        # words × n-grams
        ngrams = [self._ngrams_of(word) for word in words]
        words_by_ngrams = _rows(
            list(itertools.chain.from_iterable(columns for columns, _ in ngrams)),
            list(itertools.chain.from_iterable(counts for _, counts in ngrams)),
            [len(columns) for columns, _ in ngrams],
            len(self.vectorizer.vocabulary_),
            np.int64,
        )
        return sp.csr_array(texts_by_words @ words_by_ngrams, dtype=self.vectorizer.dtype)

    def _ngrams_of(self, word: str) -> tuple[list[int], list[int]]:
        """The vocabulary columns of ``word``'s character n-grams and how often each occurs (remembered)."""
        found = self._word_ngrams.get(word)
        if found is None:
            vocabulary = self.vectorizer.vocabulary_
            counts = Counter(vocabulary[ngram] for ngram in self._analyze(word) if ngram in vocabulary)
            found = self._word_ngrams[word] = (list(counts), list(counts.values()))
        return found


def _rows(columns: list[int], counts: list[int], lengths: list[int], n_columns: int, dtype) -> sp.csr_array:
    """A CSR matrix from its rows' (column, count) entries run together, ``lengths[i]`` of them for row i;
    entries whose column is -1 are left out."""
    columns_array = np.asarray(columns, dtype=np.int64)
    known = columns_array >= 0
    row_of_entry = np.repeat(np.arange(len(lengths)), lengths)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of_entry[known], minlength=len(lengths)), out=indptr[1:])
    return sp.csr_array(
        (np.asarray(counts, dtype=dtype)[known], columns_array[known].astype(np.int32), indptr),
        shape=(len(lengths), n_columns),
    )
