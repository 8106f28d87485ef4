"""Alignment and diff documents as a Word brief (``.docx``), in the form analysts' reports take.

Input: an alignment or a diff document. Output: the bytes of a ``.docx`` file
written with python-docx: a summary paragraph, then a table of provisions with
each one's counterpart (or change), its risk labels added or dropped, and the
words that triggered them.
"""

from __future__ import annotations

from docx import Document

from provrisk.score.brief import docx_bytes, header_table


def alignment_brief(document: dict) -> bytes:
    law, treaty, summary = document["law"], document["treaty"], document["summary"]
    doc = Document()
    doc.add_heading(f"{law['title']}: implementation of {treaty['title']}", level=1)
    differing = [p for p in document["pairs"] if p["article"] and (p["labels_only_in_law"] or p["labels_only_in_treaty"])]
    beyond = [p for p in document["pairs"] if not p["article"] and p["labels_only_in_law"]]
    doc.add_paragraph(
        f"{summary['with_counterpart']} of {summary['provisions']} provisions implement an article of the treaty, and "
        f"{summary['articles_implemented']} of its {summary['articles']} articles are implemented. {len(differing)} "
        f"implementing provisions differ from their article in risk features, and {len(beyond)} flagged provisions "
        "have no counterpart in the treaty."
        + (" Only some articles of the treaty are available verbatim." if treaty["partial_text"] else "")
    )
    if document["unimplemented_articles"]:
        doc.add_paragraph("Articles not implemented: " + ", ".join(document["unimplemented_articles"]) + ".")
    rows = differing + beyond
    table = header_table(doc, ("Provision", "Treaty article", "Risk only in the law (trigger words)", "Finding"))
    for pair in rows:
        cells = table.add_row().cells
        cells[0].text = pair["provision"] + (f" — {pair['heading']}" if pair["heading"] else "")
        cells[1].text = ", ".join(pair["articles"]) or "no counterpart"
        cells[2].text = "; ".join(
            f"{label}: " + ", ".join(f"“{w}”" for w in pair["evidence_in_law"].get(label, [])[:3])
            for label in pair["labels_only_in_law"]
        )
        cells[3].text = pair["finding"]
    return docx_bytes(doc)


def diff_brief(document: dict) -> bytes:
    summary = document["summary"]
    doc = Document()
    new_titles = ", ".join(n["title"] for n in document["new"])
    doc.add_heading(f"{document['old']['title']} → {new_titles}", level=1)
    counts = ", ".join(f"{n} {status}" for status, n in summary["statuses"].items() if n)
    gained = ", ".join(f"{label} ({n})" for label, n in sorted(summary["labels_gained"].items())) or "none"
    lost = ", ".join(f"{label} ({n})" for label, n in sorted(summary["labels_lost"].items())) or "none"
    doc.add_paragraph(
        f"Provisions: {counts}. Risk index {summary['risk_index_old']:.1f} before, {summary['risk_index_new']:.1f} after. "
        f"Risk labels gained: {gained}. Lost: {lost}."
    )
    table = header_table(doc, ("Old", "New", "Change", "Words removed / added", "Risk labels"))
    for pair in document["pairs"]:
        if pair["status"] == "unchanged":
            continue
        cells = table.add_row().cells
        cells[0].text = pair["old"] or "–"
        cells[1].text = (pair["new"] or "–") + (f" ({pair['new_instrument']})" if len(document["new"]) > 1 and pair["new"] else "")
        cells[2].text = pair["status"]
        cells[3].text = ("− " + " | ".join(pair["words_removed"])[:400] if pair["words_removed"] else "") + (
            "\n+ " + " | ".join(pair["words_added"])[:400] if pair["words_added"] else "")
        cells[4].text = "; ".join(
            [f"+{label}: " + ", ".join(f"“{w}”" for w in pair["triggers_added"].get(label, [])[:3]) for label in pair["labels_added"]]
            + [f"−{label}" for label in pair["labels_removed"]]
        )
    return docx_bytes(doc)
