"""expression_offence: the provision punishes speech or content."""

from __future__ import annotations

from provrisk.label.framework import NEGATIVE, POSITIVE, rule
from provrisk.label.functions._shared import is_formal, is_offence

LABEL = "expression_offence"

rule(
    "speech_offence_term.v1", LABEL, POSITIVE,
    "An offence aimed at false news, insult, defamation, offensive or hateful content, extremism or morals.",
    all_of=["speech_offence_core"], none_of=["blocking", "computer_related_offence"], where=is_offence,
)
rule(
    "publishing_elastic_content.v1", LABEL, POSITIVE,
    "An offence of publishing or sending content judged by an elastic standard.",
    all_of=["speech_act", "elastic_content_term"], none_of=["csam_or_intimate", "blocking"], where=is_offence,
    evidence=["elastic_content_term"],
)
rule(
    "csam_or_intimate_only.v1", LABEL, NEGATIVE,
    "Child sexual abuse material and intimate images are shared content offences, not expression offences by themselves.",
    all_of=["csam_or_intimate"], none_of=["speech_offence_core"],
)
rule(
    "threat_or_violence_only.v1", LABEL, NEGATIVE,
    "Threats and incitement to violence are not expression offences by themselves.",
    all_of=["violence_or_threat"], none_of=["speech_offence_core", "elastic_content_term"],
)
rule(
    "no_speech_element.v1", LABEL, NEGATIVE,
    "No content is punished: systems offences, powers, definitions and final clauses.",
    none_of=["speech_offence_core", "elastic_content_term"],
    where=lambda p: is_formal(p) or not p.in_scope("offence") or p.has("system_conduct"),
)
