"""The statute report: every provision of one statute scored, with a profile of the whole.

Input: an :class:`~provrisk.ingest.types.IngestedText` (or a file path) and a
:class:`~provrisk.models.artifacts.LoadedModel`. Output: a JSON-ready dict,
the document every output format (``provrisk score``, ``POST /v1/score``,
``provrisk batch``) is rendered from::

    {"schema", "generated_at",
     "instrument": {id, source, format, title, language, warnings, metadata},
     "model": {name, type, trained_at, corpus_hash, languages},
     "assessment": {assessed, language, reason},
     "confidence": {rule, solid_probability, solid_precision, min_heldout_flags, measured},
     "labels": [{id, name, standards, mitigating, heldout_precision, heldout_flags}],  # taxonomy order
     "profile": {provisions, flagged, share_flagged, label_counts, flags, solid, safeguards,
                 safeguards_model_only, risk_index},
     "view": {order, min_probability, solid_only, label, labelled_only, provisions_in_statute},
     "provisions": [{id, citation, heading, kind, role, path, context, start, end, page, text,
                     annotations, labels, scores, evidence, flags, definitions_used, cross_references}]}

``labels``, ``scores`` and ``evidence`` of a provision are exactly what
``provrisk predict`` gives for it; ``flags`` repeats each predicted label
with its name, calibrated probability, the standards it engages, the quoted
words and the clauses they come from, each marked rule or model
(``evidence_clauses``, see :mod:`provrisk.models.predict`), the label's
held-out precision and flag count, and a verdict (``"solid"`` or ``"check"``,
with ``why``; the rule is :mod:`provrisk.score.confidence`'s). ``view`` says
which flags and order the document holds: a scored document holds them all in
document order; :func:`provrisk.score.view.select` narrows and sorts it. The
profile's ``safeguards`` are the provisions where a safeguard rule matched,
with its words; ``safeguards_model_only`` those the model labels a safeguard
without any safeguard wording matched, with the words the model weighs.
``definitions_used`` and ``cross_references`` link a provision to the
definitions and provisions of the same statute it uses
(:mod:`provrisk.score.references`).

Risk index (documented in the README): over the provisions that carry a rule
(``kind`` operative or schedule, not lead-in words), each provision scores
``min(number of risk labels predicted, 3) / 3``, halved when the same
provision also carries ``rights_safeguard``; the index is 100 times the mean.
0 means nothing flagged; 100 means every rule carries three or more risk
features and no safeguard.

Not assessed: a statute in a language the model was not trained on (its
``languages`` metadata) is segmented but not scored: ``assessment.assessed`` is
false with the reason, every provision has no labels, scores or flags, and the
profile's ``flagged``, ``share_flagged``, ``label_counts`` and ``risk_index``
are null, never 0: nothing was found because nothing was read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from provrisk.errors import InputError
from provrisk.ingest import ingest_file
from provrisk.ingest.language import language_name
from provrisk.ingest.types import IngestedText
from provrisk.label.apply import attach_definitions
from provrisk.label.cues import tokenizer
from provrisk.models.predict import predict_records
from provrisk.score.confidence import (
    MIN_HELDOUT_FLAGS,
    SOLID,
    SOLID_PRECISION,
    SOLID_PROBABILITY,
    label_records,
    rule_text,
    verdict,
)
from provrisk.score.references import provision_links
from provrisk.score.view import full_view
from provrisk.segment import NOTE_KINDS, Provision, segment_statute
from provrisk.taxonomy import load_taxonomy

# 2: "assessment" (profile figures null when not assessed); flags carry standards (not one "standard"),
# held-out precision and a verdict; "confidence" and "view".
REPORT_SCHEMA = "provrisk.statute-report/2"
SAFEGUARD_LABEL = "rights_safeguard"
# Provisions that carry a rule; preambles, definitions, final clauses and lead-in words do not.
RULE_KINDS = ("operative", "schedule")
MAX_FEATURES_PER_PROVISION = 3
BATCH = 64


def score_document(
    path: str | Path,
    model,
    *,
    max_bytes: int | None = None,
    instrument_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    ocr: str = "never",
) -> dict:
    """Ingest the file at ``path`` (``ocr``: see :func:`~provrisk.ingest.ingest_file`) and score it (see :func:`score_ingested`)."""
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    document = ingest_file(path, ocr=ocr, **kwargs)
    return score_ingested(document, model, instrument_id=instrument_id or instrument_id_for(Path(path).name), progress=progress)


def instrument_id_for(name: str) -> str:
    """A provision-id prefix from a file name: lower case, runs of other characters as one dash."""
    return re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-") or "document"


def score_ingested(
    document: IngestedText,
    model,
    *,
    instrument_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    provisions: list[Provision] | None = None,
) -> dict:
    """Segment and score one ingested statute; ``progress(done, total)`` is called per batch of provisions.

    ``provisions``: the statute's provisions when they are known already (a treaty packaged as
    separate verbatim articles); by default the segmenter finds them in ``document.text``.
    """
    instrument_id = instrument_id or instrument_id_for(document.source)
    segmented = provisions if provisions is not None else segment_statute(document.text, instrument_id)
    provisions = [p.to_dict() for p in segmented]
    if not provisions:
        raise InputError(document.source, "no provisions found: the text has no numbered sections or articles (is this a statute?)")
    _check_provision_lengths(document.source, provisions)
    assessment = language_assessment(document.language, model.languages)
    if assessment["assessed"]:
        predictions = score_provisions(model, provisions, progress=progress)
    else:
        # The model cannot read the words: an empty prediction, not a score of zero risk.
        predictions = [{"labels": [], "scores": {}, "evidence": {}, "evidence_clauses": {}} for _ in provisions]
    links = provision_links(provisions)
    taxonomy = load_taxonomy()
    names = {label.id: label for label in taxonomy.labels}
    records = label_records(model.metadata, taxonomy.ids)
    scored = []
    for provision, prediction, uses in zip(provisions, predictions, links):
        flags = []
        for label in prediction["labels"]:
            probability = prediction["scores"][label]
            decided, why = verdict(probability, records[label])
            flags.append({
                "label": label,
                "name": names[label].name,
                "probability": probability,
                "heldout_precision": records[label].precision,
                "heldout_flags": records[label].flags,
                "verdict": decided,
                "why": why,
                "standards": list(names[label].standards),
                "mitigating": label == SAFEGUARD_LABEL,
                "evidence": prediction["evidence"].get(label, []),
                "evidence_clauses": prediction["evidence_clauses"].get(label, []),
            })
        flags.sort(key=lambda flag: -flag["probability"])
        scored.append(
            {
                "id": provision["id"],
                "citation": provision["citation"],
                "heading": provision.get("heading") or "",
                "kind": provision["kind"],
                "role": provision["role"],
                "path": provision["path"],
                # the heading and lead-in words above the provision, which a reader needs to understand it
                "context": provision["context"],
                "start": provision["start"],
                "end": provision["end"],
                "page": document.page_at(provision["start"]),
                "text": provision["text"],
                # amendment notes and footnotes printed in the provision, kept out of its text
                "annotations": [a["text"] for a in provision["annotations"] if a["kind"] in NOTE_KINDS],
                "labels": prediction["labels"],
                "scores": prediction["scores"],
                "evidence": prediction["evidence"],
                "flags": flags,
                # the defined terms and the provisions it uses, for links to them (score/references.py)
                "definitions_used": uses["definitions_used"],
                "cross_references": uses["cross_references"],
            }
        )
    metadata = model.metadata
    return {
        "schema": REPORT_SCHEMA,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "instrument": {
            "id": instrument_id,
            "source": document.source,
            "format": document.format,
            "title": document.metadata.get("title") or _first_line(document.text),
            "language": document.language,
            "warnings": list(document.warnings),
            "metadata": dict(document.metadata),
        },
        "model": {
            "name": model.name,
            "type": model.model_type,
            "trained_at": metadata.get("trained_at"),
            "corpus_hash": metadata.get("corpus_hash"),
            "languages": model.languages,
        },
        "assessment": assessment,
        "confidence": {
            "rule": rule_text(),
            "solid_probability": SOLID_PROBABILITY,
            "solid_precision": SOLID_PRECISION,
            "min_heldout_flags": MIN_HELDOUT_FLAGS,
            # False for a model without held-out figures: then no flag can be solid.
            "measured": any(record.flags is not None for record in records.values()),
        },
        "labels": [
            {
                "id": label.id,
                "name": label.name,
                "standards": list(label.standards),
                "mitigating": label.id == SAFEGUARD_LABEL,
                "heldout_precision": records[label.id].precision,
                "heldout_flags": records[label.id].flags,
            }
            for label in taxonomy.labels
        ],
        "profile": statute_profile(scored, taxonomy.ids, assessed=assessment["assessed"]),
        "view": full_view(len(scored)),
        "provisions": scored,
    }


def language_assessment(language: str, model_languages: list[str]) -> dict:
    """Whether a statute detected as ``language`` is scored by a model that reads ``model_languages``.

    "und" (too little text to tell) is scored: only a language identified as
    another one is refused.
    """
    if language == "und" or language in model_languages:
        return {"assessed": True, "language": language, "reason": ""}
    return {
        "assessed": False,
        "language": language,
        "reason": (f"the text looks like {language_name(language)}, and the model reads only "
                   f"{', '.join(language_name(code) for code in model_languages)}"),
    }


def score_provisions(
    model, provisions: list[dict], *, progress: Callable[[int, int], None] | None = None
) -> list[dict]:
    """Predictions for provisions with their statute-level context, exactly as a statute report gives them.

    Input: provision records (``id``, ``text``, ``instrument_id``; ``heading``,
    ``context`` and ``kind`` as the segmenter gives them), all provisions of each
    statute together, since every definition in a statute bears on each of its
    provisions. Output: :func:`~provrisk.models.predict.predict_records`'s dicts,
    in input order. Every path that scores (``score``, the API, ``batch``, Spark,
    the MLflow pyfunc) reaches the model through this function.
    """
    # Definitions are gathered per statute before batching, so a batch boundary cannot hide one.
    with_definitions = attach_definitions(provisions)
    predictions: list[dict] = []
    for start in range(0, len(provisions), BATCH):
        predictions.extend(predict_records(model, with_definitions[start : start + BATCH]))
        if progress is not None:
            progress(len(predictions), len(provisions))
    return predictions


def _check_provision_lengths(source: str, provisions: list[dict]) -> None:
    """InputError for a provision longer than the tokenizer reads (spaCy's ``max_length``, 1,000,000 characters)."""
    limit = tokenizer().max_length
    for provision in provisions:
        longest = max(len(provision["text"]), len(provision.get("context") or ""))
        if longest > limit:
            raise InputError(
                source,
                f"provision {provision['citation'] or provision['id']} is {longest:,} characters long; provrisk reads "
                f"provisions of up to {limit:,} characters (is most of the text one block without section numbers?)",
            )


def statute_profile(provisions: list[dict], label_ids: list[str], *, assessed: bool = True) -> dict:
    """Counts per label, share of provisions flagged, flags in all and solid ones, safeguards found, and the risk index.

    ``assessed`` false (the model does not read the statute's language): the
    figures that would be read as findings are None.
    """
    risk_labels = [label for label in label_ids if label != SAFEGUARD_LABEL]
    counts = {label: 0 for label in label_ids}
    flagged = 0
    for provision in provisions:
        for label in provision["labels"]:
            counts[label] += 1
        if any(label in risk_labels for label in provision["labels"]):
            flagged += 1
    rules = [p for p in provisions if p["kind"] in RULE_KINDS and p["role"] == "rule"]
    safeguarded = [p for p in provisions if SAFEGUARD_LABEL in p["labels"]]
    by_rule = [_safeguard(p, "rule") for p in safeguarded]
    contributions = []
    for provision in rules:
        n_risk = sum(label in risk_labels for label in provision["labels"])
        weight = min(n_risk, MAX_FEATURES_PER_PROVISION) / MAX_FEATURES_PER_PROVISION
        contributions.append(weight * (0.5 if SAFEGUARD_LABEL in provision["labels"] else 1.0))
    if not assessed:
        return {"provisions": len(provisions), "rules": len(rules), "flagged": None, "share_flagged": None,
                "label_counts": None, "flags": None, "solid": None, "safeguards": [], "safeguards_model_only": [],
                "risk_index": None}
    return {
        "provisions": len(provisions),
        "rules": len(rules),
        "flagged": flagged,
        "share_flagged": round(flagged / len(provisions), 4) if provisions else 0.0,
        "label_counts": counts,
        "flags": sum(len(p["flags"]) for p in provisions),
        "solid": sum(flag["verdict"] == SOLID for p in provisions for flag in p["flags"]),
        "safeguards": [found for found in by_rule if found["evidence"]],
        "safeguards_model_only": [_safeguard(p, "model") for p, found in zip(safeguarded, by_rule) if not found["evidence"]],
        "risk_index": round(100 * sum(contributions) / len(contributions), 1) if contributions else 0.0,
    }


def _safeguard(provision: dict, source: str) -> dict:
    """The provision's citation and the words of its safeguard evidence from ``source`` ("rule" or "model")."""
    clauses = [c for f in provision.get("flags", []) if f["label"] == SAFEGUARD_LABEL for c in f["evidence_clauses"]]
    quotes: list[str] = []
    for clause in clauses:
        if clause["source"] == source:
            quotes.extend(q for q in clause["quotes"] if q not in quotes)
    return {"citation": provision["citation"], "evidence": quotes}


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""
