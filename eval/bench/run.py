"""The benchmark run: what is measured in which order, and the report it makes.

Input: :class:`BenchOptions` (the ``provrisk bench`` options). Output: the
report dict (:func:`run_bench`; see :mod:`provrisk.eval.bench` for its
sections), or an existing report with only its PDF or hostile-load section
measured again (:func:`merge_pdf_section`, :func:`merge_hostile_section`);
:func:`provrisk.eval.bench.report.write_report` writes it.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from provrisk.errors import ProvriskError
from provrisk.eval.bench import workloads
from provrisk.eval.bench.harness import StageRunner, machine_info
from provrisk.eval.bench.hostile import run_hostile_bench
from provrisk.eval.bench.load import load_test
from provrisk.eval.bench.pdf import default_pdf_dir, run_pdf_bench
from provrisk.eval.bench.report import (
    SCHEMA,
    api_explanation,
    not_measured_stage,
    rated_stage,
    scoring_verdict,
    single_statute,
    targets,
)
from provrisk.eval.report_files import REPORTS_DIR

LOAD_STATUTE_PROVISIONS = 50


@dataclass
class BenchOptions:
    corpus_dir: Path
    out_dir: Path = REPORTS_DIR
    limit: int | None = None
    load_seconds: float = 60.0
    clients: int = 20
    server_workers: int = 2
    with_training: bool = False
    transformer: str | None = None
    pdf_dir: Path | None = None  # default: real-statutes/ beside the corpus folder
    pdf_only: bool = False
    hostile_only: bool = False
    skip_hostile: bool = False
    spark_replicas: int = 10
    skip_spark: bool = False
    spark_only: bool = False
    command: str = ""


def command_line(options: BenchOptions) -> str:
    """The full ``provrisk bench`` command that reproduces this run, every option spelled out."""
    parts = ["provrisk", "bench", "--out-dir", str(options.out_dir), "--corpus-dir", str(options.corpus_dir)]
    if options.pdf_dir:
        parts += ["--pdf-dir", str(options.pdf_dir)]
    if options.pdf_only:
        return shlex.join(parts + ["--pdf-only"])
    if options.hostile_only:
        return shlex.join(parts + ["--hostile-only", "--load-seconds", f"{options.load_seconds:g}"])
    spark = ["--skip-spark"] if options.skip_spark else ["--spark-replicas", str(options.spark_replicas)]
    if options.spark_only:
        return shlex.join(parts + ["--spark-only", *spark])
    if options.limit:
        parts += ["--limit", str(options.limit)]
    parts += ["--skip-hostile"] if options.skip_hostile else []
    parts += ["--load-seconds", f"{options.load_seconds:g}", "--clients", str(options.clients),
              "--server-workers", str(options.server_workers),
              "--with-training" if options.with_training else "--skip-training"]
    if options.transformer:
        parts += ["--transformer", options.transformer]
    return shlex.join(parts + spark)


def find_transformer(requested: str | None) -> tuple[str | None, str]:
    """The transformer model directory to measure, or None and why not."""
    from provrisk.models.artifacts import METADATA, MODELS_DIR, resolve_model_dir

    if requested:
        directory = resolve_model_dir(requested)
        metadata = json.loads((directory / METADATA).read_text(encoding="utf-8"))
        if metadata.get("model_type") != "transformer":
            raise ProvriskError(f"{requested}: model_type is {metadata.get('model_type')!r}, not a transformer")
        return str(directory), ""
    for metadata_path in sorted(MODELS_DIR.glob(f"*/{METADATA}")):
        if json.loads(metadata_path.read_text(encoding="utf-8")).get("model_type") == "transformer":
            return str(metadata_path.parent), ""
    return None, "no transformer model directory under models/ (export one with `provrisk export` and pass --transformer)"


def _closest_instrument(counts: dict[str, int], target: int) -> str:
    return min(counts, key=lambda iid: (abs(counts[iid] - target), iid))


def run_bench(options: BenchOptions) -> dict:
    """Every measurement of sections 1 to 8 (see :mod:`provrisk.eval.bench`); returns the report dict."""
    from provrisk.corpora.dataset import corpus_hash
    from provrisk.corpora.manifest import load_manifest, text_path
    from provrisk.models.artifacts import DEFAULT_MODEL, METADATA, resolve_model_dir

    generated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    manifest = load_manifest(options.corpus_dir)
    linear = str(resolve_model_dir(DEFAULT_MODEL))
    # the metadata only: loading the model here would make every child start from a larger process
    linear_metadata = json.loads((Path(linear) / METADATA).read_text(encoding="utf-8"))
    transformer, no_transformer = find_transformer(options.transformer)
    models = {"linear": linear, "transformer": transformer}
    why_not = {"transformer": no_transformer}

    with tempfile.TemporaryDirectory(prefix="provrisk-bench-") as tmp:
        runner = StageRunner(workloads.__name__, options.corpus_dir, options.limit, Path(tmp))
        results = {}
        for stage in workloads.CORPUS_STAGES:
            if stage.model is None or models[stage.model] is not None:
                results[stage.name] = runner.stage(stage.name, model=models.get(stage.model))
        floor = results["floor"]
        floor_s, words = floor["seconds"], floor["details"]["words"]
        counts = results["segment"]["details"]["provisions_by_instrument"]
        provisions = sum(counts.values())
        stages = [rated_stage(results[stage.name], stage.title, floor_s, provisions, words) if stage.name in results
                  else not_measured_stage(stage.name, stage.title, why_not[stage.model])
                  for stage in workloads.CORPUS_STAGES]

        # the yardstick for one statute, cold and under load: about 50 provisions
        load_id = _closest_instrument(counts, LOAD_STATUTE_PROVISIONS)
        statute = runner.stage(workloads.STATUTE_STAGE.name, model=linear, path=text_path(options.corpus_dir, load_id))
        load_text = text_path(options.corpus_dir, load_id).read_text(encoding="utf-8")
        api = {}
        for name, model in models.items():
            if model is None:
                api[name] = {"measured": False, "reason": f"not measured: {why_not[name]}"}
                continue
            api[name] = load_test(model, load_text, f"{load_id}.txt", clients=options.clients,
                                  seconds=options.load_seconds, work_dir=runner.work_dir, workers=options.server_workers)
            api[name]["instrument"] = load_id
        training = workloads.training_times(options.with_training, runner.env)
        hostile = None if options.skip_hostile else run_hostile_bench(linear, runner.work_dir,
                                                                       flood_seconds=options.load_seconds)
    pdf_ingestion = run_pdf_bench(options.pdf_dir or default_pdf_dir(options.corpus_dir), options.command, machine_info())

    for result in api.values():
        if result.get("measured", True):
            result["measured"] = True
            for key in ("latency_ms", "ok_latency_ms"):
                if result[key]:
                    result[key.replace("_ms", "_floor_ratio")] = {p: ms / 1000 / floor_s for p, ms in result[key].items()}
            result["explanation"] = api_explanation(result)

    report = {
        "schema": SCHEMA,
        "generated_at": generated_at,
        "command": options.command,
        "machine": machine_info(),
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "corpus": {
            "dir": str(options.corpus_dir),
            "hash": corpus_hash(options.corpus_dir, manifest),
            "model_corpus_hash": linear_metadata.get("corpus_hash"),
            "instruments": len(counts),
            "instruments_in_manifest": len(manifest),
            "limit": options.limit,
            "provisions": provisions,
            "words": words,
            "tokens": floor["details"]["tokens"],
            "bytes": floor["details"]["bytes"],
        },
        "models": models,
        "floor": stages[0],
        "stages": stages,
        "linear_scoring": scoring_verdict(stages, statute["details"]["profile_top"]),
        "single_statute": single_statute(load_id, counts[load_id], floor["details"]["words_by_instrument"][load_id],
                                         statute, floor_s),
        "api_load": api,
        "training": training,
        "pdf_ingestion": pdf_ingestion,
    }
    if hostile is not None:
        report["hostile_load"] = hostile
    if not options.skip_spark:
        report["spark"] = measure_spark(options)
    report["targets"] = targets(report)
    return report


def measure_spark(options: BenchOptions) -> dict:
    """Section 9: ``provrisk batch`` with Spark in local mode against the local engine, or why it was not measured."""
    import importlib.util

    from provrisk.eval.bench.spark import spark_scaling

    if importlib.util.find_spec("pyspark") is None:
        return {"measured": False, "reason": "not measured: pyspark is not installed (pip install -e '.[spark]')"}
    with tempfile.TemporaryDirectory(prefix="provrisk-bench-spark-") as tmp:
        section = spark_scaling(options.corpus_dir, Path(tmp), replicas=options.spark_replicas)
    return {"measured": True, **section, "load_average_after": list(os.getloadavg())}


def _existing_report(options: BenchOptions) -> dict:
    existing = Path(options.out_dir) / "bench.json"
    return json.loads(existing.read_text(encoding="utf-8")) if existing.exists() else {"schema": SCHEMA}


def merge_pdf_section(options: BenchOptions) -> dict:
    """The report in ``options.out_dir`` (or a new one) with its PDF ingestion section measured again."""
    report = _existing_report(options)
    report["pdf_ingestion"] = run_pdf_bench(options.pdf_dir or default_pdf_dir(options.corpus_dir), options.command,
                                            machine_info())
    return report


def merge_spark_section(options: BenchOptions) -> dict:
    """The report in ``options.out_dir`` (or a new one) with its Spark section measured again, and its targets."""
    report = _existing_report(options)
    report["spark"] = measure_spark(options)
    report["spark"].update({"command": options.command, "machine": machine_info(),
                            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    if "linear_scoring" in report:
        report["targets"] = targets(report)
    return report


def merge_hostile_section(options: BenchOptions) -> dict:
    """The report in ``options.out_dir`` (or a new one) with its hostile-load section measured again."""
    from provrisk.models.artifacts import DEFAULT_MODEL, resolve_model_dir

    report = _existing_report(options)
    with tempfile.TemporaryDirectory(prefix="provrisk-bench-") as tmp:
        report["hostile_load"] = run_hostile_bench(str(resolve_model_dir(DEFAULT_MODEL)), Path(tmp),
                                                   flood_seconds=options.load_seconds)
    report["hostile_load"].update({"command": options.command, "machine": machine_info(),
                                   "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    return report
