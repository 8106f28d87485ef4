"""Predicates several labels' LFs share: what kind of provision this is."""

from __future__ import annotations

from provrisk.label.framework import ProvisionInput

RULE_KINDS = ("operative", "schedule")


def is_offence(p: ProvisionInput) -> bool:
    """The provision creates or requires creating a criminal offence."""
    return p.in_scope("offence") and p.kind in RULE_KINDS


def is_power(p: ProvisionInput) -> bool:
    """The provision grants or conditions an intrusive power (not an offence about one)."""
    return (
        p.kind in RULE_KINDS
        and p.has("intrusive_measure")
        and p.in_scope("power_modal", "compulsion")
        and not p.has("liability_shield")
        and not (p.has("offence") and not p.has("executive_actor"))
    )


def is_formal(p: ProvisionInput) -> bool:
    """Definitions, final clauses and short titles state no rule that carries a risk."""
    return p.kind in ("definition", "final_clause", "preamble") or p.has("formal_clause")
