"""Comparative outputs of a batch: every provision in one table, statutes side by side.

Input: statute report documents (the JSON reports of :mod:`provrisk.batch.run`,
with their ``batch.jurisdiction``) and the batch's failures. Output, under ``OUT``:

- ``provisions.parquet`` and ``provisions.csv``: one row per provision
  (instrument_id, jurisdiction, title, assessed, provision_id, citation, kind,
  role, heading, labels, ``score_<label>`` for every label, text; the Parquet
  ``labels`` column is a list, the CSV one is comma-separated; the scores of a
  statute that was not assessed are empty);
- ``matrix.csv``: one row per instrument, then one per jurisdiction
  (``level`` says which): ``assessment`` ("assessed" or "not assessed
  (language: ar)"), provisions, provisions flagged, and per label the number
  (``<label>``) and share (``<label>_share``) of provisions flagged; a statute
  not assessed has these figures empty, and a jurisdiction's figures count its
  assessed statutes only (``assessment`` names the others);
- ``heatmap.png``: instruments × labels, the number of provisions flagged,
  statutes not assessed as hatched rows saying so;
- ``index.html``: a self-contained page ranking the instruments by risk index
  (sortable, filtered by feature and jurisdiction, each count a link to its
  provisions), the statutes not assessed apart, the heatmap and the failures;
- ``features/<label>.html``: per label, every provision of every statute that
  carries it, with its citation, the quoted trigger words and a link to its report
  (:mod:`provrisk.batch.feature_view`).

The outputs depend only on the reports and failures, so a rerun that scores
nothing new writes the same files. Every CSV cell goes through
:func:`provrisk.score.formats.spreadsheet_safe` (no cell a spreadsheet would run
as a formula), and every output path through :func:`provrisk.batch.run.output_path`.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from provrisk.io import write_atomic, write_text_atomic
from provrisk.score.formats import not_assessed_label, spreadsheet_safe
from provrisk.taxonomy import load_taxonomy

SAFEGUARD_LABEL = "rights_safeguard"


def write_comparison(
    documents: list[dict], failures: list[dict], out: Path, *, html_reports: bool = True, alignment: dict | None = None
) -> dict[str, Path]:
    """Write every comparative output and return their paths by file name.

    ``documents`` in input order; ``failures`` as ``{instrument_id, source, error}``.
    """
    out = Path(out)
    from provrisk.batch.feature_view import FEATURES, feature_page_name, feature_view_html
    from provrisk.batch.run import output_path

    labels = load_taxonomy().labels
    label_ids = [label.id for label in labels]
    # Statutes not assessed have no risk index: they are listed apart, never ranked last as if 0.
    ranked = sorted((d for d in documents if _assessed(d)), key=lambda d: (-d["profile"]["risk_index"], d["instrument"]["id"]))
    not_assessed = sorted((d for d in documents if not _assessed(d)), key=lambda d: d["instrument"]["id"])

    names = ("provisions.parquet", "provisions.csv", "matrix.csv", "heatmap.png", "index.html")
    paths = {name: output_path(out, name) for name in names}
    output_path(out, FEATURES).mkdir(exist_ok=True)
    for label in labels:
        name = feature_page_name(label.id)
        paths[name] = output_path(out, *name.split("/"))
        write_text_atomic(paths[name], feature_view_html(label, ranked, not_assessed, html_reports=html_reports))

    provisions = provisions_frame(documents, label_ids)
    write_atomic(paths["provisions.parquet"], lambda tmp: provisions.to_parquet(tmp, index=False))
    write_text_atomic(paths["provisions.csv"], safe_csv(provisions.assign(labels=provisions["labels"].str.join(","))))
    write_text_atomic(paths["matrix.csv"], safe_csv(matrix_frame(documents, label_ids), float_format="%.4f"))
    if documents:
        write_atomic(paths["heatmap.png"], lambda tmp: draw_heatmap(ranked, not_assessed, labels, tmp))
        heatmap = paths["heatmap.png"].read_bytes()
    else:
        # No statute scored: a heatmap from an earlier run would describe statutes this index does not list.
        paths.pop("heatmap.png").unlink(missing_ok=True)
        heatmap = None
    write_text_atomic(paths["index.html"], index_html(ranked, not_assessed, failures, labels, heatmap,
                                                      html_reports=html_reports, alignment=alignment))
    if alignment is not None:
        paths.update(alignment["paths"])
    return paths


def safe_csv(frame: pd.DataFrame, **to_csv) -> str:
    """``frame.to_csv`` with every text cell made spreadsheet-safe (numbers are left as they are)."""
    return frame.map(spreadsheet_safe).to_csv(index=False, **to_csv)


def _jurisdiction(document: dict) -> str:
    return (document.get("batch") or {}).get("jurisdiction") or ""


def _assessed(document: dict) -> bool:
    return document["assessment"]["assessed"]


def provisions_frame(documents: list[dict], label_ids: list[str]) -> pd.DataFrame:
    rows = []
    for document in documents:
        instrument = document["instrument"]
        for provision in document["provisions"]:
            rows.append(
                {
                    "instrument_id": instrument["id"],
                    "jurisdiction": _jurisdiction(document),
                    "title": instrument["title"],
                    "assessed": _assessed(document),
                    "provision_id": provision["id"],
                    "citation": provision["citation"],
                    "kind": provision["kind"],
                    "role": provision["role"],
                    "heading": provision["heading"],
                    "labels": list(provision["labels"]),
                    # No score for a statute not assessed (NaN, an empty CSV cell): 0 would read as "no risk".
                    **{f"score_{label}": float(provision["scores"].get(label, "nan")) for label in label_ids},
                    "text": provision["text"],
                }
            )
    columns = ["instrument_id", "jurisdiction", "title", "assessed", "provision_id", "citation", "kind", "role", "heading", "labels",
               *[f"score_{label}" for label in label_ids], "text"]
    return pd.DataFrame(rows, columns=columns)


def matrix_frame(documents: list[dict], label_ids: list[str]) -> pd.DataFrame:
    """Counts and shares of provisions flagged per label, per instrument and per jurisdiction.

    A statute not assessed keeps its number of provisions and has every other
    figure empty (never 0); a jurisdiction's figures are over its assessed
    statutes (``instruments`` counts them) and its ``assessment`` names the others.
    """
    counts = ["flagged", *label_ids]
    rows = []
    for document in documents:
        profile, assessed = document["profile"], _assessed(document)
        rows.append(
            {
                "level": "instrument",
                "jurisdiction": _jurisdiction(document),
                "instrument_id": document["instrument"]["id"],
                "title": document["instrument"]["title"],
                "assessment": "assessed" if assessed else not_assessed_label(document),
                "instruments": 1 if assessed else 0,
                "provisions": profile["provisions"],
                "flagged": profile["flagged"],
                "risk_index": profile["risk_index"],
                **{label: profile["label_counts"][label] if assessed else None for label in label_ids},
            }
        )
    columns = ["level", "jurisdiction", "instrument_id", "title", "assessment", "instruments", "provisions", "flagged",
               "risk_index", *label_ids]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["jurisdiction", "instrument_id"], kind="stable")
    by_jurisdiction = []
    for jurisdiction, group in frame.groupby("jurisdiction", sort=True):
        assessed = group[group["assessment"] == "assessed"]
        others = group[group["assessment"] != "assessed"]
        by_jurisdiction.append(
            {
                "level": "jurisdiction",
                "jurisdiction": jurisdiction,
                "assessment": "assessed" if others.empty else "; ".join(
                    f"{row.instrument_id} {row.assessment}" for row in others.itertuples()),
                "instruments": len(assessed),
                # A jurisdiction's risk index is not the mean of its statutes' (they differ in size), so it is left empty.
                **({column: assessed[column].sum() for column in ["provisions", *counts]} if len(assessed) else {}),
            }
        )
    frame = pd.concat([frame, pd.DataFrame(by_jurisdiction, columns=columns)], ignore_index=True)
    for column in ["instruments", "provisions", *counts]:
        frame[column] = frame[column].astype("Int64")  # whole numbers, empty where not assessed
    frame["risk_index"] = frame["risk_index"].astype("float64")
    denominator = frame["provisions"].where(frame["flagged"].notna() & (frame["provisions"] > 0)).astype("float64")
    frame.insert(frame.columns.get_loc("flagged") + 1, "share_flagged", frame["flagged"].astype("float64") / denominator)
    for label in label_ids:
        frame[f"{label}_share"] = frame[label].astype("float64") / denominator
    return frame


def _label_heading(label) -> str:
    heading = label.id.replace("_", " ")
    return f"{heading} (mitigating)" if label.id == SAFEGUARD_LABEL else heading


def draw_heatmap(ranked: list[dict], not_assessed: list[dict], labels, path: Path) -> None:
    """Instruments × labels: the number of provisions flagged (counts, not shares: a two-provision fragment
    must not outshine a whole act), rows in order of provisions flagged; statutes not assessed at the foot,
    hatched and labelled.

    Risk features are shaded red and the safeguard column green, so that a
    mitigating finding never reads as a risk.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import PowerNorm
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    rows = sorted(ranked, key=lambda d: (-d["profile"]["flagged"], d["instrument"]["id"])) + not_assessed
    counts = np.array([
        [d["profile"]["label_counts"][label.id] if _assessed(d) else 0 for label in labels] for d in rows
    ], dtype=float)
    unread = np.array([not _assessed(d) for d in rows])
    safeguard = np.array([label.id == SAFEGUARD_LABEL for label in labels])
    names = [f"{d['instrument']['id']} ({_jurisdiction(d)})" if _jurisdiction(d) else d["instrument"]["id"] for d in rows]
    figure = Figure(figsize=(3 + 0.55 * len(labels) + 0.06 * max(len(n) for n in names), 3.2 + 0.3 * len(rows)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    vmax = max(1.0, float(counts.max()))
    # Square-root scale: one provision stays visible next to an act with sixty.
    norm = PowerNorm(0.5, vmin=0, vmax=vmax)
    hidden = unread[:, None] | np.broadcast_to(safeguard, counts.shape)
    risk = axes.imshow(np.ma.masked_where(hidden, counts), cmap="Reds", norm=norm, aspect="auto")
    if safeguard.any():
        kept = unread[:, None] | np.broadcast_to(~safeguard, counts.shape)
        axes.imshow(np.ma.masked_where(kept, counts), cmap="Greens", norm=norm, aspect="auto")
    axes.set_xticks(range(len(labels)), [_label_heading(label) for label in labels], rotation=40, ha="right", fontsize=8)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.tick_params(length=0)
    for row, values in enumerate(counts):
        if unread[row]:
            axes.add_patch(Rectangle((-0.5, row - 0.5), len(labels), 1, facecolor="#f2f2f2", edgecolor="#888888",
                                     hatch="///", linewidth=0.5))
            axes.text((len(labels) - 1) / 2, row, f"{not_assessed_label(rows[row])}: the model does not read this language",
                      ha="center", va="center", fontsize=7, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
            continue
        for column, value in enumerate(values):
            if value > 0:
                axes.text(column, row, f"{value:.0f}", ha="center", va="center", fontsize=6,
                          color="white" if norm(value) > 0.6 else "black")
    if not_assessed and ranked:
        axes.axhline(len(ranked) - 0.5, color="black", linewidth=1)
    figure.colorbar(risk, ax=axes, shrink=0.6, label="provisions flagged (number)")
    axes.set_title("Number of each statute's provisions flagged, per feature (green: safeguards)\n"
                   "rows by provisions flagged; hatched: not assessed, its language is not one the model reads", fontsize=9)
    figure.savefig(path, format="png", dpi=110)


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.note{color:#555;font-size:.9rem;max-width:50rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}
th button{font:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
/* the feature headings are turned 180°, and their arrows with them */
th.label[aria-sort=ascending] button::after{content:" ▼"}th.label[aria-sort=descending] button::after{content:" ▲"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:#bbb}
th.label{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;font-size:.8rem}
th.label.chosen,td.chosen{background:#fde7e4}
.title{color:#555;font-size:.8rem}
.risk{font-weight:600}
img{max-width:100%;height:auto;border:1px solid #eee}
code{font-size:.85em}
td.nowrap{white-space:nowrap}
#filters{margin:.5rem 0;font-size:.9rem}#filters label{margin-right:1rem}
.unassessed{border:2px solid #c77700;background:#fff4e0;padding:.3rem .8rem}
"""
# Nothing is loaded from anywhere; the heatmap is a data: image. Links to the reports are navigation.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

# Sorting and filtering of the ranking. Without JavaScript the table is shown whole, in risk order, with no controls.
SCRIPT = """
(function () {
  var table = document.getElementById("ranking");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var unassessed = Array.prototype.slice.call(document.querySelectorAll("#not-assessed tbody tr"));
  var feature = document.getElementById("feature");
  var jurisdiction = document.getElementById("jurisdiction");
  var shown = document.getElementById("shown");
  function filter() {
    var wanted = feature.value, where = jurisdiction.value, count = 0;
    rows.forEach(function (row) {
      var visible = (wanted === "" || row.getAttribute("data-features").split(" ").indexOf(wanted) >= 0) &&
        (where === "" || row.getAttribute("data-jurisdiction") === where);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    // A statute not assessed may carry any feature: it is kept whatever the feature, shown apart.
    unassessed.forEach(function (row) {
      row.hidden = !(where === "" || row.getAttribute("data-jurisdiction") === where);
    });
    table.querySelectorAll(".chosen").forEach(function (cell) { cell.classList.remove("chosen"); });
    if (wanted !== "") {
      table.querySelectorAll("[data-label='" + wanted + "']").forEach(function (cell) { cell.classList.add("chosen"); });
    }
    shown.textContent = "Showing " + count + " of " + rows.length + " assessed statutes" +
      (wanted === "" ? "" : " carrying this feature") + ".";
  }
  function sortBy(header) {
    // The first click sorts figures high to low, names and the rank in reading order; the next reverses.
    var column = header.cellIndex, numeric = header.getAttribute("data-type") !== "text";
    var first = header.getAttribute("data-type") === "number" ? "descending" : "ascending";
    var order = header.getAttribute("aria-sort") === first ? (first === "ascending" ? "descending" : "ascending") : first;
    table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", order);
    var sign = order === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.cells[column].getAttribute("data-value"), y = b.cells[column].getAttribute("data-value");
      var difference = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return sign * difference || Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank"));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  table.querySelectorAll("thead th button").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button.parentNode); });
  });
  feature.addEventListener("change", filter);
  jurisdiction.addEventListener("change", filter);
  document.getElementById("filters").hidden = false;
  filter();
})();
"""
UNKNOWN_JURISDICTION = "unknown"


def index_html(
    ranked: list[dict], not_assessed: list[dict], failures: list[dict], labels, heatmap: bytes | None, *,
    html_reports: bool = True, alignment: dict | None = None,
) -> str:
    """The overview page; every string from a statute or an error message is escaped."""
    from provrisk.batch.feature_view import feature_page_name

    e = html.escape
    models = sorted({f"{d['model']['name']} (trained {d['model'].get('trained_at') or 'unknown'})" for d in ranked + not_assessed})
    suffix = "html" if html_reports else "json"
    scored = len(ranked) + len(not_assessed)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>provrisk: statutes compared</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Statutes compared</h1>",
        (
            f'<p class="note">{scored} statute{"s" if scored != 1 else ""} read, {len(ranked)} of them assessed'
            f"{f' ({len(not_assessed)} not assessed: their language is not one the model reads)' if not_assessed else ''}; "
            f"{len(failures)} could not be read. Model: {e(', '.join(models) or 'none')}.</p>"
        ),
        (
            '<p class="note">Ranked by <strong>risk index</strong> (0–100): over the provisions that carry a rule, '
            "each scores the number of risk features flagged in it (at most 3) divided by 3, halved when the same "
            "provision carries a human-rights safeguard; the index is 100 times the mean. Flags are a model's reading, "
            "to be checked against the text: a count opens the provisions behind it, with the quoted trigger words, "
            "the standards the feature engages and a solid or check verdict per flag; the links under the table open "
            "every provision carrying a feature across all statutes.</p>"
        ),
        "<h2>Instruments by risk index</h2>",
    ]
    if ranked:
        jurisdictions = sorted({_jurisdiction(d) or UNKNOWN_JURISDICTION for d in ranked + not_assessed})
        parts.append('<div id="filters" hidden><label>Feature: <select id="feature"><option value="">any</option>')
        parts.extend(f'<option value="{e(label.id)}">{e(label.name)}</option>' for label in labels)
        parts.append('</select></label><label>Jurisdiction: <select id="jurisdiction"><option value="">all</option>')
        parts.extend(f'<option value="{e(j)}">{e(j)}</option>' for j in jurisdictions)
        parts.append('</select></label><span id="shown"></span></div>')
        parts.append('<div class="scroll"><table id="ranking"><thead><tr>')
        headers = [("#", "rank"), ("instrument", "text"), ("jurisdiction", "text"), ("risk index", "number"),
                   ("provisions", "number"), ("flagged", "number"), ("share flagged", "number")]
        parts.extend(f'<th data-type="{kind}"><button type="button">{e(name)}</button></th>' for name, kind in headers)
        parts.extend(
            f'<th class="label" data-type="number" data-label="{e(label.id)}" title="{e(label.name)}">'
            f'<button type="button">{e(_label_heading(label))}</button></th>'
            for label in labels
        )
        parts.append("</tr></thead><tbody>")
        for rank, document in enumerate(ranked, start=1):
            instrument, profile = document["instrument"], document["profile"]
            jurisdiction = _jurisdiction(document)
            link = f"reports/{instrument['id']}.{suffix}"
            features = " ".join(label.id for label in labels if profile["label_counts"][label.id])
            cells = [
                f'<td class="n" data-value="{rank}">{rank}</td>',
                f'<td data-value="{e(instrument["id"])}"><a href="{e(link)}">{e(instrument["id"])}</a>'
                f'<div class="title">{e(instrument["title"])}</div></td>',
                f'<td data-value="{e(jurisdiction)}">{e(jurisdiction) or "–"}</td>',
                f'<td class="n risk" data-value="{profile["risk_index"]}">{profile["risk_index"]:.1f}</td>',
                f'<td class="n" data-value="{profile["provisions"]}">{profile["provisions"]}</td>',
                f'<td class="n" data-value="{profile["flagged"]}">{profile["flagged"]}</td>',
                f'<td class="n" data-value="{profile["share_flagged"]}">{profile["share_flagged"]:.0%}</td>',
            ]
            for label in labels:
                count = profile["label_counts"][label.id]
                target = f"{feature_page_name(label.id)}#{instrument['id']}"
                shown = f'<a href="{e(target)}">{count}</a>' if count else "0"
                cells.append(f'<td class="n{" zero" if count == 0 else ""}" data-label="{e(label.id)}" data-value="{count}" '
                             f'title="{e(label.name)}">{shown}</td>')
            parts.append(f'<tr data-rank="{rank}" data-jurisdiction="{e(jurisdiction or UNKNOWN_JURISDICTION)}" '
                         f'data-features="{e(features)}">{"".join(cells)}</tr>')
        parts.append("</tbody></table></div>")
        parts.append('<p class="note">Label columns: number of provisions flagged with that feature, each a link to '
                     "those provisions (hover a heading for its full name; click any heading to sort). Every provision "
                     "per feature: " + ", ".join(f'<a href="{e(feature_page_name(label.id))}">{e(label.name)}</a>'
                                                for label in labels) + ".</p>")
    else:
        parts.append("<p>No statute was assessed.</p>" if not_assessed else "<p>No statute was scored.</p>")
    if not_assessed:
        parts.append("<h2>Not assessed</h2>")
        parts.append('<p class="note unassessed">These statutes are in a language the model was not trained on, so '
                     "none of their provisions was scored: they have no risk index and are not ranked. No flag here "
                     "does not mean no risk; read them, or a translation, yourself.</p>")
        parts.append('<table id="not-assessed"><thead><tr><th>instrument</th><th>jurisdiction</th><th>assessment</th>'
                     "<th>provisions</th></tr></thead><tbody>")
        for document in not_assessed:
            instrument, jurisdiction = document["instrument"], _jurisdiction(document)
            link = f"reports/{instrument['id']}.{suffix}"
            parts.append(
                f'<tr data-jurisdiction="{e(jurisdiction or UNKNOWN_JURISDICTION)}"><td><a href="{e(link)}">'
                f'{e(instrument["id"])}</a><div class="title">{e(instrument["title"])}</div></td>'
                f"<td>{e(jurisdiction) or '–'}</td><td><strong>{e(not_assessed_label(document))}</strong>: "
                f'{e(document["assessment"]["reason"])}</td><td class="n">{document["profile"]["provisions"]}</td></tr>'
            )
        parts.append("</tbody></table>")
    if heatmap is not None:
        parts.append("<h2>Provisions flagged per feature</h2>")
        parts.append('<p class="note">Each cell is the number of the statute\'s provisions carrying the feature (not a '
                     "share, so a short fragment does not outshine a whole act); statutes not assessed are hatched.</p>")
        parts.append('<img alt="Heatmap: number of each statute\'s provisions flagged, per feature; statutes not assessed '
                     f'hatched" src="data:image/png;base64,{base64.b64encode(heatmap).decode("ascii")}">')
    if alignment is not None:
        parts.extend(alignment_section(alignment, labels))
    parts.append("<h2>Not scored</h2>")
    if failures:
        parts.append("<table><thead><tr><th>instrument</th><th>file</th><th>problem</th></tr></thead><tbody>")
        parts.extend(
            f"<tr><td>{e(f['instrument_id'])}</td><td><code>{e(f['source'])}</code></td><td>{e(f['error'])}</td></tr>"
            for f in failures
        )
        parts.append("</tbody></table>")
        parts.append('<p class="note">Fix or replace these files and run the same command again: '
                     "statutes already scored are not scored again.</p>")
    else:
        parts.append("<p>Every statute was read.</p>")
    parts.append(f"<script>{SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def alignment_section(alignment: dict, labels) -> list[str]:
    """The country × article table of :func:`provrisk.batch.alignment.write_alignment`, with its heatmap."""
    from provrisk.batch.alignment import risk_beyond_article

    e = html.escape
    names = {label.id: label.name for label in labels}
    treaty, obligations = alignment["treaty"], alignment["articles"]
    parts = [f"<h2>Alignment with {e(treaty['title'])}</h2>"]
    if treaty.get("partial_text"):
        parts.append('<p class="note">Only some of this treaty\'s articles are available verbatim; '
                     "articles missing from the text cannot be matched.</p>")
    parts.append(
        '<p class="note">✓: the law has a provision that implements the article; ·: none was found. The number after ✓ '
        "is how many risk features its provisions carry that the article does not. "
        "Hover a cell for the provisions and their features. The matching is by wording and structure, "
        "so check a surprising gap against the text. "
        '<a href="alignment/matrix.csv">alignment/matrix.csv</a> has every cell; '
        "<code>alignment/&lt;instrument&gt;.json</code> each law's provision-by-provision alignment.</p>"
    )
    cell = {(row["instrument_id"], row["article"]): row for row in alignment["rows"]}
    instruments = list(dict.fromkeys(row["instrument_id"] for row in alignment["rows"]))
    jurisdiction = {row["instrument_id"]: row["jurisdiction"] for row in alignment["rows"]}
    if not instruments:
        parts.append("<p>No law was aligned.</p>")
        return parts
    parts.append('<div class="scroll"><table><thead><tr><th>instrument</th><th>implemented</th>')
    parts.extend(f'<th class="label" title="{e(a["heading"])}">{e(a["article"])}</th>' for a in obligations)
    parts.append("</tr></thead><tbody>")
    for instrument in instruments:
        implemented = sum(1 for a in obligations if cell.get((instrument, a["article"]), {}).get("implemented"))
        cells = [f"<td class=\"nowrap\">{e(instrument)}<div class=\"title\">{e(jurisdiction[instrument]) or '–'}</div></td>",
                 f'<td class="n">{implemented}/{len(obligations)}</td>']
        for article in obligations:
            row = cell.get((instrument, article["article"]))
            if not row or not row["implemented"]:
                cells.append(f'<td class="zero" title="{e(article["article"])}: no provision found">·</td>')
                continue
            added = [names.get(x, x) for x in str(row["labels_beyond_article"]).split(",") if x]
            tip = f"{article['article']}: {row['provisions']}" + (f" — adds: {'; '.join(added)}" if added else "")
            risk = risk_beyond_article(row)
            cells.append(f'<td class="n{" risk" if risk else ""}" title="{e(tip)}">✓{risk if risk else ""}</td>')
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table></div>")
    heatmap = alignment["paths"].get("alignment/heatmap.png")
    if heatmap is not None and heatmap.is_file():
        parts.append(f'<img alt="Heatmap: treaty articles implemented per law, and risk features added" '
                     f'src="data:image/png;base64,{base64.b64encode(heatmap.read_bytes()).decode("ascii")}">')
    return parts
