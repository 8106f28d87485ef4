"""Model cards: a markdown page per model directory, written from its metadata.

Input: a model directory's ``metadata.json`` content, including
``heldout_metrics`` (written by ``provrisk export``: the model scored on the
held-out test instruments' gold) and ``cv_metrics`` (grouped cross-validation
on the training instruments), plus the hand-written error analysis in
``eval/reports/error_analysis.md`` when it exists. Output: ``MODEL_CARD.md``.
The headline figures are the held-out ones; nothing in-sample is reported.
"""

from __future__ import annotations

from pathlib import Path

from provrisk.models.artifacts import model_languages
from provrisk.settings import PROJECT_ROOT

ERROR_ANALYSIS = PROJECT_ROOT / "eval" / "reports" / "error_analysis.md"


def _per_label_table(metrics: dict, thresholds: dict, with_flagged: bool = False) -> list[str]:
    """``with_flagged``: a column of the flags each precision was measured on (held-out figures carry it)."""
    flagged = " flags |" if with_flagged else ""
    lines = [f"| label | threshold | support |{flagged} precision | recall | F1 |", "|---|---:|---:|" + "---:|" * (4 if with_flagged else 3)]
    for label, s in metrics["per_label"].items():
        cell = f" {s['flagged']} |" if with_flagged else ""
        lines.append(f"| {label} | {thresholds[label]:.2f} | {s['support']} |{cell} {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    return lines


def write_model_card(directory: Path, metadata: dict) -> Path:
    cv, lm = metadata["cv_metrics"], metadata["label_model_metrics"]
    params = metadata["config"]["model"].get("params", {})
    lines = [
        f"# Model card: {Path(directory).name}",
        "",
        f"- **Type:** {metadata['model_type']} multi-label classifier of legislative provisions (14 taxonomy labels).",
        f"- **Trained:** {metadata['trained_at']} by provrisk {metadata['provrisk_version']} from run `{metadata['run_name']}` "
        f"(config hash `{metadata['config_hash']}`, overrides: {' '.join(metadata['overrides']) or 'none'}); "
        f"reproduce with `provrisk train --config configs/{metadata['run_name']}.yaml` then `provrisk export`.",
        f"- **Data:** {metadata['n_train_provisions']} provisions of {len(metadata['training_instruments'])} training instruments "
        f"(corpus hash `{metadata['corpus_hash'][:12]}`): {metadata['n_gold']} of them twice-annotated gold from "
        f"{len(metadata['gold_instruments'])} instruments, the rest weakly labelled by the label model. "
        "The held-out test instruments are never trained or tuned on. "
        f"Languages: {', '.join(model_languages(metadata))}; a statute in another language is reported as not assessed.",
        f"- **Features:** word and character n-grams"
        + (f", static MiniLM sentence embeddings (weight {params.get('embedding_weight')})" if params.get("embedding_weight") else "")
        + (", labelling-function votes and a label model's probabilities" if params.get("use_lf_votes", True) else "")
        + "; one logistic regression per label, Platt-calibrated on out-of-fold gold scores; one threshold per label.",
        f"- **Labels:** {', '.join(metadata['labels'])} (ids from `configs/taxonomy.yaml`).",
        "",
        "## Intended use",
        "",
        "Screening statutes and treaties for drafting features that human-rights analysts examine: every flag comes with "
        "the provision's citation and the words that triggered it, and is a prompt for a lawyer's reading, not a verdict on a "
        "law or a country.",
        "",
    ]
    heldout = metadata.get("heldout_metrics")
    if heldout:
        low, high = heldout["macro_f1_ci95"]
        by_low, by_high = heldout["macro_f1_ci95_by_instrument"]
        lines += [
            "## Quality on unseen laws (held-out test instruments)",
            "",
            f"{heldout['n']} gold provisions of {len(heldout['instruments'])} instruments that nothing was trained, tuned or "
            f"selected on ({', '.join(heldout['instruments'])}). Measured by `provrisk eval --model {Path(directory).name}`.",
            "",
            f"**Macro-F1 {heldout['macro_f1']:.3f}** (95% bootstrap interval {low:.3f}–{high:.3f} over provisions, "
            f"{by_low:.3f}–{by_high:.3f} over instruments); micro-F1 {heldout['micro_f1']:.3f}; macro PR-AUC "
            f"{heldout['macro_pr_auc']:.3f}; calibration error (ECE) {heldout['ece']:.3f}. "
            f"The rules-only label model scores {heldout['rules_macro_f1']:.3f} on the same provisions.",
            "",
            "Precision per label is what an analyst can expect of a flag on a new law: a flag of a label with precision "
            "0.6 is right about six times in ten. Support is the gold positives; flags, the label's flags on these "
            "provisions, which its precision is measured on. Every report gives each flag its label's precision and "
            "flags from here, and marks the flag solid or check by the rule in the README (\"Confidence\").",
            "",
            *_per_label_table(heldout, metadata["thresholds"], with_flagged=True),
            "",
        ]
    lines += [
        "## Model selection (grouped cross-validation on the training instruments)",
        "",
        f"{metadata['n_gold']} gold provisions of {len(metadata['gold_instruments'])} training instruments, folds grouped by "
        "instrument: each gold provision is scored by a model that never saw its instrument, calibrated and thresholded "
        "on the other folds only.",
        "",
        f"Macro-F1 {cv['macro_f1']:.3f} (rules-only label model: {lm['macro_f1']:.3f}); micro-F1 {cv['micro_f1']:.3f}; "
        f"macro PR-AUC {cv['macro_pr_auc']:.3f}; ECE {cv['ece']:.3f}.",
        "",
        *_per_label_table(cv, metadata["thresholds"]),
        "",
    ]
    if ERROR_ANALYSIS.exists():
        lines += [ERROR_ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    lines += [
        "## Known limits",
        "",
        "- English text only; translations of non-English laws are read as English drafting.",
        "- Judges each provision on its own text, heading, lead-in words and the statute's definitions; safeguards "
        "elsewhere in a statute are not seen unless the provision cross-references them.",
        "- The gold covers 39 instruments from about 20 jurisdictions; drafting traditions outside them (civil-law "
        "codes, Francophone and Lusophone Africa, Latin America) are less well served.",
        "",
    ]
    path = Path(directory) / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
