"""One test per drafting style the segmenter must read."""

from provrisk.segment import segment_statute
from tests.segment.helpers import by_citation, citations

TREATY = """Convention on Things

Preamble

The States Parties to this Convention,

Recognising the need for co-operation;

Have agreed as follows:

CHAPTER I

USE OF TERMS

Article 1

Definitions

For the purposes of this Convention:

a) "computer system" means any device;

b) "service provider" means:

(i) any public entity, and

(ii) any other entity.

CHAPTER II

MEASURES

Article 2

Illegal access

Each Party shall adopt such measures as may be necessary to establish as criminal offences the access to a computer system without right.

Article 3

Real-time collection

1. Each Party shall empower its competent authorities to:

a) collect or record traffic data, and

b) compel a service provider to co-operate.

2. Each Party shall oblige a service provider to keep confidential the fact of the execution of any power provided for in this article.

IN WITNESS WHEREOF the undersigned have signed this Convention.
"""


def test_treaty_articles_paragraphs_and_items():
    provisions = by_citation(TREATY)
    assert "Art. 2" in provisions and provisions["Art. 2"].heading == "Illegal access"
    assert provisions["Art. 3(1)"].text.startswith("1. Each Party")
    assert [i.citation for i in provisions["Art. 3(1)"].items] == ["Art. 3(1)(a)", "Art. 3(1)(b)"]
    assert provisions["Art. 3(2)"].kind == "operative"
    assert provisions["Art. 3(1)"].path[-2:] == ["Art. 3", "(1)"]
    assert provisions["Art. 3(1)"].path[0] == "Chapter II MEASURES"


def test_treaty_definitions_one_provision_per_term():
    provisions = by_citation(TREATY)
    assert provisions["Art. 1(a)"].kind == "definition"
    assert [i.citation for i in provisions["Art. 1(b)"].items] == ["Art. 1(b)(i)", "Art. 1(b)(ii)"]
    assert provisions["Art. 1"].role == "lead_in"


def test_preamble_and_final_clause_kinds():
    provisions = segment_statute(TREATY, "t")
    kinds = {p.citation: p.kind for p in provisions}
    assert kinds["Preamble para. 1"] == "preamble"
    assert kinds["Final clause"] == "final_clause"
    assert "Convention on Things" not in {p.text for p in provisions}


COMMONWEALTH = """EXAMPLE ACT 2020

PART I – PRELIMINARY

1. Short title
This Act may be cited as the Example Act.

2. Interpretation
In this Act— "computer" means an electronic device; "data" includes any information; "without authority" means without consent.

PART II – OFFENCES

12. Unauthorised access
(1) A person who intentionally accesses a computer without authority commits an offence.
(2) Access is unauthorised if— (a) the person is not entitled to control access; or (b) the person does not have consent.
(3) Subsection (1) does not apply to authorised testing.

13. Powers
(1) The Minister may, by order, direct a service provider to— (a) remove content; and (b) block access to a website, and the provider shall comply within one day.
(2) An order under subsection (1) is valid for 30 days.
"""


def test_commonwealth_sections_subsections_and_lead_in_lists():
    provisions = by_citation(COMMONWEALTH)
    assert provisions["s. 1"].kind == "final_clause"
    assert provisions["s. 12(1)"].text.startswith("(1) A person")
    assert [i.citation for i in provisions["s. 12(2)"].items] == ["s. 12(2)(a)", "s. 12(2)(b)"]
    # The wrap-up after the list completes the lead-in, so the list stays in s. 13(1).
    assert provisions["s. 13(1)"].text.endswith("within one day.")
    assert "s. 13(1)(a)" not in provisions
    assert provisions["s. 12(2)"].heading == "Unauthorised access"


def test_cross_references_are_not_labels():
    provisions = by_citation(COMMONWEALTH)
    assert "s. 12(3)" in provisions
    assert "s. 13(2)" in provisions
    assert all("(1)(1)" not in c for c in provisions)


def test_unlabelled_quoted_definitions():
    provisions = by_citation(COMMONWEALTH)
    assert provisions['s. 2 "computer"'].kind == "definition"
    assert provisions['s. 2 "data"'].text == '"data" includes any information;'
    assert 's. 2 "without authority"' in provisions


USC = """§ 1030. Fraud and related activity in connection with computers
(a) Whoever—(1) having knowingly accessed a computer without authorization, obtains information;

(2) intentionally accesses a computer without authorization, and thereby obtains—(A) information contained in a financial record; or

(B) information from any protected computer;

shall be punished as provided in subsection (c) of this section.

(b) Whoever conspires to commit an offense under subsection (a) shall be punished as provided in subsection (c).

(c) The punishment for an offense under subsection (a) is a fine.
"""


def test_us_code_nesting_and_wrap_up():
    provisions = by_citation(USC)
    assert list(provisions) == ["§ 1030(a)", "§ 1030(b)", "§ 1030(c)"]
    items = [i.citation for i in provisions["§ 1030(a)"].items]
    assert items == ["§ 1030(a)(1)", "§ 1030(a)(2)", "§ 1030(a)(2)(A)", "§ 1030(a)(2)(B)"]
    assert provisions["§ 1030(a)"].text.endswith("subsection (c) of this section.")
    assert provisions["§ 1030(a)"].heading == "Fraud and related activity in connection with computers"


FLATTENED = """COMPUTER ACT

14. Unauthorised access
(1) A person who causes a computer to perform a function with intent to gain access commits an offence. (2) Access by a person to a computer system is unauthorised if— (a) that person is not entitled to control access of the kind in question; or (b) that person does not have consent. (3) For the purposes of subsection (1) , it is immaterial that the access is not directed at— (a) any particular program; or (b) a program of any kind.

15. Access with intent
A person who commits an offence under section 14 (1) with intent to commit a further offence commits an offence.
"""


def test_flattened_inline_labels():
    assert citations(FLATTENED) == ["s. 14(1)", "s. 14(2)", "s. 14(3)", "s. 15"]
    provisions = by_citation(FLATTENED)
    assert [i.citation for i in provisions["s. 14(3)"].items] == ["s. 14(3)(a)", "s. 14(3)(b)"]


BARE = """An Act

1 Title
This Act is the Example Act 2015.

2 Commencement
1 Sections 3 and 4 come into force on the day after assent. 2 The rest of this Act comes into force on the earlier of— a a date appointed by the Governor-General; and b 2 years after the date of assent.

3 Interpretation
In this Act, unless the context otherwise requires,— applicant means anyone who applies under section 4 harm means serious emotional distress post, in relation to a communication,— a means to transfer or send; and b includes an attempt to do so

4 Applications
A person may apply to the District Court.
"""


def test_bare_labels_and_unquoted_definitions():
    provisions = by_citation(BARE)
    assert [i.citation for i in provisions["s. 2(2)"].items] == ["s. 2(2)(a)", "s. 2(2)(b)"]
    assert "s. 2(1)" in provisions
    terms = [c for c in provisions if c.startswith("s. 3 ")]
    assert terms == ['s. 3 "applicant"', 's. 3 "harm"', 's. 3 "post"']
    assert provisions['s. 3 "harm"'].text == "harm means serious emotional distress"


# Generated texts for layouts the real files also show (the real-file tests are in test_published.py).
def test_a_definition_after_the_lead_in_is_its_own_provision():
    text = (
        "2. Interpretation\nIn this Act— \"dishonestly\" means with intent to obtain a financial benefit;\n"
        "3. Computer fraud\nA person who dishonestly accesses a computer system commits an offence.\n"
    )
    provisions = by_citation(text)
    assert provisions["s. 2"].role == "lead_in"
    assert provisions['s. 2 "dishonestly"'].text.startswith('"dishonestly" means')


def test_illustrations_and_explanations_belong_to_their_section():
    text = (
        "5. Cheating\n(1) Whoever, by deceiving any person, induces that person to deliver property, cheats.\n"
        "Explanation.—A dishonest concealment of facts is a deception.\n"
        "Illustrations\n(a) A, by falsely pretending to be in the civil service, induces B to let him have goods.\n"
        "(b) A, by exhibiting a false sample, induces B to buy an article.\n"
        "(2) Whoever cheats shall be punished with imprisonment.\n"
    )
    provisions = by_citation(text)
    assert "(b) A, by exhibiting a false sample" in provisions["s. 5(1)"].text
    assert "s. 5(1)(a)" not in provisions and not provisions["s. 5(1)"].items
    assert provisions["s. 5(2)"].text.startswith("(2) Whoever cheats")


def test_roman_numerals_after_h_open_a_list_when_ii_follows():
    text = (
        "7. Permits\n(1) The Commissioner may refuse a permit if the procession may —\n(a) create a public nuisance;\n"
        "(b) place the safety of any person in jeopardy;\n(c) cause ill will between groups;\n(d) glorify terrorism;\n"
        "(e) obstruct a road;\n(f) damage property;\n(g) be held in a prohibited area; or\n"
        "(h) be organised by any of the following persons:\n(i) an entity that is not a Singapore entity;\n"
        "(ii) an individual who is not a citizen.\n(2) A refusal must be in writing.\n"
    )
    items = {i.citation for p in segment_statute(text, "t") for i in p.items}
    assert {"s. 7(1)(h)(i)", "s. 7(1)(h)(ii)"} <= items and "s. 7(1)(i)" not in items


def test_a_cross_reference_that_wraps_onto_a_new_line_is_not_a_label():
    text = (
        "12. Offences\n(1) Except as provided in subsections (2), (3), and\n(4) of this section, a person who hinders an officer commits an offence.\n"
        "(2) Subsection (1) does not apply to a court.\n"
    )
    assert citations(text) == ["s. 12(1)", "s. 12(2)"]


def test_us_bill_sections_are_cited_sec():
    # "SECTION 1." opens a bill's first section (not a division); the heading is on the number line, so a
    # repeal note under a bare number is that section's text, not a marginal note above the next one;
    # an old Act runs its first subsection into "That (a) ..."
    text = (
        "A BILL\nTo cap spending.\n\nSECTION 1. SHORT TITLE.\nThis Act may be cited as the Spending Act.\n\n"
        "SEC. 2. LIMITS.\n\n(a) In General.—The limit is 18 percent.\n\n(b) Exception.—The limit does not apply in war.\n\n"
        "Sec. 3.\nThat (a) the Secretary may enter into agreements.\n\n(b)(1) The Secretary may also lease land.\n\n"
        "(2) The Secretary shall report.\n\nSec. 4.\nRepealed by section 3(a) of Public Law 105-146\n\n"
        "Sec. 5.\nThis Act shall not apply to the States.\n"
    )
    provisions = by_citation(text)
    cited = [c for p in provisions.values() for c in [p.citation, *(i.citation for i in p.items)]]
    assert [c for c in cited if c.startswith("Sec.")] == [
        "Sec. 1", "Sec. 2(a)", "Sec. 2(b)", "Sec. 3", "Sec. 3(a)", "Sec. 3(b)", "Sec. 3(b)(1)", "Sec. 3(b)(2)", "Sec. 4",
        "Sec. 5",
    ]
    assert provisions["Sec. 1"].heading == "SHORT TITLE"
    assert provisions["Sec. 4"].text == "Repealed by section 3(a) of Public Law 105-146"
    assert provisions["Sec. 5"].heading is None
