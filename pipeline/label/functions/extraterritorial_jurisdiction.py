"""extraterritorial_jurisdiction: jurisdiction over conduct outside the territory."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule

LABEL = "extraterritorial_jurisdiction"

rule(
    "jurisdiction_beyond_territory.v1", LABEL, POSITIVE,
    "A jurisdiction provision reaching nationals abroad, conduct outside the territory or effects inside it.",
    all_of=["extraterritorial"], scope=["jurisdiction"], kinds=["operative"],
    evidence=["extraterritorial"],
)
rule(
    "offence_abroad_treated_as_local.v1", LABEL, POSITIVE,
    "An offence committed outside the country is dealt with as if committed inside it.",
    all_of=["extraterritorial"], kinds=["operative"],
    where=lambda p: any(w in p.text.lower() for w in ("as if", "outside as well as within", "whatever the person's nationality", "regardless of"))
    and "data is located" not in p.text.lower(),
)
rule(
    "act_applies_abroad.v1", LABEL, POSITIVE,
    "The Act applies to offences or acts committed outside the country, or to its citizens wherever they are.",
    all_of=["extraterritorial"], kinds=["operative", "final_clause"],
    where=lambda p: any(w in p.text.lower() for w in ("apply", "applies", "extend"))
    and any(w in p.text.lower() for w in ("committed outside", "wherever", "irrespective of his nationality", "outside as well as within")),
)
rule(
    "territorial_only.v1", LABEL, NEGATIVE,
    "No reach beyond the territory.",
    none_of=["extraterritorial"], where=lambda p: True,
)
rule(
    "not_a_jurisdiction_rule.v1", LABEL, NEGATIVE,
    "Outside-territory words in a cooperation, definition or procedural provision do not establish jurisdiction.",
    any_of=["cooperation", "defines"], where=lambda p: not p.in_scope("jurisdiction"),
)
