"""compelled_assistance: persons or providers must assist, decrypt, disclose credentials or keep a capability."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import RULE_KINDS

LABEL = "compelled_assistance"

rule(
    "ordered_to_assist.v1", LABEL, POSITIVE,
    "Words of compulsion order a person or provider to assist or co-operate with the authorities.",
    all_of=["compulsion", "assistance", "private_party"], none_of=["cooperation", "offence_reference"],
    kinds=RULE_KINDS, evidence=["compulsion", "assistance"],
)
rule(
    "decryption_or_credentials.v1", LABEL, POSITIVE,
    "An order to decrypt, give keys or passwords, or disclose 'in intelligible form'.",
    all_of=["compulsion", "decryption_credentials"], none_of=["offence"], kinds=RULE_KINDS,
    evidence=["decryption_credentials"],
)
rule(
    "capability_duty.v1", LABEL, POSITIVE,
    "A duty to build or keep an interception or technical capability.",
    all_of=["compulsion", "capability_duty"], none_of=["offence", "production_only"], kinds=RULE_KINDS,
    evidence=["capability_duty"],
)
rule(
    "request_only.v1", LABEL, NEGATIVE,
    "A bare power to request, with no words of compulsion.",
    all_of=["request_only"], none_of=["compulsion"],
)
rule(
    "production_or_retention_only.v1", LABEL, NEGATIVE,
    "Production orders and retention duties are not compelled assistance.",
    all_of=["production_only"], none_of=["assistance", "decryption_credentials"],
)
rule(
    "no_assistance_words.v1", LABEL, NEGATIVE,
    "Nothing about assistance, decryption or capability.",
    none_of=["assistance", "decryption_credentials", "capability_duty"], where=lambda p: True,
)
