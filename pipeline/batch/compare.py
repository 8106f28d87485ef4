"""Comparative outputs of a batch: every provision in one table, statutes side by side.

Input: statute report documents (the JSON reports of :mod:`provrisk.batch.run`,
with their ``batch.jurisdiction``) and the batch's failures. Output, under ``OUT``:

- ``provisions.parquet`` and ``provisions.csv``: one row per provision
  (instrument_id, jurisdiction, title, provision_id, citation, kind, role,
  heading, labels, ``score_<label>`` for every label, text; the Parquet
  ``labels`` column is a list, the CSV one is comma-separated);
- ``matrix.csv``: one row per instrument, then one per jurisdiction
  (``level`` says which): provisions, provisions flagged, and per label the
  number (``<label>``) and share (``<label>_share``) of provisions flagged;
- ``heatmap.png``: instruments × labels, share of provisions flagged;
- ``index.html``: a self-contained page ranking the instruments by risk index,
  linking each statute report, with the heatmap embedded and the failures listed.

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
from provrisk.score.formats import spreadsheet_safe
from provrisk.taxonomy import load_taxonomy

SAFEGUARD_LABEL = "rights_safeguard"


def write_comparison(
    documents: list[dict], failures: list[dict], out: Path, *, html_reports: bool = True, alignment: dict | None = None
) -> dict[str, Path]:
    """Write every comparative output and return their paths by file name.

    ``documents`` in input order; ``failures`` as ``{instrument_id, source, error}``.
    """
    out = Path(out)
    labels = load_taxonomy().labels
    label_ids = [label.id for label in labels]
    ranked = sorted(documents, key=lambda d: (-d["profile"]["risk_index"], d["instrument"]["id"]))
    from provrisk.batch.run import output_path

    names = ("provisions.parquet", "provisions.csv", "matrix.csv", "heatmap.png", "index.html")
    paths = {name: output_path(out, name) for name in names}

    provisions = provisions_frame(documents, label_ids)
    write_atomic(paths["provisions.parquet"], lambda tmp: provisions.to_parquet(tmp, index=False))
    write_text_atomic(paths["provisions.csv"], safe_csv(provisions.assign(labels=provisions["labels"].str.join(","))))
    write_text_atomic(paths["matrix.csv"], safe_csv(matrix_frame(documents, label_ids), float_format="%.4f"))
    if ranked:
        write_atomic(paths["heatmap.png"], lambda tmp: draw_heatmap(ranked, labels, tmp))
        heatmap = paths["heatmap.png"].read_bytes()
    else:
        # No statute scored: a heatmap from an earlier run would describe statutes this index does not list.
        paths.pop("heatmap.png").unlink(missing_ok=True)
        heatmap = None
    write_text_atomic(paths["index.html"], index_html(ranked, failures, labels, heatmap, html_reports=html_reports, alignment=alignment))
    if alignment is not None:
        paths.update(alignment["paths"])
    return paths


def safe_csv(frame: pd.DataFrame, **to_csv) -> str:
    """``frame.to_csv`` with every text cell made spreadsheet-safe (numbers are left as they are)."""
    return frame.map(spreadsheet_safe).to_csv(index=False, **to_csv)


def _jurisdiction(document: dict) -> str:
    return (document.get("batch") or {}).get("jurisdiction") or ""


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
                    "provision_id": provision["id"],
                    "citation": provision["citation"],
                    "kind": provision["kind"],
                    "role": provision["role"],
                    "heading": provision["heading"],
                    "labels": list(provision["labels"]),
                    **{f"score_{label}": float(provision["scores"][label]) for label in label_ids},
                    "text": provision["text"],
                }
            )
    columns = ["instrument_id", "jurisdiction", "title", "provision_id", "citation", "kind", "role", "heading", "labels",
               *[f"score_{label}" for label in label_ids], "text"]
    return pd.DataFrame(rows, columns=columns)


def matrix_frame(documents: list[dict], label_ids: list[str]) -> pd.DataFrame:
    """Counts and shares of provisions flagged per label, per instrument and per jurisdiction."""
    rows = []
    for document in documents:
        profile = document["profile"]
        rows.append(
            {
                "level": "instrument",
                "jurisdiction": _jurisdiction(document),
                "instrument_id": document["instrument"]["id"],
                "title": document["instrument"]["title"],
                "instruments": 1,
                "provisions": profile["provisions"],
                "flagged": profile["flagged"],
                "risk_index": profile["risk_index"],
                **{label: profile["label_counts"].get(label, 0) for label in label_ids},
            }
        )
    frame = pd.DataFrame(
        rows, columns=["level", "jurisdiction", "instrument_id", "title", "instruments", "provisions", "flagged", "risk_index", *label_ids]
    )
    frame = frame.sort_values(["jurisdiction", "instrument_id"], kind="stable")
    # A jurisdiction's risk index is not the mean of its statutes' (they differ in size), so it is left empty.
    by_jurisdiction = frame.groupby("jurisdiction", sort=True)[["instruments", "provisions", "flagged", *label_ids]].sum().reset_index()
    by_jurisdiction.insert(0, "level", "jurisdiction")
    frame = pd.concat([frame, by_jurisdiction], ignore_index=True) if len(frame) else frame
    denominator = frame["provisions"].where(frame["provisions"] > 0)
    frame.insert(frame.columns.get_loc("flagged") + 1, "share_flagged", frame["flagged"] / denominator)
    for label in label_ids:
        frame[f"{label}_share"] = frame[label] / denominator
    return frame


def _label_heading(label) -> str:
    heading = label.id.replace("_", " ")
    return f"{heading} (mitigating)" if label.id == SAFEGUARD_LABEL else heading


def draw_heatmap(ranked: list[dict], labels, path: Path) -> None:
    """Instruments (ranked by risk index, highest on top) × labels, coloured by share of provisions flagged.

    Risk features are shaded red and the safeguard column green, so that a
    mitigating finding never reads as a risk.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    shares = np.array([
        [d["profile"]["label_counts"].get(label.id, 0) / d["profile"]["provisions"] if d["profile"]["provisions"] else 0.0 for label in labels]
        for d in ranked
    ])
    safeguard = np.array([label.id == SAFEGUARD_LABEL for label in labels])
    names = [f"{d['instrument']['id']} ({_jurisdiction(d)})" if _jurisdiction(d) else d["instrument"]["id"] for d in ranked]
    figure = Figure(figsize=(3 + 0.55 * len(labels) + 0.06 * max(len(n) for n in names), 2.8 + 0.3 * len(ranked)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    vmax = max(0.05, float(shares.max()))
    risk = axes.imshow(np.ma.masked_where(np.broadcast_to(safeguard, shares.shape), shares), cmap="Reds", vmin=0, vmax=vmax, aspect="auto")
    if safeguard.any():
        axes.imshow(np.ma.masked_where(np.broadcast_to(~safeguard, shares.shape), shares), cmap="Greens", vmin=0, vmax=vmax, aspect="auto")
    axes.set_xticks(range(len(labels)), [_label_heading(label) for label in labels], rotation=40, ha="right", fontsize=8)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.tick_params(length=0)
    for row, values in enumerate(shares):
        for column, value in enumerate(values):
            if value > 0:
                axes.text(column, row, f"{value:.0%}" if value >= 0.005 else "<1%", ha="center", va="center", fontsize=6,
                          color="white" if value > 0.6 * vmax else "black")
    figure.colorbar(risk, ax=axes, shrink=0.6, format=PercentFormatter(1.0, decimals=0), label="share of provisions flagged")
    axes.set_title("Share of each statute's provisions flagged, per risk feature (green: safeguards)", fontsize=10)
    figure.savefig(path, format="png", dpi=110)


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.note{color:#555;font-size:.9rem;max-width:50rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:#bbb}
th.label{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;font-size:.8rem}
.title{color:#555;font-size:.8rem}
.risk{font-weight:600}
img{max-width:100%;height:auto;border:1px solid #eee}
code{font-size:.85em}
td.nowrap{white-space:nowrap}
"""


def index_html(
    ranked: list[dict], failures: list[dict], labels, heatmap: bytes | None, *, html_reports: bool = True, alignment: dict | None = None
) -> str:
    """The overview page; every string from a statute or an error message is escaped."""
    e = html.escape
    models = sorted({f"{d['model']['name']} (trained {d['model'].get('trained_at') or 'unknown'})" for d in ranked})
    suffix = "html" if html_reports else "json"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>provrisk: statutes compared</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Statutes compared</h1>",
        (
            f'<p class="note">{len(ranked)} statute{"s" if len(ranked) != 1 else ""} scored, '
            f"{len(failures)} could not be scored. Model: {e(', '.join(models) or 'none')}.</p>"
        ),
        (
            '<p class="note">Ranked by <strong>risk index</strong> (0–100): over the provisions that carry a rule, '
            "each scores the number of risk features flagged in it (at most 3) divided by 3, halved when the same "
            "provision carries a human-rights safeguard; the index is 100 times the mean. Flags are a model's reading, "
            "to be checked against the text: open a statute's report for the provisions, the quoted trigger words and "
            "the standards each feature engages, with a solid or check verdict per flag.</p>"
        ),
        "<h2>Instruments by risk index</h2>",
    ]
    if ranked:
        parts.append('<div class="scroll"><table><thead><tr><th>#</th><th>instrument</th><th>jurisdiction</th>'
                     "<th>risk index</th><th>provisions</th><th>flagged</th><th>share flagged</th>")
        parts.extend(f'<th class="label" title="{e(label.name)}">{e(_label_heading(label))}</th>' for label in labels)
        parts.append("</tr></thead><tbody>")
        for rank, document in enumerate(ranked, start=1):
            instrument, profile = document["instrument"], document["profile"]
            link = f"reports/{instrument['id']}.{suffix}"
            cells = [
                f'<td class="n">{rank}</td>',
                f'<td><a href="{e(link)}">{e(instrument["id"])}</a><div class="title">{e(instrument["title"])}</div></td>',
                f"<td>{e(_jurisdiction(document)) or '–'}</td>",
                f'<td class="n risk">{profile["risk_index"]:.1f}</td>',
                f'<td class="n">{profile["provisions"]}</td>',
                f'<td class="n">{profile["flagged"]}</td>',
                f'<td class="n">{profile["share_flagged"]:.0%}</td>',
            ]
            for label in labels:
                count = profile["label_counts"].get(label.id, 0)
                cells.append(f'<td class="n{" zero" if count == 0 else ""}" title="{e(label.name)}">{count}</td>')
            parts.append(f"<tr>{''.join(cells)}</tr>")
        parts.append("</tbody></table></div>")
        parts.append('<p class="note">Label columns: number of provisions flagged with that feature '
                     "(hover a heading for its full name).</p>")
    else:
        parts.append("<p>No statute was scored.</p>")
    if heatmap is not None:
        parts.append("<h2>Share of provisions flagged</h2>")
        parts.append(f'<img alt="Heatmap: share of each statute\'s provisions flagged, per risk feature" '
                     f'src="data:image/png;base64,{base64.b64encode(heatmap).decode("ascii")}">')
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
        parts.append("<p>Every statute was scored.</p>")
    parts.append("</body></html>\n")
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
