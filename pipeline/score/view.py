"""Which provisions and flags a statute report shows, and in what order: the same choice for every format.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`)
and the reader's choice: ``label`` (only the provisions carrying this label
id), ``labelled_only`` (only the provisions carrying any label, safeguards
included), ``min_probability`` (keep flags whose calibrated probability is at
least this), ``solid_only`` (keep flags whose verdict is solid) and ``order``
(``"document"``: provisions as the statute orders them; ``"probability"``:
most probable flag first). Output: a new document whose ``view`` records the
choice and the number of provisions in the statute; with a confidence filter
it holds only the provisions that keep a flag, each with only the flags kept
(its ``labels``, ``scores`` and ``evidence`` stay the model's, as
``provrisk predict`` gives them; the profile stays that of the whole statute).

One choice behind every output: ``provrisk score``'s options, the API's query
parameters (and so the web page's downloads), the HTML report's note, the Word
brief's note (:func:`narrowing`). :func:`flag_rows` lists (provision, flag)
pairs in the view's order, for the formats with one row per flag (the
terminal table, CSV).
"""

from __future__ import annotations

from enum import Enum

from provrisk.score.confidence import SOLID


class FlagOrder(str, Enum):
    """The orders a report can hold its provisions in (the CLI's ``--sort``, the API's ``?order=``)."""

    document = "document"
    probability = "probability"


ORDERS = tuple(order.value for order in FlagOrder)


def full_view(provisions: int) -> dict:
    """The view of a document as scored: every provision and flag, in the statute's order."""
    return {"order": "document", "min_probability": 0.0, "solid_only": False, "label": None, "labelled_only": False,
            "provisions_in_statute": provisions}


def select(
    document: dict,
    *,
    label: str | None = None,
    labelled_only: bool = False,
    min_probability: float = 0.0,
    solid_only: bool = False,
    order: str = "document",
) -> dict:
    """The document narrowed to the provisions and flags kept and put in ``order`` (see the module docstring)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    filtering = min_probability > 0 or solid_only
    provisions = []
    for provision in document["provisions"]:
        if (label is not None and label not in provision["labels"]) or (labelled_only and not provision["labels"]):
            continue
        kept = [
            flag for flag in provision["flags"]
            if flag["probability"] >= min_probability and (not solid_only or flag["verdict"] == SOLID)
        ]
        if kept or not filtering:
            provisions.append({**provision, "flags": kept})
    if order == "probability":
        # Stable: provisions without a flag keep their statute order, after the flagged ones.
        provisions.sort(key=lambda provision: -max((flag["probability"] for flag in provision["flags"]), default=-1.0))
    view = {"order": order, "min_probability": min_probability, "solid_only": solid_only, "label": label,
            "labelled_only": labelled_only, "provisions_in_statute": document["view"]["provisions_in_statute"]}
    return {**document, "view": view, "provisions": provisions}


def narrowing(document: dict) -> list[str]:
    """What the document's view leaves out, in words ("solid flags only", "the provisions carrying
    ‘Surveillance power’"); empty when it holds every provision and flag."""
    view = document["view"]
    names = {label["id"]: label["name"] for label in document["labels"]}
    phrases = []
    if view["label"] is not None:
        phrases.append(f"the provisions carrying ‘{names[view['label']]}’")
    elif view["labelled_only"]:
        phrases.append("the provisions carrying at least one feature or safeguard")
    if view["solid_only"]:
        phrases.append("solid flags only")
    if view["min_probability"] > 0:
        phrases.append(f"flags with p ≥ {view['min_probability']:.2f}")
    return phrases


def flag_rows(document: dict, with_unflagged: bool = False) -> list[tuple[dict, dict | None]]:
    """Every (provision, flag) the document holds, in statute order or most probable first by its ``view``;
    ``with_unflagged``: a (provision, None) row for each provision without a flag too (last when sorted)."""
    rows = [
        (provision, flag)
        for provision in document["provisions"]
        for flag in (provision["flags"] or ([None] if with_unflagged else []))
    ]
    if document["view"]["order"] == "probability":
        rows.sort(key=lambda row: -row[1]["probability"] if row[1] else 1.0)
    return rows
