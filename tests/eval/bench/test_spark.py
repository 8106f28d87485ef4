"""The Spark benchmark section's parts: corpus replication, output comparison, the markdown table."""

from __future__ import annotations

import shutil

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.eval.bench.spark import replicate_corpus, same_outputs, spark_markdown
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


def test_replicated_corpus_holds_every_text_under_distinct_names(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    for instrument_id in ("act-a", "act-b"):
        shutil.copy(EXAMPLE, corpus / "texts" / f"{instrument_id}.txt")
    (corpus / "manifest.jsonl").write_text(
        "".join(f'{{"id": "{i}", "title": "{i}", "jurisdiction": "XX", "kind": "statute"}}\n' for i in ("act-a", "act-b")),
        encoding="utf-8")
    folder = replicate_corpus(corpus, tmp_path / "replicated", 3)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"act-{x}--copy-{k}.txt" for x in "ab" for k in range(3)]
    assert len({i.instrument_id for i in collect_inputs(folder)}) == 6


def test_same_outputs_ignores_timestamps_and_sees_a_changed_score(tmp_path):
    source = tmp_path / "statutes"
    source.mkdir()
    shutil.copy(EXAMPLE, source / EXAMPLE.name)
    for out in ("first", "second"):
        run_batch(collect_inputs(source), tmp_path / out, formats=("json",), workers=1)
    assert same_outputs(tmp_path / "first", tmp_path / "second")
    (tmp_path / "second" / "matrix.csv").write_text("changed", encoding="utf-8")
    assert not same_outputs(tmp_path / "first", tmp_path / "second")


def test_markdown_names_speedups_and_the_identity_verdict():
    section = {"rows": [
        {"engine": "spark", "cores": 1, "corpus": "x1", "statutes": 40, "seconds": 60.0, "statutes_per_s": 0.67, "speedup": 1.0},
        {"engine": "spark", "cores": 2, "corpus": "x1", "statutes": 40, "seconds": 40.0, "statutes_per_s": 1.0, "speedup": 1.5},
    ], "identical": True}
    text = "\n".join(spark_markdown(section))
    assert "| spark | 2 | x1 | 40 | 40.0 | 1.00 | 1.50x |" in text
    assert "wrote identical outputs" in text
