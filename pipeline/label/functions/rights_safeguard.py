"""rights_safeguard: the provision itself guarantees a safeguard (mitigating)."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule

LABEL = "rights_safeguard"

rule(
    "judge_or_court_decides.v1", LABEL, POSITIVE,
    "A judge or court considers or grants the measure.",
    all_of=["judicial_grant"], none_of=["offence_reference"], kinds=["operative", "schedule"],
)
rule(
    "strict_necessity_or_proportionality.v1", LABEL, POSITIVE,
    "An express strict limb: 'proportionate', 'strictly' or 'absolutely necessary'.",
    all_of=["strict_limb"], none_of=["sanction_terms"], kinds=["operative", "schedule"],
)
rule(
    "exception_or_defence.v1", LABEL, POSITIVE,
    "An exemption for authorised testing, a good-faith or public-interest defence written into the offence.",
    any_of=["testing_exception", "public_interest_defence"], kinds=["operative"],
    where=lambda p: p.in_scope("offence") and p.has("testing_exception", "public_interest_defence"),
)
rule(
    "cooperation_refusal_ground.v1", LABEL, POSITIVE,
    "Dual criminality, a minimum penalty or a political-offence refusal ground in cooperation.",
    all_of=["dual_criminality"], none_of=["dual_criminality_waived"], scope=["cooperation"], kinds=["operative"],
)
rule(
    "remedy_notification_or_data_protection.v1", LABEL, POSITIVE,
    "User notification, a remedy, limits on use, destruction or minimisation of data.",
    any_of=["remedy_notification", "data_protection", "user_notification"], kinds=["operative"],
    where=lambda p: p.has("intrusive_measure", "measure_reference"),
)
rule(
    "human_rights_guarantee.v1", LABEL, POSITIVE,
    "The provision itself requires consistency with human rights law or bars suppressing fundamental freedoms.",
    all_of=["human_rights_guarantee"], kinds=["operative"],
)
rule(
    "reasonable_grounds_only.v1", LABEL, NEGATIVE,
    "'Reasonable grounds' or 'reasonably necessary' is not a safeguard.",
    all_of=["low_threshold"], none_of=["judicial_grant", "strict_limb", "testing_exception", "dual_criminality", "remedy_notification"],
)
rule(
    "no_safeguard_words.v1", LABEL, NEGATIVE,
    "No court, test, exemption, refusal ground, remedy or data-protection condition.",
    none_of=["judicial", "strict_limb", "testing_exception", "public_interest_defence", "dual_criminality",
             "remedy_notification", "data_protection", "user_notification"],
    where=lambda p: True,
)
