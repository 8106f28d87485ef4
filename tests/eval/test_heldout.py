"""Held-out evaluation: bootstrap intervals, the test split's protection, and the eval command on real gold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from provrisk.eval.gold import read_jsonl
from provrisk.eval.heldout import bootstrap_macro_f1, heldout_markdown, record_heldout_metrics
from provrisk.eval.split import held_out_instruments
from provrisk.train.metrics import macro_f1


def test_bootstrap_interval_brackets_the_point_estimate_and_narrows_with_data():
    rng = np.random.default_rng(0)
    gold = rng.random((400, 3)) < 0.2
    predicted = np.where(rng.random((400, 3)) < 0.8, gold, ~gold)
    groups = np.repeat(np.arange(8), 50)
    point = macro_f1(gold, predicted)
    low, high = bootstrap_macro_f1(gold, predicted, groups, by_group=False)
    assert low < point < high
    small = bootstrap_macro_f1(gold[:80], predicted[:80], groups[:80], by_group=False)
    assert (small[1] - small[0]) > (high - low)


def test_instrument_bootstrap_is_wider_when_instruments_differ():
    gold = np.zeros((300, 1), dtype=bool)
    gold[::3] = True
    predicted = gold.copy()
    predicted[:100] = ~predicted[:100]  # one instrument of three is read badly
    groups = np.repeat(np.arange(3), 100)
    by_provision = bootstrap_macro_f1(gold, predicted, groups, by_group=False)
    by_instrument = bootstrap_macro_f1(gold, predicted, groups, by_group=True)
    assert by_instrument[1] - by_instrument[0] > by_provision[1] - by_provision[0]


def test_test_gold_holds_only_held_out_instruments_and_training_gold_none(repo_root):
    held_out = held_out_instruments()
    assert len(held_out) >= 8
    test_gold = repo_root / "eval" / "gold" / "test.jsonl"
    if test_gold.exists():
        assert {e["instrument_id"] for e in read_jsonl(test_gold)} <= held_out
    for name in ("dev.jsonl", "train.jsonl"):
        path = repo_root / "eval" / "gold" / name
        if path.exists():
            assert not {e["instrument_id"] for e in read_jsonl(path)} & held_out, name


def test_markdown_report_names_every_model_and_interval():
    per_label = {"precision": 0.5, "recall": 0.25, "f1": 1 / 3, "pr_auc": 0.4, "support": 4}
    scores = {"per_label": {"a": per_label}, "macro_f1": 1 / 3, "micro_f1": 0.3, "macro_pr_auc": 0.4, "ece": 0.02,
              "macro_f1_ci95": (0.2, 0.45), "macro_f1_ci95_by_instrument": (0.1, 0.5)}
    result = {"gold": "g.jsonl", "n": 10, "instruments": ["x"], "labels": ["a"],
              "results": {"rules-only label model": scores, "m": {**scores, "grouped_cv_macro_f1": 0.6}}}
    text = heldout_markdown(result)
    assert "| a (4) | 0.50 / 0.25 / 0.33 | 0.50 / 0.25 / 0.33 |" in text
    assert "[0.200, 0.450]" in text and "0.600" in text
    json.dumps(result)


@pytest.mark.corpus
@pytest.mark.slow
def test_eval_command_prints_held_out_figures(corpus_dir, repo_root):
    from typer.testing import CliRunner

    from provrisk.cli import app

    if not (repo_root / "eval" / "gold" / "test.jsonl").exists():
        pytest.skip("no test gold yet")
    result = CliRunner().invoke(app, ["eval", "--model", "provrisk-linear"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "held-out test instruments" in result.output
    assert "macro-F1 [95% CI]" in result.output


@pytest.mark.corpus
@pytest.mark.slow
def test_release_step_keeps_each_labels_heldout_precision_and_flag_count_with_the_model(corpus_dir, repo_root, tmp_path):
    import shutil

    from provrisk.label.config import load_labelling_config
    from provrisk.models.artifacts import load_model_dir

    shipped = repo_root / "models" / "provrisk-linear"
    copy = tmp_path / "provrisk-linear"
    shutil.copytree(shipped, copy)
    metadata = json.loads((copy / "metadata.json").read_text())
    del metadata["heldout_metrics"]
    (copy / "metadata.json").write_text(json.dumps(metadata))
    (copy / "MODEL_CARD.md").unlink()
    heldout = record_heldout_metrics(copy, load_labelling_config(repo_root / "configs" / "labelling.yaml"))
    recorded = load_model_dir(str(copy)).metadata["heldout_metrics"]
    assert recorded == json.loads(json.dumps(heldout))
    # The shipped model's figures are the ones this step wrote for it.
    assert recorded["per_label"] == json.loads((shipped / "metadata.json").read_text())["heldout_metrics"]["per_label"]
    for label, scores in recorded["per_label"].items():
        right = scores["precision"] * scores["flagged"]
        assert right == pytest.approx(round(right)), label
        assert round(right) == pytest.approx(scores["recall"] * scores["support"]), label
    assert "| label | threshold | support | flags | precision | recall | F1 |" in (copy / "MODEL_CARD.md").read_text()
