"""Comparison quality: treaty alignment and version pairing against gold written by reading the texts.

Input: ``eval/gold/alignment/treaty.jsonl`` (per national-law provision, the
treaty articles it implements, with strength; see ``ANNOTATION.md`` there) and
``eval/gold/alignment/versions.jsonl`` (per old provision, the new ones that
carry its rule, with status; and the new provisions that were added), the
corpus texts they cite, and the shipped model (compared provisions carry the
labels ``provrisk score`` gives them). Output, as JSON and markdown under
``eval/reports/`` (``alignment.{json,md}``):

- alignment precision@1 (of the provisions given a counterpart, the share
  whose first article is one gold names), recall (of the provisions gold
  gives a counterpart, the share whose first article is one gold names) and
  strength agreement, per law and pooled, with 95% bootstrap intervals;
- the same under leave-one-law-out selection (``--select``): for each law, the
  weights and threshold that do best on the other laws' gold are chosen and
  this law is scored with them, for the ``tfidf`` and ``minilm`` similarities,
  and, nested, for the learned article classifier blended with the ``tfidf``
  similarity (its weight, the section smoothing and the threshold);
- a learning curve (``--select``): the alignment of each law, with the shipped
  setting, by a classifier fitted on 0, 1, ... of the other laws' gold (seeded
  draws of that many laws, the pooled figures averaged over the draws): how much
  each further annotated law adds;
- the same with the shipped settings and the shipped article classifier on
  ``treaty-heldout.jsonl``: a law that no setting, rule or classifier learned
  from (the headline figure);
- diff pairing accuracy: the share of gold rows whose set of counterparts (or
  ``added``/``removed``) the diff reproduces exactly, per version pair.

Targets (issue 14): precision@1 >= 0.90 and recall >= 0.85; pairing >= 0.90.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from provrisk.compare.align import align_reports, combine, rank, score_components, section_units
from provrisk.compare.article_classifier import fit_article_classifier, provision_text
from provrisk.compare.config import CompareConfig, load_compare_config
from provrisk.compare.units import COMPARED_KINDS, articles
from provrisk.compare.diff import diff_reports
from provrisk.compare.instruments import scored_instrument
from provrisk.eval.report_files import write_report_files
from provrisk.train.metrics import f1_of, precision_recall

GOLD_DIR = Path(__file__).resolve().parent / "gold" / "alignment"
TARGETS = {"precision_at_1": 0.90, "recall": 0.85, "pairing": 0.90}
BOOTSTRAP = 2000
SEED = 20261205
# The selection grid: weights of the four similarities, and the no-counterpart threshold.
WEIGHT_GRID = {"provision": (0.0, 0.2, 0.4), "paragraph": (0.2, 0.4), "section": (0.0, 0.1, 0.2), "heading": (0.0, 0.2, 0.4)}
THRESHOLD_GRID = tuple(round(t, 3) for t in np.arange(0.05, 0.50, 0.025))
KIND_AGREEMENT_GRID = (0.0, 0.3, 0.6, 0.9)
# The learned aligner's grid: the article classifier's weight beside the similarity (0: similarity
# alone) and the share of a provision's score that is its section's mean.
CLASSIFIER_WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0)
SECTION_SMOOTHING_GRID = (0.0, 0.25, 0.5, 0.75)
LEARNED_THRESHOLD_GRID = tuple(round(t, 3) for t in np.arange(0.05, 0.325, 0.025))
# Draws of training laws per learning-curve point: enough to average out which laws are drawn, few
# enough that the curve costs a few minutes.
LEARNING_CURVE_DRAWS = 3


def load_gold(name: str) -> list[dict]:
    path = GOLD_DIR / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def alignment_outcomes(document: dict, gold_rows: list[dict]) -> list[dict]:
    """Per gold provision: the gold articles, the predicted first article, and both strengths."""
    predicted = {pair["provision"]: pair for pair in document["pairs"]}
    outcomes = []
    for row in gold_rows:
        pair = predicted.get(row["provision"])
        if pair is None:
            raise ValueError(f"{row['law']}: gold provision {row['provision']} is not a provision the segmenter finds")
        gold_articles = [a["article"] for a in row["articles"]]
        outcomes.append({
            "provision": row["provision"],
            "gold": gold_articles,
            "gold_strength": row["articles"][0]["strength"] if row["articles"] else "none",
            "predicted": pair["article"],
            "strength": pair["strength"],
        })
    return outcomes


def alignment_metrics(outcomes: list[dict], *, bootstrap: bool = True) -> dict:
    predicted = np.array([o["predicted"] is not None for o in outcomes])
    has_gold = np.array([bool(o["gold"]) for o in outcomes])
    correct = np.array([o["predicted"] in o["gold"] for o in outcomes])
    strength_ok = np.array([o["strength"] == o["gold_strength"] for o in outcomes])

    def point(index):
        p, g, c, s = predicted[index], has_gold[index], correct[index], strength_ok[index]
        # A correct first article is a predicted one that gold names, so c.sum() counts for both.
        precision_at_1, recall = precision_recall(int(c.sum()), int(p.sum()), int(g.sum()))
        return {
            "precision_at_1": precision_at_1,
            "recall": recall,
            "strength_agreement": float(s[c].mean()) if c.any() else 0.0,
        }

    result = point(np.arange(len(outcomes)))
    result.update(provisions=len(outcomes), with_gold_counterpart=int(has_gold.sum()), predicted=int(predicted.sum()),
                  correct=int(correct.sum()))
    if bootstrap and outcomes:
        rng = np.random.default_rng(SEED)
        draws = [point(rng.integers(0, len(outcomes), len(outcomes))) for _ in range(BOOTSTRAP)]
        for key in ("precision_at_1", "recall"):
            values = [d[key] for d in draws]
            result[f"{key}_ci"] = [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
    return result


def f_score(metrics: dict) -> float:
    """F1 of precision@1 and recall: what leave-one-law-out selection maximises."""
    return f1_of(metrics["precision_at_1"], metrics["recall"])


def _configs(base: CompareConfig):
    for values in itertools.product(*WEIGHT_GRID.values()):
        weights = dict(zip(WEIGHT_GRID, values))
        if sum(weights.values()) == 0:
            continue
        for threshold, kind_agreement in itertools.product(THRESHOLD_GRID, KIND_AGREEMENT_GRID):
            yield base.model_copy(update={"align": base.align.model_copy(update={
                "weights": base.align.weights.model_copy(update=weights), "threshold": float(threshold),
                "kind_agreement": kind_agreement})})


def run(model, *, select: bool = False, methods: tuple[str, ...] = ("tfidf",)) -> dict:
    config = load_compare_config()
    reports: dict[str, dict] = {}
    by_law = _by_law(load_gold("treaty.jsonl"))
    result = {"config": config.model_dump(), "alignment": _alignment(by_law, reports, model, config),
              "heldout": _alignment(_by_law(load_gold("treaty-heldout.jsonl")), reports, model, config)}
    if select:
        result["selection"] = {m: _leave_one_law_out(by_law, reports, config, m) for m in methods}
        similarity = _similarities(by_law, reports, config)
        result["learned_selection"] = _learned_leave_one_law_out(by_law, reports, config, similarity)
        result["learning_curve"] = learning_curve(by_law, reports, config, similarity)
    result["diff"] = _diff_results(model, config)
    result["targets"] = TARGETS
    pooled_metrics = result["heldout"]["pooled"]
    result["meets_targets"] = (
        pooled_metrics["precision_at_1"] >= TARGETS["precision_at_1"]
        and pooled_metrics["recall"] >= TARGETS["recall"]
        and all(d["pairing"] >= TARGETS["pairing"] for d in result["diff"].values())
    )
    return result


def _by_law(gold: list[dict]) -> dict[tuple[str, str], list[dict]]:
    by_law: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in gold:
        by_law[(row["law"], row["treaty"])].append(row)
    return by_law


def _alignment(by_law: dict, reports: dict, model, config: CompareConfig) -> dict:
    """Per law and pooled metrics of the alignment under ``config``; ``reports`` caches scored instruments."""
    for law, treaty in by_law:
        for name in (law, treaty):
            if name not in reports:
                reports[name] = scored_instrument(name, model)
    laws = {}
    pooled = []
    for (law, treaty), rows in by_law.items():
        outcomes = alignment_outcomes(align_reports(reports[law], reports[treaty], config), rows)
        pooled.extend(outcomes)
        laws[law] = {"treaty": treaty, **alignment_metrics(outcomes)}
    return {"laws": laws, "pooled": alignment_metrics(pooled)}


def _leave_one_law_out(by_law, reports, base: CompareConfig, method: str) -> dict:
    """Each law scored with the grid point that does best on the other laws' gold."""
    base = base.model_copy(update={"similarity": method})
    components = {}
    for law, treaty in by_law:
        components[law] = score_components(reports[law], reports[treaty], method, base.align.concepts)
    candidates = list(_configs(base))
    outcomes = {law: [] for law, _ in by_law}
    for (law, treaty), rows in by_law.items():
        for config in candidates:
            scores = rank(combine(components[law], config), None, section_units(reports[law]), config)
            outcomes[law].append(alignment_outcomes(align_reports(reports[law], reports[treaty], config, scores=scores), rows))
    held_out = []
    chosen = {}
    for law in outcomes:
        others = [other for other in outcomes if other != law]
        fit = [f_score(alignment_metrics([o for other in others for o in outcomes[other][k]], bootstrap=False))
               for k in range(len(candidates))]
        best = int(np.argmax(fit))
        chosen[law] = _setting(candidates[best])
        held_out.extend(outcomes[law][best])
    overall = [f_score(alignment_metrics([o for law in outcomes for o in outcomes[law][k]], bootstrap=False))
               for k in range(len(candidates))]
    best_all = candidates[int(np.argmax(overall))]
    return {
        "held_out": alignment_metrics(held_out),
        "chosen_per_law": chosen,
        "best_on_all_gold": _setting(best_all),
    }


def _similarities(by_law, reports, config: CompareConfig) -> dict[str, np.ndarray]:
    """Per law, the shipped similarity of its provisions with its treaty's articles."""
    return {law: combine(score_components(reports[law], reports[treaty], config.similarity, config.align.concepts), config)
            for law, treaty in by_law}


def _learned_leave_one_law_out(by_law, reports, base: CompareConfig, similarity: dict[str, np.ndarray]) -> dict:
    """The article classifier blended with the shipped similarity, selected and scored leave-one-law-out.

    For each law, every grid point (classifier weight, section smoothing, threshold) is scored on
    each other law with a classifier fitted on the laws left after taking out both (nested), the
    point with the best pooled F1 is chosen, and this law is scored with it and with a classifier
    fitted on all other laws. ``best_on_all_gold`` is chosen on every law, each scored by a
    classifier that did not learn from it: the shipped setting.
    """
    gold = [row for rows in by_law.values() for row in rows]
    laws = [law for law, _ in by_law]
    treaty_of = {law: treaty for law, treaty in by_law}

    def probabilities(law: str, excluded: set[str]) -> np.ndarray:
        rows = [row for row in gold if row["law"] not in excluded]
        return _probabilities(rows, reports, law, treaty_of[law], base)

    def outcomes(law: str, probs: np.ndarray, points: list) -> list[list[dict]]:
        result = []
        for weight, smoothing, threshold in points:
            config = _learned_config(base, weight, smoothing, threshold)
            scores = rank(similarity[law], probs, section_units(reports[law]), config)
            result.append(alignment_outcomes(align_reports(reports[law], reports[treaty_of[law]], config, scores=scores),
                                             by_law[(law, treaty_of[law])]))
        return result

    points = list(itertools.product(CLASSIFIER_WEIGHT_GRID, SECTION_SMOOTHING_GRID, LEARNED_THRESHOLD_GRID))
    cross_fitted = {law: probabilities(law, {law}) for law in laws}
    held_out, chosen = [], {}
    for law in laws:
        inner = [outcomes(other, probabilities(other, {law, other}), points) for other in laws if other != law]
        fit = [f_score(alignment_metrics([o for per_law in inner for o in per_law[k]], bootstrap=False)) for k in range(len(points))]
        best = points[int(np.argmax(fit))]
        chosen[law] = dict(zip(("classifier_weight", "section_smoothing", "threshold"), best))
        held_out.extend(outcomes(law, cross_fitted[law], [best])[0])
    every = [outcomes(law, cross_fitted[law], points) for law in laws]
    overall = [f_score(alignment_metrics([o for per_law in every for o in per_law[k]], bootstrap=False)) for k in range(len(points))]
    best_all = points[int(np.argmax(overall))]
    similarity_only = [k for k, point in enumerate(points) if point[0] == 0.0]
    best_similarity_only = max(similarity_only, key=lambda k: overall[k])
    return {
        "held_out": alignment_metrics(held_out),
        "chosen_per_law": chosen,
        "best_on_all_gold": dict(zip(("classifier_weight", "section_smoothing", "threshold"), best_all)),
        # the chosen setting on every law, each scored by a classifier that did not learn from it
        "best_on_all_gold_metrics": alignment_metrics([o for per_law in every for o in per_law[points.index(best_all)]]),
        "best_similarity_only": dict(zip(("classifier_weight", "section_smoothing", "threshold"), points[best_similarity_only])),
    }


def learning_curve(by_law: dict[tuple[str, str], list[dict]], reports: dict[str, dict], config: CompareConfig,
                   similarity: dict[str, np.ndarray] | None = None) -> list[dict]:
    """Alignment under ``config`` by a classifier that learned from k other laws, for k = 0 .. laws - 1.

    ``by_law``: gold rows by (law, treaty); ``reports``: the statute report of every law and
    treaty they name; ``similarity``: :func:`_similarities`, when computed already.
    For each k, ``LEARNING_CURVE_DRAWS`` seeded draws (all subsets when fewer exist) of k laws
    other than the scored one; each draw's outcomes are pooled over the laws, and the draws'
    precision@1, recall and F1 averaged. k = 0 is similarity alone, as a treaty without gold is aligned.
    """
    similarity = similarity if similarity is not None else _similarities(by_law, reports, config)
    gold = [row for rows in by_law.values() for row in rows]
    laws = [law for law, _ in by_law]
    treaty_of = {law: treaty for law, treaty in by_law}
    rng = np.random.default_rng(SEED)
    curve = []
    for k in range(len(laws)):
        subsets = {law: _draws([other for other in laws if other != law], k, rng) for law in laws}
        draws = []
        for draw in range(max(len(s) for s in subsets.values())):
            outcomes = []
            for law in laws:
                training = subsets[law][draw % len(subsets[law])]
                probabilities = (_probabilities([r for r in gold if r["law"] in training], reports, law, treaty_of[law], config)
                                 if training else None)
                scores = rank(similarity[law], probabilities, section_units(reports[law]), config)
                outcomes += alignment_outcomes(align_reports(reports[law], reports[treaty_of[law]], config, scores=scores),
                                               by_law[(law, treaty_of[law])])
            draws.append(alignment_metrics(outcomes, bootstrap=False))
        precision = float(np.mean([d["precision_at_1"] for d in draws]))
        recall = float(np.mean([d["recall"] for d in draws]))
        curve.append({"training_laws": k, "draws": len(draws), "precision_at_1": precision, "recall": recall,
                      "f1": float(np.mean([f_score(d) for d in draws]))})
    return curve


def _probabilities(rows: list[dict], reports: dict[str, dict], law: str, treaty: str, config: CompareConfig) -> np.ndarray:
    """``law``'s compared provisions x ``treaty``'s operative articles, by a classifier fitted on ``rows``."""
    classifier = fit_article_classifier(rows, reports, treaty, config.align.classifier.C)
    provisions = [p for p in reports[law]["provisions"] if p["kind"] in COMPARED_KINDS]
    operative = [a.citation for a in articles(reports[treaty]) if a.kind != "definition"]
    return classifier.article_probabilities([provision_text(p) for p in provisions], operative)


def _draws(laws: list[str], k: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """Up to ``LEARNING_CURVE_DRAWS`` distinct k-subsets of ``laws`` (every one when there are fewer)."""
    every = list(itertools.combinations(laws, k))
    if len(every) <= LEARNING_CURVE_DRAWS:
        return every
    return [every[i] for i in sorted(rng.choice(len(every), LEARNING_CURVE_DRAWS, replace=False))]


def _learned_config(base: CompareConfig, weight: float, smoothing: float, threshold: float) -> CompareConfig:
    classifier = base.align.classifier.model_copy(update={"weight": weight, "threshold": float(threshold)})
    return base.model_copy(update={"align": base.align.model_copy(update={
        "classifier": classifier, "section_smoothing": smoothing})})


def _setting(config: CompareConfig) -> dict:
    return {"weights": config.align.weights.model_dump(), "threshold": config.align.threshold,
            "kind_agreement": config.align.kind_agreement}


def _diff_results(model, config: CompareConfig) -> dict:
    gold = load_gold("versions.jsonl")
    results = {}
    by_pair: dict[str, list[dict]] = defaultdict(list)
    for row in gold:
        by_pair[row["pair"]].append(row)
    for name, rows in by_pair.items():
        old = scored_instrument(rows[0]["old_instrument"], model)
        new = [scored_instrument(i, model) for i in rows[0]["new_instruments"]]
        document = diff_reports(old, new, config)
        results[name] = diff_pairing(document, rows)
    return results


def diff_pairing(document: dict, rows: list[dict]) -> dict:
    """Share of gold rows whose counterparts the diff reproduces exactly; the misses, for reading."""
    partners: dict[str, set] = defaultdict(set)
    added = set()
    for pair in document["pairs"]:
        if pair["old"] is not None and pair["new"] is not None:
            partners[pair["old"]].add((pair["new_instrument"], pair["new"]))
        elif pair["status"] == "added":
            added.add((pair["new_instrument"], pair["new"]))
    correct = 0
    misses = []
    statuses_ok = 0
    status_of = {(p["old"], p["new_instrument"], p["new"]): p["status"] for p in document["pairs"]}
    for row in rows:
        gold_new = {(n["instrument"], n["citation"]) for n in row["new"]}
        if row["old"] is None:
            ok = all(n in added for n in gold_new)
        else:
            ok = partners.get(row["old"], set()) == gold_new
            if ok and gold_new:
                first = next(iter(gold_new))
                statuses_ok += status_of.get((row["old"], *first)) == row["status"]
            elif ok:
                statuses_ok += 1
        correct += ok
        if not ok:
            misses.append({"old": row["old"], "gold": sorted(f"{i} {c}" for i, c in gold_new),
                           "predicted": sorted(f"{i} {c}" for i, c in partners.get(row["old"], set())) if row["old"] else "not added",
                           "status": row["status"]})
    return {"rows": len(rows), "correct": correct, "pairing": correct / len(rows) if rows else 0.0,
            "status_agreement_of_correct": statuses_ok / correct if correct else 0.0, "misses": misses}


def _pct(value: float) -> str:
    return f"{value:.3f}"


def to_markdown(report: dict) -> str:
    lines = ["# Comparison quality (issue 14)", "",
             "Written by `provrisk alignment-report` from the gold in `eval/gold/alignment/` (see its README).", "",
             "## Treaty alignment on the held-out law, shipped settings (`configs/compare.yaml`)", "",
             "No setting or rule was chosen on this law (choices are made on the development laws below): "
             "the headline figure.", "",
             "| law | treaty | provisions | with gold counterpart | precision@1 [95% CI] | recall [95% CI] | strength agreement |",
             "|---|---|---|---|---|---|---|"]
    for law, m in report["heldout"]["laws"].items():
        lines.append(_alignment_row(law, m["treaty"], m))
    lines += ["", "## Treaty alignment on the development laws, shipped settings (in-sample: the settings were chosen, "
              "and the article classifier learned, on these laws)", "",
             "| law | treaty | provisions | with gold counterpart | precision@1 [95% CI] | recall [95% CI] | strength agreement |",
             "|---|---|---|---|---|---|---|"]
    for law, m in report["alignment"]["laws"].items():
        lines.append(_alignment_row(law, m["treaty"], m))
    lines.append(_alignment_row("**pooled**", "", report["alignment"]["pooled"]))
    for method, selection in report.get("selection", {}).items():
        lines += ["", f"## Leave-one-law-out selection, `{method}` similarity", "",
                  "Each law is scored with the weights and threshold that do best (F1 of precision@1 and recall) on the "
                  "other laws' gold; the figures below pool those held-out scores.", "",
                  "| provisions | precision@1 [95% CI] | recall [95% CI] | strength agreement |", "|---|---|---|---|",
                  _selection_row(selection["held_out"]),
                  "", f"Best on all gold: `{json.dumps(selection['best_on_all_gold'])}`"]
    learned = report.get("learned_selection")
    if learned:
        chosen, metrics = learned["best_on_all_gold"], learned["best_on_all_gold_metrics"]
        lines += ["", "## Leave-one-law-out, learned article classifier blended with `tfidf` similarity", "",
                  "Nested: for each law, the classifier weight, section smoothing and threshold are chosen on the other "
                  "laws (each scored by a classifier fitted without it and without this law), and this law is scored with "
                  "a classifier fitted on all the other laws. The figures pool those held-out scores.", "",
                  "| provisions | precision@1 [95% CI] | recall [95% CI] | strength agreement |", "|---|---|---|---|",
                  _selection_row(learned["held_out"]), "",
                  f"Chosen on all development laws (the shipped setting): `{json.dumps(chosen)}`; with it, each law scored "
                  "by a classifier that did not learn from it:", "",
                  "| provisions | precision@1 [95% CI] | recall [95% CI] | strength agreement |", "|---|---|---|---|",
                  _selection_row(metrics), "",
                  f"Best with similarity alone (for treaties without alignment gold): `{json.dumps(learned['best_similarity_only'])}`"]
    curve = report.get("learning_curve")
    if curve:
        lines += ["", "## Learning curve: the shipped setting, by how many other laws the classifier learned from", "",
                  "Each law is aligned by a classifier fitted on k of the other development laws (seeded draws of k laws; "
                  "0: similarity alone); the figures pool the laws and average the draws.", "",
                  "| training laws | draws | precision@1 | recall | F1 |", "|---|---|---|---|---|"]
        lines += [f"| {p['training_laws']} | {p['draws']} | {_pct(p['precision_at_1'])} | {_pct(p['recall'])} | {_pct(p['f1'])} |"
                  for p in curve]
    lines += ["", "## Version diffs: pairing", "", "| version pair | gold rows | correctly paired | pairing accuracy | status agreement (of correct) |",
              "|---|---|---|---|---|"]
    for name, d in report["diff"].items():
        lines.append(f"| {name} | {d['rows']} | {d['correct']} | {_pct(d['pairing'])} | {_pct(d['status_agreement_of_correct'])} |")
    for name, d in report["diff"].items():
        if d["misses"]:
            lines += ["", f"Misses in {name}:", ""]
            lines += [f"- {m['old'] or '(added)'}: gold {', '.join(m['gold']) or 'removed'}; diff "
                      f"{m['predicted'] if isinstance(m['predicted'], str) else (', '.join(m['predicted']) or 'removed')}"
                      for m in d["misses"]]
    lines += ["", f"Targets: precision@1 >= {TARGETS['precision_at_1']}, recall >= {TARGETS['recall']}, "
              f"pairing >= {TARGETS['pairing']}. Met: {'yes' if report['meets_targets'] else 'no'}.", ""]
    return "\n".join(lines)


def _selection_row(m: dict) -> str:
    return "| {} | {} [{}, {}] | {} [{}, {}] | {} |".format(
        m["provisions"], _pct(m["precision_at_1"]), *map(_pct, m["precision_at_1_ci"]), _pct(m["recall"]),
        *map(_pct, m["recall_ci"]), _pct(m["strength_agreement"]))


def _alignment_row(law: str, treaty: str, m: dict) -> str:
    return "| {} | {} | {} | {} | {} [{}, {}] | {} [{}, {}] | {} |".format(
        law, treaty, m["provisions"], m["with_gold_counterpart"], _pct(m["precision_at_1"]), *map(_pct, m["precision_at_1_ci"]),
        _pct(m["recall"]), *map(_pct, m["recall_ci"]), _pct(m["strength_agreement"]))


def write_report(report: dict) -> list[Path]:
    """``eval/reports/alignment.json`` and ``alignment.md``; returns their paths."""
    return write_report_files("alignment", data=report, markdown=to_markdown(report), indent=1)
