"""secrecy_obligation: a measure must be kept confidential, or the person is not notified."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal

LABEL = "secrecy_obligation"

rule(
    "keep_measure_confidential.v1", LABEL, POSITIVE,
    "A duty to keep a measure, order or request confidential or a ban on disclosing it.",
    all_of=["confidentiality", "measure_object"],
    evidence=["confidentiality"],
)
rule(
    "no_user_notification.v1", LABEL, POSITIVE,
    "A dispensation from notifying the person concerned ('without notice to', 'delay notification').",
    any_of=["confidentiality"], where=lambda p: any(
        w in p.text.lower() for w in ("without notice", "delay", "not be notified", "need not notify", "without notifying")
    ),
    evidence=["confidentiality"],
)
rule(
    "user_notified.v1", LABEL, NEGATIVE,
    "The person concerned is notified and nothing is kept secret.",
    all_of=["user_notification"], none_of=["confidentiality"],
)
rule(
    "no_secrecy_words.v1", LABEL, NEGATIVE,
    "No confidentiality, non-disclosure or notification words at all.",
    none_of=["confidentiality"], where=lambda p: True,
)
rule(
    "data_confidentiality_not_a_measure.v1", LABEL, NEGATIVE,
    "Confidentiality of supplied information, personal data or professional secrets, not of a measure.",
    all_of=["confidentiality"], none_of=["measure_object"],
    where=lambda p: not is_formal(p),
)
