"""Benchmark section: ``provrisk batch --engine spark`` in local mode against the local engine.

Input: the corpus folder, a work folder, the replication factor and the core
counts to try. Output: a section dict (``rows``: engine, cores, statutes,
seconds, statutes/s, speed-up over one core; ``identical``: whether the Spark
run of the corpus wrote the same outputs as the local engine's run) and its
markdown (:func:`spark_markdown`).

Each run is ``provrisk batch`` in a fresh process into an empty folder, timed
from start to exit, so the seconds include starting Python, the JVM and the
executors' model loading: what a user waits for. The replicated corpus is the
corpus's texts copied ``replicas`` times under distinct names (every copy is
scored: nothing is skipped as already done).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from provrisk.corpora.manifest import load_manifest, text_path

SECTION_SCHEMA = "provrisk.bench.spark/1"
OUTPUT_TIMEOUT_S = 3600


def replicate_corpus(corpus_dir: Path, folder: Path, replicas: int) -> Path:
    """``folder`` holding every corpus text ``replicas`` times (``<id>--copy-<k>.txt``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for instrument in load_manifest(corpus_dir):
        for copy in range(replicas):
            shutil.copyfile(text_path(corpus_dir, instrument.id), folder / f"{instrument.id}--copy-{copy}.txt")
    return folder


def _timed_batch(source: Path, out: Path, engine: str, cores: int) -> float:
    command = [sys.executable, "-m", "provrisk.cli", "batch", str(source), "--out", str(out), "--format", "json"]
    command += ["--engine", "spark", "--spark-master", f"local[{cores}]"] if engine == "spark" else ["--workers", str(cores)]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=OUTPUT_TIMEOUT_S)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({finished.returncode}): {finished.stderr[-2000:]}")
    return seconds


def same_outputs(first: Path, second: Path) -> bool:
    """Whether two batch output folders hold the same reports (but their timestamps) and comparative outputs."""

    def reports(out: Path) -> dict:
        documents = {}
        for path in sorted((out / "reports").glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            document.pop("generated_at")
            documents[path.name] = document
        return documents

    return (
        reports(first) == reports(second)
        and all((first / name).read_text() == (second / name).read_text() for name in ("matrix.csv", "failures.jsonl"))
        and pd.read_parquet(first / "provisions.parquet").equals(pd.read_parquet(second / "provisions.parquet"))
    )


def spark_scaling(corpus_dir: Path, work_dir: Path, *, replicas: int = 10, cores: tuple[int, ...] = (1, 2)) -> dict:
    """Time the local engine and Spark local mode per core count, on the corpus and on it replicated."""
    corpus_dir, work_dir = Path(corpus_dir), Path(work_dir)
    shutil.rmtree(work_dir, ignore_errors=True)
    sources = {1: corpus_dir, replicas: replicate_corpus(corpus_dir, work_dir / "replicated", replicas)}
    statutes = {1: len(load_manifest(corpus_dir)), replicas: len(list(sources[replicas].glob("*.txt")))}
    rows, identical = [], None
    for factor, source in sources.items():
        for engine in ("processes", "spark"):
            one_core = None
            for n in cores:
                out = work_dir / f"{engine}-{n}-x{factor}"
                seconds = _timed_batch(source, out, engine, n)
                one_core = seconds if n == 1 else one_core
                rows.append({"engine": engine, "cores": n, "corpus": f"x{factor}", "statutes": statutes[factor],
                             "seconds": round(seconds, 2), "statutes_per_s": round(statutes[factor] / seconds, 2),
                             "speedup": round(one_core / seconds, 2) if one_core else None})
        if factor == 1:
            top = max(cores)
            identical = same_outputs(work_dir / f"processes-{top}-x1", work_dir / f"spark-{top}-x1")
    shutil.rmtree(work_dir, ignore_errors=True)
    return {"schema": SECTION_SCHEMA, "replicas": replicas, "cores": list(cores), "rows": rows, "identical": identical}


def spark_markdown(section: dict) -> list[str]:
    """The benchmark report's lines for the section."""
    lines = [
        "| engine | cores | corpus | statutes | seconds | statutes/s | speed-up over 1 core |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in section["rows"]:
        speedup = "-" if row["speedup"] is None else f"{row['speedup']:.2f}x"
        lines.append(f"| {row['engine']} | {row['cores']} | {row['corpus']} | {row['statutes']} | {row['seconds']:.1f} | "
                     f"{row['statutes_per_s']:.2f} | {speedup} |")
    verdict = "identical" if section["identical"] else "NOT identical"
    lines += ["", f"Spark local mode and the local engine wrote {verdict} outputs for the corpus (reports but their "
                  "timestamps, provisions.parquet, matrix.csv, failures.jsonl). Seconds are wall-clock from start to exit "
                  "of `provrisk batch` in a fresh process, JVM and model loading included."]
    return lines
