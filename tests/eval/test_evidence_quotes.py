"""The measure of quotes a reader cannot check, over two folders of statute reports."""

from __future__ import annotations

import json

import pytest

from provrisk.eval.evidence_quotes import compare, function_word_edge, function_words_only, read_flags


def _report(folder, flags: list[dict]) -> None:
    folder.mkdir()
    report = {"instrument": {"id": "act"}, "provisions": [{"citation": "s. 6(1)", "flags": flags}]}
    (folder / "act.json").write_text(json.dumps(report), encoding="utf-8")


def test_quotes_of_function_words_are_told_from_quotes_with_content():
    assert function_words_only("under subsection") and function_words_only("in the")
    assert not function_words_only("and cybercrimes")
    assert function_word_edge("and cybercrimes") and function_word_edge("security; (b) for") and function_word_edge("act on")
    assert not function_word_edge("render the website inaccessible") and not function_word_edge("search warrant")


def test_before_and_after_are_counted_and_changed_quotes_found(tmp_path):
    _report(tmp_path / "before", [
        {"label": "executive_blocking_takedown", "evidence": ["and cybercrimes", "act on"]},
        {"label": "surveillance_power", "evidence": ["intercept"]},
    ])
    _report(tmp_path / "after", [
        {"label": "executive_blocking_takedown", "evidence": ["unlawful"],
         "evidence_clauses": [{"source": "model", "citation": "s. 6(1)(ja)", "clause": "(ja) ...", "quotes": ["unlawful"]}]},
        {"label": "surveillance_power", "evidence": ["intercept"],
         "evidence_clauses": [{"source": "rule", "rule": "r", "citation": "s. 6(1)", "clause": "...", "quotes": ["intercept"]}]},
    ])
    result = compare(read_flags(tmp_path / "before"), read_flags(tmp_path / "after"))
    assert result["before"]["function_word_edge"] == {"flags": 1, "share": 0.5}
    assert result["before"]["function_words_only"] == {"flags": 1, "share": 0.5}  # "act on"
    assert result["after"]["function_word_edge"]["flags"] == 0
    assert result["after"]["model_flags"] == 1 and result["after"]["model_function_word_edge"]["flags"] == 0
    assert result["flags_in_both"] == 2 and result["flags_with_changed_quotes"] == 1


def test_a_folder_without_reports_is_refused_in_one_line(tmp_path):
    with pytest.raises(SystemExit, match="no statute report JSON files"):
        read_flags(tmp_path)
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit, match="bad.json: not a provrisk statute report"):
        read_flags(tmp_path)
