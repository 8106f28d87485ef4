"""Inter-annotator agreement on a gold set annotated twice.

Input: gold records whose ``annotations`` hold each annotator's label list
(``{"annotator_1": [...], "annotator_2": [...]}``), before adjudication.
Output: per label Cohen's kappa and positive agreement (2·both / (n1 + n2)),
and the share of provisions whose whole label set agreed.
"""

from __future__ import annotations

from collections.abc import Sequence

from provrisk.train.metrics import positive_agreement


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return None  # both annotators never (or always) used the label
    return (observed - expected) / (1 - expected)


def agreement(records: Sequence[dict], labels: Sequence[str], first: str = "annotator_1", second: str = "annotator_2") -> dict:
    sets = [(set(r["annotations"][first]), set(r["annotations"][second])) for r in records]
    per_label = {}
    for label in labels:
        a = [label in s1 for s1, _ in sets]
        b = [label in s2 for _, s2 in sets]
        both, n1, n2 = sum(x and y for x, y in zip(a, b)), sum(a), sum(b)
        kappa = cohen_kappa(a, b)
        positive = positive_agreement(a, b)
        per_label[label] = {
            "annotator_1": n1,
            "annotator_2": n2,
            "both": both,
            "kappa": None if kappa is None else round(kappa, 4),
            "positive_agreement": None if positive is None else round(positive, 4),
        }
    kappas = [v["kappa"] for v in per_label.values() if v["kappa"] is not None]
    return {
        "n": len(records),
        "exact_set_agreement": round(sum(s1 == s2 for s1, s2 in sets) / len(sets), 4) if sets else None,
        "mean_kappa": round(sum(kappas) / len(kappas), 4) if kappas else None,
        "per_label": per_label,
    }


def gold_summary(files: dict[str, list[dict]], labels: Sequence[str]) -> dict:
    """Per gold file (name -> entries): size, instruments, positives per label, how provisions were
    chosen, how many were adjudicated, and the annotators' agreement before adjudication."""
    summary = {}
    for name, entries in files.items():
        annotated = [e for e in entries if "annotations" in e]
        selections: dict[str, int] = {}
        for entry in entries:
            method = entry.get("selection", "dev-batch").split(":")[0]
            selections[method] = selections.get(method, 0) + 1
        summary[name] = {
            "n": len(entries),
            "instruments": len({e["instrument_id"] for e in entries}),
            "unlabelled": sum(1 for e in entries if not e["labels"]),
            "adjudicated": sum(1 for e in entries if e.get("status") == "adjudicated"),
            "positives": {label: sum(label in e["labels"] for e in entries) for label in labels},
            "selection": selections,
            "agreement": agreement(annotated, labels) if annotated else None,
        }
    return summary


def gold_markdown(summary: dict, labels: Sequence[str]) -> str:
    names = list(summary)
    lines = [
        "# Risk-label gold: size, sources and inter-annotator agreement",
        "",
        "Command: `.venv/bin/provrisk gold report`. Every provision was labelled twice, independently, from the taxonomy",
        "alone; agreement is measured before adjudication (Cohen's kappa per label; positive agreement = 2·both / (n1 + n2)).",
        "",
        "| file | provisions | instruments | no label | adjudicated | whole label set agreed | mean kappa | chosen by |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in names:
        s, agree = summary[name], summary[name]["agreement"]
        chosen = ", ".join(f"{k} {v}" for k, v in sorted(s["selection"].items()))
        lines.append(
            f"| {name} | {s['n']} | {s['instruments']} | {s['unlabelled']} | {s['adjudicated']} | "
            f"{agree['exact_set_agreement']:.1%} | {agree['mean_kappa']:.3f} | {chosen} |"
        )
    total = sum(s["n"] for s in summary.values())
    lines += ["", f"Total: {total} provisions.", "",
              "| label | " + " | ".join(f"{n} positives" for n in names) + " | all | " + " | ".join(f"{n} kappa" for n in names) + " |",
              "|---|" + "---:|" * (2 * len(names) + 1)]
    for label in labels:
        counts = [summary[n]["positives"][label] for n in names]
        kappas = []
        for n in names:
            kappa = summary[n]["agreement"]["per_label"][label]["kappa"]
            kappas.append("–" if kappa is None else f"{kappa:.3f}")
        lines.append(f"| {label} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} | " + " | ".join(kappas) + " |")
    return "\n".join(lines) + "\n"
