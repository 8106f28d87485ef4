"""Alignment and diff documents as a terminal table, JSON, CSV and one self-contained HTML page.

Input: an alignment document (:func:`provrisk.compare.align.align_reports`) or
a diff document (:func:`provrisk.compare.diff.diff_reports`). Output: a rich
``Table``, or a string. The HTML page has no reference to anything outside it
(inline CSS, the same content-security policy as the statute report) and
escapes every string taken from a document; the diff page shows the two texts
side by side with removed words struck through and added words marked, and the
risk chips before and after.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape

from rich.table import Table
from rich.text import Text

from provrisk.compare.selection import listed
from provrisk.score.formats import spreadsheet_safe
from provrisk.score.html import CONTENT_SECURITY_POLICY

ALIGN_CSV_COLUMNS = ["law", "provision", "heading", "article", "article_heading", "articles", "score", "strength",
                     "labels_only_in_law", "labels_only_in_treaty", "finding"]
DIFF_CSV_COLUMNS = ["old", "new", "new_instrument", "status", "similarity", "part", "labels_added", "labels_removed",
                    "words_added", "words_removed", "old_text", "new_text"]


def to_json(document: dict) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def alignment_table(document: dict, *, show_all: bool = False) -> Table:
    """One row per provision with a counterpart or a difference in risk (all with ``show_all``)."""
    summary = document["summary"]
    title = (f"{document['law']['title']} against {document['treaty']['title']}: {summary['with_counterpart']} of "
             f"{summary['provisions']} provisions implement an article; {summary['articles_implemented']} of "
             f"{summary['articles']} articles implemented")
    table = Table(title=Text(title), expand=True)
    for name, options in (("provision", {"no_wrap": True}), ("article", {"no_wrap": True}), ("strength", {}),
                          ("only in law", {"ratio": 2}), ("only in treaty", {"ratio": 2})):
        table.add_column(name, **options)
    for pair in document["pairs"]:
        if not (show_all or listed(pair)):
            continue
        table.add_row(Text(pair["provision"]), Text(", ".join(pair["articles"]) or "no counterpart"), pair["strength"],
                      Text(", ".join(pair["labels_only_in_law"])), Text(", ".join(pair["labels_only_in_treaty"])))
    if document["unimplemented_articles"]:
        table.caption = "Not implemented: " + ", ".join(document["unimplemented_articles"])
    return table


def diff_table(document: dict, *, show_all: bool = False) -> Table:
    """One row per pair that changed (all with ``show_all``)."""
    summary = document["summary"]
    counts = ", ".join(f"{n} {status}" for status, n in summary["statuses"].items() if n)
    title = (f"{document['old']['title']} -> {', '.join(n['title'] for n in document['new'])}: {counts}; risk index "
             f"{summary['risk_index_old']:.1f} -> {summary['risk_index_new']:.1f}")
    table = Table(title=Text(title), expand=True)
    for name, options in (("old", {"no_wrap": True}), ("new", {"no_wrap": True}), ("status", {}),
                          ("labels added", {"ratio": 2}), ("labels removed", {"ratio": 2})):
        table.add_column(name, **options)
    for pair in document["pairs"]:
        if not (show_all or listed(pair)):
            continue
        table.add_row(Text(pair["old"] or "–"), Text(pair["new"] or "–"), pair["status"],
                      Text(", ".join(pair["labels_added"])), Text(", ".join(pair["labels_removed"])))
    return table


def alignment_csv(document: dict) -> str:
    rows = [{**{k: pair[k] for k in ALIGN_CSV_COLUMNS if k in pair}, "law": document["law"]["id"],
             "articles": ",".join(pair["articles"]), "labels_only_in_law": ",".join(pair["labels_only_in_law"]),
             "labels_only_in_treaty": ",".join(pair["labels_only_in_treaty"])} for pair in document["pairs"]]
    return _csv(ALIGN_CSV_COLUMNS, rows)


def diff_csv(document: dict) -> str:
    rows = [{**{k: pair[k] for k in DIFF_CSV_COLUMNS}, "labels_added": ",".join(pair["labels_added"]),
             "labels_removed": ",".join(pair["labels_removed"]), "words_added": " | ".join(pair["words_added"]),
             "words_removed": " | ".join(pair["words_removed"])} for pair in document["pairs"]]
    return _csv(DIFF_CSV_COLUMNS, rows)


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue()


STYLE = """
body{font:16px/1.5 Georgia,"Times New Roman",serif;color:#1f1f1f;max-width:75rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #d9d9d9}
.note{color:#5f6368;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{padding:.3rem .5rem;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}
.chip{display:inline-block;border-radius:1rem;padding:0 .5rem;margin:.1rem;font-size:.8rem;background:#fde7e4;color:#b3261e}
.chip.safe{background:#e3f4e6;color:#1e6b34}.chip.gone{text-decoration:line-through;opacity:.8}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side>div{border:1px solid #d9d9d9;border-radius:4px;padding:.5rem}
del{background:#fde7e4;color:#8c1d18}ins{background:#d7f0dc;text-decoration:none}
.status{font-weight:bold;text-transform:uppercase;font-size:.8rem;color:#3d5a80}
.pair{margin:1.2rem 0;page-break-inside:avoid}
@media print{body{max-width:none;font-size:11pt}.pair{break-inside:avoid}}
"""


def _chips(labels: list[str], *, gone: bool = False) -> str:
    return "".join(
        f'<span class="chip{" safe" if label == "rights_safeguard" else ""}{" gone" if gone else ""}">{escape(label)}</span>'
        for label in labels
    )


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n")


def alignment_html(document: dict) -> str:
    law, treaty, summary = document["law"], document["treaty"], document["summary"]
    title = f"{law['title']} against {treaty['title']}"
    partial = ('<p class="note">Only some articles of this treaty are available verbatim; an article missing here '
               "is not evidence that the law omits it.</p>") if treaty["partial_text"] else ""
    rows = "".join(
        f"<tr><td>{escape(p['provision'])}<br><span class=note>{escape(p['heading'])}</span></td>"
        f"<td>{escape(', '.join(p['articles']) or 'no counterpart')}<br><span class=note>{escape(p['article_heading'])}</span></td>"
        f"<td>{escape(p['strength'])}</td><td>{_chips(p['labels_only_in_law'])}</td>"
        f"<td>{_chips(p['labels_only_in_treaty'], gone=True)}</td><td>{escape(p['finding'])}</td></tr>"
        for p in document["pairs"]
    )
    missing = ", ".join(escape(a) for a in document["unimplemented_articles"]) or "none"
    body = (f"<h1>{escape(title)}</h1>{partial}<p>{summary['with_counterpart']} of {summary['provisions']} provisions "
            f"implement a treaty article; {summary['articles_implemented']} of {summary['articles']} articles are "
            f"implemented. Similarity: {escape(document['method']['similarity'])}.</p>"
            f"<h2>Articles not implemented</h2><p>{missing}</p><h2>Provisions</h2><table><thead><tr><th>provision</th>"
            f"<th>treaty article</th><th>strength</th><th>risk only in the law</th><th>only in the treaty</th>"
            f"<th>finding</th></tr></thead><tbody>{rows}</tbody></table>")
    return _page(title, body)


def _marked(runs: list[list[str]], keep: str) -> str:
    """One side of a word diff: equal words plain, this side's changed words marked."""
    tag = {"delete": "del", "insert": "ins"}
    return " ".join(
        escape(words) if op == "equal" else f"<{tag[op]}>{escape(words)}</{tag[op]}>"
        for op, words in runs
        if op in ("equal", keep)
    )


def diff_html(document: dict) -> str:
    summary = document["summary"]
    new_titles = ", ".join(n["title"] for n in document["new"])
    title = f"{document['old']['title']} -> {new_titles}"
    counts = ", ".join(f"{n} {escape(status)}" for status, n in summary["statuses"].items() if n)
    parts = "".join(
        f"<tr><td>{escape(p['part'] or '(no Part)')}</td><td>{_counts(p['labels_gained'])}</td><td>{_counts(p['labels_lost'])}</td></tr>"
        for p in summary["parts"]
    )
    pairs = []
    for pair in document["pairs"]:
        if pair["status"] == "unchanged":
            continue
        old_label = escape(pair["old"] or "–")
        new_label = escape(pair["new"] or "–") + (f" <span class=note>({escape(pair['new_instrument'])})</span>"
                                                  if len(document["new"]) > 1 and pair["new_instrument"] else "")
        pairs.append(
            f'<div class="pair"><span class="status">{escape(pair["status"])}</span> {old_label} → {new_label} '
            f"{_chips(pair['labels_added'])}{_chips(pair['labels_removed'], gone=True)}<div class=side>"
            f"<div>{_marked(pair['word_diff'], 'delete')}</div><div>{_marked(pair['word_diff'], 'insert')}</div></div></div>"
        )
    body = (f"<h1>{escape(title)}</h1><p>{counts}. Risk index {summary['risk_index_old']:.1f} → "
            f"{summary['risk_index_new']:.1f}.</p><h2>Risk labels gained and lost, per Part</h2><table><thead><tr><th>Part</th>"
            f"<th>gained</th><th>lost</th></tr></thead><tbody>{parts or '<tr><td colspan=3>none</td></tr>'}</tbody></table>"
            f"<h2>Changes</h2><p class=note>Left: the old text, removed words struck through. Right: the new text, added "
            f"words marked. Chips: risk labels added; struck chips: labels removed.</p>{''.join(pairs)}")
    return _page(title, body)


def _counts(counts: dict) -> str:
    return ", ".join(f"{escape(label)} ({n})" for label, n in sorted(counts.items())) or "–"
