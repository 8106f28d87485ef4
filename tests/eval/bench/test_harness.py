"""provrisk.eval.bench.harness: stages in fresh interpreters, handing their outputs on, with time and memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provrisk.errors import ProvriskError
from provrisk.eval.bench import workloads
from provrisk.eval.bench.harness import StageRunner, machine_info, run_child
from provrisk.models.artifacts import DEFAULT_MODEL, resolve_model_dir
from provrisk.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Two instruments, each the shipped example statute."""
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    ids = ["example-one", "example-two"]
    (corpus / "manifest.jsonl").write_text(
        "".join(json.dumps({"id": iid, "title": iid, "jurisdiction": "XX", "kind": "statute"}) + "\n" for iid in ids),
        encoding="utf-8")
    for iid in ids:
        (corpus / "texts" / f"{iid}.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return corpus


@pytest.mark.slow
def test_stages_run_in_fresh_processes_and_hand_their_outputs_on(tiny_corpus, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    runner = StageRunner(workloads.__name__, tiny_corpus, None, work)
    words = 2 * len(EXAMPLE.read_text(encoding="utf-8").split())
    floor = runner.stage("floor")
    assert floor["details"]["words"] == words and floor["details"]["tokens"] >= words
    runner.stage("ingest")
    segment = runner.stage("segment")  # reads what ingest left in the work folder
    counts = segment["details"]["provisions_by_instrument"]
    assert list(counts) == ["example-one", "example-two"] and counts["example-one"] == counts["example-two"] > 0
    scoring = runner.stage("scoring_linear", model=str(resolve_model_dir(DEFAULT_MODEL)))
    for result in (floor, segment, scoring):
        assert 0 < result["seconds"] <= result["launch_to_end_s"] <= result["process_wall_s"]
        assert 0 < result["baseline_rss_mb"] <= result["peak_rss_mb"]
    assert scoring["details"]["model"]


def test_a_failing_child_raises_with_the_end_of_its_error_output(tmp_path):
    with pytest.raises(ProvriskError, match=r"(?s)reading a missing file failed \(exit \d\): .*missing\.json"):
        run_child("json.tool", [str(tmp_path / "missing.json")], what="reading a missing file")


def test_a_child_answers_with_its_last_line_of_json(tmp_path):
    source = tmp_path / "answer.json"
    source.write_text('{"answer": 42}', encoding="utf-8")
    assert run_child("json.tool", ["--compact", str(source)], what="echo") == {"answer": 42}


def test_machine_info_describes_this_machine():
    machine = machine_info()
    assert machine["cpu_count"] >= machine["cpus_usable"] >= 1 and machine["memory_gb"] > 0
    assert machine["packages"]["provrisk"] and "spacy" in machine["packages"]
