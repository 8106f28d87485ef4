"""Labelling functions, one module per label, and the YAML rules of the ``rules_file`` setting; importing this package registers them all."""

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
from provrisk.label.yaml_rules import register_rules  # noqa: E402 - after the Python LFs, whose names it must not reuse
from provrisk.settings import get_settings  # noqa: E402

register_rules(get_settings().rules_file)
