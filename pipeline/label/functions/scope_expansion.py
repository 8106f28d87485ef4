"""scope_expansion: criminal or procedural scope stretched beyond defined offences."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal

LABEL = "scope_expansion"

rule(
    "any_offence_by_ict.v1", LABEL, POSITIVE,
    "Powers, duties or penalties extended to 'any offence', 'serious crime', the criminal law generally or revenue law.",
    all_of=["any_offence"], none_of=["specified_offences"], kinds=["operative"], evidence=["any_offence"],
)
rule(
    "aggravation_rebuilds_offences.v1", LABEL, POSITIVE,
    "Aggravating circumstances or blanket higher penalties for crimes committed with a computer or against infrastructure.",
    all_of=["cii_aggravation"], kinds=["operative"],
    where=lambda p: p.in_scope("offence") or "penalt" in p.text.lower(),
)
rule(
    "harming_someone.v1", LABEL, POSITIVE,
    "An offence that carries open-ended harm to a person into a computer offence.",
    all_of=["harm_to_person", "ict_means"], kinds=["operative"], scope=["offence"], evidence=["harm_to_person"],
)
rule(
    "future_offences_by_protocol.v1", LABEL, POSITIVE,
    "Offences to be added in future by protocol.",
    all_of=["future_offences"],
)
rule(
    "specified_offences_only.v1", LABEL, NEGATIVE,
    "Scope limited to the offences the instrument establishes.",
    all_of=["specified_offences"], none_of=["any_offence"],
)
rule(
    "no_scope_words.v1", LABEL, NEGATIVE,
    "Nothing that extends scope.",
    none_of=["any_offence", "cii_aggravation", "harm_to_person", "future_offences"], where=lambda p: True,
)
rule(
    "formal_provision.v1", LABEL, NEGATIVE,
    "Definitions and final clauses.",
    none_of=["future_offences"], where=is_formal,
)
