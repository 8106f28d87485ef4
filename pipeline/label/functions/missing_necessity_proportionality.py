"""missing_necessity_proportionality: a power or measure without an express necessity-and-proportionality test."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, ProvisionInput, rule
from provrisk.label.functions._shared import is_formal, is_power


def _full_test(p: ProvisionInput) -> bool:
    return p.has("proportionality") and p.has("necessity")


LABEL = "missing_necessity_proportionality"

rule(
    "measure_without_test.v1", LABEL, POSITIVE,
    "An intrusive measure is ordered, directed or set up without both necessity and proportionality.",
    all_of=["intrusive_measure"], where=lambda p: is_power(p) and not _full_test(p),
    evidence=["intrusive_measure"],
)
rule(
    "low_threshold.v1", LABEL, POSITIVE,
    "A low threshold ('reasonable grounds', 'due cause', 'as it deems fit') conditions a power.",
    all_of=["low_threshold"], none_of=["offence"], kinds=["operative"],
    where=lambda p: p.in_scope("power_modal", "compulsion") and not _full_test(p),
)
rule(
    "retention_or_blocking_duty.v1", LABEL, POSITIVE,
    "A retention duty or blocking order with no necessity-and-proportionality test.",
    any_of=["retention_duty", "blocking"], none_of=["offence"],
    where=lambda p: p.kind == "operative" and p.in_scope("compulsion", "power_modal") and not _full_test(p),
)
rule(
    "express_test.v1", LABEL, NEGATIVE,
    "The provision states both limbs: necessary and proportionate.",
    all_of=["necessity", "proportionality"],
)
rule(
    "formalities_or_no_power.v1", LABEL, NEGATIVE,
    "Only formalities (writing, contents of a notice), or no power at all.",
    where=lambda p: is_formal(p)
    or (p.has("offence") and not p.has("power_modal"))
    or not p.has("intrusive_measure", "blocking", "retention_duty", "confidentiality", "low_threshold")
    or (p.has("formalities") and not p.has("power_modal")),
)
