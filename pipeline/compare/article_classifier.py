"""Which article of one treaty a national-law provision implements, learned from alignment gold.

Word similarity finds the article whose words a provision shares; it cannot
know that "data espionage" or "illegal remaining" is illegal access, that a
data-protection authority has no counterpart, or which of two look-alike
request articles a heading points to. The laws annotated against a treaty
(``eval/gold/alignment/treaty.jsonl``) show how drafters write each article,
and this classifier learns it: TF-IDF of the provision's heading, lead-in and
words (the stems and bigrams :mod:`provrisk.compare.similarity` uses) into a
multinomial logistic regression over the treaty's articles and "no counterpart".

Input to :meth:`ArticleClassifier.fit`: provision texts (:func:`provision_text`)
and, per text, the first article gold names (``None``: no counterpart).
Output of :meth:`ArticleClassifier.article_probabilities`: a provisions x
articles matrix of probabilities (0 for an article gold never named).

Files (:func:`save_article_classifier`, :func:`load_article_classifier`):
``<directory>/<treaty id>/classifier.json`` (settings, vocabulary, classes)
and ``classifier.safetensors`` (arrays). Neither can carry code.
:func:`provrisk.compare.align.article_scores` blends the probabilities with
the similarity when the treaty has a classifier; other treaties are aligned
on similarity alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from provrisk.errors import ConfigError

CLASSIFIER_JSON = "classifier.json"
CLASSIFIER_WEIGHTS = "classifier.safetensors"
CLASSIFIER_FORMAT = "provrisk.article-classifier/1"
NO_COUNTERPART = "none"


def provision_text(provision: dict) -> str:
    """The words the classifier reads: heading, lead-in and the provision, as similarity compares them."""
    from provrisk.compare.similarity import comparable_text

    return comparable_text(f"{provision.get('heading') or ''}\n{provision.get('context') or ''}\n{provision['text']}")


class ArticleClassifier:
    """Multinomial logistic regression from a provision's words to the treaty article it implements."""

    def __init__(self, C: float = 10.0, treaty: str = ""):
        self.C = C
        self.treaty = treaty

    def fit(self, texts: Sequence[str], articles: Sequence[str | None]) -> ArticleClassifier:
        from sklearn.linear_model import LogisticRegression

        targets = [article or NO_COUNTERPART for article in articles]
        if len(set(targets)) < 2:
            raise ValueError("the gold names fewer than two outcomes: nothing to learn")
        vectorizer = _vectorizer()
        features = vectorizer.fit_transform(texts)
        regression = LogisticRegression(C=self.C, max_iter=5000).fit(features, targets)
        self.vectorizer_ = vectorizer
        self.classes_ = [str(c) for c in regression.classes_]
        self.coef_ = regression.coef_
        self.intercept_ = regression.intercept_
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Texts x ``classes_``: the softmax of the linear scores."""
        logits = np.asarray(self.vectorizer_.transform(texts) @ self.coef_.T) + self.intercept_
        if logits.shape[1] == 1:  # two classes: scikit-learn keeps one column of coefficients
            logits = np.hstack([-logits / 2, logits / 2])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def article_probabilities(self, texts: Sequence[str], citations: Sequence[str]) -> np.ndarray:
        """Texts x ``citations``: the probability that each text implements each article."""
        probabilities = self.predict_proba(texts) if len(texts) else np.zeros((0, len(self.classes_)))
        result = np.zeros((len(texts), len(citations)))
        column = {c: i for i, c in enumerate(self.classes_)}
        for j, citation in enumerate(citations):
            if citation in column:
                result[:, j] = probabilities[:, column[citation]]
        return result


def fit_article_classifier(gold_rows: Sequence[dict], reports: dict[str, dict], treaty: str, C: float) -> ArticleClassifier:
    """The classifier of ``treaty`` fitted on the gold rows against it (definitions left out: they are matched by term).

    ``gold_rows``: rows of ``eval/gold/alignment/treaty.jsonl``; ``reports``: the statute
    report of every law they cite, by instrument id.
    """
    texts, targets = [], []
    for row in gold_rows:
        if row["treaty"] != treaty:
            continue
        provision = _provision(reports[row["law"]], row["provision"])
        if provision["kind"] == "definition":
            continue
        texts.append(provision_text(provision))
        targets.append(row["articles"][0]["article"] if row["articles"] else None)
    return ArticleClassifier(C=C, treaty=treaty).fit(texts, targets)


def _provision(report: dict, citation: str) -> dict:
    for provision in report["provisions"]:
        if provision["citation"] == citation:
            return provision
    raise ValueError(f"{report['instrument']['id']}: gold provision {citation} is not a provision the segmenter finds")


def _vectorizer(vocabulary: dict[str, int] | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from provrisk.compare.similarity import stems

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, analyzer="word", tokenizer=stems,
                           token_pattern=None, lowercase=False, vocabulary=vocabulary)


def classifier_dir(directory: Path, treaty: str) -> Path:
    return Path(directory) / treaty


def save_article_classifier(classifier: ArticleClassifier, directory: Path, metadata: dict) -> Path:
    """Write the fitted ``classifier`` under ``directory/<treaty>/``; ``metadata`` (the gold it learned from) goes in the JSON."""
    from safetensors.numpy import save_file

    target = classifier_dir(directory, classifier.treaty)
    target.mkdir(parents=True, exist_ok=True)
    vocabulary = classifier.vectorizer_.vocabulary_
    document = {"format": CLASSIFIER_FORMAT, "treaty": classifier.treaty, "C": classifier.C,
                "classes": classifier.classes_, "terms": sorted(vocabulary, key=vocabulary.__getitem__),
                "metadata": metadata}
    (target / CLASSIFIER_JSON).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    arrays = {"coef": classifier.coef_, "intercept": classifier.intercept_, "idf": classifier.vectorizer_.idf_}
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}, str(target / CLASSIFIER_WEIGHTS))
    return target


def load_article_classifier(directory: Path, treaty: str) -> ArticleClassifier | None:
    """The classifier for ``treaty`` under ``directory``; None when there is none; ConfigError (naming the file) when damaged."""
    from safetensors.numpy import load_file

    target = classifier_dir(directory, treaty)
    path = target / CLASSIFIER_JSON
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        arrays = load_file(str(target / CLASSIFIER_WEIGHTS))
    except Exception as error:  # noqa: BLE001 - JSON and safetensors report damage with several exception types
        raise ConfigError(f"{path}: not a readable article classifier ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != CLASSIFIER_FORMAT or document.get("treaty") != treaty:
        raise ConfigError(f"{path}: not a provrisk article classifier for {treaty} (format {CLASSIFIER_FORMAT} expected)")
    terms, classes = document["terms"], document["classes"]
    coef, intercept, idf = arrays.get("coef"), arrays.get("intercept"), arrays.get("idf")
    rows = 1 if len(classes) == 2 else len(classes)
    if coef is None or intercept is None or idf is None or coef.shape != (rows, len(terms)) \
            or intercept.shape != (rows,) or idf.shape != (len(terms),):
        raise ConfigError(f"{target / CLASSIFIER_WEIGHTS}: arrays do not match {path}")
    classifier = ArticleClassifier(C=float(document["C"]), treaty=treaty)
    vectorizer = _vectorizer({term: i for i, term in enumerate(terms)})
    vectorizer.idf_ = idf
    classifier.vectorizer_ = vectorizer
    classifier.classes_ = classes
    classifier.coef_ = coef
    classifier.intercept_ = intercept
    return classifier
