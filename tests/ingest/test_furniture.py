"""Page furniture: running headers and footers and page numbers removed, body lines kept."""

from __future__ import annotations

import pytest

from provrisk.ingest.furniture import is_page_number_line, remove_page_furniture, remove_running_titles

_BODIES = [
    "1. Short title\nThis Act is the Cybercrime Act.",
    "2. Interpretation\nIn this Act, data means any representation of facts.",
    "3. Access\nA person shall not access a computer without authority.",
    "4. Interception\nA person shall not intercept a communication.",
    "5. Retention\nProviders shall retain traffic data for 90 days.",
]


def test_running_headers_footers_and_page_numbers_are_dropped_and_returned():
    footers = ["1", "- 2 -", "Page 3", "Page 4 of 5", "5/5"]
    pages = [
        f"CYBERCRIME ACT 2020\nAct No. {n} of 2020\n{body}\nPrinted {n}/1/2021\n{footer}"
        for n, (body, footer) in enumerate(zip(_BODIES, footers), start=1)
    ]
    kept, removed = remove_page_furniture(pages)
    assert kept == _BODIES
    assert removed[:5] == ["CYBERCRIME ACT 2020", "Act No. 1 of 2020", "Printed 1/1/2021", "1", "CYBERCRIME ACT 2020"]
    assert len(removed) == 20


def test_lines_repeated_on_fewer_than_half_the_pages_are_kept():
    pages = ["Header\nbody one", "Header\nbody two", "Other\nbody three", "Other2\nbody four", "Other3\nbody five"]
    assert remove_page_furniture(pages) == (pages, [])


def test_repeats_need_three_pages():
    pages = ["Header\nbody one\n1", "Header\nbody two\n2"]
    assert remove_page_furniture(pages) == (["Header\nbody one", "Header\nbody two"], ["1", "2"])


def test_numbers_in_the_middle_of_a_page_are_kept():
    body = "\n".join(["top 1", "top 2", "top 3", "12", "bottom 1", "bottom 2", "bottom 3"])
    assert remove_page_furniture([body]) == ([body], [])


def test_left_and_right_hand_running_heads_with_page_numbers_of_any_length_are_dropped():
    # As Singapore Statutes Online prints them: the edition and page number swap sides on facing pages.
    bodies = [f"{word} begins here\nand {word} goes on" for word in "abcdefghijkl"]
    pages = []
    for number, body in enumerate(bodies, start=1):
        head = f"2020 Ed. Public Order Act 2009 {number}" if number % 2 else f"{number} Public Order Act 2009 2020 Ed."
        pages.append(f"{body}\n{head}\nInformal Consolidation – version in force from 1/10/2025")
    kept, removed = remove_page_furniture(pages)
    assert kept == bodies
    assert removed[:2] == ["2020 Ed. Public Order Act 2009 1", "Informal Consolidation – version in force from 1/10/2025"]


def test_a_running_head_split_over_two_lines_is_dropped_whole():
    bodies = [f"{word} begins here\nand {word} goes on" for word in "abcdefg"]
    pages = [f"{body}\n1\n2020 Ed." if n == 1 else f"{body}\n2020 Ed. Public Order Act 2009 {n}"
             for n, body in enumerate(bodies, start=1)]
    kept, removed = remove_page_furniture(pages)
    assert kept == bodies
    assert removed[:2] == ["1", "2020 Ed."]


@pytest.mark.parametrize("line", ["12", "- 12 -", "Page 12 of 40", "12/40", "ii", "xiv", "lxxxix"])
def test_page_numbers(line):
    assert is_page_number_line(line)


@pytest.mark.parametrize("line", ["", "(ii)", "I", "mix", "12. Interception", "Part 2", "2020 Ed.", "2001"])
def test_not_page_numbers(line):
    assert not is_page_number_line(line)


RUNNING_TITLE_TEXT = """5. Evidence

Where any question arises as to the competency of the authorities designated by any contracting State to the Convention to

Convention Abolishing the Requirements of Legalisation for
Foreign Public Documents Act

issue the certificate referred to in Article 3, a statement shall be conclusive evidence of that fact."""
TITLE = "CONVENTION ABOLISHING THE REQUIREMENTS OF LEGALISATION FOR FOREIGN PUBLIC DOCUMENTS ACT"


def test_the_title_as_a_running_head_inside_a_sentence_is_removed():
    text, removed = remove_running_titles(RUNNING_TITLE_TEXT, TITLE)
    assert "Foreign Public Documents Act" not in text
    assert "to the Convention to\n\nissue the certificate" in text
    assert removed == ["Convention Abolishing the Requirements of Legalisation for", "Foreign Public Documents Act"]


def test_the_title_where_a_sentence_ends_or_a_heading_follows_is_kept():
    heading = f"{TITLE}\n\n1. Short title.\nThis Act may be cited as the Convention Act."
    assert remove_running_titles(heading, TITLE) == (heading, [])
    after_a_sentence = "the Minister may make regulations.\nConvention Abolishing the Requirements of Legalisation for Foreign Public Documents Act\nissue"
    assert remove_running_titles(after_a_sentence, TITLE) == (after_a_sentence, [])
