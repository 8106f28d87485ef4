"""Labelling functions behave as an analyst would expect on drafting they target."""

from __future__ import annotations

from collections import Counter

import pytest

from provrisk.label.apply import apply_lfs, provision_inputs, registered_lfs
from provrisk.label.framework import NEGATIVE, POSITIVE, REGISTRY
from provrisk.taxonomy import load_taxonomy


def votes_for(text: str, label: str, kind: str = "operative", context: str = "", **extra) -> dict[str, int]:
    record = {"id": "t", "instrument_id": "t", "text": text, "kind": kind, "context": context, **extra}
    out = apply_lfs(provision_inputs([record]))
    return {name.split(".")[1]: int(out.votes[0, j]) for j, name in enumerate(out.lf_names) if out.lf_labels[j] == label and out.votes[0, j]}


def test_every_label_has_three_lfs_including_a_negative_one():
    counts = Counter(lf.label for lf in REGISTRY.values())
    for label in load_taxonomy().ids:
        assert counts[label] >= 3, label
        assert any(lf.label == label and lf.polarity == NEGATIVE for lf in REGISTRY.values()), label
        assert any(lf.label == label and lf.polarity == POSITIVE for lf in REGISTRY.values()), label


def test_names_are_versioned_and_lfs_carry_descriptions():
    for lf in registered_lfs():
        assert lf.name.split(".")[0] == lf.label and lf.name.split(".")[-1].startswith("v")
        assert lf.description


def test_judicial_warrant_removes_no_prior_judicial_authorisation_and_supports_safeguard():
    police = "The police may intercept the content of communications and search any computer system."
    judge = "The police may, upon a warrant issued by a judge, intercept the content of communications."
    assert votes_for(police, "no_prior_judicial_authorisation").get("executive_intrusive_power") == POSITIVE
    assert votes_for(judge, "no_prior_judicial_authorisation").get("judicial_warrant") == NEGATIVE
    assert "executive_intrusive_power" not in votes_for(judge, "no_prior_judicial_authorisation")
    assert votes_for(judge, "rights_safeguard").get("judge_or_court_decides") == POSITIVE


def test_testing_exception_removes_research_chilling():
    offence = "A person who intentionally accesses a computer system without authority commits an offence."
    exempt = offence[:-1] + ", unless the access is for the authorised testing or protection of a computer system."
    assert votes_for(offence, "research_chilling").get("systems_offence") == POSITIVE
    assert votes_for(exempt, "research_chilling").get("testing_exception") == NEGATIVE
    assert "systems_offence" not in votes_for(exempt, "research_chilling")


def test_state_may_require_intent_supports_optional_intent():
    text = (
        "Each Party shall establish as criminal offences the access to a computer system without right. "
        "A Party may require that the offence be committed with dishonest intent."
    )
    assert votes_for(text, "optional_intent").get("state_may_require_intent") == POSITIVE


def test_provision_kind_changes_what_a_cue_means():
    text = '"without right" means conduct undertaken without or in excess of authority, and an offence means any criminal offence.'
    assert votes_for(text, "vague_offence_terms", kind="definition").get("not_an_offence") == NEGATIVE
    offence = "A person who without right accesses a computer commits an offence."
    assert votes_for(offence, "vague_offence_terms").get("wrongfulness_term") == POSITIVE


def test_a_narrow_definition_in_the_same_instrument_makes_a_term_not_vague():
    offence = "A person who sends a grossly offensive message commits an offence."
    definitions = [
        {"id": "d", "instrument_id": "act", "kind": "definition", "citation": 's. 2 "grossly offensive"',
         "text": '"grossly offensive" means a message that threatens death or serious bodily harm to an identified person'},
        {"id": "o", "instrument_id": "act", "kind": "operative", "citation": "s. 5", "text": offence},
    ]
    out = apply_lfs(provision_inputs(definitions))
    column = out.lf_names.index("vague_offence_terms.defined_term_not_vague.v1")
    assert out.votes[1, column] == NEGATIVE


def test_evidence_spans_quote_the_provision():
    text = "The service provider shall keep confidential the fact of the execution of any power provided for in this article."
    out = apply_lfs(provision_inputs([{"id": "s", "instrument_id": "t", "text": text}]))
    spans = out.evidence[0]["secrecy_obligation.keep_measure_confidential.v1"]
    assert [text[a:b] for a, b in spans] == ["keep confidential", "the fact of the execution"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Law enforcement authorities, with due cause, shall be authorized to collect or record by technical means traffic data in real-time.", "surveillance_power"),
        ("Every service provider shall retain the traffic data of all its users for a period of two years.", "surveillance_power"),
        ("When a computer data is prima facie found to be in violation of this Act, the Minister shall issue an order to restrict or block access to such computer data.", "executive_blocking_takedown"),
        ("An authorised officer may order any person who has knowledge about the functioning of the computer system to provide the decryption key and passwords.", "compelled_assistance"),
        ("A person who sends a message that is grossly offensive or false, or causes annoyance, commits an offence.", "expression_offence"),
        ("The courts have jurisdiction over an offence committed by a citizen of the Republic outside the territory of the Republic.", "extraterritorial_jurisdiction"),
        ("The Central Authority may, without prior request, forward to a foreign State information obtained within its own investigations.", "weak_cooperation_safeguards"),
        ("Any crime under any written law committed by, through or with the use of a computer system shall be punished one degree higher.", "scope_expansion"),
    ],
)
def test_positive_lfs_fire_on_textbook_drafting(text, label):
    assert POSITIVE in votes_for(text, label).values()
