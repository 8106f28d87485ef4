"""provrisk.eval.alignment: the comparison gold joins the corpus, and the metrics count what they say."""

from __future__ import annotations

from provrisk.compare.instruments import scored_instrument
from provrisk.eval.alignment import alignment_metrics, alignment_outcomes, diff_pairing, load_gold
from provrisk.models.artifacts import load_model_dir


def test_every_gold_citation_is_a_provision_the_segmenter_finds(corpus_dir):
    model = load_model_dir()
    cited: dict[str, set] = {}
    for row in load_gold("treaty.jsonl") + load_gold("treaty-heldout.jsonl"):
        cited.setdefault(row["law"], set()).add(row["provision"])
    for row in load_gold("versions.jsonl"):
        if row["old"]:
            cited.setdefault(row["old_instrument"], set()).add(row["old"])
        for new in row["new"]:
            cited.setdefault(new["instrument"], set()).add(new["citation"])
    for instrument, citations in cited.items():
        found = {p["citation"] for p in scored_instrument(instrument, model)["provisions"]}
        assert citations <= found, f"{instrument}: {sorted(citations - found)[:5]}"


def test_precision_counts_predictions_and_recall_counts_gold_counterparts():
    outcomes = [
        {"gold": ["Art. 2"], "gold_strength": "exact", "predicted": "Art. 2", "strength": "exact"},
        {"gold": ["Art. 3"], "gold_strength": "partial", "predicted": None, "strength": "none"},
        {"gold": [], "gold_strength": "none", "predicted": "Art. 4", "strength": "partial"},
        {"gold": [], "gold_strength": "none", "predicted": None, "strength": "none"},
    ]
    metrics = alignment_metrics(outcomes, bootstrap=False)
    assert metrics["precision_at_1"] == 0.5  # one of two predictions is right
    assert metrics["recall"] == 0.5  # one of two gold counterparts is found


def test_pairing_needs_the_whole_set_of_counterparts():
    document = {"pairs": [
        {"old": "s. 1", "new": "s. 1", "new_instrument": "b", "status": "split"},
        {"old": None, "new": "s. 2", "new_instrument": "b", "status": "added"},
    ]}
    rows = [
        {"old": "s. 1", "new": [{"instrument": "b", "citation": "s. 1"}, {"instrument": "b", "citation": "s. 2"}], "status": "split"},
        {"old": None, "new": [{"instrument": "b", "citation": "s. 3"}], "status": "added"},
    ]
    result = diff_pairing(document, rows)
    assert result["correct"] == 0 and len(result["misses"]) == 2


def test_learning_curve_starts_from_similarity_alone_and_draws_training_laws_among_the_others(corpus_dir):
    from provrisk.compare.align import align_reports
    from provrisk.compare.config import load_compare_config
    from provrisk.eval.alignment import learning_curve

    model = load_model_dir()
    config = load_compare_config()
    laws = ("phl-cybercrime-prevention-act-2012", "uga-computer-misuse-act-2011", "tza-cybercrimes-act-2015")
    gold = [row for row in load_gold("treaty.jsonl") if row["law"] in laws]
    by_law = {(law, gold[0]["treaty"]): [row for row in gold if row["law"] == law] for law in laws}
    reports = {name: scored_instrument(name, model) for name in (*laws, gold[0]["treaty"])}

    curve = learning_curve(by_law, reports, config)

    assert [(p["training_laws"], p["draws"]) for p in curve] == [(0, 1), (1, 2), (2, 1)]
    # no law learned from: what `provrisk align` gives a treaty without a classifier
    similarity_only = config.model_copy(update={"align": config.align.model_copy(update={
        "classifier": config.align.classifier.model_copy(update={"directory": "no-classifier-here"})})})
    outcomes = [o for (law, treaty), rows in by_law.items()
                for o in alignment_outcomes(align_reports(reports[law], reports[treaty], similarity_only), rows)]
    expected = alignment_metrics(outcomes, bootstrap=False)
    assert curve[0]["precision_at_1"] == expected["precision_at_1"] and curve[0]["recall"] == expected["recall"]
