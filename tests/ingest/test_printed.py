"""The title, edition and in-force date a statute prints about itself."""

from __future__ import annotations

import pytest

from provrisk.ingest.printed import is_title_line, printed_metadata

SGP_COVER = """THE STATUTES OF THE REPUBLIC OF SINGAPORE
ELECTRONIC TRANSACTIONS
ACT 2010
2020 REVISED EDITION
This revised edition incorporates all amendments up to and
including 1 December 2021 and comes into operation on 31 December 2021.
Prepared and Published by
THE LAW REVISION COMMISSION
UNDER THE AUTHORITY OF
THE REVISED EDITION OF THE LAWS ACT 1983
ARRANGEMENT OF SECTIONS
1. Short title"""


def test_cover_page_gives_title_edition_and_the_footer_the_date_in_force():
    furniture = ["Informal Consolidation – version in force from 8/1/2025", "2020 Ed. Act 2010 2"]
    assert printed_metadata(SGP_COVER, furniture) == {
        "title": "ELECTRONIC TRANSACTIONS ACT 2010",
        "edition": "2020 REVISED EDITION",
        "in_force_from": "2025-01-08",
    }


def test_plain_text_statute_gives_its_first_title_line():
    text = "THE PREVENTION OF ELECTRONIC CRIMES ACT, 2016\n(ACT No. XL of 2016)\n\n1. Short title, extent\n(1) This Act may be called..."
    assert printed_metadata(text, []) == {"title": "THE PREVENTION OF ELECTRONIC CRIMES ACT, 2016"}


def test_nothing_printed_gives_nothing():
    assert printed_metadata("1. Interception\nA person shall not intercept a communication.", []) == {}


def test_tanzania_revised_edition():
    assert printed_metadata("THE EVIDENCE ACT\nCHAPTER 6\nREVISED EDITION 2019", [])["edition"] == "REVISED EDITION 2019"


@pytest.mark.parametrize("line", [
    "PUBLIC ORDER ACT 2009", "Convention on Cybercrime", "Computer Misuse and Cybercrimes Act, 2018",
    "International Covenant on Civil and Political Rights", "CYBER AND DATA PROTECTION ACT [CHAPTER 12:07]",
])
def test_titles(line):
    assert is_title_line(line)


@pytest.mark.parametrize("line", [
    "This Act may be cited as the Cybercrime Act 2020.", "1. Short title of the Act", "THE STATUTES OF THE REPUBLIC OF SINGAPORE",
    "(ACT No. XL of 2016)", "Section 4 of the Act", "In this Act, unless the context otherwise requires—",
])
def test_not_titles(line):
    assert not is_title_line(line)


def test_a_title_printed_over_two_lines_continues_with_a_joining_word():
    cover = "Revised Laws of Mauritius\nCONVENTION ABOLISHING THE REQUIREMENTS\nOF LEGALISATION FOR FOREIGN PUBLIC DOCUMENTS ACT\nAct 11 of 1969"
    assert printed_metadata(cover, [])["title"] == (
        "CONVENTION ABOLISHING THE REQUIREMENTS OF LEGALISATION FOR FOREIGN PUBLIC DOCUMENTS ACT"
    )


def test_a_numbered_designation_is_a_whole_title():
    cover = "Fifteenth Congress\nREPUBLIC ACT NO. 10175\nAN ACT DEFINING CYBERCRIME, PROVIDING FOR THE PREVENTION"
    assert printed_metadata(cover, [])["title"] == "REPUBLIC ACT NO. 10175"
