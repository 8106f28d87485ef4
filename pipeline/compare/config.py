"""Comparison settings (``configs/compare.yaml``), validated: how ``align`` and ``diff`` score and decide.

Input: the YAML file (default ``configs/compare.yaml``). Output: a
:class:`CompareConfig`. The values in the shipped file were chosen by
``provrisk alignment-report --select`` on leave-one-law-out cross-validation
of the alignment gold (see ``eval/alignment.py``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from provrisk.config_files import invalid, read_yaml
from provrisk.settings import PROJECT_ROOT

DEFAULT_COMPARE_CONFIG = PROJECT_ROOT / "configs" / "compare.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlignWeights(_Strict):
    # A provision is compared with an article by its own words (with its lead-in) against
    # the whole article and against the article's closest paragraph, by its whole section's
    # words (the citation structure: the parts of one section share a subject) and by its
    # section heading against the article's heading.
    provision: float = Field(0.3, ge=0)
    paragraph: float = Field(0.3, ge=0)
    section: float = Field(0.1, ge=0)
    heading: float = Field(0.3, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> AlignWeights:
        if self.provision + self.paragraph + self.section + self.heading <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class LegalConcepts(_Strict):
    # Legal vocabulary that word overlap misses: a law's "unauthorised modification" is the treaty's
    # "data interference", its "penalties" the treaty's "sanctions". Each concept is a regular
    # expression (case-insensitive); a text it matches gains the concept as a word, `weight` times,
    # so TF-IDF cosine counts a shared concept like shared words. 0 turns concepts off; MiniLM
    # similarity ignores them.
    weight: int = Field(0, ge=0, le=10)
    patterns: dict[str, str] = {}

    @model_validator(mode="after")
    def _patterns_compile(self) -> LegalConcepts:
        for name, pattern in self.patterns.items():
            if not re.fullmatch(r"[a-z_]+", name):
                raise ValueError(f"concept name {name!r}: use lower-case letters and _ only")
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"concept {name!r}: not a regular expression ({error})") from None
        return self


class ArticleClassifierConfig(_Strict):
    # The learned article classifiers (provrisk.compare.article_classifier), one folder per treaty
    # that alignment gold covers, written by `provrisk train-aligner`; relative to the project root.
    directory: str = "models/alignment"
    # Inverse regularisation strength of the classifier's logistic regression (scikit-learn's C).
    C: float = Field(10.0, gt=0)
    # With a classifier, a provision's score with an article is (similarity + weight x probability)
    # / (1 + weight), and it has no counterpart below `threshold` (the similarity-only `threshold`
    # of `align` applies to treaties without a classifier).
    weight: float = Field(0.5, ge=0)
    threshold: float = Field(0.15, ge=0, le=1)


class AlignConfig(_Strict):
    weights: AlignWeights = AlignWeights()
    concepts: LegalConcepts = LegalConcepts()
    # Below `threshold` a provision has no counterpart; at or above `exact_threshold` the
    # counterpart is exact, between the two partial.
    threshold: float = Field(0.2, ge=0, le=1)
    exact_threshold: float = Field(0.4, ge=0, le=1)
    # How much a provision's score with an article is discounted when the two lay down different
    # kinds of rule (offence, power, cooperation; see provrisk.compare.rule_types): 0 ignores the
    # kinds, 1 rules such pairs out; half as much when either kind is unknown.
    kind_agreement: float = Field(0.0, ge=0, le=1)
    # A second article is named when it scores at least this share of the first.
    second_article_share: float = Field(0.9, gt=0, le=1)
    # The parts of one section implement the same article as a rule (a penalty subsection goes with
    # its offence): this share of a provision's score with an article is its section's mean score.
    section_smoothing: float = Field(0.0, ge=0, le=1)
    classifier: ArticleClassifierConfig = ArticleClassifierConfig()


class DiffConfig(_Strict):
    # Two provisions of the two versions are paired when their similarity (words, with the
    # heading's and the citation's agreement added) is at least `pair_threshold`, and the
    # similarity of their own words alone at least half of it.
    pair_threshold: float = Field(0.35, ge=0, le=1)
    # The share of the words' similarity that comes from the two provisions' whole sections, so that
    # look-alike penalty subsections pair inside their own sections.
    section_weight: float = Field(0.3, ge=0, le=1)
    heading_weight: float = Field(0.15, ge=0, le=1)
    same_citation_bonus: float = Field(0.1, ge=0, le=1)
    # A further unpaired new provision is part of a split when at least this share of its
    # words come from the old provision (and the reverse for a merge).
    part_containment: float = Field(0.75, gt=0, le=1)
    # The same, for a provision in the same section as the paired one (a penalty subsection split
    # off an offence, "A person who contravenes subsection (1) ..."): the section is evidence too.
    sibling_containment: float = Field(0.5, gt=0, le=1)
    # Each part of a split or merge carries a piece of the rule: a further new provision joins a
    # split only when it holds at least this share of the old provision's words that the new ones
    # already paired with it lack; a further old provision joins a merge only when at least this
    # share of its words are in the new one and not in the old ones already carried there.
    part_share: float = Field(0.1, ge=0, le=1)


class CompareConfig(_Strict):
    similarity: Literal["tfidf", "minilm"] = "tfidf"
    align: AlignConfig = AlignConfig()
    diff: DiffConfig = DiffConfig()


def load_compare_config(path: str | Path | None = None) -> CompareConfig:
    """The validated config at ``path`` (default: ``configs/compare.yaml``)."""
    path = Path(path) if path is not None else DEFAULT_COMPARE_CONFIG
    raw = read_yaml(path, "comparison config not found")
    try:
        return CompareConfig(**raw)
    except ValidationError as error:
        raise invalid(path, error) from None
