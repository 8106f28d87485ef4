"""The statute report as one self-contained HTML page.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`).
Output: a string holding one HTML page with inline CSS and JavaScript and no
reference to anything outside it, so that it opens from a file, offline, and
can be mailed as is. It shows the instrument and the model, the statute
profile, and every provision in document order with its trigger words marked
in the text, links to the definitions it uses and the provisions it cites, and
one chip per predicted feature quoting the clause the feature rests on,
marked as a rule's match or the model's reading. A row of toggles filters the
provisions by feature; with JavaScript off every provision is shown.

Statute text comes from uploaded files, so every string taken from the
document is escaped before it is written into the page.
"""

from __future__ import annotations

import re
from html import escape

# Blocks anything the page might try to load from elsewhere, should a string ever slip through unescaped.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

RISK_INDEX_NOTE = (
    "risk index: 100 × mean over rule provisions of min(risk labels, 3)/3, "
    "halved where the provision also carries a safeguard"
)

STYLE = """
:root{--risk:#b3261e;--risk-bg:#fde7e4;--mark-risk:#ffe08a;--safe:#1e6b34;--safe-bg:#e3f4e6;--mark-safe:#b9e6c2;
--ink:#1f1f1f;--muted:#5f6368;--line:#d9d9d9}
body{font:16px/1.5 Georgia,"Times New Roman",serif;color:var(--ink);max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:.5rem 0 .25rem}
h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
.note,.meta{color:var(--muted);font-size:.9rem}
.meta{margin:.1rem 0}
.warnings{border:2px solid #c77700;background:#fff4e0;padding:.5rem 1rem;margin:1rem 0}
.warnings ul{margin:.25rem 0;padding-left:1.25rem}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.figure{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.figure b{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
td.n{text-align:right;width:3rem}
.bar{background:var(--risk);height:.7rem;border-radius:2px;min-width:1px}
.bar.mitigating{background:var(--safe)}
.barcell{width:40%}
#filters{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:.5rem 0;z-index:1;font-size:.9rem}
#filters fieldset{border:0;margin:0 0 .3rem;padding:0}
#filters legend{font-weight:bold;padding:0;margin-bottom:.2rem}
.toggle{display:inline-block;border:1px solid var(--line);border-radius:1rem;padding:.1rem .6rem;margin:.1rem;cursor:pointer;white-space:nowrap}
.toggle input{margin:0 .3rem 0 0}
.toggle.mitigating{border-color:var(--safe)}
.toggle:has(input:checked){background:var(--risk-bg);border-color:var(--risk)}
.toggle:has(input[type=radio]:checked){background:#e8eef8;border-color:#3d5a80}
.toggle.mitigating:has(input:checked){background:var(--safe-bg);border-color:var(--safe)}
.toggle:has(input:disabled){color:var(--muted);cursor:default}
#shown{color:var(--muted)}
.provision{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:4px;padding:.5rem 1rem;margin:1rem 0}
.provision.flagged{border-left-color:var(--risk)}
.provision.safeguarded{border-left-color:var(--safe)}
.provision.flagged.safeguarded{border-left-color:var(--risk);box-shadow:inset 4px 0 0 var(--safe)}
.provision h3{margin:.2rem 0;font-size:1.2rem}
.provision h3 .heading{font-weight:normal}
.where{color:var(--muted);font-size:.85rem}
.text{white-space:pre-wrap;margin:.5rem 0}
mark{background:var(--mark-risk);border-bottom:2px solid var(--risk);padding:0 1px}
mark.mitigating{background:var(--mark-safe);border-bottom-color:var(--safe)}
mark.mixed{background:linear-gradient(var(--mark-risk),var(--mark-safe))}
.chips{list-style:none;padding:0;margin:.5rem 0 0}
.chip{border:1px solid var(--risk);background:var(--risk-bg);border-radius:6px;padding:.3rem .6rem;margin:.3rem 0;font-size:.9rem}
.chip.mitigating{border-color:var(--safe);background:var(--safe-bg)}
.chip .name{font-weight:bold;color:var(--risk)}
.chip.mitigating .name{color:var(--safe)}
.chip .standard,.chip .quotes{display:block;color:#333;font-size:.85rem}
.none{color:var(--muted);font-size:.9rem;margin:.3rem 0 0}
.evidence{display:block;margin:.2rem 0 0;font-size:.85rem;color:#333}
.source{display:inline-block;border-radius:3px;padding:0 .3rem;margin-right:.3rem;font:bold .75rem/1.4 system-ui,sans-serif;color:#fff}
.source.rule{background:#3d5a80}
.source.model{background:#7a6a9a}
.evidence .quote{font-weight:bold;background:var(--mark-risk)}
.chip.mitigating .evidence .quote{background:var(--mark-safe)}
.uses{font-size:.85rem;color:#333;margin:.3rem 0 0}
.uses dt{display:inline;font-weight:bold}
.uses dd{display:inline;margin:0}
.uses div{margin:.1rem 0}
@media print{
body{max-width:none;padding:0;font-size:11pt}
#filters{display:none}
.provision{break-inside:avoid}
h2,h3{break-after:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

# Filters by setting `hidden` on provisions; the filter bar itself stays hidden unless this runs,
# so a reader without JavaScript sees every provision and no controls that do nothing.
SCRIPT = """
(function () {
  var bar = document.getElementById("filters");
  var provisions = Array.prototype.slice.call(document.querySelectorAll(".provision"));
  var shown = document.getElementById("shown");
  function update() {
    var scope = bar.querySelector("input[name=scope]:checked").value;
    var wanted = Array.prototype.slice.call(bar.querySelectorAll("input[name=label]:checked"))
      .map(function (box) { return box.value; });
    var count = 0;
    provisions.forEach(function (provision) {
      var labels = provision.getAttribute("data-labels").split(" ");
      var visible = (scope === "all" || provision.getAttribute("data-flagged") === "yes") &&
        (wanted.length === 0 || wanted.some(function (label) { return labels.indexOf(label) >= 0; }));
      provision.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = "Showing " + count + " of " + provisions.length + " provisions.";
  }
  bar.addEventListener("change", update);
  document.getElementById("clear").addEventListener("click", function () {
    bar.querySelectorAll("input[name=label]").forEach(function (box) { box.checked = false; });
    bar.querySelector("input[name=scope][value=all]").checked = true;
    update();
  });
  bar.hidden = false;
  update();
  // A link to a provision (a definition, a cited section) scrolls it below the sticky filter bar, not under it.
  function clearBar() { document.documentElement.style.scrollPaddingTop = (bar.offsetHeight + 8) + "px"; }
  window.addEventListener("resize", clearBar);
  clearBar();
})();
"""


def report_html(document: dict) -> str:
    """Render a statute report document as one self-contained, offline HTML page."""
    instrument = document["instrument"]
    mitigating = {label["id"] for label in document["labels"] if label["mitigating"]}
    names = {label["id"]: label["name"] for label in document["labels"]}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>provrisk report: {escape(instrument['title'] or instrument['source'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        _header(document),
        _profile(document, mitigating),
        "<h2>Provisions</h2>",
        _filters(document, mitigating),
    ]
    parts.extend(_provision(provision, mitigating, names) for provision in document["provisions"])
    parts.append(f"<script>{SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def _header(document: dict) -> str:
    instrument, model = document["instrument"], document["model"]
    parts = [
        "<header>",
        f"<h1>{escape(instrument['title'] or instrument['source'])}</h1>",
        (
            f'<p class="meta">Source: <code>{escape(instrument["source"])}</code> ({escape(instrument["format"])}, '
            f"language: {escape(instrument['language'] or 'unknown')})</p>"
        ),
        (
            f'<p class="meta">Model: {escape(model["name"])} ({escape(model["type"])}, trained '
            f"{escape(model.get('trained_at') or 'unknown')}). Report generated {escape(document['generated_at'])}.</p>"
        ),
    ]
    if instrument["warnings"]:
        parts.append('<div class="warnings" role="alert"><strong>Check the input:</strong><ul>')
        parts.extend(f"<li>{escape(warning)}</li>" for warning in instrument["warnings"])
        parts.append("</ul></div>")
    parts.append(
        '<p class="note">Each flag is a model\'s reading of the text, to be checked against the provision: '
        "the marked words are what the model relied on, and each chip names the standard the feature engages.</p>"
    )
    parts.append("</header>")
    return "\n".join(parts)


def _profile(document: dict, mitigating: set[str]) -> str:
    profile = document["profile"]
    total = profile["provisions"]
    parts = [
        "<section><h2>Statute profile</h2>",
        '<div class="figures">',
        f'<div class="figure"><b>{total}</b>provisions</div>',
        f'<div class="figure"><b>{profile["flagged"]}</b>flagged ({profile["share_flagged"]:.0%})</div>',
        f'<div class="figure"><b>{profile["risk_index"]:.1f}</b>risk index (0–100)</div>',
        "</div>",
        f'<p class="note">{escape(RISK_INDEX_NOTE)}. A provision counts as flagged when it carries at least one risk feature.</p>',
        "<h3>Provisions per feature</h3>",
        "<table><thead><tr><th>feature</th><th>provisions</th><th></th></tr></thead><tbody>",
    ]
    for label in document["labels"]:
        count = profile["label_counts"].get(label["id"], 0)
        width = 100 * count / total if total else 0
        kind = " mitigating" if label["id"] in mitigating else ""
        parts.append(
            f'<tr><td title="{escape(label["standard"])}">{escape(label["name"])}</td><td class="n">{count}</td>'
            f'<td class="barcell"><div class="bar{kind}" style="width:{width:.1f}%"></div></td></tr>'
        )
    parts.append("</tbody></table>")
    parts.append("<h3>Safeguards found</h3>")
    if profile["safeguards"]:
        anchors: dict[str, str] = {}
        for provision in document["provisions"]:
            if mitigating & set(provision["labels"]):
                anchors.setdefault(provision["citation"], _anchor(provision))
        parts.append("<ul>")
        for safeguard in profile["safeguards"]:
            citation = escape(safeguard["citation"])
            anchor = anchors.get(safeguard["citation"])
            link = f'<a href="#{escape(anchor)}">{citation}</a>' if anchor else citation
            quotes = "; ".join(f"“{escape(quote)}”" for quote in safeguard["evidence"])
            parts.append(f"<li>{link}{': ' + quotes if quotes else ''}</li>")
        parts.append("</ul>")
    else:
        parts.append("<p>No provision was found where a safeguard rule matched.</p>")
    parts.append(_model_only_safeguards(document))
    parts.append("</section>")
    return "\n".join(parts)


def _filters(document: dict, mitigating: set[str]) -> str:
    profile = document["profile"]
    parts = [
        '<div id="filters" hidden>',
        "<fieldset><legend>Show</legend>",
        f'<label class="toggle"><input type="radio" name="scope" value="all" checked>all provisions ({profile["provisions"]})</label>',
        f'<label class="toggle"><input type="radio" name="scope" value="flagged">flagged only ({profile["flagged"]})</label>',
        '<button type="button" id="clear">clear filters</button> <span id="shown"></span>',
        "</fieldset>",
        "<fieldset><legend>Only provisions carrying any of these features</legend>",
    ]
    for label in document["labels"]:
        count = profile["label_counts"].get(label["id"], 0)
        kind = " mitigating" if label["id"] in mitigating else ""
        parts.append(
            f'<label class="toggle{kind}" title="{escape(label["standard"])}">'
            f'<input type="checkbox" name="label" value="{escape(label["id"])}"{"" if count else " disabled"}>'
            f"{escape(label['name'])} ({count})</label>"
        )
    parts.append("</fieldset></div>")
    return "\n".join(parts)


def _provision(provision: dict, mitigating: set[str], names: dict[str, str]) -> str:
    labels = provision["labels"]
    flagged = any(label not in mitigating for label in labels)
    classes = ["provision"] + (["flagged"] if flagged else []) + (["safeguarded"] if mitigating & set(labels) else [])
    where = [escape(part) for part in provision["path"][:-1]]
    if provision.get("page"):
        where.append(f"page {provision['page']}")
    if provision["role"] != "rule":
        where.append(escape(provision["role"].replace("_", "-")))
    elif provision["kind"] != "operative":
        where.append(escape(provision["kind"].replace("_", " ")))
    heading = f' <span class="heading">{escape(provision["heading"])}</span>' if provision["heading"] else ""
    parts = [
        (
            f'<article class="{" ".join(classes)}" id="{escape(_anchor(provision))}" '
            f'data-labels="{escape(" ".join(labels))}" data-flagged="{"yes" if flagged else "no"}">'
        ),
        f"<h3>{escape(provision['citation'])}{heading}</h3>",
    ]
    if where:
        parts.append(f'<div class="where">{" · ".join(where)}</div>')
    # dir="auto" so that a right-to-left statute (Arabic) reads in its own direction inside the English page.
    parts.append(f'<div class="text" dir="auto">{_highlighted(provision, mitigating, names)}</div>')
    parts.append(_uses(provision))
    if provision["flags"]:
        parts.append('<ul class="chips">')
        parts.extend(_chip(flag) for flag in provision["flags"])
        parts.append("</ul>")
    else:
        parts.append('<p class="none">No feature flagged.</p>')
    parts.append("</article>")
    return "\n".join(parts)


def _chip(flag: dict) -> str:
    kind = "chip mitigating" if flag["mitigating"] else "chip risk"
    quotes = ", ".join(f"“{escape(quote)}”" for quote in flag["evidence"])
    return (
        f'<li class="{kind}" data-label="{escape(flag["label"])}">'
        f'<span class="name">{escape(flag["name"])}</span> <span class="p">p = {flag["probability"]:.2f}</span>'
        f'<span class="standard">{escape(flag["standard"])}</span>'
        + (_evidence_clauses(flag["evidence_clauses"]) if "evidence_clauses" in flag
           else f'<span class="quotes">Trigger words: {quotes}</span>' if quotes else "")
        + "</li>"
    )


def _evidence_clauses(clauses: list[dict]) -> str:
    """Each clause that carries the flag, cited, marked rule or model, with its trigger words in bold."""
    parts = []
    for clause in clauses:
        if clause["source"] == "rule":
            badge = f'<span class="source rule" title="labelling rule {escape(clause["rule"])}">rule match</span>'
        else:
            badge = '<span class="source model" title="no rule matched: the clause and words the model weighs most">model reading</span>'
        parts.append(
            f'<span class="evidence" data-source="{escape(clause["source"])}">{badge}'
            f'<b>{escape(clause["citation"])}</b>: “{_quoted(clause["clause"], clause["quotes"])}”</span>'
        )
    return "".join(parts)


def _quoted(clause: str, quotes: list[str]) -> str:
    """The clause, escaped, with each quote found in it in bold."""
    spans = sorted(
        (match.start(), match.end())
        for quote in quotes
        if quote.split()
        for match in re.finditer(r"\s+".join(re.escape(word) for word in quote.split()), clause, re.IGNORECASE)
    )
    out, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        out.append(escape(clause[position:start]) + f'<b class="quote">{escape(clause[start:end])}</b>')
        position = end
    out.append(escape(clause[position:]))
    return "".join(out)


def _uses(provision: dict) -> str:
    """Links to the definitions of the terms the provision uses and to the provisions it cites."""
    rows = []
    terms = [
        f'<a href="#p-{escape(d["id"])}" title="{escape(d["citation"])}">{escape(d["term"])}</a>'
        for d in provision.get("definitions_used", [])
    ]
    if terms:
        rows.append(f"<div><dt>Defined terms:</dt> <dd>{', '.join(terms)}</dd></div>")
    cited = [
        f'<a href="#p-{escape(r["id"])}" title="{escape(r["text"])}">{escape(r["citation"])}</a>' if r["id"]
        else f'<span title="not in this text">{escape(r["citation"])} (not in this text)</span>'
        for r in provision.get("cross_references", [])
    ]
    if cited:
        rows.append(f"<div><dt>Cites:</dt> <dd>{', '.join(cited)}</dd></div>")
    return f'<dl class="uses">{"".join(rows)}</dl>' if rows else ""


def _model_only_safeguards(document: dict) -> str:
    """The provisions the model labels a safeguard where no safeguard wording matched: listed apart, to be read."""
    entries = document["profile"].get("safeguards_model_only", [])
    if not entries:
        return ""
    anchors = {p["citation"]: _anchor(p) for p in reversed(document["provisions"])}
    links = ", ".join(
        f'<a href="#{escape(anchors[e["citation"]])}">{escape(e["citation"])}</a>' if e["citation"] in anchors
        else escape(e["citation"])
        for e in entries
    )
    return (f'<p class="note">The model also reads a safeguard, though no safeguard wording matched, in: {links}. '
            "Read these before relying on them.</p>")


def _anchor(provision: dict) -> str:
    return "p-" + provision["id"]


def _highlighted(provision: dict, mitigating: set[str], names: dict[str, str]) -> str:
    """The provision text, escaped, with each evidence quote of a predicted label wrapped in <mark>.

    Quotes are found case-insensitively and across any run of whitespace, since the text keeps
    the statute's line breaks; overlapping hits are merged into one mark listing every label.
    """
    text = provision["text"]
    hits: list[tuple[int, int, str]] = []
    for label in provision["labels"]:
        for quote in provision["evidence"].get(label, []):
            words = quote.split()
            if not words:
                continue
            pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
            hits.extend((match.start(), match.end(), label) for match in pattern.finditer(text))
    hits.sort()
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, label in hits:
        if merged and start < merged[-1][1]:
            last_start, last_end, last_labels = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_labels + ([label] if label not in last_labels else []))
        else:
            merged.append((start, end, [label]))
    out, position = [], 0
    for start, end, labels in merged:
        labels.sort(key=provision["labels"].index)
        risky = [label for label in labels if label not in mitigating]
        kind = "mixed" if risky and len(risky) < len(labels) else ("risk" if risky else "mitigating")
        title = "; ".join(names.get(label, label) for label in labels)
        out.append(escape(text[position:start]))
        out.append(
            f'<mark class="{kind}" data-labels="{escape(" ".join(labels))}" title="{escape(title)}">'
            f"{escape(text[start:end])}</mark>"
        )
        position = end
    out.append(escape(text[position:]))
    return "".join(out)
