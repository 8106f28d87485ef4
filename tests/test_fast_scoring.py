"""Fast scoring gives what straightforward scoring gives, on every provision of the corpus.

Scoring was made faster (issue 15): cues are matched without spaCy's token
``Matcher``, contexts and definitions are read once per batch, the linear
model's n-grams are counted by :mod:`provrisk.models.ngrams`. This test keeps
the straightforward way of each of those steps, written here and used nowhere
else, and checks over the whole corpus, batch by batch as a statute is scored,
that the fast code gives the same:

- layout-free records (text, heading, context, definitions);
- cue spans of every provision and of its context;
- LF vote matrix and evidence spans;
- calibrated probabilities, bit for bit, and ``predict_records``' labels,
  scores and quoted evidence.

The reference ways: the layout-free regular expressions as first written;
every cue through spaCy's ``PhraseMatcher`` and ``Matcher`` (a ``WordStart`` as
a ``REGEX`` token, ``NumberThen`` as ``LIKE_NUM`` and a word, a window cue as
its anchor, ``{0,N}`` any tokens and the step word, each step in turn), every
provision and context tokenised on its own; the n-gram features from
scikit-learn's ``FeatureUnion.transform``; evidence one label at a time with
scikit-learn's transform (the clause that carries a label found from
scikit-learn's counts of the provision and of each clause, one text at a time).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from spacy.matcher import Matcher, PhraseMatcher

from provrisk.corpora.manifest import load_manifest, text_path
from provrisk.ingest import ingest_file
from provrisk.label.apply import apply_lfs, attach_definitions, provision_inputs
from provrisk.label.cues import CUES, WINDOW_CUES, NumberThen, WordStart, match_cues, tokenizer
from provrisk.label.framework import POSITIVE, REGISTRY, ProvisionInput
from provrisk.models.artifacts import load_model_dir
from provrisk.models.calibration import apply_platt
from provrisk.models.linear import FUNCTION_WORDS
from provrisk.models.predict import predict_records
from provrisk.models.text import model_records, model_text
from provrisk.score.report import BATCH
from provrisk.segment import segment_statute
from provrisk.segment.clauses import provision_clauses

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


# -- the straightforward ways ------------------------------------------------------------------------------


def _layout_free(text: str) -> str:
    hyphen = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])")
    return re.sub(r"\s+", " ", hyphen.sub("-", text)).strip()


def _model_record(record: dict) -> dict:
    copy = {**record, **{key: _layout_free(record[key]) for key in ("text", "heading", "context")
                         if isinstance(record.get(key), str)}}
    if isinstance(record.get("defined_terms"), dict):
        copy["defined_terms"] = {_layout_free(t): _layout_free(m) for t, m in record["defined_terms"].items()}
    return copy


class _ReferenceCues:
    """Every cue as spaCy patterns: ``PhraseMatcher`` for phrases, ``Matcher`` for the rest."""

    def __init__(self, nlp):
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = Matcher(nlp.vocab)
        for name, patterns in CUES.items():
            phrases = [nlp.make_doc(p) for p in patterns if isinstance(p, str)]
            if phrases:
                self.phrases.add(name, phrases)
            token_patterns = [[{"LOWER": {"REGEX": "^" + re.escape(p.prefix)}}] for p in patterns if isinstance(p, WordStart)]
            token_patterns += [[{"LIKE_NUM": True}, {"LOWER": {"IN": list(p.words)}}]
                               for p in patterns if isinstance(p, NumberThen)]
            if token_patterns:
                self.tokens.add(name, token_patterns)
        for name, windows in WINDOW_CUES.items():
            token_patterns = []
            for anchors, steps in windows:
                for anchor in anchors:
                    pattern = [{"LOWER": token.lower_} for token in nlp.make_doc(anchor)]
                    for gap, words in steps:
                        pattern += [{"OP": f"{{0,{gap}}}"}, {"LOWER": {"IN": sorted(words)}}]
                    token_patterns.append(pattern)
            self.tokens.add(name, token_patterns)

    def __call__(self, doc) -> dict[str, list[tuple[int, int]]]:
        found: dict[str, set[tuple[int, int]]] = {}
        for match_id, start, end in list(self.phrases(doc)) + list(self.tokens(doc)):
            span = doc[start:end]
            found.setdefault(doc.vocab.strings[match_id], set()).add((span.start_char, span.end_char))
        # the spans no other span of the cue contains, in document order
        return {
            name: sorted(s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans))
            for name, spans in found.items()
        }


def _reference_inputs(records: list[dict], match) -> list[ProvisionInput]:
    nlp = tokenizer()
    return [
        ProvisionInput(
            id=r["id"], text=r["text"], kind=r.get("kind") or "operative", heading=r.get("heading") or "",
            context=r.get("context") or "", instrument_kind=r.get("instrument_kind") or "statute",
            defined_terms=r["defined_terms"],
            cues=match(nlp(r["text"])),
            context_cues=match(nlp(r["context"])) if r.get("context") else {},
        )
        for r in records
    ]


def _reference_proba(estimator, records: list[dict], votes) -> np.ndarray:
    assert estimator.embedding_weight == 0 and estimator.use_lf_votes and estimator.use_label_model  # the shipped model
    texts = ["\n".join(_layout_free(part) for part in (r.get("heading"), r.get("context"), r.get("text")) if part)
             for r in records]
    lf_matrix = estimator.lf_featurizer_.transform(votes).astype(np.float64)
    features = sp.hstack(
        [
            estimator.vectorizer_.transform(texts),
            sp.csr_matrix(lf_matrix * estimator.lf_vote_weight),
            sp.csr_matrix(estimator.label_model_.predict_proba(lf_matrix) * estimator.label_model_weight),
        ],
        format="csr",
    )
    return apply_platt(np.asarray(features @ estimator.coef_.T) + estimator.intercept_, estimator.calibration_)


@lru_cache(maxsize=1)
def _word_names(word) -> np.ndarray:
    return word.get_feature_names_out()


def _reference_carrying_clause(estimator, record: dict, label: str, clauses) -> int:
    """The clause whose word n-grams, taken out of the provision's, lower the label's word n-gram score most:
    each text counted by scikit-learn's own counting and weighed by its TF-IDF transformer."""
    if len(clauses) < 2:
        return 0
    word = estimator.vectorizer_.transformer_list[0][1]
    weights = estimator.coef_[estimator.labels_.index(label), : len(word.vocabulary_)].astype(np.float64)
    whole = CountVectorizer.transform(word, [model_text(record)])
    drops = []
    for clause in clauses:
        without = (whole - CountVectorizer.transform(word, [record["text"][clause.start : clause.end]])).tocsr()
        without.data = np.maximum(without.data, 0)
        without.eliminate_zeros()
        drops.append(float((word._tfidf.transform(whole) @ weights)[0] - (word._tfidf.transform(without) @ weights)[0]))
    return int(np.argmax(drops))


def _reference_ngram_evidence(estimator, text: str, label: str, clause, top: int = 3) -> list[str]:
    word = estimator.vectorizer_.transformer_list[0][1]
    contributions = word.transform([text]).multiply(estimator.coef_[estimator.labels_.index(label), : len(word.vocabulary_)]).tocsr()
    names = _word_names(word)
    quotes: list[str] = []
    for i in np.argsort(-contributions.data):
        if contributions.data[i] <= 0 or len(quotes) == top:
            break
        terms = names[contributions.indices[i]].split()
        if {terms[0], terms[-1]} & FUNCTION_WORDS or terms[0].isdigit() or terms[-1].isdigit():
            continue
        pattern = r"\W+(?:\w\W+)?".join(re.escape(term) for term in terms)
        match = re.compile(rf"(?<!\w){pattern}(?!\w)", flags=re.IGNORECASE).search(text, clause.start, clause.end)
        if match and match.group(0) not in quotes:
            quotes.append(match.group(0))
    return quotes


def _reference_predictions(model, records: list[dict], votes, proba: np.ndarray) -> list[dict]:
    out = []
    for i, record in enumerate(records):
        predicted = [label for k, label in enumerate(model.labels) if proba[i, k] >= model.thresholds[k]]
        clauses = provision_clauses(record["text"], record.get("citation") or "") if predicted else []
        evidence: dict[str, list[dict]] = {}
        for lf_name, spans in votes.evidence[i].items():
            column = votes.lf_names.index(lf_name)
            label = votes.lf_labels[column]
            if label in predicted and votes.votes[i, column] == POSITIVE:
                by_clause: dict[int, list[str]] = {}
                for start, end in spans:
                    k = next((k for k, c in enumerate(clauses) if start < c.end), len(clauses) - 1)
                    quotes = by_clause.setdefault(k, [])
                    quote = record["text"][start:end]
                    if quote.casefold() not in {q.casefold() for q in quotes}:
                        quotes.append(quote)
                for k, quotes in sorted(by_clause.items()):
                    evidence.setdefault(label, []).append(
                        {"source": "rule", "citation": clauses[k].citation,
                         "clause": record["text"][clauses[k].start : clauses[k].end], "quotes": quotes, "rule": lf_name})
        for label in predicted:
            if not evidence.get(label):
                clause = clauses[_reference_carrying_clause(model.estimator, record, label, clauses)]
                evidence[label] = [{"source": "model", "citation": clause.citation,
                                    "clause": record["text"][clause.start : clause.end],
                                    "quotes": _reference_ngram_evidence(model.estimator, record["text"], label, clause)}]
        quoted = {}
        for label in predicted:
            quoted[label] = []
            for item in evidence[label]:
                quoted[label] += [q for q in item["quotes"] if q.casefold() not in {seen.casefold() for seen in quoted[label]}]
        out.append({"id": record["id"], "scores": {label: round(float(proba[i, k]), 4) for k, label in enumerate(model.labels)},
                    "labels": predicted, "evidence": quoted, "evidence_clauses": {label: evidence[label] for label in predicted}})
    return out


# -- the comparison ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batches(corpus_dir) -> list[list[dict]]:
    """The corpus's provisions with their statute's definitions, in the batches score_ingested scores."""
    out = []
    for instrument in load_manifest(corpus_dir):
        document = ingest_file(text_path(corpus_dir, instrument.id))
        records = attach_definitions([p.to_dict() for p in segment_statute(document.text, instrument.id)])
        out += [records[start : start + BATCH] for start in range(0, len(records), BATCH)]
    return out


def test_fast_scoring_equals_straightforward_scoring_on_the_whole_corpus(batches):
    model = load_model_dir()
    reference_cues = _ReferenceCues(tokenizer())
    lfs = [REGISTRY[name] for name in model.estimator.lf_featurizer_.lf_names_]
    provisions = 0
    for batch in batches:
        records = model_records(batch)
        assert records == [_model_record(r) for r in batch]

        fast_inputs = provision_inputs(records)
        reference_inputs = _reference_inputs(records, reference_cues)
        for fast, reference in zip(fast_inputs, reference_inputs):
            assert (fast.id, fast.cues, fast.context_cues) == (reference.id, reference.cues, reference.context_cues)

        votes = model.lf_votes(records)
        reference_votes = apply_lfs(reference_inputs, lfs)
        assert votes.lf_names == reference_votes.lf_names
        assert np.array_equal(votes.votes, reference_votes.votes)
        assert votes.evidence == reference_votes.evidence

        proba = model.predict_proba(records, votes)
        reference_proba = _reference_proba(model.estimator, records, reference_votes)
        assert np.array_equal(proba, reference_proba)

        assert predict_records(model, batch) == _reference_predictions(model, records, reference_votes, reference_proba)
        provisions += len(batch)
    assert provisions > 7000  # the whole corpus was compared


def test_context_cues_are_those_of_the_context_matched_alone():
    records = [
        {"id": "a", "text": "may intercept", "context": "The police may, with a warrant issued by a judge,", "defined_terms": {}},
        {"id": "b", "text": "may search", "context": "The police may, with a warrant issued by a judge,", "defined_terms": {}},
        {"id": "c", "text": "no context", "defined_terms": {}},
    ]
    first, second, third = provision_inputs(records)
    assert first.context_cues == second.context_cues == match_cues(tokenizer()(records[0]["context"]))
    assert "judicial_grant" in first.context_cues
    assert third.context_cues == {}
