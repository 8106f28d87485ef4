"""Scale-out scoring: a registered provrisk model applied to a Spark DataFrame of provisions.

Input: a SparkSession, a DataFrame with a column of provision texts, and an
MLflow model URI of the provrisk pyfunc (``models:/provrisk-linear/latest``
once ``provrisk train`` has registered it). Output: the same DataFrame with
``provrisk`` (a struct: one probability per label and ``labels``, the
predicted label ids comma-separated, exactly what the pyfunc's ``predict``
returns) and ``provrisk_labels`` (those ids as an array).

The model reads ``heading`` and ``context`` (the lead-in words above a
provision) too when the DataFrame has such columns, as ``provrisk score``
does; without them a provision is scored on its text alone and can score a
little differently from its statute report.
"""

from __future__ import annotations

from provrisk.taxonomy import load_taxonomy

CONTEXT_COLUMNS = ("heading", "context")


def result_type(label_ids: list[str] | None = None) -> str:
    """The Spark type of the pyfunc's output, as a DDL string (the pyfunc returns these columns by name)."""
    label_ids = label_ids or load_taxonomy().ids
    return ", ".join([*(f"`{label}` double" for label in label_ids), "labels string"])


def score_spark_dataframe(spark, df, model_uri: str, text_col: str = "text", *, env_manager: str = "local"):
    """Add ``provrisk`` (struct of scores and labels) and ``provrisk_labels`` (array) to ``df``.

    ``env_manager="local"`` runs the model in the executors' Python, which must
    have provrisk installed; "virtualenv" or "uv" rebuild the model's pinned
    environment instead (needs network access on the executors).
    """
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    predict = mlflow.pyfunc.spark_udf(spark, model_uri, result_type=result_type(), env_manager=env_manager)
    inputs = [F.col(text_col).cast("string").alias("text")]
    inputs += [F.col(name).cast("string").alias(name) for name in CONTEXT_COLUMNS if name in df.columns and name != text_col]
    scored = df.withColumn("provrisk", predict(F.struct(*inputs)))
    # "" means no label predicted: split would give [""], not an empty array.
    return scored.withColumn(
        "provrisk_labels",
        F.when(F.col("provrisk.labels") == "", F.array().cast("array<string>")).otherwise(F.split(F.col("provrisk.labels"), ",")),
    )
