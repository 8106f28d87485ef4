"""The registered pyfunc scores a Spark DataFrame through spark_udf exactly as its own predict does."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys

import pandas as pd
import pytest

TEXTS = [
    "The Minister may direct a service provider to intercept communications in real time and to keep the direction confidential.",
    "A person who intentionally and without authority accesses a computer system commits an offence.",
    "A judge may, on application by a police officer, issue a warrant to search a computer where it is necessary and proportionate.",
    "This Act may be cited as the Example Act.",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark is not installed (pip install '.[spark]')"),
    pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("JAVA_HOME"), reason="Spark needs Java: no java on PATH and no JAVA_HOME"),
]


@pytest.fixture()
def registered_model(tmp_path):
    """The shipped model logged and registered as train/tracking.py logs it, in a throwaway sqlite store."""
    import mlflow

    import provrisk.models.pyfunc as pyfunc_code
    from provrisk.models.artifacts import resolve_model_dir
    from provrisk.train.tracking import PIP_REQUIREMENTS

    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        experiment = mlflow.create_experiment("spark", artifact_location=(tmp_path / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment):
            mlflow.pyfunc.log_model(
                name="model",
                python_model=pyfunc_code.__file__,
                artifacts={"model_dir": str(resolve_model_dir(None))},
                pip_requirements=PIP_REQUIREMENTS,
                registered_model_name="provrisk-spark-test",
            )
        yield "models:/provrisk-spark-test/1"
    finally:
        mlflow.set_tracking_uri(previous)


@pytest.fixture()
def spark(monkeypatch):
    from pyspark.sql import SparkSession

    # Executors must run this interpreter: it is the one with provrisk installed.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("provrisk-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_udf_scores_equal_the_pyfunc_predict(registered_model, spark):
    import mlflow.pyfunc

    from provrisk.batch.spark import score_spark_dataframe
    from provrisk.taxonomy import load_taxonomy

    frame = spark.createDataFrame(pd.DataFrame({"id": [f"p{n}" for n in range(len(TEXTS))], "text": TEXTS}))
    rows = {row["id"]: row for row in score_spark_dataframe(spark, frame, registered_model).collect()}
    expected = mlflow.pyfunc.load_model(registered_model).predict(pd.DataFrame({"text": TEXTS}))
    labels = load_taxonomy().ids
    assert len(rows) == len(TEXTS)
    for n in range(len(TEXTS)):
        scored = rows[f"p{n}"]["provrisk"]
        assert [scored[label] for label in labels] == pytest.approx([float(expected.loc[n, label]) for label in labels], abs=1e-12)
        assert scored["labels"] == expected.loc[n, "labels"]
        assert rows[f"p{n}"]["provrisk_labels"] == [label for label in expected.loc[n, "labels"].split(",") if label]
    assert "surveillance_power" in rows["p0"]["provrisk_labels"], "the interception power is the clearest flag"
