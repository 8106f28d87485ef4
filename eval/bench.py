"""``provrisk bench``: how fast and how large provrisk is on the corpus, each figure against a tokenisation floor.

Input: the corpus (``manifest.jsonl`` and ``texts/``; the first ``limit``
instruments for a quick run), the shipped linear model, a transformer model
directory when one is given or installed under ``models/``, and the training
configs under ``configs/``. Output: a report dict (:func:`run_bench`) written as
``bench.json`` and ``bench.md`` (:func:`write_report`) with

1. the floor: reading every text and splitting it with ``spacy.blank("en")``'s
   tokenizer, the least any pipeline that looks at words must do;
2. per stage over the corpus (ingest, segment, rules-only labelling, linear and
   transformer prediction): seconds, provisions/s, words/s, multiple of the
   floor, and peak resident memory;
3. linear scoring of the corpus (``score_document`` per instrument) against
   the target of 3x the floor, with the components' shares when it misses;
4. one typical statute (median provision count) scored cold (from launching a
   fresh process to the end of its first call) and warm (median of later calls
   in that process), with a profile of a warm call;
5. the HTTP service under closed-loop load (see :mod:`provrisk.eval.bench_load`);
6. training time per config, measured or as last recorded;
7. PDF ingestion on real published statutes (see :mod:`provrisk.eval.bench_pdf`):
   text extractors compared, provrisk's ms per page and peak memory.
   ``--pdf-only`` measures only this and replaces this section of an existing
   report (:func:`merge_pdf_section`);
8. hostile load (see :mod:`provrisk.eval.bench_hostile`): time against size
   for each pathological upload family, and ordinary clients' latency and
   errors while the service is flooded with such uploads. ``--hostile-only``
   measures only this and replaces this section (:func:`merge_hostile_section`);

and the machine, date, corpus hash and command line. "Words" are the
whitespace-separated words of the raw corpus texts and "provisions" the
segmenter's provisions; every stage's rates use those same corpus totals, so
rates are comparable across stages. A "x floor" figure is a time divided by the
floor's seconds for the whole corpus (for latencies too: a unit of machine speed).

Each stage runs in a fresh interpreter (``python -m provrisk.eval.bench --stage
NAME``), so its peak memory is its own. The child reads its peak resident
memory once after imports, model and inputs are loaded (baseline) and again
after the timed work (peak); stages hand their outputs to the next through pickles in a private
temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.metadata
import json
import os
import pickle
import platform
import pstats
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import provrisk
from provrisk.errors import ProvriskError
from provrisk.eval.bench_hostile import run_hostile_bench
from provrisk.eval.bench_hostile import to_markdown as hostile_markdown
from provrisk.eval.bench_pdf import default_pdf_dir, run_pdf_bench
from provrisk.eval.bench_pdf import to_markdown as pdf_markdown

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
SCHEMA = "provrisk.bench/1"

TARGET_SCORING_FLOOR_RATIO = 3.0
TARGET_API_P99_MS = 2000.0
TARGET_API_ERRORS = 0
TARGET_TRANSFORMER_SERVING_MB = 1.5 * 1024

WARM_RUNS = 5
LOAD_STATUTE_PROVISIONS = 50
SLOWEST_LFS = 5
PROFILE_TOP = 10
PROFILE_CAUSES = 2  # functions named in the explanation of a missed target
KIB_PER_MIB = 1024
STDERR_TAIL_CHARS = 2000
PACKAGES = ("provrisk", "spacy", "scikit-learn", "numpy", "scipy", "skops", "fastapi", "uvicorn", "httpx",
            "torch", "transformers", "pypdf", "pypdfium2", "pdfminer.six")
# Never reach a model hub from a benchmark (as in the Makefile and the tests).
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


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
    if options.limit:
        parts += ["--limit", str(options.limit)]
    parts += ["--load-seconds", f"{options.load_seconds:g}", "--clients", str(options.clients),
              "--server-workers", str(options.server_workers),
              "--with-training" if options.with_training else "--skip-training"]
    if options.transformer:
        parts += ["--transformer", options.transformer]
    return shlex.join(parts)


# -- stages (run in a child process) ---------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """``prepare`` loads what the stage needs (untimed, counted in the baseline memory); ``run`` is timed."""

    name: str
    title: str
    prepare: Callable[[argparse.Namespace], dict]
    run: Callable[[dict], dict]
    # after the peak memory is read: write outputs for later stages, or explain the time spent
    after: Callable[[dict, argparse.Namespace], dict] | None = None


def _instruments(args: argparse.Namespace) -> list:
    from provrisk.corpora.manifest import load_manifest

    instruments = load_manifest(Path(args.corpus_dir))
    return instruments[: args.limit] if args.limit else instruments


def _paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    from provrisk.corpora.manifest import text_path

    return [(i.id, text_path(Path(args.corpus_dir), i.id)) for i in _instruments(args)]


def _load(args: argparse.Namespace, name: str):
    with (Path(args.work_dir) / name).open("rb") as handle:
        return pickle.load(handle)


def _dump(args: argparse.Namespace, name: str, value) -> None:
    with (Path(args.work_dir) / name).open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _flat_records(args: argparse.Namespace) -> list[dict]:
    return [record for _, records in _load(args, "records.pkl") for record in records]


def _prepare_floor(args):
    import spacy

    return {"nlp": spacy.blank("en"), "paths": [path for _, path in _paths(args)]}


def _run_floor(state):
    texts = [path.read_text(encoding="utf-8") for path in state["paths"]]
    # the tokenizer alone: nlp() and make_doc() would add a length check and pipeline dispatch
    tokens = sum(len(doc) for doc in state["nlp"].tokenizer.pipe(texts))
    state["texts"] = texts
    return {"tokens": tokens}


def _after_floor(state, args):
    texts = state["texts"]
    return {
        "words": sum(len(text.split()) for text in texts),
        "bytes": sum(len(text.encode("utf-8")) for text in texts),
        "words_by_instrument": {iid: len(text.split()) for (iid, _), text in zip(_paths(args), texts)},
    }


def _prepare_ingest(args):
    from provrisk.ingest import ingest_file

    return {"ingest_file": ingest_file, "paths": _paths(args)}


def _run_ingest(state):
    state["documents"] = [(iid, state["ingest_file"](path)) for iid, path in state["paths"]]
    return {"characters": sum(len(document.text) for _, document in state["documents"])}


def _after_ingest(state, args):
    _dump(args, "ingested.pkl", [(iid, document.text) for iid, document in state["documents"]])
    return {}


def _prepare_segment(args):
    from provrisk.segment import segment_statute

    return {"segment_statute": segment_statute, "texts": _load(args, "ingested.pkl")}


def _run_segment(state):
    segment = state["segment_statute"]
    state["provisions"] = [(iid, segment(text, iid)) for iid, text in state["texts"]]
    return {}


def _after_segment(state, args):
    records = [(iid, [p.to_dict() for p in provisions]) for iid, provisions in state["provisions"]]
    _dump(args, "records.pkl", records)
    return {"provisions_by_instrument": {iid: len(rows) for iid, rows in records}}


def _prepare_label(args):
    from provrisk.label.apply import apply_lfs, provision_inputs, registered_lfs
    from provrisk.label.config import load_labelling_config
    from provrisk.label.weak import make_label_model
    from provrisk.taxonomy import load_taxonomy

    return {
        "records": _flat_records(args),
        "config": load_labelling_config(),
        "labels": load_taxonomy().ids,
        "lfs": registered_lfs(),
        "provision_inputs": provision_inputs,
        "apply_lfs": apply_lfs,
        "make_label_model": make_label_model,
    }


def _run_label(state):
    started = time.perf_counter()
    inputs = state["provision_inputs"](state["records"])
    tokenised = time.perf_counter()
    votes = state["apply_lfs"](inputs, state["lfs"])
    voted = time.perf_counter()
    model = state["make_label_model"](state["config"], votes, state["labels"]).fit(votes.votes)
    model.predict_proba(votes.votes)
    state.update(inputs=inputs, votes=votes)
    return {
        "tokenise_and_match_cues_s": tokenised - started,
        "labelling_functions_s": voted - tokenised,
        "label_model_fit_and_predict_s": time.perf_counter() - voted,
        "label_model": state["config"].label_model.type,
        "n_lfs": len(state["lfs"]),
    }


def _after_label(state, args):
    _dump(args, "votes.pkl", state["votes"])
    # Where the labelling functions' time goes: each LF over every provision, once more.
    per_lf = []
    for lf in state["lfs"]:
        started = time.perf_counter()
        for provision in state["inputs"]:
            lf(provision)
        per_lf.append({"lf": lf.name, "seconds": time.perf_counter() - started})
    per_lf.sort(key=lambda row: -row["seconds"])
    return {"slowest_lfs": per_lf[:SLOWEST_LFS]}


def _prepare_predict_linear(args):
    from provrisk.models.artifacts import load_model_dir

    return {"model": load_model_dir(args.model), "records": _flat_records(args), "votes": _load(args, "votes.pkl")}


def _run_predict_linear(state):
    state["model"].predict_proba(state["records"], state["votes"])
    return {"model": state["model"].name}


def _prepare_predict_records(args):
    from provrisk.models.artifacts import load_model_dir
    from provrisk.models.predict import predict_records
    from provrisk.score.report import BATCH

    return {"model": load_model_dir(args.model), "records": _load(args, "records.pkl"),
            "predict_records": predict_records, "batch": BATCH}


def _run_predict_records(state):
    # batched per instrument exactly as score_ingested calls it
    batch, model, predict = state["batch"], state["model"], state["predict_records"]
    for _, records in state["records"]:
        for start in range(0, len(records), batch):
            predict(model, records[start : start + batch])
    return {"model": model.name, "batch": batch}


def _prepare_predict_transformer(args):
    from provrisk.models.artifacts import load_model_dir

    return {"model": load_model_dir(args.model), "records": _flat_records(args)}


def _run_predict_transformer(state):
    state["model"].predict_proba(state["records"])
    return {"model": state["model"].name}


def _prepare_scoring(args):
    from provrisk.models.artifacts import load_model_dir
    from provrisk.score.report import score_document

    return {"model": load_model_dir(args.model), "paths": _paths(args), "score_document": score_document}


def _run_scoring(state):
    for iid, path in state["paths"]:
        state["score_document"](path, state["model"], instrument_id=iid)
    return {"model": state["model"].name}


def _prepare_one_statute(args):
    started = time.perf_counter()
    from provrisk.models.artifacts import load_model_dir
    from provrisk.score.report import score_document

    imported = time.perf_counter()
    model = load_model_dir(args.model)
    return {"model": model, "score_document": score_document, "path": Path(args.path),
            "import_s": imported - started, "model_load_s": time.perf_counter() - imported}


def _run_cold(state):
    state["score_document"](state["path"], state["model"])
    return {"import_s": state["import_s"], "model_load_s": state["model_load_s"]}


def _after_cold(state, args):
    """Warm calls in the same process, then a profile of one: where a warm call spends its time."""
    score, model, path = state["score_document"], state["model"], state["path"]
    runs = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        score(path, model)
        runs.append(time.perf_counter() - started)
    profiler = cProfile.Profile()
    profiler.runcall(score, path, model)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        rows.append({"function": f"{_short_path(filename)}:{line}({function})", "calls": calls,
                     "own_s": own, "cumulative_s": cumulative, "own_share": own / total if total else 0.0})
    rows.sort(key=lambda row: -row["own_s"])
    return {"warm_runs_s": runs, "warm_median_s": statistics.median(runs), "profile_total_s": total,
            "profile_top": rows[:PROFILE_TOP]}


def _short_path(filename: str) -> str:
    """site-packages/spacy/x.py -> spacy/x.py; the project's files relative to its root."""
    from provrisk.settings import PROJECT_ROOT

    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    if filename.startswith(str(PROJECT_ROOT)):
        return Path(filename).relative_to(PROJECT_ROOT).as_posix()
    return filename


STAGES = {
    stage.name: stage
    for stage in (
        Stage("floor", "floor: read + spaCy blank tokenizer", _prepare_floor, _run_floor, _after_floor),
        Stage("ingest", "ingest (ingest_file)", _prepare_ingest, _run_ingest, _after_ingest),
        Stage("segment", "segment (segment_statute)", _prepare_segment, _run_segment, _after_segment),
        Stage("label", "label, rules-only (LF votes + label model)", _prepare_label, _run_label, _after_label),
        Stage("predict_linear", "predict, linear (predict_proba, votes given)", _prepare_predict_linear,
              _run_predict_linear),
        Stage("predict_records_linear", "predict, linear (predict_records end to end)", _prepare_predict_records,
              _run_predict_records),
        Stage("predict_transformer", "predict, transformer (predict_proba)", _prepare_predict_transformer,
              _run_predict_transformer),
        Stage("scoring_linear", "linear scoring (score_document per instrument)", _prepare_scoring, _run_scoring),
        Stage("statute", "one statute, cold then warm", _prepare_one_statute, _run_cold, _after_cold),
    )
}


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``exec``, so a
    child started by the benchmark would report the benchmark's own size as its floor.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / KIB_PER_MIB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB  # KiB on Linux


def run_stage(args: argparse.Namespace) -> dict:
    """Run one stage in this process and return its timing and memory."""
    stage = STAGES[args.stage]
    state = stage.prepare(args)
    baseline = _peak_rss_mb()
    started = time.perf_counter()
    details = stage.run(state)
    seconds = time.perf_counter() - started
    # CLOCK_MONOTONIC is system-wide, so the parent's launch time is comparable: interpreter
    # start-up, imports and loading count, as a user running one command waits for them.
    since_launch = time.monotonic() - args.launched_at
    peak = _peak_rss_mb()
    if stage.after is not None:
        details.update(stage.after(state, args))
    return {"stage": stage.name, "seconds": seconds, "launch_to_end_s": since_launch, "baseline_rss_mb": baseline,
            "peak_rss_mb": peak, "details": details}


def _child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run one benchmark stage in a fresh process (used by provrisk bench).")
    parser.add_argument("--stage", required=True, choices=sorted(STAGES))
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--corpus-dir")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model")
    parser.add_argument("--path")
    parser.add_argument("--launched-at", type=float, required=True, help="time.monotonic() when the parent started it")
    args = parser.parse_args(argv)
    result = run_stage(args)
    (Path(args.work_dir) / f"{args.stage}.json").write_text(json.dumps(result), encoding="utf-8")


# -- the parent: runs the children, the load test and the training timings --------------------


@dataclass
class _Runner:
    options: BenchOptions
    work_dir: Path
    env: dict[str, str] = field(default_factory=lambda: {**os.environ, **OFFLINE_ENV})

    def stage(self, name: str, *, model: str | None = None, path: Path | None = None) -> dict:
        """Run ``name`` in a fresh interpreter; also returns the wall time of the whole process."""
        launched_at = time.monotonic()
        command = [sys.executable, "-m", "provrisk.eval.bench", "--stage", name, "--work-dir", str(self.work_dir),
                   "--corpus-dir", str(self.options.corpus_dir), "--launched-at", repr(launched_at)]
        if self.options.limit:
            command += ["--limit", str(self.options.limit)]
        if model is not None:
            command += ["--model", model]
        if path is not None:
            command += ["--path", str(path)]
        completed = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - launched_at
        if completed.returncode != 0:
            raise ProvriskError(f"benchmark stage {name} failed (exit {completed.returncode}): "
                                f"{completed.stderr.strip()[-STDERR_TAIL_CHARS:]}")
        result = json.loads((self.work_dir / f"{name}.json").read_text(encoding="utf-8"))
        result["process_wall_s"] = wall
        return result


def _rated(result: dict, title: str, floor_s: float, provisions: int, words: int) -> dict:
    seconds = result["seconds"]
    return {
        "name": result["stage"],
        "title": title,
        "measured": True,
        "seconds": seconds,
        "provisions_per_s": provisions / seconds,
        "words_per_s": words / seconds,
        "floor_ratio": seconds / floor_s,
        "baseline_rss_mb": result["baseline_rss_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
        "stage_rss_mb": result["peak_rss_mb"] - result["baseline_rss_mb"],
        "process_wall_s": result["process_wall_s"],
        "details": result["details"],
    }


def _not_measured(name: str, reason: str) -> dict:
    return {"name": name, "title": STAGES[name].title if name in STAGES else name, "measured": False,
            "reason": f"not measured: {reason}"}


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


def machine_info() -> dict:
    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    # provrisk's own version from the code that ran: an editable install's metadata can lag behind it.
    versions = {"provrisk": provrisk.__version__}
    for package in PACKAGES[1:]:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": memory_kb / KIB_PER_MIB / KIB_PER_MIB,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }


def training_times(with_training: bool, env: dict[str, str]) -> list[dict]:
    """Per training config (a config under configs/ with a model type): seconds, measured now or as last recorded."""
    import yaml
    from provrisk.settings import PROJECT_ROOT

    rows = []
    for config_path in sorted((PROJECT_ROOT / "configs").glob("*.yaml")):
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        model_type = (raw.get("model") or {}).get("type") if isinstance(raw, dict) else None
        if not model_type:
            continue
        relative = config_path.relative_to(PROJECT_ROOT).as_posix()
        row = {"config": relative, "model_type": model_type, "run_name": raw.get("run_name")}
        if with_training:
            command = [sys.executable, "-m", "provrisk.cli", "train", "--config", str(config_path), "--no-mlflow"]
            started = time.perf_counter()
            completed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
            row.update(measured=True, seconds=time.perf_counter() - started,
                       source=f"measured now: provrisk train --config {relative} --no-mlflow (wall time)",
                       exit_code=completed.returncode)
            if completed.returncode != 0:
                row["error"] = completed.stderr.strip()[-STDERR_TAIL_CHARS:]
        else:
            row.update(measured=False, **_recorded_training_time(raw, model_type))
        rows.append(row)
    return rows


def _recorded_training_time(raw: dict, model_type: str) -> dict:
    """The last recorded training time: the model directory's metadata first, MLflow otherwise."""
    from provrisk.models.artifacts import METADATA, MODELS_DIR

    for metadata_path in sorted(MODELS_DIR.glob(f"*/{METADATA}")):
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        if (metadata.get("model_type"), metadata.get("run_name")) == (model_type, raw.get("run_name")) \
                and "train_seconds" in metadata:
            return {"seconds": float(metadata["train_seconds"]), "recorded_at": metadata.get("trained_at"),
                    "source": f"last recorded training time: {metadata_path.relative_to(MODELS_DIR.parent).as_posix()}"
                              " (train_seconds)"}
    return _mlflow_training_time(raw)


def _mlflow_training_time(raw: dict) -> dict:
    from provrisk.train.config import MLflowConfig

    mlflow_config = MLflowConfig(**(raw.get("mlflow") or {}))
    uri = mlflow_config.resolved_uri()
    # Opening a sqlite URI creates the database: never create one just to find it empty.
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).exists():
        return {"seconds": None, "source": "not recorded: no model directory metadata and no MLflow store"}
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(mlflow_config.experiment)
    runs = [] if experiment is None else client.search_runs(
        [experiment.experiment_id], filter_string=f"attributes.run_name = '{raw.get('run_name')}'",
        order_by=["attributes.start_time DESC"])
    for run in runs:
        if "train_seconds" in run.data.metrics:
            started = datetime.fromtimestamp(run.info.start_time / 1000, timezone.utc).isoformat(timespec="seconds")
            return {"seconds": float(run.data.metrics["train_seconds"]), "recorded_at": started,
                    "source": f"last recorded training time: MLflow run {run.info.run_id} "
                              f"(experiment {mlflow_config.experiment}, metric train_seconds)"}
    return {"seconds": None, "source": "not recorded: no model directory metadata and no MLflow run with train_seconds"}


def _median_instrument(counts: dict[str, int]) -> str:
    """The instrument whose provision count is the corpus median (the lower middle one for an even count)."""
    median = statistics.median_low(counts.values())
    return next(iid for iid, count in counts.items() if count == median)


def _closest_instrument(counts: dict[str, int], target: int) -> str:
    return min(counts, key=lambda iid: (abs(counts[iid] - target), iid))


def run_bench(options: BenchOptions) -> dict:
    """Every measurement of the module docstring; returns the report dict."""
    from provrisk.corpora.dataset import corpus_hash
    from provrisk.corpora.manifest import load_manifest, text_path
    from provrisk.eval.bench_load import load_test
    from provrisk.models.artifacts import DEFAULT_MODEL, METADATA, resolve_model_dir

    generated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    manifest = load_manifest(options.corpus_dir)
    linear = str(resolve_model_dir(DEFAULT_MODEL))
    # the metadata only: loading the model here would make every child start from a larger process
    linear_metadata = json.loads((Path(linear) / METADATA).read_text(encoding="utf-8"))
    transformer, no_transformer = find_transformer(options.transformer)

    with tempfile.TemporaryDirectory(prefix="provrisk-bench-") as tmp:
        runner = _Runner(options, Path(tmp))
        floor = runner.stage("floor")
        floor_s, words = floor["seconds"], floor["details"]["words"]
        ingest = runner.stage("ingest")
        segment = runner.stage("segment")
        counts = segment["details"]["provisions_by_instrument"]
        provisions = sum(counts.values())
        label = runner.stage("label")
        predict_linear = runner.stage("predict_linear", model=linear)
        predict_records = runner.stage("predict_records_linear", model=linear)
        transformer_stage = runner.stage("predict_transformer", model=transformer) if transformer else None
        scoring = runner.stage("scoring_linear", model=linear)

        def rated(result: dict) -> dict:
            return _rated(result, STAGES[result["stage"]].title, floor_s, provisions, words)

        stages = [rated(r) for r in (floor, ingest, segment, label, predict_linear, predict_records)]
        stages.append(rated(transformer_stage) if transformer_stage else _not_measured("predict_transformer", no_transformer))
        stages.append(rated(scoring))

        typical = _median_instrument(counts)
        typical_path = text_path(options.corpus_dir, typical)
        statute = runner.stage("statute", model=linear, path=typical_path)

        load_id = _closest_instrument(counts, LOAD_STATUTE_PROVISIONS)
        load_text = text_path(options.corpus_dir, load_id).read_text(encoding="utf-8")
        api = {"linear": load_test(linear, load_text, f"{load_id}.txt", clients=options.clients,
                                   seconds=options.load_seconds, work_dir=runner.work_dir,
                                   workers=options.server_workers)}
        api["linear"]["instrument"] = load_id
        if transformer:
            api["transformer"] = load_test(transformer, load_text, f"{load_id}.txt", clients=options.clients,
                                           seconds=options.load_seconds, work_dir=runner.work_dir,
                                           workers=options.server_workers)
            api["transformer"]["instrument"] = load_id
        else:
            api["transformer"] = {"measured": False, "reason": f"not measured: {no_transformer}"}
        training = training_times(options.with_training, runner.env)
        hostile = run_hostile_bench(linear, runner.work_dir, flood_seconds=options.load_seconds)
    pdf_ingestion = run_pdf_bench(options.pdf_dir or default_pdf_dir(options.corpus_dir), options.command, machine_info())

    for result in api.values():
        if result.get("measured", True):
            result["measured"] = True
            for key in ("latency_ms", "ok_latency_ms"):
                if result[key]:
                    result[key.replace("_ms", "_floor_ratio")] = {p: ms / 1000 / floor_s for p, ms in result[key].items()}
            result["explanation"] = _api_explanation(result)

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
        "models": {"linear": linear, "transformer": transformer},
        "floor": stages[0],
        "stages": stages,
        "linear_scoring": _scoring_verdict(stages, statute["details"]["profile_top"]),
        "single_statute": _single_statute(typical, counts[typical], floor["details"]["words_by_instrument"][typical],
                                          statute, floor_s),
        "api_load": api,
        "training": training,
        "pdf_ingestion": pdf_ingestion,
        "hostile_load": hostile,
    }
    report["targets"] = _targets(report)
    return report


def _scoring_verdict(stages: list[dict], profile_top: list[dict]) -> dict:
    """Linear scoring against the floor target, with each component's share of its time.

    When it misses, the explanation names the largest component and, from the
    profile of one warm statute (``profile_top``), the functions that take the time.
    """
    by_name = {stage["name"]: stage for stage in stages}
    scoring, floor = by_name["scoring_linear"], by_name["floor"]
    label = by_name["label"]["details"]
    components = [
        ("ingest", by_name["ingest"]["seconds"]),
        ("segment", by_name["segment"]["seconds"]),
        ("LF votes: tokenise + cue matching (provision_inputs)", label["tokenise_and_match_cues_s"]),
        ("LF votes: labelling functions (apply_lfs)", label["labelling_functions_s"]),
        ("linear predict_proba (TF-IDF + logistic regression)", by_name["predict_linear"]["seconds"]),
    ]
    # predict_records per batch adds evidence extraction and per-batch definitions; report assembly is small
    accounted = sum(seconds for _, seconds in components)
    components.append(("rest: evidence, batching, report assembly (by difference)", scoring["seconds"] - accounted))
    rows = [{"component": name, "seconds": seconds, "share": seconds / scoring["seconds"],
             "floor_ratio": seconds / floor["seconds"]} for name, seconds in components]
    ratio = scoring["floor_ratio"]
    verdict = {
        "seconds": scoring["seconds"],
        "floor_seconds": floor["seconds"],
        "floor_ratio": ratio,
        "target_floor_ratio": TARGET_SCORING_FLOOR_RATIO,
        "pass": ratio < TARGET_SCORING_FLOOR_RATIO,
        "components": rows,
        "dominant": max(rows, key=lambda row: row["seconds"])["component"],
    }
    if not verdict["pass"]:
        dominant = max(rows, key=lambda row: row["seconds"])
        target_s = TARGET_SCORING_FLOOR_RATIO * floor["seconds"]
        verdict["gap_seconds"] = scoring["seconds"] - target_s
        verdict["explanation"] = (
            f"linear scoring takes {ratio:.1f}x the floor (target < {TARGET_SCORING_FLOOR_RATIO:g}x, "
            f"{verdict['gap_seconds']:.1f} s over); the largest component is {dominant['component']} with "
            f"{dominant['seconds']:.1f} s ({dominant['share']:.0%} of the time, {dominant['floor_ratio']:.1f}x the floor "
            "on its own)"
        )
        if "apply_lfs" in dominant["component"]:
            slowest = ", ".join(f"{row['lf']} {row['seconds']:.1f} s" for row in label["slowest_lfs"])
            verdict["explanation"] += f"; slowest labelling functions: {slowest}"
        hot = ", ".join(f"`{row['function']}` {row['own_share']:.0%}" for row in profile_top[:PROFILE_CAUSES])
        verdict["explanation"] += f"; in a profiled warm statute the own time goes to {hot}"
    return verdict


def _single_statute(instrument: str, provisions: int, words: int, result: dict, floor_s: float) -> dict:
    """Cold: from launching a fresh process to the end of its first call; warm: later calls in that process."""
    details = result["details"]
    cold_s = result["launch_to_end_s"]
    return {
        "instrument": instrument,
        "provisions": provisions,
        "words": words,
        "cold_s": cold_s,
        "cold_floor_ratio": cold_s / floor_s,
        "cold_breakdown_s": {
            "interpreter_start": cold_s - result["seconds"] - details["import_s"] - details["model_load_s"],
            "imports": details["import_s"],
            "model_load": details["model_load_s"],
            "scoring": result["seconds"],
        },
        "cold_peak_rss_mb": result["peak_rss_mb"],
        "warm_median_s": details["warm_median_s"],
        "warm_floor_ratio": details["warm_median_s"] / floor_s,
        "warm_runs_s": details["warm_runs_s"],
        "warm_profile_total_s": details["profile_total_s"],
        "warm_profile_top": details["profile_top"],
    }


def _targets(report: dict) -> list[dict]:
    scoring = report["linear_scoring"]
    rows = [{"target": f"linear scoring of the corpus < {TARGET_SCORING_FLOOR_RATIO:g}x floor",
             "value": f"{scoring['floor_ratio']:.2f}x", "pass": scoring["pass"]}]
    linear = report["api_load"]["linear"]
    p99 = linear["latency_ms"]["p99"] if linear["latency_ms"] else None
    rows.append({"target": f"API p99 < {TARGET_API_P99_MS:g} ms ({linear['clients']} clients x "
                           f"{linear['load_seconds']:g} s)",
                 "value": "no requests" if p99 is None else f"{p99:.0f} ms",
                 "pass": p99 is not None and p99 < TARGET_API_P99_MS})
    rows.append({"target": f"API errors = {TARGET_API_ERRORS}",
                 "value": f"{linear['errors']} of {linear['requests']} ({_statuses(linear)})",
                 "pass": linear["errors"] == TARGET_API_ERRORS and linear["requests"] > 0})
    transformer = report["api_load"]["transformer"]
    target = f"transformer serving peak RSS < {TARGET_TRANSFORMER_SERVING_MB / KIB_PER_MIB:g} GB"
    if transformer["measured"]:
        rows.append({"target": target, "value": f"{transformer['server_peak_rss_mb']:.0f} MB",
                     "pass": transformer["server_peak_rss_mb"] < TARGET_TRANSFORMER_SERVING_MB})
    else:
        rows.append({"target": target, "value": transformer["reason"], "pass": None})
    return rows


def _api_explanation(load: dict) -> list[str]:
    """Why latency or errors miss their targets, from the load test's own figures."""
    reasons = []
    latency, settings = load["latency_ms"], load["server_settings"]
    if latency and latency["p99"] >= TARGET_API_P99_MS and load["ok_throughput_rps"] > 0:
        service_ms = 1000 / load["ok_throughput_rps"]
        # the server admits at most max_in_flight requests; the others are refused, not queued
        waiting = min(load["clients"], settings["max_in_flight"])
        reasons.append(
            f"the server scores {load['ok_throughput_rps']:.2f} requests/s, one every {service_ms:.0f} ms of machine "
            f"time; with {waiting} requests admitted at once each waits behind the others, so a scored request takes "
            f"about {waiting} x {service_ms:.0f} = {waiting * service_ms:.0f} ms (Little's law) whatever the thread "
            "count: the time is CPU spent scoring"
        )
    for status, count in load["statuses"].items():
        if status == "503":
            reasons.append(f"{count} answers 503: the server refuses more than max_in_flight = "
                           f"{settings['max_in_flight']} requests at once (PROVRISK_MAX_IN_FLIGHT), and "
                           f"{load['clients']} clients can have {load['clients']} outstanding")
        elif status == "504":
            reasons.append(f"{count} answers 504: scoring took longer than the {settings['request_timeout_s']:g} s "
                           "request timeout")
        elif status != "200":
            reasons.append(f"{count} answers {status}: see the server log")
    return reasons


def _scoring_workers(settings: dict) -> str:
    # reports measured before scoring moved to processes name threads
    if "scoring_processes" in settings:
        return f"{settings['scoring_processes']} scoring processes"
    return f"{settings['scoring_threads']} scoring threads"


def _statuses(load: dict) -> str:
    return ", ".join(f"{status}: {count}" for status, count in load["statuses"].items()) or "none"


# -- output -----------------------------------------------------------------------------------


def _verdict(passed: bool | None) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def merge_pdf_section(options: BenchOptions) -> dict:
    """The report in ``options.out_dir`` (or a new one) with its PDF ingestion section measured again."""
    existing = Path(options.out_dir) / "bench.json"
    report = json.loads(existing.read_text(encoding="utf-8")) if existing.exists() else {"schema": SCHEMA}
    report["pdf_ingestion"] = run_pdf_bench(options.pdf_dir or default_pdf_dir(options.corpus_dir), options.command,
                                            machine_info())
    return report


def merge_hostile_section(options: BenchOptions) -> dict:
    """The report in ``options.out_dir`` (or a new one) with its hostile-load section measured again."""
    from provrisk.models.artifacts import DEFAULT_MODEL, resolve_model_dir

    existing = Path(options.out_dir) / "bench.json"
    report = json.loads(existing.read_text(encoding="utf-8")) if existing.exists() else {"schema": SCHEMA}
    with tempfile.TemporaryDirectory(prefix="provrisk-bench-") as tmp:
        report["hostile_load"] = run_hostile_bench(str(resolve_model_dir(DEFAULT_MODEL)), Path(tmp),
                                                   flood_seconds=options.load_seconds)
    report["hostile_load"].update({"command": options.command, "machine": machine_info(),
                                   "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    return report


def _partial_markdown(report: dict) -> str:
    """A report of which only the PDF or hostile-load section has been measured (no earlier full run)."""
    lines = ["# provrisk benchmark", ""]
    if "pdf_ingestion" in report:
        lines += pdf_markdown(report["pdf_ingestion"])
    if "hostile_load" in report:
        lines += _hostile_lines(report["hostile_load"])
    return "\n".join(lines)


def _hostile_lines(section: dict) -> list[str]:
    lines = hostile_markdown(section)
    if "command" in section:  # measured on its own, after the rest of the report
        machine = section["machine"]
        lines += [f"Measured {section['generated_at']} by `{section['command']}` on {machine['cpu_count']} CPUs "
                  f"({machine['cpu_model'] or 'unknown CPU'}), {machine['memory_gb']:.1f} GB RAM.", ""]
    return lines


def to_markdown(report: dict) -> str:
    if "stages" not in report:  # only the PDF or hostile-load section has been measured, no earlier report
        return _partial_markdown(report)
    machine, corpus = report["machine"], report["corpus"]
    load = report["load_average"]
    lines = [
        "# provrisk benchmark",
        "",
        f"Generated {report['generated_at']} by `{report['command']}`.",
        "",
        f"Machine: {machine['cpu_count']} CPUs ({machine['cpus_usable']} usable), {machine['cpu_model'] or 'unknown CPU'}, "
        f"{machine['memory_gb']:.1f} GB RAM; {machine['platform']}; Python {machine['python']}; "
        + ", ".join(f"{name} {version}" for name, version in machine["packages"].items() if version) + ".",
        "",
        (f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load['before'])}; "
         f"after: {', '.join(f'{x:.2f}' for x in load['after'])}. Other processes may share the CPU: "
         "compare figures from one run, and prefer the x floor ratios across runs."),
        "",
        f"Corpus: {corpus['dir']}, {corpus['instruments']} of {corpus['instruments_in_manifest']} instruments"
        + (f" (--limit {corpus['limit']})" if corpus["limit"] else "")
        + f", {corpus['provisions']:,} provisions, {corpus['words']:,} words ({corpus['tokens']:,} spaCy tokens, "
        f"{corpus['bytes']:,} bytes); corpus hash `{corpus['hash'][:16]}` "
        f"({'the' if corpus['hash'] == corpus['model_corpus_hash'] else 'not the'} corpus the linear model was trained on).",
        "",
        ("Rates use the corpus totals (words: whitespace-separated words of the raw texts). "
         "\"x floor\" = seconds / floor seconds. RSS is peak resident memory of a fresh process per stage "
         "(baseline: after imports, model and inputs are loaded)."),
        "",
        "## Targets",
        "",
    ]
    lines += _table(["target", "value", "result"], [[t["target"], t["value"], _verdict(t["pass"])] for t in report["targets"]])

    floor = report["floor"]
    lines += ["## 1. Floor: read and tokenise every text", ""]
    lines += _table(["seconds", "words/s", "provisions/s", "tokens", "peak RSS MB"],
                    [[f"{floor['seconds']:.2f}", f"{floor['words_per_s']:,.0f}", f"{floor['provisions_per_s']:,.0f}",
                      f"{corpus['tokens']:,}", f"{floor['peak_rss_mb']:.0f}"]])

    lines += ["## 2. Stages over the corpus", ""]
    rows = []
    for stage in report["stages"]:
        if stage["measured"]:
            rows.append([stage["title"], f"{stage['seconds']:.2f}", f"{stage['provisions_per_s']:,.0f}",
                         f"{stage['words_per_s']:,.0f}", f"{stage['floor_ratio']:.2f}",
                         f"{stage['baseline_rss_mb']:.0f}", f"{stage['peak_rss_mb']:.0f}", f"{stage['stage_rss_mb']:+.0f}"])
        else:
            rows.append([stage["title"], stage["reason"], "", "", "", "", "", ""])
    lines += _table(["stage", "seconds", "provisions/s", "words/s", "x floor", "baseline RSS MB", "peak RSS MB",
                     "stage's own MB"], rows)
    label = next(s for s in report["stages"] if s["name"] == "label")["details"]
    lines += [f"Label stage split: tokenise + cue matching {label['tokenise_and_match_cues_s']:.2f} s, "
              f"{label['n_lfs']} labelling functions {label['labelling_functions_s']:.2f} s, "
              f"label model ({label['label_model']}) fit + predict {label['label_model_fit_and_predict_s']:.2f} s. "
              "Slowest LFs: " + ", ".join(f"{row['lf']} {row['seconds']:.2f} s" for row in label["slowest_lfs"]) + ".",
              ""]

    scoring = report["linear_scoring"]
    lines += ["## 3. Linear scoring of the corpus vs the floor", ""]
    lines += _table(["seconds", "floor seconds", "x floor", "target", "result"],
                    [[f"{scoring['seconds']:.2f}", f"{scoring['floor_seconds']:.2f}", f"{scoring['floor_ratio']:.2f}",
                      f"< {scoring['target_floor_ratio']:g}", _verdict(scoring["pass"])]])
    lines += _table(["component", "seconds", "share", "x floor"],
                    [[row["component"], f"{row['seconds']:.2f}", f"{row['share']:.0%}", f"{row['floor_ratio']:.2f}"]
                     for row in scoring["components"]])
    lines += ["Components are timed in their own stages over the whole corpus; the rest is the difference, "
              "slightly negative when run-to-run noise exceeds it.", ""]
    if not scoring["pass"]:
        lines += [f"Why: {scoring['explanation']}.", ""]

    single = report["single_statute"]
    lines += [(f"## 4. One typical statute: {single['instrument']} ({single['provisions']} provisions, "
               f"{single['words']:,} words; the corpus median)"), ""]
    breakdown = single["cold_breakdown_s"]
    lines += _table(["run", "seconds", "x floor", "notes"], [
        ["cold (fresh process)", f"{single['cold_s']:.2f}", f"{single['cold_floor_ratio']:.2f}",
         (f"interpreter start {breakdown['interpreter_start']:.2f} s, imports {breakdown['imports']:.2f} s, "
          f"model load {breakdown['model_load']:.2f} s, scoring {breakdown['scoring']:.2f} s; peak RSS "
          f"{single['cold_peak_rss_mb']:.0f} MB")],
        [f"warm (same process, median of {len(single['warm_runs_s'])})", f"{single['warm_median_s']:.3f}",
         f"{single['warm_floor_ratio']:.2f}", "runs: " + ", ".join(f"{s:.3f}" for s in single["warm_runs_s"])],
    ])
    lines += [f"Where a warm call spends its time (cProfile, {single['warm_profile_total_s']:.2f} s profiled):", ""]
    lines += _table(["function", "calls", "own s", "share"],
                    [[f"`{row['function']}`", row["calls"], f"{row['own_s']:.3f}", f"{row['own_share']:.0%}"]
                     for row in single["warm_profile_top"]])

    lines += ["## 5. API under load", ""]
    rows = []
    for name, result in report["api_load"].items():
        if not result["measured"]:
            rows.append([name, result["reason"]] + [""] * 10)
            continue
        latency = result["latency_ms"] or {}
        ratio = result.get("latency_floor_ratio") or {}
        rows.append([
            name, f"{result['instrument']} ({result['provisions_per_request']} provisions)",
            f"{result['clients']} x {result['load_seconds']:g} s ({result['duration_s']:.0f} s to the last answer)",
            result["requests"],
            f"{result['errors']} ({_statuses(result)})",
            f"{result['throughput_rps']:.2f} ({result['ok_throughput_rps']:.2f})",
            " / ".join(f"{latency[p]:.0f}" for p in latency) or "-",
            " / ".join(f"{ms:.0f}" for ms in (result["ok_latency_ms"] or {}).values()) or "-",
            " / ".join(f"{ratio[p]:.2f}" for p in ratio) or "-",
            f"{result['server_startup_s']:.1f}", f"{result['server_rss_after_startup_mb']:.0f}",
            f"{result['server_peak_rss_mb']:.0f}",
        ])
    lines += _table(["model", "statute", "clients x time", "requests", "errors (by status)", "req/s (200 only)",
                     "p50 / p95 / p99 ms", "200 only: p50 / p95 / p99 ms", "p50 / p95 / p99 x floor", "startup s", "RSS after startup MB",
                     "peak RSS MB"], rows)
    for name, result in report["api_load"].items():
        lines += [f"Cause ({name}): {reason}." for reason in result.get("explanation", [])]
    lines += [""] if any(result.get("explanation") for result in report["api_load"].values()) else []
    settings = report["api_load"]["linear"]["server_settings"]
    lines += [(f"Server settings: {_scoring_workers(settings)}, at most {settings['max_in_flight']} "
               f"requests in flight (more answer 503), {settings['request_timeout_s']:g} s timeout (504). "
               "Clients run in the benchmark process on the same machine."), ""]

    lines += ["## 6. Training time", ""]
    lines += _table(["config", "model", "seconds", "source"], [
        [row["config"], row["model_type"], "-" if row["seconds"] is None else f"{row['seconds']:.1f}", row["source"]]
        for row in report["training"]])
    if "pdf_ingestion" in report:
        lines += pdf_markdown(report["pdf_ingestion"])
    if "hostile_load" in report:
        lines += _hostile_lines(report["hostile_load"])
    return "\n".join(lines)


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "bench.json", out_dir / "bench.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(report), encoding="utf-8")
    return json_path, md_path


if __name__ == "__main__":
    _child_main()
