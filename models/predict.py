"""Scoring provisions with a loaded model, with evidence a reader can check.

Input: a :class:`~provrisk.models.artifacts.LoadedModel` and provision
records (``id``, ``text``; optional ``citation``, ``heading``, ``context``,
``kind``, ``instrument_id``). Output: one dict per record, ``{"id", "scores"
(all labels), "labels" (predicted ids), "evidence" ({label: [quoted words]}),
"evidence_clauses" ({label: [clause]})}``.

Evidence is the clause that carries a feature (a lettered item or sentence,
:mod:`provrisk.segment.clauses`), marked with where it comes from. Each clause
is ``{"source", "citation", "clause", "quotes"}`` and, for a rule, ``"rule"``:
``source`` "rule" is a labelling function's match (``rule`` names it; the
quotes are the cue words it matched); "model" is the linear model's reading,
given for a predicted label no labelling function matched: the clause whose
word n-grams, taken out, lower the label's word n-gram score most, and the
words in it the model weighs most (none that only a stop word or drafting word makes up). ``citation`` is
the record's citation with the clause's labels ("s. 6(1)(ja)"); ``evidence``
lists the quotes of a label's clauses once each.
A record may carry its statute's ``defined_terms``
(:func:`~provrisk.label.apply.attach_definitions`), so that a statute scored in
batches still reads each provision against every definition.
"""

from __future__ import annotations

from provrisk.label.framework import POSITIVE
from provrisk.models.text import model_records
from provrisk.segment.clauses import Clause, provision_clauses


def predict_records(model, records: list[dict]) -> list[dict]:
    """Per record, in order: ``{"id", "scores", "labels", "evidence", "evidence_clauses"}`` (see the module docstring)."""
    # Layout-free text (models/text.py): a line break must not change a score or its evidence.
    records = model_records(records)
    # The model's own LFs, computed once: the same votes are its features and the evidence.
    votes = model.lf_votes(records)
    proba = model.predict_proba(records, votes)
    labels = model.labels
    predicted = [[label for label, above in zip(labels, row) if above] for row in (proba >= model.thresholds).tolist()]
    clauses = [provision_clauses(record["text"], record.get("citation") or "") if record_labels else []
               for record, record_labels in zip(records, predicted)]
    found = [_rule_evidence(record, record_labels, votes, i, clauses[i])
             for i, (record, record_labels) in enumerate(zip(records, predicted))]
    if model.model_type == "linear":
        # A predicted label no LF gave words for is explained by the clause and n-grams that raised its score.
        unexplained = [[label for label in record_labels if not evidence.get(label)]
                       for record_labels, evidence in zip(predicted, found)]
        asked = [i for i, record_labels in enumerate(unexplained) if record_labels]
        quoted = model.estimator.evidence([records[i] for i in asked], [unexplained[i] for i in asked], [clauses[i] for i in asked])
        for i, by_label in zip(asked, quoted):
            for label, (k, quotes) in by_label.items():
                found[i][label] = [_evidence_clause(records[i], clauses[i][k], "model", quotes)]
    return [
        {
            "id": record["id"],
            "scores": {label: round(p, 4) for label, p in zip(labels, row)},
            "labels": record_labels,
            "evidence": {label: _quotes(evidence.get(label, [])) for label in record_labels},
            "evidence_clauses": {label: evidence.get(label, []) for label in record_labels},
        }
        for record, row, record_labels, evidence in zip(records, proba.tolist(), predicted, found)
    ]


def _rule_evidence(record: dict, predicted: list[str], votes, i: int, clauses: list[Clause]) -> dict[str, list[dict]]:
    """Per predicted label, per positive LF and clause: the words the LF matched in provision ``i``'s text."""
    evidence: dict[str, list[dict]] = {}
    for lf_name, spans in votes.evidence[i].items():
        column = votes.lf_names.index(lf_name)
        label = votes.lf_labels[column]
        if label not in predicted or votes.votes[i, column] != POSITIVE:
            continue
        by_clause: dict[int, list[str]] = {}
        for start, end in spans:
            quotes = by_clause.setdefault(_clause_at(clauses, start), [])
            quote = record["text"][start:end]
            # "Access" in a heading-like opening and "access" later are one trigger word.
            if quote.casefold() not in {q.casefold() for q in quotes}:
                quotes.append(quote)
        evidence.setdefault(label, []).extend(
            _evidence_clause(record, clauses[k], "rule", quotes, rule=lf_name) for k, quotes in sorted(by_clause.items())
        )
    return evidence


def _clause_at(clauses: list[Clause], offset: int) -> int:
    """The index of the clause holding ``offset`` (one between two clauses belongs to the next)."""
    for k, clause in enumerate(clauses):
        if offset < clause.end:
            return k
    return len(clauses) - 1


def _evidence_clause(record: dict, clause: Clause, source: str, quotes: list[str], rule: str | None = None) -> dict:
    item = {"source": source, "citation": clause.citation, "clause": record["text"][clause.start : clause.end], "quotes": quotes}
    if rule is not None:
        item["rule"] = rule
    return item


def _quotes(evidence_clauses: list[dict]) -> list[str]:
    """Every quote of a label's evidence clauses once, in order (case aside)."""
    quotes: list[str] = []
    for item in evidence_clauses:
        quotes.extend(q for q in item["quotes"] if q.casefold() not in {seen.casefold() for seen in quotes})
    return quotes
