"""The Spark engine of ``provrisk batch``: every statute scored on the executors, the outputs those of the local engine.

Input: the statutes ``provrisk batch`` has planned to score (:class:`~provrisk.batch.run.BatchItem`;
statutes already done were skipped by the driver), the output folder and the
model. Output: one :class:`~provrisk.batch.run.Outcome` per statute, in the
order they finish; each scored statute's reports are in ``OUT/reports/``, written by
the executor that scored it.

How: Spark's ``binaryFile`` source reads the files; ``mapInPandas`` runs, per
statute, the very function the local worker processes run
(:func:`provrisk.batch.run.score_item`: ingest, segment, score with statute
context, write the reports atomically with their checksum file last). The
driver then builds the comparative outputs from the reports as for the local
engine, so a resumed or killed job behaves the same: a statute whose
checksummed reports are on disk is not scored again. A statute that cannot
be read (corrupt, too large, not a statute) becomes a failure row, never a
failed job.

The model directory travels to the executors with ``SparkContext.addFile``;
``OUT`` must be a folder every executor and the driver see at the same path
(on a cluster: a shared file system), and the statutes too, since the driver
lists them to plan and resume.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from provrisk.batch.run import BatchItem, Outcome, load_worker_model, score_item
from provrisk.ingest import DEFAULT_MAX_BYTES, too_large
from provrisk.models.artifacts import resolve_model_dir

OUTCOME_SCHEMA = "instrument_id string, status string, error string"
# Several statutes per core, so that one long statute does not leave the other cores idle at the end.
TASKS_PER_CORE = 4
# Hadoop reads these characters in a path as a glob pattern.
_GLOB_CHARACTERS = re.compile(r"([\[\]{}*?\\])")


def spark_session(master: str | None = None):
    """A SparkSession (``master`` as ``spark-submit --master``; default: Spark's configuration, else local)."""
    from pyspark.sql import SparkSession

    # Executors started on this machine must run this interpreter: it is the one with provrisk installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # pyspark 4.3 warns that it "does not yet fully support pandas >= 3"; the engine's tests pass on pandas 3.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    # Spark's console progress bar would interleave with provrisk's own.
    builder = SparkSession.builder.appName("provrisk batch").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def score_with_spark(
    todo: list[BatchItem],
    out: Path,
    *,
    formats: tuple[str, ...],
    model: str | None,
    max_bytes: int | None,
    ocr: str,
    spark_master: str | None = None,
    spark=None,
) -> Iterator[Outcome]:
    """Score ``todo`` on Spark: in ``spark``, else the active session, else one started for the job and stopped after it."""
    from pyspark.sql import SparkSession

    spark = spark or SparkSession.getActiveSession()
    own_session = spark is None
    spark = spark or spark_session(spark_master)
    try:
        yield from _score(spark, todo, Path(out).resolve(), formats, model, max_bytes, ocr)
    finally:
        if own_session:
            spark.stop()


def _score(spark, todo, out, formats, model, max_bytes, ocr) -> Iterator[Outcome]:
    limit = max_bytes or DEFAULT_MAX_BYTES
    model_dir = resolve_model_dir(model)
    spark.sparkContext.addFile(str(model_dir), recursive=True)
    by_path: dict[str, BatchItem] = {}
    for item in todo:
        if not item.path.exists():
            yield Outcome(item, "failed", f"{item.path}: file not found")
        else:
            by_path[os.path.abspath(item.path)] = item
    if not by_path:
        return
    files = spark.read.format("binaryFile").load([_GLOB_CHARACTERS.sub(r"\\\1", path) for path in by_path])
    readable = []
    listed = set()
    # Listing reads no content: a file over the limit is refused before any executor reads it.
    for row in files.select("path", "length").collect():
        item = by_path[_local_path(row["path"])]
        listed.add(item.instrument_id)
        if row["length"] > limit:
            yield Outcome(item, "failed", f"{item.path}: {too_large(row['length'], limit)}")
        else:
            readable.append(row["path"])
    for item in by_path.values():
        if item.instrument_id not in listed:
            # binaryFile leaves out empty files; the driver reads them, so each gets its outcome.
            load_worker_model(model_dir)
            yield score_item(item, out, formats, max_bytes, ocr)
    if not readable:
        return
    partitions = max(1, min(len(readable), spark.sparkContext.defaultParallelism * TASKS_PER_CORE))
    score_partition = _partition_scorer(by_path, out, formats, max_bytes, ocr, model_dir.name)
    results = (
        files.where(files["path"].isin(readable)).select("path", "content").repartition(partitions)
        .mapInPandas(score_partition, OUTCOME_SCHEMA)
    )
    items = {item.instrument_id: item for item in by_path.values()}
    for row in results.collect():
        yield Outcome(items.pop(row["instrument_id"]), row["status"], row["error"] or "")


def _partition_scorer(by_path: dict[str, BatchItem], out: Path, formats, max_bytes, ocr, model_name: str):
    """The function ``mapInPandas`` runs on an executor: score each file of its partition."""

    def score_partition(batches):
        import pandas as pd
        from pyspark import SparkFiles

        # Python workers are reused across tasks, so each loads the model once.
        load_worker_model(SparkFiles.get(model_name))
        for frame in batches:
            rows = []
            for path, content in zip(frame["path"], frame["content"]):
                item = by_path[_local_path(path)]
                outcome = score_item(item, out, formats, max_bytes, ocr, data=bytes(content))
                rows.append({"instrument_id": item.instrument_id, "status": outcome.status, "error": outcome.error})
            yield pd.DataFrame(rows, columns=["instrument_id", "status", "error"])

    return score_partition


def _local_path(uri: str) -> str:
    """``file:/data/act%201.txt`` (as binaryFile names a file) -> ``/data/act 1.txt``."""
    return os.path.abspath(unquote(urlparse(uri).path))
