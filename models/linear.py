"""The linear provision classifier: TF-IDF n-grams (and LF votes) into one logistic regression per label.

:class:`LinearRiskClassifier` has the scikit-learn estimator API and works on
provision records (dicts with ``text`` and, when known, ``heading``,
``context``, ``kind``, ``instrument_id``):

* ``fit(X, Y, sample_weight=None)``: ``Y`` is a float array (n, L) of targets
  in [0, 1] (0/1 gold, or the label model's probabilities). Each label gets a
  logistic regression on the hard target ``Y > 0.5``; ``sample_weight`` is
  (n,) or (n, L), so the training stage can weigh a weak label by the label
  model's confidence in it, per label.
* ``decision_function(X)`` / ``predict_proba(X)``: per-label scores; the
  probabilities pass through per-label Platt scaling fitted by
  ``set_calibration`` on out-of-fold scores of gold provisions.
* ``evidence(records, labels, clauses)``: per record, per label of its labels,
  the clause of the record that carries the label and the n-grams in it that
  push its score for the label up most, for reports that quote trigger words.

Features: word 1–2-grams and character 3–5-grams of heading + lead-in +
text; (``embedding_weight`` > 0) a static sentence embedding distilled from
MiniLM (:mod:`provrisk.models.embeddings`), which lets wording the gold never
used sit near wording it did; (``use_lf_votes``) the labelling functions' votes, which carry the
analysts' rules into the model while the n-grams let it generalise past them,
and (``use_label_model``, which needs the votes) the probabilities of a
one-coin Dawid–Skene label model fitted on the training provisions' votes
(``label_model_``), so the regression starts from the rules' combined verdict
and learns from gold where the text says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from provrisk.label.apply import LFVotes
from provrisk.label.features import LFVoteFeaturizer
from provrisk.label.label_model import DawidSkeneLabelModel
from provrisk.models.calibration import apply_platt, fit_platt, identity_platt
from provrisk.models.embeddings import EncoderEmbedder, StaticEmbedder
from provrisk.models.ngrams import NgramCounter
from provrisk.models.text import model_text
from provrisk.segment.clauses import Clause

@lru_cache(maxsize=4096)
def _printed(ngram: str) -> re.Pattern:
    """The word n-gram as printed: its words, case aside, with non-word characters and any one-letter word
    between them (compiled once: the same n-grams explain many provisions)."""
    pattern = r"\W+(?:\w\W+)?".join(re.escape(term) for term in ngram.split())
    return re.compile(rf"(?<!\w){pattern}(?!\w)", flags=re.IGNORECASE)


def _fit_one(X, y, weight, C, class_weight, max_iter, random_state):
    if y.min() == y.max():  # a label with no positive (or no negative) example: constant score
        return np.zeros(X.shape[1]), (10.0 if y[0] else -10.0)
    model = LogisticRegression(
        C=C, class_weight=class_weight, max_iter=max_iter, solver="lbfgs", random_state=random_state
    ).fit(X, y, sample_weight=weight)
    return model.coef_[0], float(model.intercept_[0])


class LinearRiskClassifier(BaseEstimator):
    """Parameters: ``labels``, the fields of :class:`~provrisk.models.params.LinearParams`, ``lfs`` (the LFs
    whose votes are features: "all" or versioned names), ``label_model_params`` (keyword arguments of the
    Dawid-Skene label model) and ``random_state``.

    Learned attributes: ``labels_``, ``vectorizer_``, ``embedder_`` (when ``embedding_weight`` > 0),
    ``lf_featurizer_`` (the LF set, fixed at fit),
    ``label_model_``, ``coef_``, ``intercept_`` and ``calibration_`` (per-label Platt scaling).
    """

    def __init__(
        self,
        labels: Sequence[str] = (),
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
        word_min_df: int = 2,
        char_min_df: int = 3,
        max_word_features: int = 60000,
        max_char_features: int = 120000,
        embedding_weight: float = 0.0,
        embedding: str = "static",
        embedding_dims: int = 256,
        use_lf_votes: bool = True,
        lf_vote_weight: float = 1.0,
        use_label_model: bool = True,
        label_model_weight: float = 3.0,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        max_iter: int = 300,
        n_jobs: int = 1,
        lfs: str | Sequence[str] = "all",
        label_model_params: dict | None = None,
        random_state: int = 13,
    ):
        self.labels = labels
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.word_min_df = word_min_df
        self.char_min_df = char_min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.embedding_weight = embedding_weight
        self.embedding = embedding
        self.embedding_dims = embedding_dims
        self.use_lf_votes = use_lf_votes
        self.lf_vote_weight = lf_vote_weight
        self.use_label_model = use_label_model
        self.label_model_weight = label_model_weight
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.lfs = lfs
        self.label_model_params = label_model_params
        self.random_state = random_state

    # -- features --------------------------------------------------------------
    def lf_votes(self, records: Sequence[dict]) -> LFVotes:
        """The votes (and evidence spans) of exactly the LFs this model was fitted with."""
        return self.lf_featurizer_.votes(records)

    def _counters(self) -> list[NgramCounter]:
        """A fast n-gram counter for each fitted vectorizer (word, char), in ``vectorizer_``'s order."""
        vectorizers = [vectorizer for _, vectorizer in self.vectorizer_.transformer_list]
        counters = getattr(self, "_ngram_counters", None)
        if counters is None or any(c.vectorizer is not v for c, v in zip(counters, vectorizers)):
            counters = self._ngram_counters = [NgramCounter(v) for v in vectorizers]
        return counters

    def _coef_columns(self) -> np.ndarray:
        """``coef_.T`` as a C-ordered float64 array.

        The sparse float64 features times the float32 ``coef_.T`` would convert ``coef_.T`` to this
        (several MB) on every call; the product is the same, converted once per fitted model.
        """
        weights = getattr(self, "_coef_float64", None)
        if weights is None or weights[0] is not self.coef_:
            weights = self._coef_float64 = (self.coef_, np.ascontiguousarray(self.coef_.T, dtype=np.float64))
        return weights[1]

    def _features(self, records: Sequence[dict], votes: LFVotes | None = None):
        texts = [model_text(r) for r in records]
        # the n-gram blocks of vectorizer_.transform(texts), counted faster (models/ngrams.py)
        blocks = [counter.transform(texts) for counter in self._counters()]
        if self.embedding_weight > 0:
            blocks.append(sp.csr_matrix(self.embedder_.transform(texts) * self.embedding_weight))
        if self.use_lf_votes:
            matrix = self.lf_featurizer_.transform(votes if votes is not None else records).astype(np.float64)
            blocks.append(sp.csr_matrix(matrix * self.lf_vote_weight))
            if self.use_label_model:
                blocks.append(sp.csr_matrix(self.label_model_.predict_proba(matrix) * self.label_model_weight))
        return sp.hstack(blocks, format="csr")

    def fit(self, X: Sequence[dict], Y, sample_weight=None, lf_votes: LFVotes | None = None):
        """``Y``: (n, L) targets in [0, 1]; each label is fitted on ``Y > 0.5`` weighted by ``sample_weight``.

        ``lf_votes`` (votes for ``X`` computed elsewhere) saves recomputing them; they are realigned to
        this model's LFs by name.
        """
        Y = np.asarray(Y, dtype=float)
        self.labels_ = list(self.labels)
        self.vectorizer_ = FeatureUnion(
            [
                ("word", TfidfVectorizer(ngram_range=tuple(self.word_ngrams), min_df=self.word_min_df, sublinear_tf=True,
                                         max_features=self.max_word_features, dtype=np.float32)),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), min_df=self.char_min_df,
                                         sublinear_tf=True, max_features=self.max_char_features, dtype=np.float32)),
            ]
        ).fit([model_text(r) for r in X])
        # stop_words_ lists every n-gram cut by min_df/max_features: introspection only, and most of the file size.
        for _, vectorizer in self.vectorizer_.transformer_list:
            vectorizer.stop_words_ = None
        if self.embedding_weight > 0:
            self.embedder_ = (StaticEmbedder(dims=self.embedding_dims) if self.embedding == "static" else EncoderEmbedder()).fit()
        if self.use_lf_votes:
            self.lf_featurizer_ = LFVoteFeaturizer(lfs=self.lfs).fit()
            lf_votes = self.lf_featurizer_.align(lf_votes) if lf_votes is not None else self.lf_featurizer_.votes(X)
            if self.use_label_model:
                self.label_model_ = DawidSkeneLabelModel(
                    labels=self.labels_, lf_labels=self.lf_featurizer_.lf_labels_, **(self.label_model_params or {})
                ).fit(lf_votes.votes)
        features = self._features(X, lf_votes)
        weight = np.ones(Y.shape) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if weight.ndim == 1:
            weight = np.repeat(weight[:, None], Y.shape[1], axis=1)
        jobs = (
            delayed(_fit_one)(features, Y[:, k] > 0.5, weight[:, k], self.C, self.class_weight, self.max_iter, self.random_state)
            for k in range(Y.shape[1])
        )
        fitted = Parallel(n_jobs=self.n_jobs)(jobs)
        self.coef_ = np.vstack([coef for coef, _ in fitted]).astype(np.float32)
        self.intercept_ = np.array([intercept for _, intercept in fitted])
        self.calibration_ = identity_platt(len(self.labels_))
        return self

    def decision_function(self, X: Sequence[dict], lf_votes: LFVotes | None = None) -> np.ndarray:
        features = self._features(X, lf_votes)
        return np.asarray(features @ self._coef_columns()) + self.intercept_

    def set_calibration(self, scores: np.ndarray, gold: np.ndarray, C: float) -> None:
        """Per-label Platt scaling fitted on out-of-fold decision scores and their 0/1 gold labels."""
        self.calibration_ = fit_platt(scores, gold, C)

    def predict_proba(self, X: Sequence[dict], lf_votes: LFVotes | None = None) -> np.ndarray:
        return apply_platt(self.decision_function(X, lf_votes), self.calibration_)

    # -- evidence --------------------------------------------------------------
    def evidence(
        self, records: Sequence[dict], labels: Sequence[Sequence[str]], clauses: Sequence[Sequence[Clause]], top: int = 3
    ) -> list[dict[str, tuple[int, list[str]]]]:
        """For each record, per label of its ``labels``: ``(k, quotes)``, where ``clauses[i][k]`` is the clause
        of the record's text that carries the label and ``quotes`` the words in it that raise its score most.

        The carrying clause is the one whose word n-grams, taken out, lower the label's word n-gram score most
        (the rest of the score: character n-grams, which cannot be quoted, and the LF votes, which the LFs'
        own matches quote). Quotes are word n-grams of that
        clause with a positive weight, quoted as printed (at most ``top``), and only those a reader can check:
        an n-gram that begins or ends with a stop word or a drafting word ("and cybercrimes", "act on",
        "security for") is skipped, since its content word is an n-gram of its own. The tokenizer drops
        one-letter words, so an n-gram is quoted with them ("period of a year").
        """
        if not records:
            return []
        word = self._counters()[0]
        texts = [record.get("text") or "" for record in records]
        rows = word.transform(texts)  # the word n-grams of every text at once
        # Building the 60k-name array costs more than scoring a provision: once per loaded model.
        if getattr(self, "_word_names", None) is None:
            self._word_names = word.vectorizer.get_feature_names_out()
        carrying = self._carrying_clauses(records, labels, clauses)
        quoted = []
        for i, (text, record_labels) in enumerate(zip(texts, labels)):
            columns = rows.indices[rows.indptr[i] : rows.indptr[i + 1]]
            weights = rows.data[rows.indptr[i] : rows.indptr[i + 1]]
            by_label: dict[str, tuple[int, list[str]]] = {}
            for label in record_labels:
                k = carrying[i][label]
                clause = clauses[i][k]
                contributions = weights * self.coef_[self.labels_.index(label), columns]
                quotes: list[str] = []
                for j in np.argsort(-contributions):
                    if contributions[j] <= 0 or len(quotes) == top:
                        break
                    ngram = self._word_names[columns[j]]
                    if not quotable(ngram):
                        continue
                    match = _printed(ngram).search(text, clause.start, clause.end)
                    if match and match.group(0) not in quotes:
                        quotes.append(match.group(0))
                by_label[label] = (k, quotes)
            quoted.append(by_label)
        return quoted

    def _carrying_clauses(
        self, records: Sequence[dict], labels: Sequence[Sequence[str]], clauses: Sequence[Sequence[Clause]]
    ) -> list[dict[str, int]]:
        """Per record, per label: the index of the clause whose word n-grams, taken out of the provision's, lower
        the label's word n-gram score most (the n-grams the quotes come from).

        The provision without a clause is counted as the provision's n-gram counts less the clause's (a word
        pair across the clause's edges aside, the counts of the text without it), so each text is counted once.
        """
        carrying: list[dict[str, int]] = [{label: 0 for label in record_labels} for record_labels in labels]
        owners = [i for i in range(len(records)) if len(clauses[i]) > 1]
        if not owners:
            return carrying
        texts, whole_rows, whole_of_clause, clause_rows = [], [], [], []
        for i in owners:
            text = records[i].get("text") or ""
            whole_rows.append(len(texts))
            texts.append(model_text(records[i]))
            whole_of_clause.extend([whole_rows[-1]] * len(clauses[i]))
            clause_rows.extend(range(len(texts), len(texts) + len(clauses[i])))
            texts.extend(text[clause.start : clause.end] for clause in clauses[i])
        word = self._counters()[0]
        counts = word.counts(texts)
        without = counts[whole_of_clause] - counts[clause_rows]
        without.data = np.maximum(without.data, 0)  # a word pair the clause's edges made: never below none
        without.eliminate_zeros()  # a stored zero would be weighed as 1 + log(0) under sublinear TF
        weights = self._coef_columns()[: counts.shape[1]]
        whole = np.asarray(word.weigh(counts[whole_rows]) @ weights)
        without = np.asarray(word.weigh(sp.csr_array(without)) @ weights)
        row = 0
        for n, i in enumerate(owners):
            drops = whole[n] - without[row : row + len(clauses[i])]
            for label in labels[i]:
                carrying[i][label] = int(np.argmax(drops[:, self.labels_.index(label)]))
            row += len(clauses[i])
        return carrying


# Words of drafting that say nothing of what a provision does, beside scikit-learn's English stop words.
DRAFTING_WORDS = frozenset({
    "shall", "may", "act", "acts", "section", "sections", "subsection", "subsections", "paragraph", "paragraphs",
    "article", "articles", "chapter", "schedule", "regulation", "thereof", "therein", "thereto", "hereby", "herein",
    "hereof", "said",
})
FUNCTION_WORDS = ENGLISH_STOP_WORDS | DRAFTING_WORDS


def quotable(ngram: str) -> bool:
    """An n-gram a reader can check as a reason: it neither begins nor ends with a function word or a number."""
    terms = ngram.split()
    return not any(term in FUNCTION_WORDS or term.isdigit() for term in (terms[0], terms[-1]))
