"""provrisk.eval.alignment: the comparison gold joins the corpus, and the metrics count what they say."""

from __future__ import annotations

from provrisk.compare.instruments import scored_instrument
from provrisk.eval.alignment import alignment_metrics, diff_pairing, load_gold
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
