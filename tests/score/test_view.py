"""Narrowing and ordering a statute report: the same flags and order in every format."""

from __future__ import annotations

import pytest

from provrisk.score.view import flag_rows, full_view, narrowing, select


def flag(label: str, probability: float, verdict: str) -> dict:
    return {"label": label, "probability": probability, "verdict": verdict}


@pytest.fixture
def document() -> dict:
    provisions = [
        {"citation": "s. 1", "labels": ["a", "b"], "flags": [flag("a", 0.6, "check"), flag("b", 0.3, "check")]},
        {"citation": "s. 2", "labels": [], "flags": []},
        {"citation": "s. 3", "labels": ["c"], "flags": [flag("c", 0.9, "solid")]},
        {"citation": "s. 4", "labels": ["a"], "flags": [flag("a", 0.85, "check")]},
    ]
    return {"provisions": provisions, "labels": [{"id": "a", "name": "Label A"}, {"id": "c", "name": "Label C"}],
            "view": full_view(len(provisions))}


def citations(document: dict) -> list[str]:
    return [provision["citation"] for provision in document["provisions"]]


def test_no_choice_keeps_everything_in_statute_order(document):
    assert select(document) == document


def test_minimum_probability_keeps_flags_at_or_above_it_and_their_provisions(document):
    narrowed = select(document, min_probability=0.6)
    assert citations(narrowed) == ["s. 1", "s. 3", "s. 4"]
    assert [f["label"] for f in narrowed["provisions"][0]["flags"]] == ["a"]
    assert narrowed["provisions"][0]["labels"] == ["a", "b"], "the model's predictions stay as they were"
    assert narrowed["view"] == {"order": "document", "min_probability": 0.6, "solid_only": False, "label": None,
                              "labelled_only": False, "provisions_in_statute": 4}
    assert document["provisions"][0]["flags"][1]["label"] == "b", "the scored document is not changed"


def test_solid_only_keeps_solid_flags(document):
    assert citations(select(document, solid_only=True)) == ["s. 3"]


def test_probability_order_sorts_provisions_and_rows_most_probable_first(document):
    ordered = select(document, order="probability")
    assert citations(ordered) == ["s. 3", "s. 4", "s. 1", "s. 2"]
    rows = flag_rows(ordered, with_unflagged=True)
    assert [(p["citation"], f and f["probability"]) for p, f in rows] == [
        ("s. 3", 0.9), ("s. 4", 0.85), ("s. 1", 0.6), ("s. 1", 0.3), ("s. 2", None)]


def test_statute_order_rows_keep_unflagged_provisions_in_place(document):
    rows = flag_rows(document, with_unflagged=True)
    assert [p["citation"] for p, _ in rows] == ["s. 1", "s. 1", "s. 2", "s. 3", "s. 4"]
    assert [p["citation"] for p, _ in flag_rows(document)] == ["s. 1", "s. 1", "s. 3", "s. 4"]


def test_an_unknown_order_is_refused(document):
    with pytest.raises(ValueError, match="order must be one of"):
        select(document, order="alphabetical")


def test_label_and_labelled_only_keep_the_provisions_carrying_them_and_say_so(document):
    carrying = select(document, label="a")
    assert citations(carrying) == ["s. 1", "s. 4"] and narrowing(carrying) == ["the provisions carrying ‘Label A’"]
    assert carrying["view"]["provisions_in_statute"] == 4
    labelled = select(document, labelled_only=True, solid_only=True)
    assert citations(labelled) == ["s. 3"]
    assert narrowing(labelled) == ["the provisions carrying at least one feature or safeguard", "solid flags only"]
    assert narrowing(select(document)) == []
