"""The candidate-model comparison table: every row, its interval, and speed only where it was measured."""

from __future__ import annotations

from provrisk.eval.model_comparison import comparison_markdown


def _scores(macro: float, cv: float | None = None) -> dict:
    scores = {"macro_f1": macro, "macro_f1_ci95": (macro - 0.05, macro + 0.04), "micro_f1": macro + 0.1, "ece": 0.01}
    return scores if cv is None else {**scores, "grouped_cv_macro_f1": cv}


def test_table_has_previous_release_rules_and_each_model_with_its_speed():
    result = {"n": 806, "instruments": ["a", "b"],
              "results": {"rules-only label model": _scores(0.42), "m1": _scores(0.475, 0.566), "m2": _scores(0.467, 0.564)}}
    previous = {"version": "0.2.0", **_scores(0.423)}
    text = comparison_markdown(result, ["m1", "m2"], {"m1": 1234.5, "m2": 80.2}, previous, "cmd m1 m2", 7000)
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| model")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| provrisk 0.2.0 (shipped before this issue)", "| rules-only label model", "| m1", "| m2"]
    assert "| m1 | 0.475 [0.425, 0.515] | 0.575 | 0.010 | 0.566 | 1,234 |" in text
    assert rows[1].endswith("| – | – |")  # the rules have neither a CV figure nor a measured speed
    assert "806 provisions of 2 instruments" in text and "`cmd m1 m2`" in text
