"""Which flags a statute report shows, and in what order: the same choice for every format.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`)
and the reader's choice: ``min_probability`` (keep flags whose calibrated
probability is at least this), ``solid_only`` (keep flags whose verdict is
solid) and ``order`` (``"document"``: provisions as the statute orders them;
``"probability"``: most probable flag first). Output: a new document whose
``view`` records the choice; with a filter, it holds only the provisions that
keep a flag, each with only the flags kept (its ``labels``, ``scores`` and
``evidence`` stay the model's, as ``provrisk predict`` gives them; the profile
stays that of the whole statute). :func:`flag_rows` lists (provision, flag)
pairs in the view's order, for the formats with one row per flag (the
terminal table, CSV).
"""

from __future__ import annotations

from provrisk.score.confidence import SOLID

ORDERS = ("document", "probability")


def select(document: dict, *, min_probability: float = 0.0, solid_only: bool = False, order: str = "document") -> dict:
    """The document narrowed to the flags kept and put in ``order`` (see the module docstring)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    filtering = min_probability > 0 or solid_only
    provisions = []
    for provision in document["provisions"]:
        kept = [
            flag for flag in provision["flags"]
            if flag["probability"] >= min_probability and (not solid_only or flag["verdict"] == SOLID)
        ]
        if kept or not filtering:
            provisions.append({**provision, "flags": kept})
    if order == "probability":
        # Stable: provisions without a flag keep their statute order, after the flagged ones.
        provisions.sort(key=lambda provision: -max((flag["probability"] for flag in provision["flags"]), default=-1.0))
    view = {"order": order, "min_probability": min_probability, "solid_only": solid_only}
    return {**document, "view": view, "provisions": provisions}


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
