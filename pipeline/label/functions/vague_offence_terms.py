"""vague_offence_terms: an offence element turns on an undefined or elastic term."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, ProvisionInput, custom, rule
from provrisk.label.functions._shared import is_formal, is_offence

LABEL = "vague_offence_terms"

rule(
    "wrongfulness_term.v1", LABEL, POSITIVE,
    "An offence turns on a wrongfulness or dishonesty term ('without right', 'unlawfully', 'dishonestly').",
    all_of=["wrongfulness_term"], where=is_offence,
)
rule(
    "elastic_content_term.v1", LABEL, POSITIVE,
    "An offence turns on an elastic content term ('offensive', 'annoyance', 'false information', 'public order').",
    all_of=["elastic_content_term"], where=is_offence,
)
rule(
    "not_an_offence.v1", LABEL, NEGATIVE,
    "Definitions, final clauses and provisions that create no offence have no offence element to be vague.",
    where=lambda p: is_formal(p) or not p.in_scope("offence"),
)


def _narrowly_defined(p: ProvisionInput, term: str) -> bool:
    definition = p.defined_terms.get(term.lower())
    if not definition:
        return False
    # A definition that only restates the term ("without or in excess of authority") does not narrow it.
    restates = any(word in definition.lower() for word in ("authority", "without right", "lawful", "excess"))
    return not restates and len(definition.split()) >= 8


@custom("defined_term_not_vague.v1", LABEL, NEGATIVE)
def defined_term_not_vague(p: ProvisionInput):
    """Every elastic term in the offence is one the same instrument defines in narrowing words."""
    spans = p.spans("wrongfulness_term", "elastic_content_term")
    if not spans or not is_offence(p):
        return None
    if all(_narrowly_defined(p, p.quote(span)) for span in spans):
        return spans
    return None
