"""The provisions a reader chose: a statute report narrowed as the web page's filter narrows its list.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`)
and the filter: ``label``, a taxonomy label id (only the provisions carrying
it), or ``labelled_only`` (only the provisions carrying any label, safeguards
included). Output: the document with ``provisions`` narrowed and a
``selection`` entry ``{"label", "labelled_only", "provisions_in_statute"}``
saying so; its ``profile`` still describes the whole statute. With no filter
the document is returned as it is, without ``selection``.
"""

from __future__ import annotations


def select_provisions(document: dict, *, label: str | None = None, labelled_only: bool = False) -> dict:
    if label is None and not labelled_only:
        return document
    if label is not None:
        chosen = [p for p in document["provisions"] if label in p["labels"]]
    else:
        chosen = [p for p in document["provisions"] if p["labels"]]
    selection = {"label": label, "labelled_only": labelled_only, "provisions_in_statute": len(document["provisions"])}
    return {**document, "selection": selection, "provisions": chosen}
