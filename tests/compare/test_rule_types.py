"""Kinds of rule: treaty articles typed by their set phrases, national provisions by the phrases that create them."""

from __future__ import annotations

import pytest

from provrisk.compare.rule_types import agreement, article_type, provision_type


@pytest.mark.parametrize(("heading", "text", "kind"), [
    ("Illegal interception", "Each Party shall adopt such legislative and other measures as may be necessary to establish as "
     "criminal offences under its domestic law, when committed intentionally, the interception without right ...", "offence"),
    ("Interception of content data", "Each Party shall adopt such legislative and other measures as may be necessary, in "
     "relation to a range of serious offences to be determined by domestic law, to empower its competent authorities to "
     "collect or record through the application of technical means ...", "power"),
    ("Mutual assistance regarding accessing of stored computer data", "A Party may request another Party to search or "
     "similarly access ... The requested Party shall respond to the request ...", "cooperation"),
    ("Offense of Illicit Access", "Illicit access to, presence in or contact with part or all of the information technology.", "offence"),
    ("Reservations", "By a written notification addressed to the Secretary General, any State may declare ...", "other"),
])
def test_treaty_articles_are_typed_by_their_set_phrases(heading, text, kind):
    assert article_type(heading, text) == kind


@pytest.mark.parametrize(("text", "kind"), [
    ("Illegal interception\nA person who intentionally intercepts any transmission commits an offence.", "offence"),
    ("Interception of content data\nA police officer may apply to a judge for an order to intercept content data.", "power"),
    ("Mutual legal assistance\nThe Attorney-General may make a request to a foreign State for assistance.", "cooperation"),
    ("Short title\nThis Act may be cited as the Computer Misuse Act.", "other"),
])
def test_national_provisions_are_typed_by_what_they_create(text, kind):
    assert provision_type(text) == kind


def test_agreement_is_neutral_when_a_kind_is_unknown():
    assert agreement("offence", "offence") == 1.0
    assert agreement("offence", "power") == 0.0
    assert agreement("other", "power") == agreement("offence", "other") == 0.5
