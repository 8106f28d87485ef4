"""provrisk.compare.diff: two versions of a law paired, through the public functions."""

from __future__ import annotations

import pytest

from provrisk.compare.config import load_compare_config
from provrisk.compare.diff import STATUSES, diff_reports, word_diff
from provrisk.compare.instruments import scored_instrument
from provrisk.ingest import ingest_bytes
from provrisk.models.artifacts import load_model_dir
from provrisk.score.report import score_ingested


@pytest.fixture(scope="module")
def model():
    return load_model_dir()


def _report(text: str, name: str, model) -> dict:
    return score_ingested(ingest_bytes(text.encode(), name), model)


OLD = """1. Short title
This Act may be cited as the Example Act.

2. Interception
(1) An authorised officer may intercept any communication without a warrant.
(2) A service provider shall keep the interception secret.

3. Offensive messages
A person who sends an offensive message by means of a computer system commits an offence.
"""

NEW = """1. Short title
This Act may be cited as the Example Act.

2. Offensive messages
A person who sends an offensive message by means of a computer system commits an offence.

3. Interception
(1) An authorised officer may intercept a communication under a warrant issued by a judge.
(2) A service provider shall keep the interception secret.

4. Blocking
The Minister may direct a service provider to block access to any website.
"""


def test_renumbered_modified_unchanged_and_added_provisions(model):
    document = diff_reports(_report(OLD, "old.txt", model), [_report(NEW, "new.txt", model)], load_compare_config())
    status = {(p["old"], p["new"]): p["status"] for p in document["pairs"]}
    assert status[("s. 1", "s. 1")] == "unchanged"
    assert status[("s. 3", "s. 2")] == "renumbered"
    assert status[("s. 2(1)", "s. 3(1)")] == "modified"
    assert status[(None, "s. 4")] == "added"
    modified = next(p for p in document["pairs"] if p["old"] == "s. 2(1)")
    assert "issued by a judge" in modified["words_added"]
    assert "without" in " ".join(modified["words_removed"])
    assert set(document["summary"]["statuses"]) == set(STATUSES)


def test_nigerian_section_24_pairs_by_its_subsections(corpus_dir, model):
    old = scored_instrument("nga-cybercrimes-act-2015-s24-fragment", model)
    new = scored_instrument("nga-cybercrimes-amendment-act-2024-s24-fragment", model)
    document = diff_reports(old, [new], load_compare_config())
    assert [(p["old"], p["new"], p["status"]) for p in document["pairs"]] == [
        ("s. 24(1)", "s. 24(1)", "modified"),
        ("s. 24(2)", "s. 24(2)", "modified"),
    ]
    first = document["pairs"][0]
    assert "grossly offensive" in " ".join(first["words_removed"])


def test_a_law_split_into_two_acts_is_diffed_against_both(corpus_dir, model):
    old = scored_instrument("zmb-cyber-security-cyber-crimes-act-2021", model)
    new = [scored_instrument(i, model) for i in ("zmb-cyber-crimes-act-2025", "zmb-cyber-security-act-2025")]
    document = diff_reports(old, new, load_compare_config())
    partners = {p["new_instrument"] for p in document["pairs"] if p["new"]}
    assert partners == {"zmb-cyber-crimes-act-2025", "zmb-cyber-security-act-2025"}
    # every old provision is accounted for: paired, split, merged or removed
    assert {p["old"] for p in document["pairs"] if p["old"]} == {
        p["citation"] for p in old["provisions"] if p["kind"] != "preamble"
    }


def test_word_diff_runs_rebuild_both_texts():
    runs = word_diff("may intercept without a warrant", "may intercept under a warrant")
    assert " ".join(w for op, w in runs if op != "insert") == "may intercept without a warrant"
    assert " ".join(w for op, w in runs if op != "delete") == "may intercept under a warrant"
    assert word_diff("(1) A warrant.", "(1) A warrant.") == [("equal", "(1) A warrant.")]


def test_a_statute_not_assessed_is_refused_in_one_line(model):
    from provrisk.errors import InputError
    from tests.score.test_report import FRENCH_STATUTE

    english = _report("1. Blocking orders\nThe Minister may order a provider to block any website.\n", "act.txt", model)
    french = _report(FRENCH_STATUTE, "loi.txt", model)
    with pytest.raises(InputError, match=r"^loi\.txt: not assessed \(language: und-Latn\): .*cannot be compared$"):
        diff_reports(english, [french], load_compare_config())


def _links(old_text: str, new_text: str, model) -> dict:
    """Per old citation (None for added), the set of new citations the diff pairs it with, and the statuses."""
    document = diff_reports(_report(old_text, "old.txt", model), [_report(new_text, "new.txt", model)], load_compare_config())
    links: dict = {}
    for pair in document["pairs"]:
        links.setdefault(pair["old"], {})[pair["new"]] = pair["status"]
    return links


INTERCEPTION_OLD = """1. Interception orders
(1) A law enforcement officer may apply to a judge for an interception order where an offence under this Act has been committed.
(2) A law enforcement officer shall obtain the written consent of the Attorney-General before applying under subsection (1).
(3) A judge may make an order requiring a service provider to intercept and retain a specified communication received or transmitted by that service provider.
"""

INTERCEPTION_NEW = """1. Interception orders
(1) A law enforcement officer shall apply to a judge for an interception order where an offence under this Act has been committed.
(2) A judge may make an order requiring an electronic communications service provider to intercept and retain a specified communication received or transmitted by that service provider.
(3) The order under subsection (2) shall be served on the service provider.
(4) The Centre shall keep a register of intercepted signals.
"""


def test_a_neighbour_reusing_the_words_is_no_part_of_a_split_and_context_alone_makes_no_pair(model):
    links = _links(INTERCEPTION_OLD, INTERCEPTION_NEW, model)
    # (3) only serves the order that (2) makes: it carries no piece of the old order power
    assert links["s. 1(3)"] == {"s. 1(2)": "modified"}
    assert links[None].get("s. 1(3)") == "added"
    # the consent duty shares the section and heading of the new section, not its words
    assert links["s. 1(2)"] == {None: "removed"}
    assert links[None].get("s. 1(4)") == "added"


DUPLICATE_OLD = """1. Emergency interception
(1) A law enforcement officer may orally request a service provider to intercept a communication in an emergency.
(2) Where a judge determines that the interception was used for purposes contrary to this Act, the judge may make any order the judge considers appropriate in relation to the service provider.

2. Location of the sender
(1) A law enforcement officer may orally request a service provider to determine the location of the sender of a communication in an emergency.
(2) Where a judge determines that the interception was used for purposes contrary to this Act, the judge may make any order the judge considers appropriate in relation to the service provider.
"""

DUPLICATE_NEW = """1. Emergency interception
(1) A law enforcement officer may request a service provider to intercept a communication in an emergency.
(2) Where a judge determines that the interception was used for purposes contrary to this Act, the judge may make any order the judge considers appropriate in relation to the service provider.

2. Location of the sender
(1) A law enforcement officer may request a service provider to determine the location of the sender of a communication in an emergency, and the service provider shall keep a record of the request.
"""


def test_a_near_duplicate_of_the_paired_old_provision_is_not_merged(model):
    links = _links(DUPLICATE_OLD, DUPLICATE_NEW, model)
    assert links["s. 1(2)"] == {"s. 1(2)": "unchanged"}
    # old 2(2) brings no words to new 1(2) that old 1(2) does not: no successor
    assert links["s. 2(2)"] == {None: "removed"}


PENALTY_OLD = """1. Interception devices
(1) A person shall not use an interception device or other apparatus whether electronic or mechanical.
(2) An electronic communications service provider who contravenes subsection (1) commits an offence and is liable, on conviction, to a fine not exceeding three million penalty units.

2. Denial of service
A person who intentionally renders a computer system incapable of providing normal services to its users commits an offence and is liable, on conviction, to a fine not exceeding one million penalty units.
"""

PENALTY_NEW = """3. Interception devices
(1) A person shall not manufacture or possess a signal jammer without authorisation.
(2) A person who contravenes subsection (1), commits an offence and is liable, on conviction, to a fine not exceeding one million penalty units.

4. System interference
(1) A person commits an offence if that person intentionally hinders a computer system or renders a computer system incapable of providing normal services to its users.
(2) A person who is convicted of an offence under subsection (1) is liable to a fine not exceeding five hundred thousand penalty units.
"""


def test_penalty_subsections_keep_their_offence_subsections(model):
    links = _links(PENALTY_OLD, PENALTY_NEW, model)
    # old and new penalty subsections pair; so do the offence subsections they punish
    assert set(links["s. 1(2)"]) == {"s. 3(2)"}
    assert set(links["s. 1(1)"]) == {"s. 3(1)"}
    # an offence with its own penalty is carried by the new offence and the penalty that punishes it
    assert links["s. 2"] == {"s. 4(1)": "split", "s. 4(2)": "split"}
