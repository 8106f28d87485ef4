"""optional_intent: intent or a harm threshold is absent, optional, or replaced by less."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal, is_offence

LABEL = "optional_intent"

rule(
    "state_may_require_intent.v1", LABEL, POSITIVE,
    "'A State Party may require that the offence be committed with ... intent' leaves intent optional.",
    all_of=["state_may_require_intent"], kinds=["operative"],
)
rule(
    "lesser_mental_element.v1", LABEL, POSITIVE,
    "Recklessness, 'likely', 'ought to know' or 'reason to believe' can satisfy the offence.",
    all_of=["lesser_mental_element"], where=is_offence,
)
rule(
    "deemed_guilt.v1", LABEL, POSITIVE,
    "Persons are deemed guilty by their position unless they prove lack of consent or due diligence.",
    all_of=["deemed_guilt"], scope=["offence"],
)
rule(
    "no_mental_element.v1", LABEL, POSITIVE,
    "An offence that defines conduct with no intent or knowledge word at all (strict liability).",
    none_of=["intent", "lesser_mental_element", "state_may_require_intent", "offence_reference"],
    where=lambda p: is_offence(p) and p.has("system_conduct", "speech_act", "wrongfulness_term") and len(p.text) > 60,
    evidence=["wrongfulness_term", "system_conduct"],
)
rule(
    "intent_required.v1", LABEL, NEGATIVE,
    "The offence requires intent or knowledge and offers nothing less.",
    all_of=["intent"], none_of=["lesser_mental_element", "state_may_require_intent", "deemed_guilt"],
    where=is_offence,
)
rule(
    "not_an_offence.v1", LABEL, NEGATIVE,
    "Provisions that create no offence and reserve no intent requirement.",
    none_of=["state_may_require_intent", "deemed_guilt"],
    where=lambda p: is_formal(p) or not p.in_scope("offence"),
)
