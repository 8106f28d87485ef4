"""Align a national law with the treaty it implements, provision by article.

Input: the statute reports of the law and of the treaty (see
:mod:`provrisk.compare.instruments`) and a :class:`~provrisk.compare.config.CompareConfig`.
Output: the alignment document, the stable JSON contract of
``provrisk align --format json`` (documented in the README)::

    {"schema", "law": {id, title}, "treaty": {id, title, partial_text},
     "method": {similarity, threshold, exact_threshold},
     "pairs": [{"provision", "heading", "article", "article_heading", "articles",
                "score", "strength", "labels_only_in_law", "labels_only_in_treaty", "finding"}],
     "unimplemented_articles": ["Art. 10", ...],
     "articles": [{"article", "heading", "labels", "implemented_by"}],
     "summary": {provisions, with_counterpart, no_counterpart, articles, articles_implemented}}

How a provision finds its article:

- a definition is matched by the term it defines against the treaty's defined
  terms (same term: exact; one contains the other's words: partial);
- any other provision is scored against every article by a weighted mean of
  four similarities (:mod:`provrisk.compare.similarity`): its own words with
  its lead-in against the article and against the article's closest
  paragraph, its whole section's words (the citation structure), and its
  section heading against the article heading;
- where the treaty has a learned article classifier
  (:mod:`provrisk.compare.article_classifier`, fitted on the laws annotated
  against it), the similarity is blended with the classifier's probability
  that the provision implements the article;
- the parts of one section lean towards the section's article: a share
  (``section_smoothing``) of each score is the mean score of the section's
  provisions, so a penalty subsection follows its offence.

Below the threshold (the classifier's own where it is used) the provision has
no counterpart; a second article is named when it scores nearly as well. The
strength is read off the similarity alone: exact from ``exact_threshold``.

``labels_only_in_law`` are the labels the law's provision carries and the
article does not (what the law adds: "without a judicial warrant"), and
``labels_only_in_treaty`` the reverse (a safeguard the article has and the law
dropped). An article's labels are those of all its paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from provrisk.compare.article_classifier import load_article_classifier, provision_text
from provrisk.compare.config import CompareConfig, LegalConcepts
from provrisk.compare.rule_types import agreement, article_type, provision_type
from provrisk.compare.similarity import comparable_text, similarity_matrix
from provrisk.compare.instruments import require_assessed
from provrisk.compare.units import COMPARED_KINDS, articles, defined_term, section_texts, unit_citation
from provrisk.settings import PROJECT_ROOT
from provrisk.taxonomy import load_taxonomy

ALIGNMENT_SCHEMA = "provrisk.alignment/1"
# Eight words in a row copied from an article ("the access to the whole or any part of a computer
# system without right") are transposition, however little else the two texts share.
VERBATIM_WORDS = 8
PARTIAL_TERM_SCORE = 0.6


def align_reports(law: dict, treaty: dict, config: CompareConfig, *, scores: ArticleScores | None = None) -> dict:
    """The alignment document of ``law`` (a statute report) against ``treaty`` (another).

    ``scores``: :func:`article_scores` computed already (the evaluation scores many configs on one pair).
    """
    require_assessed(law, treaty)
    treaty_articles = articles(treaty)
    operative = [a for a in treaty_articles if a.kind != "definition"]
    definitional = [a for a in treaty_articles if a.kind == "definition"]
    provisions = [p for p in law["provisions"] if p["kind"] in COMPARED_KINDS]
    if scores is None:
        scores = article_scores(law, treaty, config) if operative else ArticleScores.empty(len(provisions))
    threshold = config.align.classifier.threshold if scores.learned else config.align.threshold
    names = {label.id: label.name for label in load_taxonomy().labels}
    pairs = []
    implemented: dict[str, list[str]] = {a.citation: [] for a in treaty_articles}
    row = 0
    for provision in law["provisions"]:
        if provision["kind"] not in COMPARED_KINDS:
            pairs.append(_pair(provision, [], 0.0, "none", names, law, treaty))
            continue
        if provision["kind"] == "definition":
            chosen = _definition_match(provision, definitional)
        else:
            chosen = _article_match(scores.ranking[row], operative, threshold, config)
        scores_row, row = row, row + 1
        if not chosen:
            pairs.append(_pair(provision, [], 0.0, "none", names, law, treaty))
            continue
        (first, score), *others = chosen
        # Strength is how much of the article's words the provision carries: similarity alone.
        similarity = score if provision["kind"] == "definition" else float(scores.similarity[scores_row, operative.index(first)])
        strength = "exact" if similarity >= config.align.exact_threshold else "partial"
        pairs.append(_pair(provision, [first] + [a for a, _ in others], score, strength, names, law, treaty))
        for article, _ in chosen:
            implemented[article.citation].append(provision["citation"])
    obligations = [a for a in treaty_articles if a.kind != "definition"]
    return {
        "schema": ALIGNMENT_SCHEMA,
        "law": {"id": law["instrument"]["id"], "title": law["instrument"]["title"]},
        "treaty": {
            "id": treaty["instrument"]["id"],
            "title": treaty["instrument"]["title"],
            "partial_text": bool(treaty["instrument"]["metadata"].get("partial_text")),
        },
        "method": {
            "similarity": config.similarity,
            "article_classifier": scores.learned,
            "threshold": threshold,
            "exact_threshold": config.align.exact_threshold,
        },
        "pairs": pairs,
        "unimplemented_articles": [a.citation for a in obligations if not implemented[a.citation]],
        "articles": [
            {"article": a.citation, "heading": a.heading, "labels": a.labels, "implemented_by": implemented[a.citation]}
            for a in treaty_articles
        ],
        "summary": {
            "provisions": len(pairs),
            "with_counterpart": sum(1 for p in pairs if p["article"]),
            "no_counterpart": sum(1 for p in pairs if not p["article"]),
            "articles": len(obligations),
            "articles_implemented": sum(1 for a in obligations if implemented[a.citation]),
        },
    }


@dataclass
class ArticleScores:
    """Provisions (of the compared kinds, in order) x operative articles.

    ``similarity``: the weighted similarity (:func:`combine`); ``ranking``: what the
    article is chosen by (the similarity blended with the article classifier's
    probability where ``learned``, then smoothed over each section).
    """

    similarity: np.ndarray
    ranking: np.ndarray
    learned: bool

    @classmethod
    def empty(cls, provisions: int) -> ArticleScores:
        return cls(np.zeros((provisions, 0)), np.zeros((provisions, 0)), False)


def article_scores(law: dict, treaty: dict, config: CompareConfig) -> ArticleScores:
    """The scores of every compared provision of ``law`` with every operative article of ``treaty``."""
    similarity = combine(score_components(law, treaty, config.similarity, config.align.concepts), config)
    classifier = load_article_classifier(PROJECT_ROOT / config.align.classifier.directory, treaty["instrument"]["id"])
    probabilities = None
    if classifier is not None:
        provisions = [p for p in law["provisions"] if p["kind"] in COMPARED_KINDS]
        operative = [a.citation for a in articles(treaty) if a.kind != "definition"]
        probabilities = classifier.article_probabilities([provision_text(p) for p in provisions], operative)
    return rank(similarity, probabilities, section_units(law), config)


def section_units(law: dict) -> list[str]:
    """The section citation of every compared provision, in order."""
    return [unit_citation(p) for p in law["provisions"] if p["kind"] in COMPARED_KINDS]


def rank(similarity: np.ndarray, probabilities: np.ndarray | None, units: list[str], config: CompareConfig) -> ArticleScores:
    """Blend ``similarity`` with the classifier's ``probabilities`` (None: no classifier), then smooth over sections."""
    ranking = similarity
    if probabilities is not None:
        weight = config.align.classifier.weight
        ranking = (similarity + weight * probabilities) / (1.0 + weight)
    share = config.align.section_smoothing
    if share and len(ranking):
        index = {unit: i for i, unit in enumerate(dict.fromkeys(units))}
        members = np.array([index[u] for u in units])
        sums = np.zeros((len(index), ranking.shape[1]))
        np.add.at(sums, members, ranking)
        means = sums / np.bincount(members)[:, None]
        ranking = (1.0 - share) * ranking + share * means[members]
    return ArticleScores(similarity, ranking, probabilities is not None)


def score_components(law: dict, treaty: dict, method: str, concepts: LegalConcepts | None = None) -> dict[str, np.ndarray]:
    """The four similarities of every compared provision with every operative article, by name."""
    provisions = [p for p in law["provisions"] if p["kind"] in COMPARED_KINDS]
    operative = [a for a in articles(treaty) if a.kind != "definition"]
    sections = section_texts(law)
    article_texts = [f"{a.heading}\n{a.text}" for a in operative]
    own_texts = [f"{p.get('context') or ''}\n{p['text']}" for p in provisions]
    paragraphs = [paragraph for a in operative for paragraph in a.paragraphs]
    owner = np.repeat(np.arange(len(operative)), [len(a.paragraphs) for a in operative])
    by_paragraph = similarity_matrix(own_texts, paragraphs, method, concepts)
    closest = np.zeros((len(provisions), len(operative)))
    np.maximum.at(closest.T, owner, by_paragraph.T)
    headings = [p.get("heading") or "" for p in provisions]
    provision_kinds = [provision_type(f"{h}\n{p.get('context') or ''}\n{p['text']}") for h, p in zip(headings, provisions)]
    article_kinds = [article_type(a.heading, a.text) for a in operative]
    return {
        "provision": similarity_matrix(own_texts, article_texts, method, concepts),
        "paragraph": closest,
        "section": similarity_matrix([sections[p["id"]] for p in provisions], article_texts, method, concepts),
        "heading": similarity_matrix(headings, [a.heading for a in operative], method, concepts),
        "has_heading": np.array([[1.0 if h.strip() else 0.0] for h in headings]).reshape(-1, 1),
        "kind_agreement": np.array([[agreement(p, a) for a in article_kinds] for p in provision_kinds]).reshape(
            len(provisions), len(operative)),
        "verbatim": _verbatim([p["text"] for p in provisions], operative),
    }


def _verbatim(texts: list[str], operative: list) -> np.ndarray:
    """1 where a provision repeats VERBATIM_WORDS consecutive words found in this article and in no other, else 0."""
    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9]+", comparable_text(text))
        return {tuple(words[i : i + VERBATIM_WORDS]) for i in range(len(words) - VERBATIM_WORDS + 1)}

    article_runs = [runs(a.text) for a in operative]
    # A run that several articles share is the treaty's boilerplate ("the authority seeking the ..."
    # of every request article), not the words of one article.
    seen: dict[tuple[str, ...], int] = {}
    for own_runs in article_runs:
        for run in own_runs:
            seen[run] = seen.get(run, 0) + 1
    article_runs = [{run for run in own_runs if seen[run] == 1} for own_runs in article_runs]
    return np.array([[1.0 if own & theirs else 0.0 for theirs in article_runs] for own in map(runs, texts)]).reshape(
        len(texts), len(operative))


def combine(components: dict[str, np.ndarray], config: CompareConfig) -> np.ndarray:
    """The weighted mean of the similarities, discounted when the provision and the article are different kinds of rule.

    A provision without a heading is scored on its words alone; one that copies the article
    verbatim scores at least ``exact_threshold`` with it.
    """
    weights = config.align.weights
    has_heading = components["has_heading"]
    total = (
        weights.provision * components["provision"]
        + weights.paragraph * components["paragraph"]
        + weights.section * components["section"]
        + weights.heading * components["heading"] * has_heading
    )
    similarity = total / (weights.provision + weights.paragraph + weights.section + weights.heading * has_heading)
    discount = config.align.kind_agreement * (1.0 - components["kind_agreement"])
    score = similarity * (1.0 - discount)
    return np.minimum(1.0, score + config.align.exact_threshold * components["verbatim"])


def _article_match(row: np.ndarray, operative: list, threshold: float, config: CompareConfig) -> list[tuple]:
    if not len(row):
        return []
    order = np.argsort(-row, kind="stable")
    best = float(row[order[0]])
    if best < threshold:
        return []
    chosen = [(operative[order[0]], best)]
    if len(order) > 1:
        second = float(row[order[1]])
        if second >= threshold and second >= config.align.second_article_share * best:
            chosen.append((operative[order[1]], second))
    return chosen


def _definition_match(provision: dict, definitional: list) -> list[tuple]:
    term = defined_term(provision)
    if not term or not definitional:
        return []
    words = set(term.split())
    partial = None
    for article in definitional:
        for treaty_term in article.defined_terms:
            if treaty_term == term:
                return [(article, 1.0)]
            treaty_words = set(treaty_term.split())
            if partial is None and (words < treaty_words or treaty_words < words):
                partial = (article, PARTIAL_TERM_SCORE)
    return [partial] if partial else []


def _pair(provision: dict, matched: list, score: float, strength: str, names: dict, law: dict, treaty: dict) -> dict:
    law_labels = provision["labels"]
    if matched:
        treaty_labels = [label for article in matched for label in article.labels]
        only_law = [label for label in law_labels if label not in treaty_labels]
        only_treaty = list(dict.fromkeys(label for label in treaty_labels if label not in law_labels))
    else:
        only_law, only_treaty = list(law_labels), []
    first = matched[0] if matched else None
    return {
        "provision": provision["citation"],
        "heading": provision.get("heading") or "",
        "section": unit_citation(provision),
        "article": first.citation if first else None,
        "article_heading": first.heading if first else "",
        "articles": [a.citation for a in matched],
        "score": round(score, 4),
        "strength": strength,
        "labels_only_in_law": only_law,
        "labels_only_in_treaty": only_treaty,
        "evidence_in_law": {label: provision["evidence"].get(label, []) for label in only_law},
        "evidence_in_treaty": {label: first.evidence.get(label, []) for label in only_treaty} if first else {},
        "finding": _finding(provision, first, only_law, only_treaty, names, treaty),
    }


def _finding(provision: dict, article, only_law: list, only_treaty: list, names: dict, treaty: dict) -> str:
    """One sentence an analyst can paste: what the provision implements and how it differs."""
    what = provision["citation"] + (f" ({provision['heading']})" if provision.get("heading") else "")
    if article is None:
        return f"{what} has no counterpart in {treaty['instrument']['title']}."
    sentence = f"{what} implements {article.citation}" + (f" ({article.heading})" if article.heading else "")
    added = [names[label] for label in only_law if label != "rights_safeguard"]
    dropped_safeguard = "rights_safeguard" in only_treaty
    if added:
        sentence += "; adds: " + "; ".join(added).lower()
    if dropped_safeguard:
        sentence += "; without the article's safeguards"
    return sentence + "."
