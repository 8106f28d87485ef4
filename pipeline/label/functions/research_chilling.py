"""research_chilling: access, interception, interference or tool offences without a research exemption."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal, is_offence

LABEL = "research_chilling"

rule(
    "systems_offence.v1", LABEL, POSITIVE,
    "An offence of access, interception, interference or dealing in tools, with no testing exemption.",
    all_of=["system_conduct", "system_object"],
    none_of=["testing_exception", "defined_fraud_intent", "computer_related_offence", "offence_reference"],
    where=is_offence, evidence=["system_conduct"],
)
rule(
    "computer_related_or_content_offence.v1", LABEL, NEGATIVE,
    "Forgery, identity, content and other computer-related offences are not access, interference or tool offences.",
    all_of=["computer_related_offence"], none_of=["testing_exception"], where=is_offence,
)
rule(
    "testing_exception.v1", LABEL, NEGATIVE,
    "The provision itself exempts authorised testing, protection of a system or good-faith research.",
    all_of=["testing_exception"],
)
rule(
    "fraud_or_further_offence_intent.v1", LABEL, NEGATIVE,
    "The offence needs an intent to defraud, to cause wrongful gain or loss, or to commit another offence.",
    all_of=["defined_fraud_intent"], where=is_offence,
)
rule(
    "not_a_systems_offence.v1", LABEL, NEGATIVE,
    "No offence against systems or data: powers, definitions, content offences, final clauses.",
    where=lambda p: is_formal(p) or not p.in_scope("offence") or not p.has("system_conduct"),
)
