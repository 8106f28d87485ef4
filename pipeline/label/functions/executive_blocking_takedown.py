"""executive_blocking_takedown: an executive body may block or remove content or services."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import RULE_KINDS, is_formal

LABEL = "executive_blocking_takedown"

rule(
    "executive_block_or_remove.v1", LABEL, POSITIVE,
    "A minister, regulator, police or other executive body may block, remove or restrict access to content.",
    all_of=["blocking", "content_object", "executive_actor", "power_modal"], none_of=["judicial_grant", "offence_reference"],
    kinds=RULE_KINDS, evidence=["blocking", "executive_actor"],
)
rule(
    "order_provider_to_block.v1", LABEL, POSITIVE,
    "A provider must remove or block content when an executive body says so.",
    all_of=["blocking", "content_object", "compulsion"], none_of=["offence", "judicial"], kinds=RULE_KINDS,
    where=lambda p: any(w in p.text.lower() for w in ("provider", "intermediary", "platform", "licensee", "host")),
    evidence=["blocking"],
)
rule(
    "court_decides.v1", LABEL, NEGATIVE,
    "A court or judge decides the blocking or removal.",
    all_of=["blocking", "judicial_grant"],
)
rule(
    "no_blocking.v1", LABEL, NEGATIVE,
    "No blocking, removal or restriction of content or services.",
    where=lambda p: is_formal(p) or not p.has("blocking") or (p.has("offence") and not p.has("power_modal")),
)
