"""The statute report as a Word brief (``.docx``), in the form analysts' reports take.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`),
possibly narrowed by the reader's choice (:func:`provrisk.score.view.select`).
Output: the bytes of a
``.docx`` file: the title, a summary paragraph of the whole statute written
from the report (how the law is arranged, its risk profile, its most serious
provisions, the safeguards found), then, for the provisions the filter keeps,
a table of the flagged ones (one row per feature: citation, page, the quoted
trigger words, the feature, the standards it engages, the confidence) on
landscape pages, and the safeguards found.

:func:`header_table` and :func:`docx_bytes` are the python-docx helpers every
provrisk brief uses (:mod:`provrisk.compare.brief` too).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from provrisk.score.report import RULE_KINDS
from provrisk.score.view import narrowing

TABLE_COLUMNS = ("Provision", "Page", "Quoted text", "Feature", "Standards engaged", "Confidence")
# Centimetres, summing to the 25.7 cm between the margins of a landscape A4 page.
TABLE_WIDTHS = (3.2, 1.5, 5.2, 3.8, 9.5, 2.5)
MARGIN_CM = 2.0
TABLE_TEXT = "Table text"  # the paragraph style of the flag table: 9 pt, no space between paragraphs
MOST_SERIOUS = 3
LISTED_FEATURES = 5
# Beyond this many safeguards (or headings) the summary gives the count and leaves the list to the body.
LISTED_IN_SUMMARY = 10


def statute_brief(document: dict) -> bytes:
    """The brief of ``document``; its table and safeguards hold only the provisions and flags its view keeps."""
    instrument, model = document["instrument"], document["model"]
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    table_text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)
    _a4(doc.sections[0], landscape=False)
    doc.add_heading(instrument["title"] or instrument["source"], level=1)
    doc.add_paragraph(
        f"Source: {instrument['source']} ({instrument['format']}). Scored with {model['name']} ({model['type']}, "
        f"trained {model.get('trained_at') or 'at an unknown date'}) on {document['generated_at']}."
    )
    for warning in instrument["warnings"]:
        doc.add_paragraph(f"Check the input: {warning}")
    doc.add_heading("Summary", level=2)
    doc.add_paragraph(summary_text(document))
    if not document["assessment"]["assessed"]:
        # no flags and no safeguards were looked for: an empty table would read as "nothing found"
        return docx_bytes(doc)
    if narrowing(document):
        doc.add_paragraph(_selection_note(document))
    doc.add_paragraph(
        "Each flag is a model's reading of the text, to be checked against the provision: the quoted words are "
        "what the model relied on, and the confidence is the model's calibrated probability that the feature is "
        f"present, with a verdict ({document['confidence']['rule']})."
    )

    table_section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(table_section, landscape=True)
    doc.add_heading("Flagged provisions", level=2)
    flagged = [p for p in document["provisions"] if _risk_flags(p)]
    if flagged:
        _flag_table(doc, flagged)
    else:
        doc.add_paragraph("No provision carries a risk feature.")

    doc.add_heading("Safeguards found", level=2)
    safeguarded = [(p, flag) for p in document["provisions"] for flag in p["flags"] if flag["mitigating"]]
    if not safeguarded:
        doc.add_paragraph("No provision was found to carry a human-rights safeguard.")
    for provision, flag in safeguarded:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(_cited(provision)).bold = True
        page = f"page {provision['page']}, " if provision.get("page") else ""
        paragraph.add_run(f": {_quoted(flag['evidence']) or '(no words quoted)'} ({page}confidence {_confidence(flag)}).")
    return docx_bytes(doc)


def summary_text(document: dict) -> str:
    """The summary paragraph, every sentence of it taken from the report."""
    instrument, profile = document["instrument"], document["profile"]
    names = {label["id"]: label["name"] for label in document["labels"]}
    mitigating = {label["id"] for label in document["labels"] if label["mitigating"]}
    title = instrument["title"] or instrument["source"]
    sentences = [f"{title} has {profile['provisions']:,} provisions, {profile['rules']:,} of them operative rules."]
    sentences.append(_arrangement(document["provisions"]))
    if not document["assessment"]["assessed"]:
        sentences.append(f"It was not assessed (language: {document['assessment']['language']}): "
                         f"{document['assessment']['reason']}. Its risk features are unknown, not absent.")
        return " ".join(sentence for sentence in sentences if sentence)
    found = sorted(
        ((count, label) for label, count in profile["label_counts"].items() if count and label not in mitigating),
        key=lambda item: (-item[0], list(names).index(item[1])),
    )
    sentences.append(
        f"{profile['flagged']:,} of the {profile['provisions']:,} provisions ({profile['share_flagged']:.0%}) carry at "
        "least one risk feature, and the statute's risk "
        f"index is {profile['risk_index']:.1f} out of 100 (0: nothing flagged; 100: every rule carries three or more "
        "risk features and no safeguard)."
    )
    if found:
        others = found[LISTED_FEATURES:]
        sentences.append(
            "The features found most often are "
            + "; ".join(f"‘{names[label]}’ ({_count(count, 'provision')})" for count, label in found[:LISTED_FEATURES])
            + (f"; {_count(len(others), 'other feature')} {'is' if len(others) == 1 else 'are'} found in "
               f"{_count(others[0][0], 'provision')} or fewer." if others else ".")
        )
    serious = _most_serious(document["provisions"])
    if serious:
        sentences.append(
            "The most serious provisions, by number of risk features and the model's confidence, are "
            + "; ".join(
                f"{p['citation']}{' ' + p['heading'] if p['heading'] else ''}: {_count(len(_risk_flags(p)), 'risk feature')} ("
                + ", ".join(f"‘{flag['name']}’" for flag in _risk_flags(p)) + ")"
                for p in serious
            )
            + "."
        )
    safeguards = profile["safeguards"]
    if not safeguards:
        sentences.append("No provision was found to carry a human-rights safeguard.")
    elif len(safeguards) <= LISTED_IN_SUMMARY:
        sentences.append(
            f"Safeguards were found in {_count(len(safeguards), 'provision')}: "
            + ", ".join(p["citation"] for p in safeguards) + "."
        )
    else:
        sentences.append(f"Safeguards were found in {len(safeguards):,} provisions, listed at the end of this brief.")
    return " ".join(sentence for sentence in sentences if sentence)


def _selection_note(selected: dict) -> str:
    return (
        f"The table and the safeguards below hold {' and '.join(narrowing(selected))}, as chosen: "
        f"{_count(len(selected['provisions']), 'provision')}; the summary above is of all "
        f"{selected['view']['provisions_in_statute']:,} provisions."
    )


def _most_serious(provisions: list[dict]) -> list[dict]:
    """The rule provisions with the most risk features, ties broken by the summed probability of those features."""
    rules = [p for p in provisions if p["kind"] in RULE_KINDS and p["role"] == "rule" and _risk_flags(p)]
    rules.sort(key=lambda p: (-len(_risk_flags(p)), -sum(flag["probability"] for flag in _risk_flags(p))))
    return rules[:MOST_SERIOUS]


def _arrangement(provisions: list[dict]) -> str:
    """How the statute is arranged: its Parts (or chapters) in order, else the headings of its rules."""
    # A path runs from the outermost division to the provision; the provision's own part starts its citation.
    divisions = list(dict.fromkeys(p["path"][0] for p in provisions if p["path"] and not p["citation"].startswith(p["path"][0])))
    if divisions:
        return f"It is arranged in {_count(len(divisions), 'division')}: " + "; ".join(divisions[:LISTED_IN_SUMMARY]) + (
            f"; and {len(divisions) - LISTED_IN_SUMMARY} more." if len(divisions) > LISTED_IN_SUMMARY else ".")
    headings = list(dict.fromkeys(p["heading"] for p in provisions if p["heading"] and p["kind"] in RULE_KINDS))
    if not headings:
        return ""
    return "Its rules deal with: " + "; ".join(headings[:LISTED_IN_SUMMARY]) + (
        f"; and {len(headings) - LISTED_IN_SUMMARY} more matters." if len(headings) > LISTED_IN_SUMMARY else ".")


def _flag_table(doc, provisions: list[dict]) -> None:
    table = header_table(doc, TABLE_COLUMNS, TABLE_WIDTHS, style=TABLE_TEXT)
    # python-docx's table.rows, table.cell(), cell.merge() and paragraph.style = name each walk the whole
    # table or style sheet, which made the brief of a long act (New Zealand's, 1,200 rows) take minutes:
    # rows are kept as they are added, merges and styles are written into the XML directly.
    style_id = doc.styles[TABLE_TEXT].style_id
    for provision in provisions:
        rows = []
        for flag in provision["flags"]:
            rows.append(table.add_row())
            _keep_row_on_one_page(rows[-1])
            cells = rows[-1].cells
            _fill(cells[2], [_quoted(flag["evidence"])], style_id)
            _fill(cells[3], [flag["name"]], style_id)
            _fill(cells[4], flag["standards"], style_id)
            _fill(cells[5], [_confidence(flag)], style_id)
        # One provision cell and one page cell span the rows of all the provision's features.
        first = rows[0].cells
        _fill(first[0], [provision["citation"], provision["heading"]], style_id, bold_first=True)
        _fill(first[1], [str(provision["page"]) if provision.get("page") else "–"], style_id)
        if len(rows) > 1:
            for column in (0, 1):
                first[column]._tc.vMerge = "restart"
                for row in rows[1:]:
                    row.cells[column]._tc.vMerge = "continue"


def _confidence(flag: dict) -> str:
    """The calibrated probability with the flag's verdict (solid or check)."""
    return f"p = {flag['probability']:.2f} ({flag['verdict']})"


def _fill(cell, lines: list[str], style_id: str, *, bold_first: bool = False) -> None:
    """Write ``lines`` (empty ones left out) into ``cell`` as paragraphs of the style ``style_id``."""
    lines = [line for line in lines if line]
    cell.text = ""
    for position, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if position == 0 else cell.add_paragraph()
        paragraph._p.style = style_id
        paragraph.add_run(line).bold = bold_first and position == 0


def _risk_flags(provision: dict) -> list[dict]:
    return [flag for flag in provision["flags"] if not flag["mitigating"]]


def _cited(provision: dict) -> str:
    return provision["citation"] + (f" ({provision['heading']})" if provision["heading"] else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _quoted(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


def header_table(doc, columns: tuple[str, ...], widths_cm: tuple[float, ...] | None = None, style: str | None = None):
    """A bordered table whose bold header row repeats at the top of every page it runs onto.

    ``widths_cm``: the columns' widths (default: python-docx's equal shares), which every row added
    later takes too; ``style``: the header's paragraph style.
    """
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, name in zip(header.cells, columns):
        cell.text = ""
        cell.paragraphs[0].style = style
        cell.paragraphs[0].add_run(name).bold = True
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    if widths_cm:
        _set_widths(table, widths_cm)
    return table


def docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_widths(table, widths_cm: tuple[float, ...]) -> None:
    # Word reads the width of each cell, LibreOffice that of the columns: both are set.
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _keep_row_on_one_page(row) -> None:
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant_split)


def _a4(section, *, landscape: bool) -> None:
    short, long = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
