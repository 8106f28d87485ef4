"""surveillance_power: real-time collection, interception, monitoring or data retention."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import RULE_KINDS, is_formal

LABEL = "surveillance_power"

rule(
    "real_time_collection.v1", LABEL, POSITIVE,
    "Authorises or compels real-time collection, interception or monitoring of communications.",
    all_of=["real_time_collection"], none_of=["offence"], kinds=RULE_KINDS,
)
rule(
    "retention_duty.v1", LABEL, POSITIVE,
    "A statutory duty or order to retain data not limited to specified data.",
    all_of=["retention_duty"], none_of=["specified_data", "offence"], kinds=RULE_KINDS,
    where=lambda p: p.in_scope("compulsion", "power_modal"),
)
rule(
    "preservation_production_search_only.v1", LABEL, NEGATIVE,
    "Preservation of specified data, production orders and search of stored data are not surveillance powers.",
    all_of=["preservation_production_search"], none_of=["real_time_collection", "retention_duty"],
)
rule(
    "offence_or_formal.v1", LABEL, NEGATIVE,
    "Interception as a crime, definitions and final clauses grant no power.",
    where=lambda p: is_formal(p) or p.has("offence"),
)
