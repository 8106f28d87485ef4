"""The labelling report: how good each LF and the label model are on dev gold.

Input: weak labels over the corpus (:func:`provrisk.label.weak.weak_label_corpus`)
and the dev gold set. Output: a dict (written as JSON and markdown under
``eval/reports/``) with, per LF, its coverage, overlaps and conflicts on the
corpus and its precision/recall on dev gold; per label, precision, recall and
F1 of the label model and of majority vote on dev gold; and macro-F1 over the
14 labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from provrisk.eval.agreement import agreement
from provrisk.eval.gold import join_gold, load_uncc_gold, read_jsonl
from provrisk.eval.report_files import REPORTS_DIR, write_report_files
from provrisk.label.apply import registered_lfs
from provrisk.label.config import LabellingConfig
from provrisk.label.framework import POSITIVE
from provrisk.label.label_model import MajorityVote
from provrisk.label.weak import WeakLabels, lf_votes
from provrisk.train.metrics import precision_recall, precision_recall_f1

def prf(predicted: np.ndarray, gold: np.ndarray) -> dict:
    """One label's precision, recall and F1 (rounded to four places) and its counts, from 0/1 arrays."""
    precision, recall, f1 = precision_recall_f1(gold, predicted)
    tp = int((predicted & gold).sum())
    fp = int((predicted & ~gold).sum())
    fn = int((~predicted & gold).sum())
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn, "support": int(gold.sum())}


def label_scores(proba: np.ndarray, gold: np.ndarray, labels: list[str], threshold: float) -> dict:
    """Per label :func:`prf` of ``proba > threshold``; macro-F1 is the mean of the rounded per-label F1s."""
    predicted = proba > threshold
    per_label = {label: prf(predicted[:, k], gold[:, k].astype(bool)) for k, label in enumerate(labels)}
    return {"per_label": per_label, "macro_f1": round(float(np.mean([s["f1"] for s in per_label.values()])), 4)}


def lf_statistics(weak: WeakLabels, gold_rows: np.ndarray, gold: np.ndarray) -> list[dict]:
    votes = weak.votes
    stats = []
    polarities = {lf.name: lf.polarity for lf in registered_lfs(votes.lf_names)}
    for j, (name, label) in enumerate(zip(votes.lf_names, votes.lf_labels)):
        fired = votes.votes[:, j] != 0
        siblings = [c for c in votes.columns(label) if c != j]
        others = votes.votes[:, siblings]
        overlap = fired & (others != 0).any(axis=1)
        conflict = fired & (others == -votes.votes[:, [j]]).any(axis=1)
        k = weak.labels.index(label)
        gold_fired = votes.votes[gold_rows, j] != 0
        target = gold[:, k].astype(bool) if polarities[name] == POSITIVE else ~gold[:, k].astype(bool)
        hits = int((gold_fired & target).sum())
        dev_precision, dev_recall = precision_recall(hits, int(gold_fired.sum()), int(target.sum()), undefined=None)
        stats.append(
            {
                "lf": name,
                "label": label,
                "polarity": "positive" if polarities[name] == POSITIVE else "negative",
                "coverage": round(float(fired.mean()), 4),
                "overlap": round(float(overlap.mean()), 4),
                "conflict": round(float(conflict.mean()), 4),
                "dev_votes": int(gold_fired.sum()),
                "dev_precision": None if dev_precision is None else round(dev_precision, 4),
                "dev_recall": None if dev_recall is None else round(dev_recall, 4),
            }
        )
    return stats


def build_report(weak: WeakLabels, config: LabellingConfig) -> dict:
    gold_entries = join_gold(read_jsonl(config.resolve(config.dev_gold)), weak.records, config.resolve(config.dev_gold))
    index = {record["id"]: i for i, record in enumerate(weak.records)}
    gold_rows = np.array([index[entry["id"]] for entry in gold_entries])
    gold = np.array([[label in entry["labels"] for label in weak.labels] for entry in gold_entries])
    majority = MajorityVote(labels=weak.labels, lf_labels=weak.votes.lf_labels).fit(weak.votes.votes)
    majority_proba = majority.predict_proba(weak.votes.votes[gold_rows])
    return {
        "corpus_hash": weak.corpus_hash,
        "config_fingerprint": config.fingerprint(),
        "label_model": config.label_model.type,
        "threshold": config.threshold,
        "n_corpus_provisions": len(weak.records),
        "n_dev_gold": len(gold_entries),
        "dev_instruments": sorted({entry["instrument_id"] for entry in gold_entries}),
        "dev_positives": {label: int(gold[:, k].sum()) for k, label in enumerate(weak.labels)},
        "label_model_scores": label_scores(weak.proba[gold_rows], gold, weak.labels, config.threshold),
        "majority_vote_scores": label_scores(majority_proba, gold, weak.labels, config.threshold),
        "lfs": lf_statistics(weak, gold_rows, gold),
        "annotator_agreement": agreement([e for e in gold_entries if "annotations" in e], weak.labels),
        "uncc_quoted": uncc_predictions(weak, config),
    }


def uncc_predictions(weak: WeakLabels, config: LabellingConfig) -> list[dict]:
    """The label model on the UN Convention passages the seeds quote (not in the corpus)."""
    passages = load_uncc_gold()
    proba = weak.model.predict_proba(lf_votes(passages, config).votes)
    return [
        {
            "citation": passage["citation"],
            "gold": passage["labels"],
            "predicted": [label for k, label in enumerate(weak.labels) if proba[i, k] > config.threshold],
        }
        for i, passage in enumerate(passages)
    ]


def to_markdown(report: dict) -> str:
    lm, mv = report["label_model_scores"], report["majority_vote_scores"]
    lines = [
        "# Labelling report",
        "",
        f"Label model `{report['label_model']}` over {report['n_corpus_provisions']} corpus provisions "
        f"(corpus hash `{report['corpus_hash'][:12]}`), scored on {report['n_dev_gold']} dev-gold provisions "
        f"from {len(report['dev_instruments'])} instruments at threshold {report['threshold']}.",
        "",
        f"**Macro-F1: label model {lm['macro_f1']:.3f}, majority vote {mv['macro_f1']:.3f}.**",
        "",
        "| label | gold + | LM P | LM R | LM F1 | MV P | MV R | MV F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s in lm["per_label"].items():
        m = mv["per_label"][label]
        lines.append(
            f"| {label} | {s['support']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
            f"{m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |"
        )
    agree = report["annotator_agreement"]
    if agree["n"]:
        lines += [
            "",
            "## Dev gold: inter-annotator agreement (before adjudication)",
            "",
            f"{agree['n']} provisions annotated twice, independently, from the taxonomy alone; "
            f"whole label set identical on {agree['exact_set_agreement']:.1%}; mean Cohen's kappa {agree['mean_kappa']:.3f}.",
            "",
            "| label | annotator 1 | annotator 2 | both | kappa | positive agreement |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, a in agree["per_label"].items():
            kappa = "–" if a["kappa"] is None else f"{a['kappa']:.3f}"
            positive = "–" if a["positive_agreement"] is None else f"{a['positive_agreement']:.3f}"
            lines.append(f"| {label} | {a['annotator_1']} | {a['annotator_2']} | {a['both']} | {kappa} | {positive} |")
    lines += [
        "",
        "## UN Convention against Cybercrime: passages quoted in the seed analyses",
        "",
        "| passage | gold | label model |",
        "|---|---|---|",
    ]
    for row in report["uncc_quoted"]:
        lines.append(f"| {row['citation']} | {', '.join(row['gold']) or '–'} | {', '.join(row['predicted']) or '–'} |")
    lines += [
        "",
        "## Labelling functions",
        "",
        "Coverage, overlap and conflict are shares of all corpus provisions (overlap/conflict: with another LF of the same label). "
        "Dev precision: share of the LF's dev-gold votes that agree with gold (for a negative LF: gold says the label is absent); "
        "dev recall: share of the gold cases of its polarity it votes on.",
        "",
        "| LF | vote | coverage | overlap | conflict | dev votes | dev P | dev R |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["lfs"]:
        p = "–" if s["dev_precision"] is None else f"{s['dev_precision']:.3f}"
        r = "–" if s["dev_recall"] is None else f"{s['dev_recall']:.3f}"
        lines.append(
            f"| `{s['lf']}` | {s['polarity']} | {s['coverage']:.3f} | {s['overlap']:.3f} | {s['conflict']:.3f} | {s['dev_votes']} | {p} | {r} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: dict, out_dir: Path = REPORTS_DIR) -> list[Path]:
    """``labelling.json`` and ``labelling.md`` in ``out_dir``; returns their paths."""
    return write_report_files("labelling", data=report, markdown=to_markdown(report), directory=out_dir, indent=2)
