"""Labelling functions, one module per label; importing this package registers them all."""

from provrisk.label.functions import (  # noqa: F401 - imported for their registrations
    compelled_assistance,
    executive_blocking_takedown,
    expression_offence,
    extraterritorial_jurisdiction,
    missing_necessity_proportionality,
    no_prior_judicial_authorisation,
    optional_intent,
    research_chilling,
    rights_safeguard,
    scope_expansion,
    secrecy_obligation,
    surveillance_power,
    vague_offence_terms,
    weak_cooperation_safeguards,
)
