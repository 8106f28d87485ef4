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
