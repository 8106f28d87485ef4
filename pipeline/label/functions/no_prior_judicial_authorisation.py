"""no_prior_judicial_authorisation: an intrusive power usable without a court or independent body."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal, is_power

LABEL = "no_prior_judicial_authorisation"

rule(
    "executive_intrusive_power.v1", LABEL, POSITIVE,
    "Police, ministers or a 'competent authority' may use an intrusive measure and no judge is named.",
    all_of=["executive_actor", "intrusive_measure"], none_of=["judicial"], where=is_power,
    evidence=["executive_actor", "intrusive_measure"],
)
rule(
    "executive_blocking.v1", LABEL, POSITIVE,
    "An executive body may block or remove content or services (always without prior judicial authorisation).",
    all_of=["blocking", "content_object", "executive_actor"], none_of=["judicial", "offence"],
    evidence=["blocking", "executive_actor"],
)
rule(
    "judicial_warrant.v1", LABEL, NEGATIVE,
    "'Upon a warrant issued by a judge', 'on application to the court': a court authorises the measure.",
    all_of=["judicial_grant"],
)
rule(
    "not_a_power.v1", LABEL, NEGATIVE,
    "Offences, definitions and final clauses grant no intrusive power.",
    where=lambda p: is_formal(p)
    or p.has("liability_shield")
    or (p.has("offence") and not (p.has("executive_actor") and p.has("power_modal")))
    or not p.has("intrusive_measure", "blocking"),
)
