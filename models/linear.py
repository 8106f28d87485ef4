"""The linear provision classifier: TF-IDF n-grams (and LF votes) into one logistic regression per label.

:class:`LinearRiskClassifier` has the scikit-learn estimator API and works on
provision records (dicts with ``text`` and, when known, ``heading``,
``context``, ``kind``, ``instrument_id``):

* ``fit(X, Y, sample_weight=None)``: ``Y`` is a float array (n, L) of targets
  in [0, 1] (the label model's probabilities, or 0/1 gold). Each label gets a
  logistic regression on the hard target ``Y > 0.5`` weighted by the target's
  confidence ``|2Y - 1|`` (floored at ``min_confidence``), so a provision the
  label model is unsure about counts for little.
* ``decision_function(X)`` / ``predict_proba(X)``: per-label scores; the
  probabilities pass through per-label Platt calibrators when
  ``set_calibration`` has been given out-of-fold scores.
* ``evidence(record, label)``: the n-grams of the record that push its score
  for the label up most, for reports that quote trigger words.

Features: word 1–2-grams and character 3–5-grams of heading + lead-in +
text, plus (``use_lf_votes``) the labelling functions' votes, which carry the
analysts' rules into the model while the n-grams let it generalise past them,
and (``use_label_model``, which needs the votes) the probabilities of a
one-coin Dawid–Skene label model fitted on the training provisions' votes
(``label_model_``), so the regression starts from the rules' combined verdict
and learns from gold where the text says otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from provrisk.models.text import model_text


def _fit_one(X, y, weight, C, class_weight, max_iter, random_state):
    if y.min() == y.max():  # a label with no positive (or no negative) example: constant score
        return np.zeros(X.shape[1]), (10.0 if y[0] else -10.0)
    model = LogisticRegression(
        C=C, class_weight=class_weight, max_iter=max_iter, solver="lbfgs", random_state=random_state
    ).fit(X, y, sample_weight=weight)
    return model.coef_[0], float(model.intercept_[0])


class LinearRiskClassifier(BaseEstimator):
    def __init__(
        self,
        labels: Sequence[str] = (),
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
        max_word_features: int = 60000,
        max_char_features: int = 120000,
        use_lf_votes: bool = True,
        lf_vote_weight: float = 1.0,
        use_label_model: bool = False,
        label_model_weight: float = 1.0,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        min_confidence: float = 0.2,
        max_iter: int = 300,
        n_jobs: int = 1,
        random_state: int = 13,
    ):
        self.labels = labels
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.use_lf_votes = use_lf_votes
        self.lf_vote_weight = lf_vote_weight
        self.use_label_model = use_label_model
        self.label_model_weight = label_model_weight
        self.C = C
        self.class_weight = class_weight
        self.min_confidence = min_confidence
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.random_state = random_state

    # -- features --------------------------------------------------------------
    def _lf_votes(self, records: Sequence[dict]):
        from provrisk.label.apply import apply_lfs, provision_inputs, registered_lfs

        votes = apply_lfs(provision_inputs(records), registered_lfs(self.lf_names_))
        return votes

    def _features(self, records: Sequence[dict], votes=None):
        text_features = self.vectorizer_.transform([model_text(r) for r in records])
        if not self.use_lf_votes:
            return text_features.tocsr()
        votes = votes if votes is not None else self._lf_votes(records)
        blocks = [text_features, sp.csr_matrix(votes.votes.astype(np.float64) * self.lf_vote_weight)]
        if self.use_label_model:
            blocks.append(sp.csr_matrix(self.label_model_.predict_proba(votes.votes) * self.label_model_weight))
        return sp.hstack(blocks, format="csr")

    def fit(self, X: Sequence[dict], Y, sample_weight=None, lf_votes=None):
        """``lf_votes`` (an :class:`~provrisk.label.apply.LFVotes` for ``X``) saves recomputing them."""
        from provrisk.label.apply import registered_lfs

        Y = np.asarray(Y, dtype=float)
        self.labels_ = list(self.labels)
        self.lf_names_ = [lf.name for lf in registered_lfs()] if self.use_lf_votes else []
        self.vectorizer_ = FeatureUnion(
            [
                ("word", TfidfVectorizer(ngram_range=tuple(self.word_ngrams), min_df=2, sublinear_tf=True,
                                         max_features=self.max_word_features, dtype=np.float32)),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), min_df=3,
                                         sublinear_tf=True, max_features=self.max_char_features, dtype=np.float32)),
            ]
        ).fit([model_text(r) for r in X])
        # stop_words_ lists every n-gram cut by min_df/max_features: introspection only, and most of the file size.
        for _, vectorizer in self.vectorizer_.transformer_list:
            vectorizer.stop_words_ = None
        if self.use_label_model:
            from provrisk.label.label_model import DawidSkeneLabelModel

            lf_votes = lf_votes if lf_votes is not None else self._lf_votes(X)
            self.label_model_ = DawidSkeneLabelModel(labels=self.labels_, lf_labels=lf_votes.lf_labels).fit(lf_votes.votes)
        features = self._features(X, lf_votes)
        base_weight = np.ones(len(Y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        jobs = (
            delayed(_fit_one)(
                features,
                Y[:, k] > 0.5,
                base_weight * np.maximum(np.abs(2 * Y[:, k] - 1), self.min_confidence),
                self.C,
                self.class_weight,
                self.max_iter,
                self.random_state,
            )
            for k in range(Y.shape[1])
        )
        fitted = Parallel(n_jobs=self.n_jobs)(jobs)
        self.coef_ = np.vstack([coef for coef, _ in fitted]).astype(np.float32)
        self.intercept_ = np.array([intercept for _, intercept in fitted])
        self.calibration_ = np.tile([1.0, 0.0], (len(self.labels_), 1))  # identity Platt scaling
        return self

    def decision_function(self, X: Sequence[dict], lf_votes=None) -> np.ndarray:
        features = self._features(X, lf_votes)
        return np.asarray(features @ self.coef_.T) + self.intercept_

    def set_calibration(self, scores: np.ndarray, targets: np.ndarray) -> None:
        """Fit one Platt scaling per label on out-of-fold decision scores and 0/1 targets."""
        for k in range(scores.shape[1]):
            y = targets[:, k] > 0.5
            if y.min() == y.max():
                continue
            platt = LogisticRegression(C=1e4).fit(scores[:, [k]], y)
            self.calibration_[k] = [platt.coef_[0, 0], platt.intercept_[0]]

    def predict_proba(self, X: Sequence[dict], lf_votes=None) -> np.ndarray:
        scores = self.decision_function(X, lf_votes)
        return 1 / (1 + np.exp(-(scores * self.calibration_[:, 0] + self.calibration_[:, 1])))

    # -- serialisation -------------------------------------------------------
    # skops writes a dict as one JSON node per entry, which makes a 180k-term
    # vocabulary tens of MB; a newline-joined string plus an index array is compact.
    # (Terms never contain newlines: words and char_wb n-grams split on whitespace.)
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_word_names", None)
        if "vectorizer_" in state:
            vectorizers = []
            for name, vectorizer in state["vectorizer_"].transformer_list:
                stripped = copy.copy(vectorizer)
                del stripped.vocabulary_
                vectorizers.append((name, stripped))
            union = copy.copy(state["vectorizer_"])
            union.transformer_list = vectorizers
            state["vectorizer_"] = union
            state["vocabularies_"] = [
                ("\n".join(v.vocabulary_), np.fromiter(v.vocabulary_.values(), dtype=np.int32))
                for _, v in self.vectorizer_.transformer_list
            ]
        return state

    def __setstate__(self, state):
        vocabularies = state.pop("vocabularies_", None)
        # Model files written before the label-model features existed.
        state.setdefault("use_label_model", False)
        state.setdefault("label_model_weight", 1.0)
        self.__dict__.update(state)
        if vocabularies is not None:
            for (_, vectorizer), (terms, indices) in zip(self.vectorizer_.transformer_list, vocabularies):
                vectorizer.vocabulary_ = dict(zip(terms.split("\n"), indices.tolist()))

    # -- evidence --------------------------------------------------------------
    def evidence(self, record: dict, label: str, top: int = 3) -> list[str]:
        """The word n-grams of the provision text with the largest positive contribution to ``label``."""
        k = self.labels_.index(label)
        word = self.vectorizer_.transformer_list[0][1]
        row = word.transform([record.get("text") or ""])
        n_word = len(word.vocabulary_)
        contributions = row.multiply(self.coef_[k, :n_word]).tocsr()
        order = np.argsort(-contributions.data)[:top]
        # Building the 60k-name array costs more than scoring a provision: once per loaded model.
        if getattr(self, "_word_names", None) is None:
            self._word_names = word.get_feature_names_out()
        return [self._word_names[contributions.indices[i]] for i in order if contributions.data[i] > 0]
