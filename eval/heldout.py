"""Quality on laws the model has never seen: the held-out test instruments' gold.

Input: model directories (names under ``models/`` or paths), a gold JSONL
(by default ``eval/gold/test.jsonl``: corpus gold joined by citation and text
hash; or a file whose entries carry their own ``text``, such as
``uncc_quoted.jsonl``) and the labelling config (for the rules-only label
model, fitted on training instruments' votes only). Output: per model, per
label precision/recall/F1/PR-AUC and support, macro- and micro-F1, ECE,
and a 95% bootstrap interval for macro-F1: over provisions (2,000 resamples)
and, more conservatively, over whole instruments (provisions of one law are
not independent).

Nothing here fits anything on the gold it reads: each model decides with its
own calibration and thresholds, fitted on training instruments.

:func:`record_heldout_metrics` is the release step of ``provrisk export``: it
writes a model's held-out figures into its ``metadata.json``
(``heldout_metrics``), where every report reads each label's held-out
precision from, and writes its model card.
"""

from __future__ import annotations

from pathlib import Path

import json

import numpy as np

from provrisk.corpora.dataset import corpus_records
from provrisk.eval.gold import join_gold, read_jsonl
from provrisk.eval.report_files import REPORTS_DIR, write_report_files
from provrisk.eval.split import held_out_instruments
from provrisk.label.apply import attach_definitions
from provrisk.label.config import LabellingConfig
from provrisk.label.weak import fit_rows, lf_votes, make_label_model
from provrisk.models.artifacts import METADATA, load_model_dir
from provrisk.models.card import write_model_card
from provrisk.models.text import model_records
from provrisk.taxonomy import load_taxonomy
from provrisk.train.metrics import macro_f1, multilabel_scores

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20261204


def load_gold_records(gold_path: Path, corpus_dir: Path) -> tuple[list[dict], list[dict]]:
    """Gold entries with their text and statute definitions, and the whole corpus (for the label model)."""
    entries = read_jsonl(gold_path)
    records, _ = corpus_records(corpus_dir)
    records = attach_definitions(records)
    if all("text" in e for e in entries):
        for e in entries:
            e.setdefault("id", f"{e['instrument_id']}:{e['citation']}")
        joined = entries
    else:
        joined = join_gold(entries, records, gold_path)
    # Models read layout-free text, as every scoring path gives it to them (models/text.py).
    return model_records(joined), model_records(records)


def bootstrap_macro_f1(gold: np.ndarray, predicted: np.ndarray, groups: np.ndarray, by_group: bool) -> tuple[float, float]:
    """95% percentile interval of macro-F1 over resampled provisions, or over resampled instruments."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    units = np.unique(groups) if by_group else np.arange(len(gold))
    members = {u: np.flatnonzero(groups == u) for u in units} if by_group else None
    values = []
    for _ in range(BOOTSTRAP_SAMPLES):
        drawn = rng.choice(units, size=len(units), replace=True)
        rows = np.concatenate([members[u] for u in drawn]) if by_group else drawn
        values.append(macro_f1(gold[rows], predicted[rows]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def scored(proba: np.ndarray, predicted: np.ndarray, gold: np.ndarray, groups: np.ndarray, labels: list[str]) -> dict:
    scores = multilabel_scores(proba, gold, predicted, labels)
    scores["macro_f1_ci95"] = bootstrap_macro_f1(gold, predicted, groups, by_group=False)
    scores["macro_f1_ci95_by_instrument"] = bootstrap_macro_f1(gold, predicted, groups, by_group=True)
    return scores


def worst_errors(records: list[dict], proba: np.ndarray, thresholds: np.ndarray, gold: np.ndarray, labels: list[str],
                 count: int = 50) -> list[dict]:
    """The ``count`` wrong decisions made with most confidence: a missed label scored far below its threshold,
    or a false one scored far above it."""
    wrong = np.argwhere((proba >= thresholds) != gold)
    margin = np.abs(proba - thresholds)[wrong[:, 0], wrong[:, 1]]
    errors = []
    for i, k in wrong[np.argsort(-margin, kind="stable")][:count]:
        record = records[i]
        errors.append({
            "instrument_id": record["instrument_id"],
            "citation": record["citation"],
            "label": labels[k],
            "kind": "missed" if gold[i, k] else "false",
            "probability": round(float(proba[i, k]), 3),
            "threshold": round(float(thresholds[k]), 3),
            "text": " ".join(record["text"].split())[:300],
        })
    return errors


def evaluate(model_names: list[str], gold_path: Path, corpus_dir: Path, labelling: LabellingConfig) -> dict:
    labels = load_taxonomy().ids
    gold_records, corpus = load_gold_records(gold_path, corpus_dir)
    gold = np.array([[label in r["labels"] for label in labels] for r in gold_records])
    groups = np.array([r["instrument_id"] for r in gold_records])
    corpus_votes = lf_votes(corpus, labelling)
    label_model = make_label_model(labelling, corpus_votes, labels).fit(corpus_votes.votes[fit_rows(corpus)])
    rules = label_model.predict_proba(lf_votes(gold_records, labelling).votes)
    results = {"rules-only label model": scored(rules, rules > labelling.threshold, gold, groups, labels)}
    for name in model_names:
        model = load_model_dir(name)
        proba = model.predict_proba(gold_records)
        results[model.name] = scored(proba, proba >= model.thresholds, gold, groups, labels)
        results[model.name]["grouped_cv_macro_f1"] = model.metadata["cv_metrics"]["macro_f1"]
        results[model.name]["worst_errors"] = worst_errors(gold_records, proba, model.thresholds, gold, labels)
    held_out = held_out_instruments()
    return {
        "gold": str(gold_path),
        "n": len(gold_records),
        "instruments": sorted(set(groups.tolist())),
        "held_out": bool(set(groups.tolist()) <= held_out),
        "labels": labels,
        "results": results,
    }


def record_heldout_metrics(directory: Path, labelling: LabellingConfig,
                           gold_path: Path = Path("eval/gold/test.jsonl")) -> dict:
    """Measure the model in ``directory`` on the held-out test instruments, once, and keep the figures with it:
    ``heldout_metrics`` in its metadata (per label: precision, recall, F1, support, flagged) and its model card.
    Returns the figures written."""
    loaded = load_model_dir(directory)
    result = evaluate([str(directory)], gold_path, labelling.resolved_corpus_dir(), labelling)
    scores = {k: v for k, v in result["results"][loaded.name].items() if k != "worst_errors"}
    heldout = {**scores, "n": result["n"], "instruments": result["instruments"],
               "rules_macro_f1": result["results"]["rules-only label model"]["macro_f1"]}
    metadata = {**loaded.metadata, "heldout_metrics": heldout}
    (Path(directory) / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_model_card(directory, metadata)
    return heldout


def heldout_markdown(result: dict) -> str:
    names = list(result["results"])
    lines = [
        "# Held-out test: quality on instruments no model was trained or tuned on",
        "",
        f"Gold: `{result['gold']}`, {result['n']} provisions of {len(result['instruments'])} instruments: "
        + ", ".join(f"`{i}`" for i in result["instruments"]) + ".",
        "Command: `.venv/bin/provrisk eval --report` (per label: precision / recall / F1, support in brackets).",
        "Intervals: 95% percentile bootstrap of macro-F1 over provisions and, more conservatively, over whole instruments.",
        "",
        "| label | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label in result["labels"]:
        support = result["results"][names[0]]["per_label"][label]["support"]
        cells = [
            "{precision:.2f} / {recall:.2f} / {f1:.2f}".format(**result["results"][n]["per_label"][label]) for n in names
        ]
        lines.append(f"| {label} ({support}) | " + " | ".join(cells) + " |")
    rows = {
        "macro-F1 [95% CI]": lambda r: f"**{r['macro_f1']:.3f}** [{r['macro_f1_ci95'][0]:.3f}, {r['macro_f1_ci95'][1]:.3f}]",
        "CI by instrument": lambda r: f"[{r['macro_f1_ci95_by_instrument'][0]:.3f}, {r['macro_f1_ci95_by_instrument'][1]:.3f}]",
        "micro-F1": lambda r: f"{r['micro_f1']:.3f}",
        "macro PR-AUC": lambda r: f"{r['macro_pr_auc']:.3f}",
        "ECE": lambda r: f"{r['ece']:.3f}",
        "grouped-CV macro-F1 (training instruments)": lambda r: f"{r['grouped_cv_macro_f1']:.3f}" if "grouped_cv_macro_f1" in r else "–",
    }
    for title, cell in rows.items():
        lines.append(f"| {title} | " + " | ".join(cell(result["results"][n]) for n in names) + " |")
    for name in names:
        errors = result["results"][name].get("worst_errors")
        if not errors:
            continue
        lines += ["", f"## {name}: the {len(errors)} most confident errors", "",
                  "| # | provision | label | error | p | threshold | text (first 300 characters) |", "|---:|---|---|---|---:|---:|---|"]
        for number, e in enumerate(errors, start=1):
            text = e["text"].replace("|", "\\|")
            lines.append(f"| {number} | {e['instrument_id']} {e['citation']} | {e['label']} | {e['kind']} | "
                         f"{e['probability']:.2f} | {e['threshold']:.2f} | {text} |")
    return "\n".join(lines) + "\n"


def write_heldout_report(result: dict, directory: Path = REPORTS_DIR) -> list[Path]:
    """``heldout.json`` and ``heldout.md`` in ``directory``; returns their paths."""
    return write_report_files("heldout", data=result, markdown=heldout_markdown(result), directory=directory,
                              indent=2, sort_keys=True)
