"""What a provision uses: the defined terms in it and the provisions of the same statute it cites."""

from __future__ import annotations

import pytest

from provrisk.ingest import ingest_bytes, ingest_file
from provrisk.score.references import provision_links
from provrisk.segment import segment_statute

ACT = """TEST ACT

1. Interpretation
In this Act—
"computer" means an electronic device;
"computer system" means a group of interconnected computers;
"Authority" means the Communications Authority.

2. Powers of the Authority
(1) The Authority may require a service provider to preserve data held in a computer system.
(2) A direction under subsection (1) shall be in writing; the authority of a police officer is not needed.
(3) Section 3(1)(b), sections 1 and 9, and section 4 of the Penal Code apply to a direction under subsection (2).

3. Offences
(1) A person who fails to comply with section 2 commits an offence where—
(a) the failure is wilful; or
(b) the computer belongs to the Authority.
(2) Section 5 is amended by deleting paragraph (c).
"""


@pytest.fixture(scope="module")
def links() -> dict[str, dict]:
    provisions = [p.to_dict() for p in segment_statute(ingest_bytes(ACT.encode(), "test-act.txt").text, "test-act")]
    return {p["citation"]: link for p, link in zip(provisions, provision_links(provisions))}


def test_defined_terms_link_to_their_definition_longest_term_first(links):
    used = links["s. 2(1)"]["definitions_used"]
    assert [(d["term"], d["citation"]) for d in used] == [
        ("Authority", 's. 1 "Authority"'), ("computer system", 's. 1 "computer system"')]
    assert used[0]["id"] == "test-act:s-1-authority"


def test_a_term_defined_with_a_capital_is_matched_with_it_only(links):
    # "the authority of a police officer" is not the Authority
    assert [d["term"] for d in links["s. 2(2)"]["definitions_used"]] == []
    assert [d["term"] for d in links["s. 3(1)"]["definitions_used"]] == ["computer", "Authority"]


def test_references_resolve_to_provisions_of_the_same_statute(links):
    assert [(r["text"], r["citation"], r["id"]) for r in links["s. 2(2)"]["cross_references"]] == [
        ("subsection (1)", "s. 2(1)", "test-act:s-2-1")]
    # an item kept inside its provision resolves to that provision; a section to its first provision;
    # a section the text lacks stays unresolved; another law's section is left out
    assert [(r["text"], r["citation"], r["id"]) for r in links["s. 2(3)"]["cross_references"]] == [
        ("Section 3(1)(b)", "s. 3(1)(b)", "test-act:s-3-1"),
        ("sections 1", "s. 1", "test-act:s-1"),
        ("9", "s. 9", None),
        ("subsection (2)", "s. 2(2)", "test-act:s-2-2"),
    ]
    assert [r["id"] for r in links["s. 3(1)"]["cross_references"]] == ["test-act:s-2-1"]


def test_a_provision_that_amends_another_law_cites_nothing_here(links):
    assert links["s. 3(2)"]["cross_references"] == []


@pytest.mark.corpus
def test_kenya_links_resolve_to_provisions_of_the_act(corpus_dir):
    document = ingest_file(corpus_dir / "texts" / "ken-computer-misuse-cybercrimes-act-2018.txt")
    provisions = [p.to_dict() for p in segment_statute(document.text, "ken")]
    ids = {p["id"] for p in provisions}
    links = dict(zip((p["citation"] for p in provisions), provision_links(provisions)))
    assert [(r["text"], r["citation"]) for r in links["s. 12(2)"]["cross_references"]] == [("subsection (1)", "s. 12(1)")]
    assert "critical infrastructure" in [d["term"] for d in links["s. 12(2)"]["definitions_used"]]
    # "( Act No. 17 of 2025 , s. 3.)" is the amending Act's section, not this Act's s. 3
    assert links["s. 6(2)"]["cross_references"] == []
    every = [r for link in links.values() for r in link["cross_references"]] + [
        d for link in links.values() for d in link["definitions_used"]]
    assert len(every) > 400
    assert all(r["id"] in ids for r in every if r["id"] is not None)
    # a resolved reference leads to the provision cited, the first of the section cited, or the one holding the item
    citation_of = {p["id"]: p["citation"] for p in provisions}
    for reference in (r for link in links.values() for r in link["cross_references"] if r["id"]):
        target = citation_of[reference["id"]]
        assert target.startswith(reference["citation"]) or reference["citation"].startswith(target), reference
