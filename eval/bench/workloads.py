"""What the benchmark measures: the stages of scoring over the corpus, one statute cold and warm, and training.

Input (each stage, in its own process, see :mod:`provrisk.eval.bench.harness`):
the corpus (``--corpus-dir``, the first ``--limit`` instruments), a model
directory (``--model``) and, for the statute, a text (``--path``). Output: each
stage's details (counts, timings of its parts, the slowest labelling
functions, a profile of a warm call) beside the harness's time and memory.

Every stage calls the product's own functions: :func:`provrisk.score.report.score_document`
scores the corpus and the typical statute, exactly as ``provrisk score`` does.

To add a stage: write its ``prepare``/``run`` (and ``after``) functions, add a
:class:`Stage` to :data:`CORPUS_STAGES` (section 2 of the report, in run
order, rated against the floor) or to :data:`STAGES` alone, and have
:func:`provrisk.eval.bench.run.run_bench` run it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from provrisk.eval.bench.harness import STDERR_TAIL_CHARS, Stage, dump_work, load_work, stage_child_main

WARM_RUNS = 5
SLOWEST_LFS = 5
PROFILE_TOP = 10


def _instruments(args: argparse.Namespace) -> list:
    from provrisk.corpora.manifest import load_manifest

    instruments = load_manifest(Path(args.corpus_dir))
    return instruments[: args.limit] if args.limit else instruments


def _paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    from provrisk.corpora.manifest import text_path

    return [(i.id, text_path(Path(args.corpus_dir), i.id)) for i in _instruments(args)]


def _flat_records(args: argparse.Namespace) -> list[dict]:
    return [record for _, records in load_work(args, "records.pkl") for record in records]


# -- floor: the least any pipeline that looks at words must do -------------------------------------


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


# -- the components of scoring ---------------------------------------------------------------------


def _prepare_ingest(args):
    from provrisk.ingest import ingest_file

    return {"ingest_file": ingest_file, "paths": _paths(args)}


def _run_ingest(state):
    state["documents"] = [(iid, state["ingest_file"](path)) for iid, path in state["paths"]]
    return {"characters": sum(len(document.text) for _, document in state["documents"])}


def _after_ingest(state, args):
    dump_work(args, "ingested.pkl", [(iid, document.text) for iid, document in state["documents"]])
    return {}


def _prepare_segment(args):
    from provrisk.segment import segment_statute

    return {"segment_statute": segment_statute, "texts": load_work(args, "ingested.pkl")}


def _run_segment(state):
    segment = state["segment_statute"]
    state["provisions"] = [(iid, segment(text, iid)) for iid, text in state["texts"]]
    return {}


def _after_segment(state, args):
    records = [(iid, [p.to_dict() for p in provisions]) for iid, provisions in state["provisions"]]
    dump_work(args, "records.pkl", records)
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
    dump_work(args, "votes.pkl", state["votes"])
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

    return {"model": load_model_dir(args.model), "records": _flat_records(args), "votes": load_work(args, "votes.pkl")}


def _run_predict_linear(state):
    state["model"].predict_proba(state["records"], state["votes"])
    return {"model": state["model"].name}


def _prepare_predict_records(args):
    from provrisk.models.artifacts import load_model_dir
    from provrisk.score.report import BATCH, score_provisions

    return {"model": load_model_dir(args.model), "records": load_work(args, "records.pkl"),
            "score_provisions": score_provisions, "batch": BATCH}


def _run_predict_records(state):
    # per instrument, in the batches score_ingested predicts in
    for _, records in state["records"]:
        state["score_provisions"](state["model"], records)
    return {"model": state["model"].name, "batch": state["batch"]}


def _prepare_predict_transformer(args):
    from provrisk.models.artifacts import load_model_dir

    return {"model": load_model_dir(args.model), "records": _flat_records(args)}


def _run_predict_transformer(state):
    state["model"].predict_proba(state["records"])
    return {"model": state["model"].name}


# -- scoring, end to end ---------------------------------------------------------------------------


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


# The stages of section 2, in the order they run: each may read what an earlier one left in the work folder.
CORPUS_STAGES = (
    Stage("floor", "floor: read + spaCy blank tokenizer", _prepare_floor, _run_floor, _after_floor),
    Stage("ingest", "ingest (ingest_file)", _prepare_ingest, _run_ingest, _after_ingest),
    Stage("segment", "segment (segment_statute)", _prepare_segment, _run_segment, _after_segment),
    Stage("label", "label, rules-only (LF votes + label model)", _prepare_label, _run_label, _after_label),
    Stage("predict_linear", "predict, linear (predict_proba, votes given)", _prepare_predict_linear,
          _run_predict_linear, model="linear"),
    Stage("predict_records_linear", "predict, linear (predict_records end to end)", _prepare_predict_records,
          _run_predict_records, model="linear"),
    Stage("predict_transformer", "predict, transformer (predict_proba)", _prepare_predict_transformer,
          _run_predict_transformer, model="transformer"),
    Stage("scoring_linear", "linear scoring (score_document per instrument)", _prepare_scoring, _run_scoring,
          model="linear"),
)
STATUTE_STAGE = Stage("statute", "one statute, cold then warm", _prepare_one_statute, _run_cold, _after_cold,
                      model="linear")
STAGES = {stage.name: stage for stage in (*CORPUS_STAGES, STATUTE_STAGE)}


# -- training (the parent runs it: ``provrisk train`` is its own process already) ---------------------


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
            import tempfile

            # `train` writes a model directory and never replaces one: a fresh folder each time, thrown away.
            with tempfile.TemporaryDirectory(prefix="provrisk-bench-train-") as folder:
                command = [sys.executable, "-m", "provrisk.cli", "train", "--config", str(config_path), "--no-mlflow",
                           "--out", str(Path(folder) / "model")]
                started = time.perf_counter()
                completed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
                seconds = time.perf_counter() - started
            row.update(measured=True, seconds=seconds,
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


if __name__ == "__main__":
    stage_child_main(STAGES)
