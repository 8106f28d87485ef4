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
    where=lambda p: any(w in p.text.lower() for w in ("as if", "outside as well as within", "whatever the person's nationality", "regardless of")),
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
