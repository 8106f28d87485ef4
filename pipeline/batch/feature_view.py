"""The feature view of a batch: for one label, every provision of every statute that carries it.

Input: a taxonomy label, the statute reports of a batch that were assessed (in
the index's order) and those that were not. Output: one self-contained HTML
page, ``features/<label>.html`` under the batch's output folder, that answers
"which of these laws do this, and where?": per statute (an anchor named after
its instrument id, which the index's counts link to), each provision carrying
the label with its citation (a link to the provision in the statute's report),
heading, probability, the quoted trigger words and the other features flagged
in the same provision; then the statutes where the feature was not found, and
those not assessed, which were not searched at all.

Every string taken from a report is escaped.
"""

from __future__ import annotations

import html

from provrisk.score.formats import not_assessed_label

FEATURES = "features"  # the folder under the batch output
# Same policy as the statute report: nothing is loaded from anywhere; links are navigation, which it does not restrict.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin:1.8rem 0 .3rem;border-bottom:1px solid #ddd}
.note{color:#555;font-size:.9rem}
.verdict{font:bold .7rem/1.4 system-ui,sans-serif;text-transform:uppercase;border-radius:3px;padding:0 .3rem}
.verdict.solid{background:#1f3d7a;color:#fff}
.verdict.check{color:#7a4b00;border:1px solid #c77700}
.standard{border-left:4px solid #b3261e;padding:.2rem .8rem;background:#fdf1ef}
.standard.mitigating{border-left-color:#1e6b34;background:#eef7f0}
ol{padding-left:1.2rem}li{margin:.6rem 0}
.citation{font-weight:600}.heading{color:#333}.p{color:#555;font-size:.85rem}
.quotes{display:block;margin:.15rem 0}
mark{background:#ffe08a;padding:0 1px}
.also{color:#555;font-size:.85rem;display:block}
.title{color:#555;font-size:.85rem}
nav{font-size:.9rem}
"""


def feature_page_name(label_id: str) -> str:
    """The page's path relative to the batch output folder."""
    return f"{FEATURES}/{label_id}.html"


def feature_view_html(label, assessed: list[dict], not_assessed: list[dict], *, html_reports: bool = True) -> str:
    """The feature view page of ``label`` (a taxonomy label) over the batch's statute reports."""
    e = html.escape
    mitigating = label.id == "rights_safeguard"
    found = [(d, [p for p in d["provisions"] if label.id in p["labels"]]) for d in assessed]
    with_label = [(d, provisions) for d, provisions in found if provisions]
    total = sum(len(provisions) for _, provisions in with_label)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>provrisk: {e(label.name)} across the batch</title>",
        f"<style>{STYLE}</style></head><body>",
        '<nav><a href="../index.html">← all statutes</a></nav>',
        f"<h1>{e(label.name)}</h1>",
        f'<div class="standard{" mitigating" if mitigating else ""}"><p>{e(label.definition)}</p><p>Standards engaged:</p><ul>'
        + "".join(f"<li>{e(standard)}</li>" for standard in label.standards) + "</ul></div>",
        (
            f'<p class="note">{total} provision{"" if total == 1 else "s"} in {len(with_label)} of {len(assessed)} '
            f"assessed statute{'' if len(assessed) == 1 else 's'} carry this "
            f"{'safeguard' if mitigating else 'feature'}. Each is a model's reading, to be checked against the text: "
            "the quoted words are what it relied on.</p>"
        ),
    ]
    for document, provisions in with_label:
        instrument = document["instrument"]
        jurisdiction = (document.get("batch") or {}).get("jurisdiction") or "jurisdiction unknown"
        report = f"../reports/{instrument['id']}.{'html' if html_reports else 'json'}"
        parts.append(f'<h2 id="{e(instrument["id"])}"><a href="{e(report)}">{e(instrument["id"])}</a> '
                     f'<span class="title">({e(jurisdiction)}) {e(instrument["title"])}</span></h2>')
        parts.append("<ol>")
        for provision in provisions:
            parts.append(_provision_item(provision, label.id, document, report, html_reports))
        parts.append("</ol>")
    absent = [d["instrument"]["id"] for d, provisions in found if not provisions]
    parts.append("<h2>Not found</h2>")
    parts.append(f"<p>{e(', '.join(absent))}</p>" if absent else "<p>Found in every assessed statute.</p>")
    if not_assessed:
        parts.append("<h2>Not assessed, so not searched</h2><ul>")
        parts.extend(
            f"<li>{e(d['instrument']['id'])}: {e(not_assessed_label(d))}; {e(d['assessment']['reason'])}</li>"
            for d in not_assessed
        )
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _provision_item(provision: dict, label_id: str, document: dict, report: str, html_reports: bool) -> str:
    e = html.escape
    flag = next(flag for flag in provision["flags"] if flag["label"] == label_id)
    citation = e(provision["citation"])
    link = f'<a class="citation" href="{e(report)}#p-{e(provision["id"])}">{citation}</a>' if html_reports else (
        f'<span class="citation">{citation}</span>')
    heading = f' <span class="heading">{e(provision["heading"])}</span>' if provision["heading"] else ""
    quoted = ", ".join(f"“<mark>{e(quote)}</mark>”" for quote in flag["evidence"])
    # where the words come from: a labelling rule's match, or the model's reading when no rule matched
    sources = " and ".join(dict.fromkeys(
        f"{'rule match' if clause['source'] == 'rule' else 'model reading'} in {clause['citation']}"
        for clause in flag["evidence_clauses"]))
    quotes = (f'<span class="quotes">Trigger words ({e(sources)}): {quoted}</span>' if quoted and sources else
              f'<span class="quotes">Trigger words: {quoted}</span>' if quoted else
              '<span class="quotes note">No trigger words quoted: the model relied on the provision as a whole.</span>')
    names = {label["id"]: label["name"] for label in document["labels"]}
    others = [names.get(label, label) for label in provision["labels"] if label != label_id]
    also = f'<span class="also">Also flagged: {e("; ".join(others))}</span>' if others else ""
    verdict = f'<span class="verdict {e(flag["verdict"])}">{e(flag["verdict"])}</span>'
    return f'<li>{link}{heading} <span class="p">p = {flag["probability"]:.2f}</span> {verdict}{quotes}{also}</li>'
