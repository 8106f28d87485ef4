"""The pairs a comparison lists unless a reader asks for all of them.

Input: an alignment document (:func:`provrisk.compare.align.align_reports`) or
a diff document (:func:`provrisk.compare.diff.diff_reports`). :func:`listed`
says whether one of its pairs is listed by default (in ``provrisk align`` and
``provrisk diff`` tables without ``--all`` and on the web page's compare view
without "show ... too"): a diff pair that changed, an alignment pair with a
counterpart article or a risk feature of its own. :func:`select_listed`
returns the document with ``pairs`` narrowed to those and a ``selection``
entry ``{"listed_only": true, "pairs_in_comparison"}`` saying so; its
``summary`` still describes the whole comparison.
"""

from __future__ import annotations


def listed(pair: dict) -> bool:
    if "status" in pair:  # a diff pair
        return pair["status"] != "unchanged"
    return bool(pair["article"] or pair["labels_only_in_law"])


def select_listed(document: dict) -> dict:
    pairs = [pair for pair in document["pairs"] if listed(pair)]
    return {**document, "selection": {"listed_only": True, "pairs_in_comparison": len(document["pairs"])}, "pairs": pairs}
