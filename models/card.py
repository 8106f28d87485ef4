"""Model cards: a markdown page per model directory, written from its metadata."""

from __future__ import annotations

from pathlib import Path


def write_model_card(directory: Path, metadata: dict) -> Path:
    cv, lm = metadata["cv_metrics"], metadata["label_model_metrics"]
    lines = [
        f"# Model card: {Path(directory).name}",
        "",
        f"- **Type:** {metadata['model_type']} multi-label classifier of legislative provisions (14 taxonomy labels).",
        f"- **Trained:** {metadata['trained_at']} by provrisk {metadata['provrisk_version']} from run `{metadata['run_name']}` "
        f"(config hash `{metadata['config_hash']}`, overrides: {' '.join(metadata['overrides']) or 'none'}).",
        f"- **Data:** {metadata['n_train_provisions']} provisions of the provrisk corpus (corpus hash `{metadata['corpus_hash'][:12]}`), "
        "with the label model's weak labels as soft targets and the dev gold's labels for its provisions.",
        f"- **Labels:** {', '.join(metadata['labels'])} (ids from `configs/taxonomy.yaml`).",
        "",
        "## Intended use",
        "",
        "Screening statutes and treaties for drafting features that human-rights analysts examine: every flag comes with "
        "the provision's citation and the words that triggered it, and is a prompt for a lawyer's reading, not a verdict on a "
        "law or a country.",
        "",
        "## Evaluation",
        "",
        f"Cross-validation grouped by instrument on {metadata['n_gold']} dev-gold provisions from "
        f"{len(metadata['gold_instruments'])} instruments: no provision is scored by a model that saw its instrument; "
        + (
            "each fold's per-label thresholds are tuned on the other folds' out-of-fold predictions."
            if metadata["config"].get("threshold", {}).get("strategy", "per_label_f1") == "per_label_f1"
            else f"a fixed threshold of {metadata['config']['threshold'].get('fixed', 0.5)} for every label."
        ),
        "",
        f"Macro-F1 {cv['macro_f1']:.3f} (rules-only label model on the same gold: {lm['macro_f1']:.3f}); "
        f"micro-F1 {cv['micro_f1']:.3f}; macro PR-AUC {cv['macro_pr_auc']:.3f}; calibration error (ECE) {cv['ece']:.3f}.",
        "",
        "| label | threshold | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, scores in cv["per_label"].items():
        lines.append(
            f"| {label} | {metadata['thresholds'][label]:.2f} | {scores['precision']:.3f} | {scores['recall']:.3f} | {scores['f1']:.3f} |"
        )
    lines += [
        "",
        "## Known limits",
        "",
        "- English text only; translations of non-English laws are read as English drafting.",
        "- Trained on weak labels from labelling functions, so it inherits their blind spots; the rules-only label model was "
        "developed on the same dev gold, so its score there is optimistic.",
        "- Judges each provision on its own text plus the lead-in words above it; safeguards elsewhere in a statute are not seen.",
        "- The dev gold covers 10 instruments; drafting traditions outside them are less well served.",
        "",
    ]
    path = Path(directory) / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
