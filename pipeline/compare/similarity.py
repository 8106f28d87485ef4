"""How alike two sets of legal texts are: one similarity matrix, by TF-IDF or by sentence embeddings.

Input: two lists of texts (left, right). Output: a ``len(left) x len(right)``
matrix of cosine similarities in [0, 1]. Texts are compared as
:func:`comparable_text` makes them: lower case, with enumerator labels and
the numbers of cross-references taken out, so that renumbering alone changes
nothing.

``tfidf`` (the default) fits one vectoriser on both lists, so the weight of a
word reflects how rare it is in the two instruments being compared; ``minilm``
embeds each text with the packaged all-MiniLM-L6-v2 encoder (the
``transformer`` extra). ``eval/alignment.py`` measures both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from provrisk.errors import ConfigError

if TYPE_CHECKING:
    from provrisk.compare.config import LegalConcepts

METHODS = ("tfidf", "minilm")
# "(1)", "(a)", "(iv)" at the start of a line or after a dash: structure, not words
_ENUMERATOR = re.compile(r"(?:(?<=^)|(?<=\s)|(?<=[—–-]))\(?(?:\d+[A-Z]?|[a-z]{1,2}|[ivxlc]+)\)(?=\s)")
# "section 12(1)(a)", "subsection (3)", "article 24", "s. 8A": the numbers change with every renumbering
_CROSS_REFERENCE = re.compile(
    r"\b(sections?|subsections?|articles?|paragraphs?|parts?|s\.|ss\.|art\.)\s*(?:\d+[A-Z]?|\([0-9a-z]+\))(?:\s*\([0-9a-z]+\))*",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def comparable_text(text: str) -> str:
    """``text`` in lower case without enumerator labels or cross-reference numbers, spaces collapsed."""
    text = _CROSS_REFERENCE.sub(lambda m: m.group(1), text)
    text = _ENUMERATOR.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()


def similarity_matrix(
    left: Sequence[str], right: Sequence[str], method: str = "tfidf", concepts: LegalConcepts | None = None
) -> np.ndarray:
    """Cosine similarity of every left text with every right text (empty texts score 0).

    ``concepts``: legal concepts each text gains as words before TF-IDF (see
    :class:`~provrisk.compare.config.LegalConcepts`); MiniLM ignores them.
    """
    if method not in METHODS:
        raise ConfigError(f"similarity method {method!r} is not one of {', '.join(METHODS)}")
    left = [comparable_text(t) for t in left]
    right = [comparable_text(t) for t in right]
    if not left or not right:
        return np.zeros((len(left), len(right)))
    if method == "minilm":
        vectors = _minilm().transform(left + right)
    else:
        vectors = _tfidf(left + right, concepts)
    similarity = vectors[: len(left)] @ vectors[len(left) :].T
    similarity = np.asarray(similarity.toarray() if hasattr(similarity, "toarray") else similarity, dtype=float)
    empty_left = np.array([not t for t in left])
    empty_right = np.array([not t for t in right])
    similarity[empty_left, :] = 0.0
    similarity[:, empty_right] = 0.0
    return np.clip(similarity, 0.0, 1.0)


def _tfidf(texts: list[str], concepts: LegalConcepts | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(re.search(r"[a-z]{2}", t) for t in texts):
        return _empty_vectors(len(texts))
    # Stems ("abetment" and "abetting", "intercepts" and "interception" are one word), in unigrams and
    # bigrams ("traffic data", "computer system"); English stop words carry no subject.
    compiled = _compiled(concepts)
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, analyzer="word",
                                 tokenizer=(lambda text: stems(text) + _concept_words(text, compiled)),
                                 token_pattern=None, lowercase=False)
    return vectoriser.fit_transform(texts)


_TOKEN = re.compile(r"\b[a-z][a-z]+\b")


def stems(text: str) -> list[str]:
    """The Snowball stems of ``text``'s words, English stop words left out (the tokens of every TF-IDF here)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return _stemmer().stemWords([w for w in _TOKEN.findall(text) if w not in ENGLISH_STOP_WORDS])


def _compiled(concepts: LegalConcepts | None) -> list[tuple[str, re.Pattern, int]]:
    if concepts is None or not concepts.weight:
        return []
    return [(name, re.compile(pattern, re.IGNORECASE), concepts.weight) for name, pattern in concepts.patterns.items()]


def _concept_words(text: str, compiled: list[tuple[str, re.Pattern, int]]) -> list[str]:
    # "concept" and letters only: no stem or stop word looks like it, so a concept never matches a word
    return [f"concept{name.replace('_', '')}" for name, pattern, weight in compiled if pattern.search(text) for _ in range(weight)]


_STEMMER = None


def _stemmer():
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer

        _STEMMER = snowballstemmer.stemmer("english")
    return _STEMMER


def _empty_vectors(n: int):
    from scipy.sparse import csr_matrix

    return csr_matrix((n, 1))


_ENCODER = None


def _minilm():
    global _ENCODER
    if _ENCODER is None:
        try:
            from provrisk.models.embeddings import EncoderEmbedder

            _ENCODER = EncoderEmbedder().fit()
        except ImportError:
            raise ConfigError(
                "similarity method 'minilm' needs the transformer extra: pip install 'provrisk[transformer]'"
            ) from None
    return _ENCODER
