"""The provisions dataset built from a corpus directory."""

from __future__ import annotations

import json

from provrisk.corpora.dataset import build_provisions_dataset, load_provisions_dataset

ACT = """SMALL ACT

1. Short title
This Act may be cited as the Small Act.

2. Offence
(1) A person who accesses a computer without authority commits an offence.
(2) A person who intercepts a communication commits an offence.
"""


def _corpus(tmp_path, texts: dict[str, str]):
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    lines = []
    for instrument_id, text in texts.items():
        (corpus / "texts" / f"{instrument_id}.txt").write_text(text, encoding="utf-8")
        lines.append(json.dumps({"id": instrument_id, "title": instrument_id, "jurisdiction": "XXX", "kind": "statute"}))
    (corpus / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def test_build_is_deterministic_and_hashes_its_inputs(tmp_path):
    corpus = _corpus(tmp_path, {"small-act": ACT})
    first = build_provisions_dataset(corpus, tmp_path / "out1")
    second = build_provisions_dataset(corpus, tmp_path / "out2")
    assert first.corpus_hash == second.corpus_hash
    dataset1, info = load_provisions_dataset(tmp_path / "out1")
    dataset2, _ = load_provisions_dataset(tmp_path / "out2")
    assert dataset1["id"] == dataset2["id"] == ["small-act:s-1", "small-act:s-2-1", "small-act:s-2-2"]
    assert info["corpus_hash"] == first.corpus_hash and info["counts"] == {"small-act": 3}
    (corpus / "texts" / "small-act.txt").write_text(ACT + "\n3. More\nText.\n", encoding="utf-8")
    assert build_provisions_dataset(corpus, tmp_path / "out3").corpus_hash != first.corpus_hash


def test_a_failing_instrument_is_reported_not_dropped(tmp_path):
    corpus = _corpus(tmp_path, {"small-act": ACT, "empty-act": ""})
    result = build_provisions_dataset(corpus, tmp_path / "out")
    assert set(result.failures) == {"empty-act"}
    assert "empty-act" in result.failures["empty-act"]
    assert result.counts == {"small-act": 3}
