"""``provrisk bench`` on a tiny subset: the report's shape and arithmetic, not its speed.

Runs the real benchmark (fresh processes per stage, the service under load) on
the first two corpus instruments with a two-second, two-client load test; the
figures must be positive and every "x floor" ratio must be that figure's seconds
over the floor's seconds.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provrisk.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

STAGES = ["floor", "ingest", "segment", "label", "predict_linear", "predict_records_linear", "predict_transformer",
          "scoring_linear"]


@pytest.fixture(scope="module")
def bench(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    result = CliRunner().invoke(app, ["bench", "--limit", "2", "--load-seconds", "2", "--clients", "2", "--skip-spark", "--skip-hostile",
                                      "--out-dir", str(out), "--corpus-dir", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "bench.json").read_text(encoding="utf-8")), (out / "bench.md").read_text(encoding="utf-8")


def test_report_describes_run_machine_and_corpus(bench):
    report, _ = bench
    assert report["schema"] == "provrisk.bench/1"
    assert report["command"].startswith("provrisk bench ") and "--limit 2" in report["command"]
    assert report["machine"]["cpu_count"] > 0 and report["machine"]["memory_gb"] > 0
    assert report["machine"]["python"] and report["machine"]["packages"]["spacy"]
    corpus = report["corpus"]
    assert corpus["instruments"] == 2 and corpus["instruments_in_manifest"] >= 2
    assert len(corpus["hash"]) == 64
    assert min(corpus["provisions"], corpus["words"], corpus["tokens"], corpus["bytes"]) > 0
    assert len(report["load_average"]["before"]) == len(report["load_average"]["after"]) == 3


def test_every_stage_is_positive_and_its_ratio_is_against_the_floor(bench):
    report, _ = bench
    floor_s = report["floor"]["seconds"]
    assert floor_s > 0
    assert [stage["name"] for stage in report["stages"]] == STAGES
    for stage in report["stages"]:
        if not stage["measured"]:
            assert stage["reason"].startswith("not measured: ")
            continue
        assert min(stage["seconds"], stage["provisions_per_s"], stage["words_per_s"]) > 0, stage["name"]
        assert 0 < stage["baseline_rss_mb"] <= stage["peak_rss_mb"], stage["name"]
        assert stage["stage_rss_mb"] == pytest.approx(stage["peak_rss_mb"] - stage["baseline_rss_mb"])
        assert stage["floor_ratio"] == pytest.approx(stage["seconds"] / floor_s), stage["name"]
        assert stage["words_per_s"] == pytest.approx(report["corpus"]["words"] / stage["seconds"])


def test_linear_scoring_verdict_matches_its_ratio(bench):
    report, _ = bench
    scoring = report["linear_scoring"]
    assert scoring["floor_ratio"] == pytest.approx(scoring["seconds"] / report["floor"]["seconds"])
    assert scoring["pass"] == (scoring["floor_ratio"] < scoring["target_floor_ratio"])
    assert sum(row["seconds"] for row in scoring["components"]) == pytest.approx(scoring["seconds"])
    assert scoring["dominant"] in {row["component"] for row in scoring["components"]}
    if not scoring["pass"]:
        assert scoring["dominant"] in scoring["explanation"]


def test_single_statute_cold_and_warm(bench):
    report, _ = bench
    single, floor_s = report["single_statute"], report["floor"]["seconds"]
    assert single["provisions"] > 0 and single["words"] > 0
    cold = next(t for t in report["targets"] if t["target"].startswith(f"one {single['provisions']}-provision statute"))
    assert cold["pass"] == (single["cold_s"] < 1.5)
    assert single["cold_s"] > single["warm_median_s"] > 0
    assert single["cold_floor_ratio"] == pytest.approx(single["cold_s"] / floor_s)
    assert single["warm_floor_ratio"] == pytest.approx(single["warm_median_s"] / floor_s)
    assert len(single["warm_runs_s"]) == 5 and all(s > 0 for s in single["warm_runs_s"])
    assert single["warm_profile_top"] and single["warm_profile_total_s"] > 0


def test_api_load_counts_latency_and_memory(bench):
    report, _ = bench
    linear, floor_s = report["api_load"]["linear"], report["floor"]["seconds"]
    assert linear["measured"] and linear["clients"] == 2
    assert linear["requests"] == linear["ok"] + linear["errors"] == sum(linear["statuses"].values()) > 0
    assert linear["throughput_rps"] > 0 and linear["server_peak_rss_mb"] > 0 and linear["server_startup_s"] > 0
    latency = linear["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]
    for p, ms in latency.items():
        assert linear["latency_floor_ratio"][p] == pytest.approx(ms / 1000 / floor_s)
    transformer = report["api_load"]["transformer"]
    assert transformer["measured"] or transformer["reason"].startswith("not measured: ")


def test_api_load_samples_each_server_process(bench):
    report, _ = bench
    processes = report["api_load"]["linear"]["server_processes"]
    depths = {process["depth"] for process in processes["processes"]}
    # `provrisk serve`, its uvicorn workers, their model processes: at least three levels
    assert {0, 1, 2} <= depths
    assert all(0 < process["peak_pss_mb"] <= process["peak_rss_mb"] + 1 for process in processes["processes"])
    assert processes["max_process_peak_rss_mb"] == max(p["peak_rss_mb"] for p in processes["processes"])
    target = next(t for t in report["targets"] if t["target"].startswith("largest server process"))
    assert target["pass"] == (processes["max_process_peak_rss_mb"] < 300)


def test_spark_left_out_is_a_target_not_measured(bench):
    report, markdown = bench
    assert "spark" not in report
    target = next(t for t in report["targets"] if t["target"].startswith("Spark local mode"))
    assert target["pass"] is None and "--skip-spark" in target["value"]
    assert "--skip-spark" in report["command"] and "--skip-hostile" in report["command"]
    assert "hostile_load" not in report and "## 8. Hostile load" not in markdown


def test_training_times_name_their_source(bench):
    report, _ = bench
    assert {row["model_type"] for row in report["training"]} >= {"linear"}
    for row in report["training"]:
        assert row["source"] and not row["measured"]
        assert row["seconds"] is None or row["seconds"] > 0


def test_markdown_has_a_table_per_section_and_verdicts(bench):
    report, markdown = bench
    for heading in ("## Targets", "## 1. Floor", "## 2. Stages", "## 3. Linear scoring", "## 4. One statute",
                    "## 5. API under load", "## 6. Training time"):
        section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
        assert "\n|---" in section, heading
    assert ("PASS" in markdown) or ("FAIL" in markdown)
    assert report["corpus"]["hash"][:16] in markdown
