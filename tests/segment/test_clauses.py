"""A provision's clauses: its lettered items and sentences, each cited."""

from provrisk.segment.clauses import provision_clauses

# Kenya's Computer Misuse and Cybercrimes Act 2018, s. 6(1), shortened: items (a) to (j), then (ja) inserted in 2025.
FUNCTIONS = (
    "(1) The Committee shall— "
    + " ".join(f"({letter}) perform function {letter};" for letter in "abcdefghij")
    + " (ja) where it is proved that a website promotes unlawful activities, issue a directive to render the website"
    " inaccessible; and (k) perform any other function conferred on it by this Act."
)


def _cited(text: str, citation: str) -> list[tuple[str, str]]:
    return [(c.citation, text[c.start : c.end]) for c in provision_clauses(text, citation)]


def test_lettered_items_are_clauses_cited_below_the_provision():
    clauses = _cited(FUNCTIONS, "s. 6(1)")
    assert [citation for citation, _ in clauses] == (
        ["s. 6(1)"] + [f"s. 6(1)({letter})" for letter in "abcdefghij"] + ["s. 6(1)(ja)", "s. 6(1)(k)"])
    assert clauses[0][1] == "(1) The Committee shall—"
    assert clauses[11][1].startswith("(ja) where it is proved") and clauses[11][1].endswith("render the website inaccessible; and")


def test_sentences_are_clauses_but_abbreviations_and_labels_end_none():
    text = "2. Each Party shall adopt such measures under s. 12. It may also act as No. 5 of Art. 3 provides."
    assert _cited(text, "Art. 19(2)") == [
        ("Art. 19(2)", "2. Each Party shall adopt such measures under s. 12."),
        ("Art. 19(2)", "It may also act as No. 5 of Art. 3 provides."),
    ]


def test_a_cross_reference_is_no_item():
    text = "(2) A person who contravenes subsection (1)(b) or (c) commits an offence."
    assert _cited(text, "s. 4(2)") == [("s. 4(2)", text)]
