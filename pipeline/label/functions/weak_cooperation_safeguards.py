"""weak_cooperation_safeguards: cooperation without dual criminality or human-rights refusal grounds."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule

LABEL = "weak_cooperation_safeguards"

rule(
    "cooperation_without_dual_criminality.v1", LABEL, POSITIVE,
    "A duty to assist or extradite for foreign criminal matters with no dual-criminality condition.",
    all_of=["cooperation", "assistance_duty"], none_of=["dual_criminality"], kinds=["operative"],
)
rule(
    "spontaneous_sharing.v1", LABEL, POSITIVE,
    "Information shared spontaneously, without request, or 'for analytical or investigative purposes'.",
    all_of=["spontaneous_sharing"], scope=["cooperation"], kinds=["operative"],
)
rule(
    "refusal_grounds_omit_human_rights.v1", LABEL, POSITIVE,
    "Grounds for refusing assistance that omit human rights and political offences.",
    all_of=["refusal_list"], none_of=["human_rights_ground"], kinds=["operative"],
)
rule(
    "high_refusal_bar.v1", LABEL, POSITIVE,
    "A high bar for refusing assistance ('substantial grounds').",
    all_of=["high_refusal_bar", "cooperation"], kinds=["operative"], evidence=["high_refusal_bar"],
)
rule(
    "dual_criminality_waived.v1", LABEL, POSITIVE,
    "Dual criminality expressly waived, or assistance 'in any criminal matter' or without the other State's authorisation.",
    all_of=["dual_criminality_waived"], kinds=["operative"],
)
rule(
    "dual_criminality_or_refusal_ground.v1", LABEL, NEGATIVE,
    "Dual criminality, a political-offence or human-rights refusal ground.",
    all_of=["dual_criminality"], none_of=["dual_criminality_waived"],
)
rule(
    "not_cooperation.v1", LABEL, NEGATIVE,
    "Nothing about cooperation with other States.",
    none_of=["cooperation"], where=lambda p: not p.in_scope("cooperation"),
)
