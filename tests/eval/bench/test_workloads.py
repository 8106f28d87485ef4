"""provrisk.eval.bench.workloads: the statute workload measures the product's own scoring, cold then warm."""

from __future__ import annotations

import argparse
import time

import provrisk.score.report
from provrisk.eval.bench.harness import run_stage
from provrisk.eval.bench.workloads import CORPUS_STAGES, STAGES, STATUTE_STAGE, WARM_RUNS
from provrisk.models.artifacts import DEFAULT_MODEL, resolve_model_dir
from provrisk.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


def test_one_statute_is_scored_by_score_document_cold_then_warm(monkeypatch):
    product_score_document = provrisk.score.report.score_document
    calls = []

    def counted(path, model, **options):
        calls.append(path)
        return product_score_document(path, model, **options)

    monkeypatch.setattr(provrisk.score.report, "score_document", counted)
    args = argparse.Namespace(model=str(resolve_model_dir(DEFAULT_MODEL)), path=str(EXAMPLE),
                              launched_at=time.monotonic())
    result = run_stage(STATUTE_STAGE, args)
    details = result["details"]
    assert result["seconds"] > 0 and details["import_s"] >= 0 and details["model_load_s"] > 0
    assert len(details["warm_runs_s"]) == WARM_RUNS and details["warm_median_s"] > 0
    assert details["profile_total_s"] > 0 and details["profile_top"]
    assert result["launch_to_end_s"] >= result["seconds"]
    # the product's scoring function, not a copy: cold, each warm run, and the profiled one
    assert calls == [EXAMPLE] * (1 + WARM_RUNS + 1)


def test_the_registry_names_each_stage_once_and_the_model_it_needs():
    names = [stage.name for stage in CORPUS_STAGES]
    assert names[0] == "floor" and len(set(names)) == len(names)
    assert set(STAGES) == {*names, STATUTE_STAGE.name}
    assert {stage.model for stage in STAGES.values()} == {None, "linear", "transformer"}
