"""Run every labelling function over provisions.

Input: provision records (dicts with ``id``, ``instrument_id``, ``text`` and,
when known, ``context``, ``kind``, ``heading``, ``instrument_kind``). Output:
an :class:`LFVotes`: the vote matrix (provisions x LFs, values -1/0/+1) and,
per provision, the evidence spans of every LF that did not abstain.

Definitions are gathered per instrument first, so that an LF can tell a term
the same instrument defines from an undefined one. A record that carries
``defined_terms`` (see :func:`attach_definitions`) is read against those: a
caller scoring part of a statute attaches the whole statute's definitions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import provrisk.label.functions  # noqa: F401 - registers the LFs
from provrisk.label.cues import match_cues, tokenizer
from provrisk.label.framework import ABSTAIN, REGISTRY, LabellingFunction, ProvisionInput, Span

_TERM_IN_CITATION = re.compile(r'"([^"]+)"\s*$')
_TERM_IN_TEXT = re.compile(r'^\W{0,6}(?:\(?[a-z0-9]{1,4}\)\s*)?["“]\s?([^"”]{1,80}?)\s?["”]')


@dataclass
class LFVotes:
    lf_names: list[str]
    lf_labels: list[str]
    votes: np.ndarray  # int8, shape (n_provisions, n_lfs)
    evidence: list[dict[str, list[Span]]]

    def columns(self, label: str) -> list[int]:
        return [j for j, lf_label in enumerate(self.lf_labels) if lf_label == label]


def registered_lfs(names: Sequence[str] | None = None) -> list[LabellingFunction]:
    """The LFs to run: all registered ones in name order, or the named subset."""
    if names is None:
        return [REGISTRY[name] for name in sorted(REGISTRY)]
    missing = [name for name in names if name not in REGISTRY]
    if missing:
        raise KeyError(f"unknown labelling functions: {missing}")
    return [REGISTRY[name] for name in names]


def defined_terms_by_instrument(records: Sequence[dict]) -> dict[str, dict[str, str]]:
    """term (lower-cased) -> definition text, per instrument, from its definition provisions."""
    terms: dict[str, dict[str, str]] = defaultdict(dict)
    for record in records:
        if record.get("kind") != "definition":
            continue
        match = _TERM_IN_CITATION.search(record.get("citation", "")) or _TERM_IN_TEXT.match(record["text"])
        if match:
            terms[record["instrument_id"]][match.group(1).strip().lower()] = record["text"]
    return terms


def attach_definitions(records: Sequence[dict]) -> list[dict]:
    """Copies of ``records``, each carrying its instrument's definitions as ``defined_terms``."""
    terms = defined_terms_by_instrument(records)
    return [{**record, "defined_terms": terms.get(record.get("instrument_id", ""), {})} for record in records]


def provision_inputs(records: Sequence[dict]) -> list[ProvisionInput]:
    """The LFs' view of each record: its text tokenised and cue-matched once.

    Sibling provisions share the heading and lead-in words above them (``context``): each
    distinct context is tokenised and matched once, and its cues are shared (read-only) by
    the provisions under it.
    """
    nlp = tokenizer()
    gathered = None if all("defined_terms" in r for r in records) else defined_terms_by_instrument(records)
    texts = nlp.pipe((r["text"] for r in records), batch_size=256)
    contexts = list(dict.fromkeys(r.get("context") or "" for r in records if r.get("context")))
    cues_by_context = {context: match_cues(doc) for context, doc in zip(contexts, nlp.pipe(contexts, batch_size=256))}
    inputs = []
    for record, doc in zip(records, texts):
        inputs.append(
            ProvisionInput(
                id=record["id"],
                text=record["text"],
                kind=record.get("kind") or "operative",
                heading=record.get("heading") or "",
                context=record.get("context") or "",
                instrument_kind=record.get("instrument_kind") or "statute",
                defined_terms=record["defined_terms"] if "defined_terms" in record
                else gathered.get(record.get("instrument_id", ""), {}),
                cues=match_cues(doc),
                context_cues=cues_by_context.get(record.get("context") or "", {}),
            )
        )
    return inputs


def apply_lfs(inputs: Sequence[ProvisionInput], lfs: Sequence[LabellingFunction] | None = None) -> LFVotes:
    lfs = list(lfs) if lfs is not None else registered_lfs()
    votes = np.zeros((len(inputs), len(lfs)), dtype=np.int8)
    evidence: list[dict[str, list[Span]]] = []
    for i, provision in enumerate(inputs):
        spans_by_lf: dict[str, list[Span]] = {}
        for j, lf in enumerate(lfs):
            vote = lf(provision)
            if vote.vote != ABSTAIN:
                votes[i, j] = vote.vote
                spans_by_lf[lf.name] = list(vote.spans)
        evidence.append(spans_by_lf)
    return LFVotes([lf.name for lf in lfs], [lf.label for lf in lfs], votes, evidence)
