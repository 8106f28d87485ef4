"""A batch's laws aligned with one treaty: which articles each country implements, and with which risk features.

Input: the batch's statute reports (with their ``batch.jurisdiction``), the
treaty's statute report (:func:`provrisk.compare.instruments.scored_instrument`)
and a :class:`~provrisk.compare.config.CompareConfig`. Each law is aligned by
:func:`provrisk.compare.align.align_reports`, the function behind
``provrisk align``. Output, under ``OUT/alignment/``:

- ``<instrument_id>.json``: the law's alignment document (the ``align --format json`` contract);
- ``matrix.csv``: one row per instrument and treaty article, then one per
  jurisdiction and article (``level`` says which): ``implemented`` (0/1), the
  implementing ``provisions``, the risk ``labels`` they carry, and
  ``labels_beyond_article`` (those the article itself does not carry);
- ``heatmap.png``: instruments × articles; a blank cell is an article not
  implemented, a shaded one is implemented, darker the more risk features its
  provisions add beyond the article (the number is written in the cell).

The treaty itself, when it is one of the batch's statutes, is not aligned with itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from provrisk.batch.compare import SAFEGUARD_LABEL, safe_csv
from provrisk.compare.align import align_reports
from provrisk.compare.config import CompareConfig
from provrisk.compare.units import articles
from provrisk.io import write_atomic, write_text_atomic

ALIGNMENT_DIR = "alignment"
MATRIX_COLUMNS = ["level", "jurisdiction", "instrument_id", "article", "article_heading", "implemented",
                  "provisions", "labels", "labels_beyond_article"]


def write_alignment(documents: list[dict], treaty: dict, config: CompareConfig, out: Path) -> dict:
    """Align every law with ``treaty``; write the per-law documents, the matrix and the heatmap.

    Returns ``{"treaty": {id, title, partial_text}, "articles": [...], "rows": matrix rows of level instrument,
    "paths": {name: path}}`` for the batch overview.
    """
    from provrisk.batch.run import output_path

    folder = output_path(Path(out), ALIGNMENT_DIR)
    folder.mkdir(exist_ok=True)
    treaty_id = treaty["instrument"]["id"]
    laws = [d for d in documents if d["instrument"]["id"] != treaty_id]
    alignments = []
    for law in laws:
        document = align_reports(law, treaty, config)
        write_text_atomic(output_path(folder, f"{law['instrument']['id']}.json"), json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        alignments.append((law, document))
    obligations = _obligations(treaty)
    matrix = alignment_matrix(alignments, {a["article"] for a in obligations})
    paths = {"alignment/matrix.csv": output_path(folder, "matrix.csv"), "alignment/heatmap.png": output_path(folder, "heatmap.png")}
    write_text_atomic(paths["alignment/matrix.csv"], safe_csv(matrix))
    if alignments and obligations:
        write_atomic(paths["alignment/heatmap.png"], lambda tmp: draw_alignment_heatmap(matrix, obligations, treaty, tmp))
    else:
        paths.pop("alignment/heatmap.png").unlink(missing_ok=True)
    header = alignments[0][1]["treaty"] if alignments else {"id": treaty_id, "title": treaty["instrument"]["title"]}
    return {"treaty": header, "articles": obligations, "rows": matrix[matrix["level"] == "instrument"].to_dict("records"),
            "paths": paths}


def _obligations(treaty: dict) -> list[dict]:
    """The treaty's operative articles (definitions are not obligations a law implements or misses), in order."""
    return [{"article": a.citation, "heading": a.heading, "labels": a.labels} for a in articles(treaty) if a.kind != "definition"]


def alignment_matrix(alignments: list[tuple[dict, dict]], operative: set[str]) -> pd.DataFrame:
    """Instrument × article rows (then jurisdiction × article): implemented, by which provisions, with which labels."""
    rows = []
    for law, document in alignments:
        labels_of = {p["citation"]: p["labels"] for p in law["provisions"]}
        jurisdiction = (law.get("batch") or {}).get("jurisdiction") or ""
        for article in document["articles"]:
            if article["article"] not in operative:
                continue
            provisions = list(dict.fromkeys(article["implemented_by"]))
            labels = list(dict.fromkeys(label for p in provisions for label in labels_of.get(p, [])))
            rows.append({
                "level": "instrument",
                "jurisdiction": jurisdiction,
                "instrument_id": law["instrument"]["id"],
                "article": article["article"],
                "article_heading": article["heading"],
                "implemented": int(bool(provisions)),
                "provisions": "; ".join(provisions),
                "labels": ",".join(labels),
                "labels_beyond_article": ",".join(label for label in labels if label not in article["labels"]),
            })
    frame = pd.DataFrame(rows, columns=MATRIX_COLUMNS)
    if frame.empty:
        return frame
    by_jurisdiction = []
    for (jurisdiction, article), group in frame.groupby(["jurisdiction", "article"], sort=False):
        by_jurisdiction.append({
            "level": "jurisdiction",
            "jurisdiction": jurisdiction,
            "instrument_id": "",
            "article": article,
            "article_heading": group["article_heading"].iloc[0],
            "implemented": int(group["implemented"].max()),
            "provisions": "; ".join(f"{i}: {p}" for i, p in zip(group["instrument_id"], group["provisions"]) if p),
            "labels": ",".join(dict.fromkeys(x for cell in group["labels"] for x in cell.split(",") if x)),
            "labels_beyond_article": ",".join(dict.fromkeys(x for cell in group["labels_beyond_article"] for x in cell.split(",") if x)),
        })
    return pd.concat([frame, pd.DataFrame(by_jurisdiction, columns=MATRIX_COLUMNS)], ignore_index=True)


def risk_beyond_article(row: dict) -> int:
    """Risk features (not the safeguard) that the implementing provisions carry and the article does not."""
    return sum(1 for label in str(row["labels_beyond_article"]).split(",") if label and label != SAFEGUARD_LABEL)


def draw_alignment_heatmap(matrix: pd.DataFrame, obligations: list[dict], treaty: dict, path: Path) -> None:
    """Instruments × treaty articles: blank when not implemented, shaded by the risk features added when implemented."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    rows = matrix[matrix["level"] == "instrument"]
    instruments = list(dict.fromkeys(rows["instrument_id"]))
    jurisdiction = dict(zip(rows["instrument_id"], rows["jurisdiction"]))
    columns = [a["article"] for a in obligations]
    values = np.full((len(instruments), len(columns)), np.nan)
    for row in rows.to_dict("records"):
        if row["implemented"] and row["article"] in columns:
            values[instruments.index(row["instrument_id"]), columns.index(row["article"])] = risk_beyond_article(row)
    names = [f"{i} ({jurisdiction[i]})" if jurisdiction[i] else i for i in instruments]
    figure = Figure(figsize=(3.5 + 0.32 * len(columns) + 0.06 * max(len(n) for n in names), 2.8 + 0.3 * len(instruments)),
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # 0 added features is a light blue (implemented, no extra risk); 1-3 shade into red.
    colours = ListedColormap(["#cfe3f3", "#f4b6a6", "#e0634a", "#a8261a"])
    axes.imshow(np.ma.masked_invalid(values), cmap=colours, vmin=-0.5, vmax=3.5, aspect="auto")
    axes.set_xticks(range(len(columns)), [c.replace("Art. ", "") for c in columns], fontsize=7, rotation=90)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_xlabel(f"article of {treaty['instrument']['title']}", fontsize=8)
    axes.tick_params(length=0)
    axes.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    axes.set_yticks(np.arange(-0.5, len(instruments)), minor=True)
    axes.grid(which="minor", color="#e5e5e5", linewidth=0.5)
    for r in range(len(instruments)):
        for c in range(len(columns)):
            if not np.isnan(values[r, c]):
                axes.text(c, r, str(int(values[r, c])), ha="center", va="center", fontsize=6,
                          color="white" if values[r, c] >= 2 else "black")
    axes.set_title("Treaty articles each law implements (shaded; blank: no provision found).\n"
                   "Number in a cell: risk features its provisions add beyond the article", fontsize=9)
    figure.savefig(path, format="png", dpi=110)
