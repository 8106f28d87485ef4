"""Candidate models side by side: quality on the held-out test instruments and scoring speed on the corpus.

Input: model directories (each written by ``provrisk export``, so each was
chosen and fitted without the test instruments) and, optionally, the JSON an
earlier release's scoring wrote (:mod:`provrisk.eval.previous`). Output:
``eval/reports/model_comparison.md``: per model, held-out macro-F1 with its
95% bootstrap interval, micro-F1, ECE, grouped-CV macro-F1 on the training
instruments, and provisions scored per second over the whole corpus (one
process, this machine's cores, warm model, statute definitions attached).

Run: ``.venv/bin/python -m provrisk.eval.model_comparison MODEL_DIR [MODEL_DIR ...] [--previous JSON]``
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from provrisk.corpora.dataset import corpus_records
from provrisk.eval.heldout import evaluate
from provrisk.eval.report_files import write_report_files
from provrisk.label.apply import attach_definitions
from provrisk.label.config import load_labelling_config
from provrisk.models.artifacts import LoadedModel, load_model_dir
from provrisk.models.predict import predict_records


def scoring_speed(model: LoadedModel, records: list[dict]) -> float:
    """Provisions per second for ``predict_records`` (votes, features, evidence) over ``records``."""
    predict_records(model, records[:64])  # warm: tokenizer tables, lazy encoder weights
    started = time.perf_counter()
    for start in range(0, len(records), 256):
        predict_records(model, records[start : start + 256])
    return len(records) / (time.perf_counter() - started)


def comparison_markdown(result: dict, names: list[str], speeds: dict[str, float], previous: dict | None,
                        command: str, n_records: int) -> str:
    """The comparison table: ``result`` from :func:`evaluate`, ``names`` the models' keys in it, ``speeds`` their
    provisions per second, ``previous`` an earlier release's held-out scores (or None)."""
    rows = []
    if previous:
        rows.append((f"provrisk {previous['version']} (shipped before this issue)", previous))
    rows.append(("rules-only label model", result["results"]["rules-only label model"]))
    rows += [(name, result["results"][name]) for name in names]
    lines = [
        "# Candidate models on the held-out test instruments",
        "",
        f"Held-out gold: {result['n']} provisions of {len(result['instruments'])} instruments. Speed: `predict_records` over "
        f"the {n_records} English corpus provisions in one process on this machine ({os.cpu_count()} cores).",
        f"Command: `{command}`",
        "",
        "| model | held-out macro-F1 [95% CI] | micro-F1 | ECE | grouped-CV macro-F1 | provisions/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        low, high = r["macro_f1_ci95"]
        cv = f"{r['grouped_cv_macro_f1']:.3f}" if "grouped_cv_macro_f1" in r else "–"
        speed = f"{speeds[name]:,.0f}" if name in speeds else "–"
        lines.append(f"| {name} | {r['macro_f1']:.3f} [{low:.3f}, {high:.3f}] | {r['micro_f1']:.3f} | {r['ece']:.3f} | {cv} | {speed} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--previous", type=Path, help="JSON written by provrisk.eval.previous")
    args = parser.parse_args()
    labelling = load_labelling_config()
    corpus_dir = labelling.resolved_corpus_dir()
    result = evaluate(args.models, Path("eval/gold/test.jsonl"), corpus_dir, labelling)
    records, _ = corpus_records(corpus_dir)
    records = attach_definitions([r for r in records if r["language"] == "en"])
    models = [load_model_dir(name) for name in args.models]
    names = [model.name for model in models]
    speeds = {model.name: scoring_speed(model, records) for model in models}
    previous = json.loads(args.previous.read_text(encoding="utf-8")) if args.previous else None
    command = (".venv/bin/python -m provrisk.eval.model_comparison " + " ".join(args.models)
               + (f" --previous {args.previous}" if args.previous else ""))
    text = comparison_markdown(result, names, speeds, previous, command, len(records))
    write_report_files("model_comparison", markdown=text)
    print(text, end="")


if __name__ == "__main__":
    main()
