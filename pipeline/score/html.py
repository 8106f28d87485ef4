"""The statute report as one self-contained HTML page.

Input: a statute report document (:func:`provrisk.score.report.score_ingested`).
Output: a string holding one HTML page with inline CSS and JavaScript and no
reference to anything outside it, so that it opens from a file, offline, and
can be mailed as is. It shows the instrument and the model, the statute
profile (or, for a statute in a language the model does not read, that it was
not assessed and why), and every provision in the document's order with its
trigger words marked in the text, links to the definitions it uses and the
provisions it cites, and one chip per flag: its probability, verdict (solid or
check) and why, its label's held-out precision, the standards it engages, and
the clause the feature rests on with its trigger words, marked as a rule's
match or the model's reading. Toggles filter the provisions by feature, by
verdict and by minimum probability, and sort them by their most probable flag;
with JavaScript off every provision is shown.

Statute text comes from uploaded files, so every string taken from the
document is escaped before it is written into the page.
"""

from __future__ import annotations

import re
from html import escape

from provrisk.score.formats import not_assessed_label
from provrisk.score.view import narrowing

# Blocks anything the page might try to load from elsewhere, should a string ever slip through unescaped.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

MIN_PROBABILITY_CHOICES = (0.0, 0.5, 0.7, 0.8, 0.9)

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
.warnings,.not-assessed{border:2px solid #c77700;background:#fff4e0;padding:.5rem 1rem;margin:1rem 0}
.warnings ul{margin:.25rem 0;padding-left:1.25rem}
.figures{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.figure{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.figure b{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
td.n{text-align:right;width:3rem}
td.record{text-align:right;white-space:nowrap}
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
mark.off{background:none;border-bottom-color:transparent}
.chips{list-style:none;padding:0;margin:.5rem 0 0}
.chip{border:1px solid var(--risk);background:var(--risk-bg);border-radius:6px;padding:.3rem .6rem;margin:.3rem 0;font-size:.9rem}
.chip.mitigating{border-color:var(--safe);background:var(--safe-bg)}
.chip .name{font-weight:bold;color:var(--risk)}
.chip.mitigating .name{color:var(--safe)}
.chip .standard,.chip .quotes{display:block;color:#333;font-size:.85rem}
.none{color:var(--muted);font-size:.9rem;margin:.3rem 0 0}
.print-only{display:none}
@page{margin:14mm}
.verdict{display:inline-block;font:bold .75rem/1.4 system-ui,sans-serif;text-transform:uppercase;letter-spacing:.04em;border-radius:3px;padding:0 .35rem;margin-left:.4rem}
.verdict.solid{background:#1f3d7a;color:#fff}
.verdict.check{background:#fff;color:#7a4b00;border:1px solid #c77700}
.chip .why,.chip .record{color:var(--muted);font-size:.85rem}
.chip .record{display:block}
.chip .standards{margin:.2rem 0 0;padding-left:1.2rem;font-size:.85rem;color:#333}
#filters select{font:inherit}
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
body{max-width:none;padding:0;font-size:10pt;line-height:1.35}
#filters{display:none}
.print-only{display:block}
h2{margin-top:1rem}
.provision{margin:.4rem 0;padding:.25rem .6rem}
.provision h3{font-size:11pt}
.text{margin:.25rem 0}
.chips{margin:.25rem 0 0}
.chip{padding:.1rem .4rem;margin:.15rem 0;font-size:8.5pt}
.chip .standard,.chip .quotes{font-size:8.5pt}
/* on paper the standards run on as one sentence, not a list: a page holds twice the flags */
.chip .standards{display:inline;padding:0;margin:0 0 0 .3rem;font-size:8.5pt}
.chip .standards li{display:inline}
.chip .standards li+li::before{content:"; "}
.chip .record{display:inline;margin-left:.3rem}
/* why a flag is check is in the verdict rule printed at the top; the evidence runs on after the name */
.chip .why{display:none}
.evidence{display:inline;margin-left:.3rem;font-size:8.5pt}
.provision[hidden]{display:none}
.chip,.where{break-inside:avoid}
h2,h3{break-after:avoid}
/* a provision without any feature prints as its citation alone, run in with its neighbours */
.provision:not(.flagged):not(.safeguarded){display:inline;border:0;padding:0;margin:0}
.provision:not(.flagged):not(.safeguarded) h3{display:inline;font-size:9pt;font-weight:normal;color:var(--muted)}
.provision:not(.flagged):not(.safeguarded) h3::after{content:" · "}
.provision:not(.flagged):not(.safeguarded) :is(.heading,.where,.text,.none){display:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

# Filters by setting `hidden` on provisions; the filter bar itself stays hidden unless this runs,
# so a reader without JavaScript sees every provision and no controls that do nothing.
SCRIPT = """
(function () {
  var bar = document.getElementById("filters");
  if (!bar) { return; }  // a statute not assessed has no flags to filter
  var list = document.getElementById("provision-list");
  var provisions = Array.prototype.slice.call(list.querySelectorAll(".provision"));
  var shown = document.getElementById("shown");
  function update() {
    var scope = bar.querySelector("input[name=scope]:checked").value;
    var solidOnly = document.getElementById("solid-only").checked;
    var minimum = parseFloat(document.getElementById("min-probability").value);
    var confidenceFilter = solidOnly || minimum > 0;
    var wanted = Array.prototype.slice.call(bar.querySelectorAll("input[name=label]:checked"))
      .map(function (box) { return box.value; });
    var count = 0;
    provisions.forEach(function (provision) {
      var kept = [];
      provision.querySelectorAll(".chip").forEach(function (chip) {
        var keep = parseFloat(chip.getAttribute("data-p")) >= minimum &&
          (!solidOnly || chip.getAttribute("data-verdict") === "solid");
        chip.hidden = !keep;
        if (keep) { kept.push(chip.getAttribute("data-label")); }
      });
      // A mark stays marked while one of the flags it quotes is shown.
      provision.querySelectorAll("mark").forEach(function (mark) {
        mark.classList.toggle("off", !mark.getAttribute("data-labels").split(" ").some(function (label) {
          return kept.indexOf(label) >= 0;
        }));
      });
      var visible = (scope === "all" || provision.getAttribute("data-flagged") === "yes") &&
        (!confidenceFilter || kept.length > 0) &&
        (wanted.length === 0 || wanted.some(function (label) { return kept.indexOf(label) >= 0; }));
      provision.hidden = !visible;
      if (visible) { count += 1; }
    });
    var order = bar.querySelector("input[name=order]:checked").value;
    var sorted = provisions.slice();
    if (order === "probability") {
      // Stable: Array.prototype.sort keeps equal provisions in statute order.
      sorted.sort(function (a, b) { return parseFloat(b.getAttribute("data-max-p")) - parseFloat(a.getAttribute("data-max-p")); });
    }
    sorted.forEach(function (provision) { list.appendChild(provision); });
    shown.textContent = "Showing " + count + " of " + provisions.length + " provisions.";
  }
  bar.addEventListener("change", update);
  document.getElementById("clear").addEventListener("click", function () {
    bar.querySelectorAll("input[name=label]").forEach(function (box) { box.checked = false; });
    bar.querySelector("input[name=scope][value=all]").checked = true;
    bar.querySelector("input[name=order][value=document]").checked = true;
    document.getElementById("solid-only").checked = false;
    document.getElementById("min-probability").value = "0";
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
    assessed = document["assessment"]["assessed"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>provrisk report: {escape(instrument['title'] or instrument['source'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        _header(document),
        _profile(document, mitigating) if assessed else _not_assessed(document),
        "<h2>Provisions</h2>",
        '<p class="note print-only">Printed: the provisions with a risk feature or a safeguard in full; '
        "every other provision by its citation alone.</p>",
    ]
    if assessed:
        parts.append(_filters(document, mitigating))
    parts.append('<div id="provision-list">')
    unflagged = "No feature flagged." if assessed else f"{_sentence(not_assessed_label(document))}."
    parts.extend(_provision(provision, mitigating, names, unflagged) for provision in document["provisions"])
    parts.append("</div>")
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
        "the marked words are what the model relied on, and each chip names the standards the feature engages, "
        "its calibrated probability p and how often its label's flags were right on laws the model never saw.</p>"
    )
    parts.append(f'<p class="note"><strong>Verdicts.</strong> {escape(document["confidence"]["rule"])}.</p>')
    narrowed = narrowing(document)
    if narrowed:
        parts.append(f'<p class="note">This report holds {escape(" and ".join(narrowed))}.</p>')
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
        f'<div class="figure"><b>{profile["solid"]} of {profile["flags"]}</b>flags solid</div>',
        "</div>",
        f'<p class="note">{escape(RISK_INDEX_NOTE)}. A provision counts as flagged when it carries at least one risk feature.</p>',
        "<h3>Provisions per feature</h3>",
        "<table><thead><tr><th>feature</th><th>provisions</th><th></th>"
        "<th>held-out precision</th></tr></thead><tbody>",
    ]
    for label in document["labels"]:
        count = profile["label_counts"].get(label["id"], 0)
        width = 100 * count / total if total else 0
        kind = " mitigating" if label["id"] in mitigating else ""
        record = "not measured" if label["heldout_precision"] is None else (
            f"{label['heldout_precision']:.0%} of {label['heldout_flags']} flags")
        parts.append(
            f'<tr><td title="{escape("; ".join(label["standards"]))}">{escape(label["name"])}</td><td class="n">{count}</td>'
            f'<td class="barcell"><div class="bar{kind}" style="width:{width:.1f}%"></div></td>'
            f'<td class="record">{record}</td></tr>'
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


def _not_assessed(document: dict) -> str:
    """In place of the profile: no figures, since nothing was read, and why."""
    return "\n".join([
        "<section><h2>Statute profile</h2>",
        '<div class="figures">',
        f'<div class="figure"><b>{document["profile"]["provisions"]}</b>provisions</div>',
        f'<div class="figure"><b>{escape(not_assessed_label(document))}</b>risk index</div>',
        "</div>",
        f'<p class="not-assessed" role="alert"><strong>{escape(_sentence(not_assessed_label(document)))}:</strong> '
        f'{escape(document["assessment"]["reason"])}. '
        "No provision was scored, so the absence of flags below says nothing about this statute's risks; "
        "its provisions are listed for reading.</p>",
        "</section>",
    ])


def _sentence(words: str) -> str:
    """``words`` with a capital first letter (str.capitalize would lower-case "und-Latn")."""
    return words[:1].upper() + words[1:]


def _filters(document: dict, mitigating: set[str]) -> str:
    profile = document["profile"]
    parts = [
        '<div id="filters" hidden>',
        "<fieldset><legend>Show</legend>",
        f'<label class="toggle"><input type="radio" name="scope" value="all" checked>all provisions ({profile["provisions"]})</label>',
        f'<label class="toggle"><input type="radio" name="scope" value="flagged">flagged only ({profile["flagged"]})</label>',
        '<button type="button" id="clear">clear filters</button> <span id="shown"></span>',
        "</fieldset>",
        "<fieldset><legend>Confidence and order</legend>",
        '<label class="toggle"><input type="checkbox" id="solid-only">solid flags only</label>',
        '<label class="toggle">p at least <select id="min-probability">'
        + "".join(f'<option value="{value}">{value:.1f}</option>' for value in MIN_PROBABILITY_CHOICES)
        + "</select></label>",
        '<label class="toggle"><input type="radio" name="order" value="document"'
        f'{" checked" if document["view"]["order"] == "document" else ""}>statute order</label>',
        '<label class="toggle"><input type="radio" name="order" value="probability"'
        f'{" checked" if document["view"]["order"] == "probability" else ""}>most probable first</label>',
        "</fieldset>",
        "<fieldset><legend>Only provisions carrying any of these features</legend>",
    ]
    for label in document["labels"]:
        count = profile["label_counts"].get(label["id"], 0)
        kind = " mitigating" if label["id"] in mitigating else ""
        parts.append(
            f'<label class="toggle{kind}" title="{escape("; ".join(label["standards"]))}">'
            f'<input type="checkbox" name="label" value="{escape(label["id"])}"{"" if count else " disabled"}>'
            f"{escape(label['name'])} ({count})</label>"
        )
    parts.append("</fieldset></div>")
    return "\n".join(parts)


def _provision(provision: dict, mitigating: set[str], names: dict[str, str], unflagged: str) -> str:
    # The flags the document holds (a narrowed report holds fewer than the model predicted).
    labels = [flag["label"] for flag in provision["flags"]]
    top = max((flag["probability"] for flag in provision["flags"]), default=0.0)
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
            f'data-labels="{escape(" ".join(labels))}" data-flagged="{"yes" if flagged else "no"}" data-max-p="{top:.4f}">'
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
        parts.append(f'<p class="none">{escape(unflagged)}</p>')
    parts.append("</article>")
    return "\n".join(parts)


def _chip(flag: dict) -> str:
    kind = "chip mitigating" if flag["mitigating"] else "chip risk"
    quotes = ", ".join(f"“{escape(quote)}”" for quote in flag["evidence"])
    record = "not measured on unseen laws" if flag["heldout_precision"] is None else (
        f"{flag['heldout_precision']:.0%} of this label's {flag['heldout_flags']} flags were right on unseen laws")
    standards = "".join(f"<li>{escape(standard)}</li>" for standard in flag["standards"])
    return (
        f'<li class="{kind}" data-label="{escape(flag["label"])}" data-p="{flag["probability"]:.4f}" '
        f'data-verdict="{escape(flag["verdict"])}">'
        f'<span class="name">{escape(flag["name"])}</span> <span class="p">p = {flag["probability"]:.2f}</span>'
        f'<span class="verdict {escape(flag["verdict"])}">{escape(flag["verdict"])}</span> '
        f'<span class="why">({escape(flag["why"])})</span>'
        f'<span class="record">Held-out precision: {escape(record)}.</span>'
        + (_evidence_clauses(flag["evidence_clauses"]) if flag["evidence_clauses"]
           else f'<span class="quotes">Trigger words: {quotes}</span>' if quotes else "")
        + '<span class="standard">Standards engaged:</span>'
        f'<ul class="standards">{standards}</ul>'
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
    """The provision text, escaped, with each evidence quote of a flag the document holds wrapped in <mark>.

    Quotes are found case-insensitively and across any run of whitespace, since the text keeps
    the statute's line breaks; overlapping hits are merged into one mark listing every label.
    """
    text = provision["text"]
    hits: list[tuple[int, int, str]] = []
    order = [flag["label"] for flag in provision["flags"]]
    for flag in provision["flags"]:
        label = flag["label"]
        for quote in flag["evidence"]:
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
        labels.sort(key=order.index)
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
