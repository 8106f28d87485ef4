"""Inter-annotator agreement on a gold set annotated twice.

Input: gold records whose ``annotations`` hold each annotator's label list
(``{"annotator_1": [...], "annotator_2": [...]}``), before adjudication.
Output: per label Cohen's kappa and positive agreement (2·both / (n1 + n2)),
and the share of provisions whose whole label set agreed.
"""

from __future__ import annotations

from collections.abc import Sequence


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
        per_label[label] = {
            "annotator_1": n1,
            "annotator_2": n2,
            "both": both,
            "kappa": None if kappa is None else round(kappa, 4),
            "positive_agreement": round(2 * both / (n1 + n2), 4) if n1 + n2 else None,
        }
    kappas = [v["kappa"] for v in per_label.values() if v["kappa"] is not None]
    return {
        "n": len(records),
        "exact_set_agreement": round(sum(s1 == s2 for s1, s2 in sets) / len(sets), 4) if sets else None,
        "mean_kappa": round(sum(kappas) / len(kappas), 4) if kappas else None,
        "per_label": per_label,
    }
