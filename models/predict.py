"""Scoring provisions with a loaded model, with evidence a reader can check.

Input: a :class:`~provrisk.models.artifacts.LoadedModel` and provision
records (``id``, ``text``; optional ``heading``, ``context``, ``kind``,
``instrument_id``). Output: one dict per record, ``{"id", "scores" (all
labels), "labels" (predicted ids), "evidence" ({label: [quoted spans]})}``.
Evidence for a predicted label is the words the labelling functions matched
for it and, for the linear model, the n-grams that raised its score most.
A record may carry its statute's ``defined_terms``
(:func:`~provrisk.label.apply.attach_definitions`), so that a statute scored in
batches still reads each provision against every definition.
"""

from __future__ import annotations

from provrisk.label.framework import POSITIVE
from provrisk.models.text import model_records


def predict_records(model, records: list[dict]) -> list[dict]:
    """Per record, in order: ``{"id", "scores", "labels", "evidence"}`` (see the module docstring)."""
    # Layout-free text (models/text.py): a line break must not change a score or its evidence.
    records = model_records(records)
    # The model's own LFs, computed once: the same votes are its features and the evidence.
    votes = model.lf_votes(records)
    proba = model.predict_proba(records, votes)
    labels = model.labels
    predicted = [[label for label, above in zip(labels, row) if above] for row in (proba >= model.thresholds).tolist()]
    evidence = [_lf_evidence(record, record_labels, votes, i) for i, (record, record_labels) in enumerate(zip(records, predicted))]
    if model.model_type == "linear":
        # A predicted label no LF gave words for is explained by the n-grams that raised its score.
        unexplained = [[label for label in record_labels if not found.get(label)]
                       for record_labels, found in zip(predicted, evidence)]
        asked = [i for i, record_labels in enumerate(unexplained) if record_labels]
        quoted = model.estimator.evidence([records[i] for i in asked], [unexplained[i] for i in asked])
        for i, quotes in zip(asked, quoted):
            evidence[i].update(quotes)
    return [
        {
            "id": record["id"],
            "scores": {label: round(p, 4) for label, p in zip(labels, row)},
            "labels": record_labels,
            "evidence": {label: found.get(label, []) for label in record_labels},
        }
        for record, row, record_labels, found in zip(records, proba.tolist(), predicted, evidence)
    ]


def _lf_evidence(record: dict, predicted: list[str], votes, i: int) -> dict[str, list[str]]:
    """Per predicted label, the words its positive LFs matched in provision ``i``'s text."""
    evidence: dict[str, list[str]] = {}
    for lf_name, spans in votes.evidence[i].items():
        column = votes.lf_names.index(lf_name)
        label = votes.lf_labels[column]
        if label in predicted and votes.votes[i, column] == POSITIVE:
            for start, end in spans:
                quote = record["text"][start:end]
                # "Access" in a heading-like opening and "access" later are one trigger word.
                if quote.casefold() not in {q.casefold() for q in evidence.setdefault(label, [])}:
                    evidence[label].append(quote)
    return evidence
