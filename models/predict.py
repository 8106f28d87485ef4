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
from provrisk.models.text import model_record


def predict_records(model, records: list[dict]) -> list[dict]:
    # Layout-free text (models/text.py): a line break must not change a score or its evidence.
    records = [model_record(record) for record in records]
    # The model's own LFs, computed once: the same votes are its features and the evidence.
    votes = model.lf_votes(records)
    proba = model.predict_proba(records, votes)
    thresholds = model.thresholds
    out = []
    for i, record in enumerate(records):
        predicted = [label for k, label in enumerate(model.labels) if proba[i, k] >= thresholds[k]]
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
        if model.model_type == "linear":
            for label in predicted:
                if not evidence.get(label):
                    evidence[label] = model.estimator.evidence(record, label)
        out.append(
            {
                "id": record["id"],
                "scores": {label: round(float(proba[i, k]), 4) for k, label in enumerate(model.labels)},
                "labels": predicted,
                "evidence": {label: evidence.get(label, []) for label in predicted},
            }
        )
    return out
