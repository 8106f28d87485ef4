"""One scoring function: the corpus scored through every path gives the same labels and scores.

Paths: ``provrisk score`` (CLI), ``POST /v1/score`` (API), ``provrisk batch``
with worker processes and with Spark (local mode), and the MLflow pyfunc, fed
whole statutes and fed the provisions of each statute with their context.
Reference: the reports the CLI writes. Needs the shared corpus; the Spark path
also needs pyspark and Java.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.cli import app

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def _scored(document: dict) -> list[tuple]:
    """What must not depend on the path: each provision's id, citation, labels and scores."""
    return [(p["id"], p["citation"], p["labels"], p["scores"]) for p in document["provisions"]]


@pytest.fixture(scope="module")
def statutes(corpus_dir):
    items = collect_inputs(corpus_dir)
    assert len(items) == 40
    return items


@pytest.fixture(scope="module")
def cli_reports(statutes, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("cli")
    reports = {}
    for item in statutes:
        target = out / f"{item.instrument_id}.json"
        result = CliRunner().invoke(app, ["score", str(item.path), "--format", "json", "--output", str(target)])
        assert result.exit_code == 0, result.output
        reports[item.instrument_id] = json.loads(target.read_text(encoding="utf-8"))
    return reports


def _batch_reports(out: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted((out / "reports").glob("*.json"))}


def test_api_scores_as_the_cli(statutes, cli_reports):
    from fastapi.testclient import TestClient

    from provrisk.serve.app import ServeSettings, create_app

    with TestClient(create_app(ServeSettings())) as client:
        for item in statutes:
            response = client.post("/v1/score", files={"file": (item.path.name, item.path.read_bytes())})
            assert response.status_code == 200, response.text
            assert _scored(response.json()) == _scored(cli_reports[item.instrument_id]), item.instrument_id


def test_batch_with_processes_and_with_spark_score_as_the_cli(statutes, cli_reports, spark, tmp_path):
    run_batch(statutes, tmp_path / "processes", formats=("json",), workers=2)
    run_batch(statutes, tmp_path / "spark", formats=("json",), engine="spark", spark_master="local[2]")
    for engine in ("processes", "spark"):
        reports = _batch_reports(tmp_path / engine)
        assert reports.keys() == cli_reports.keys()
        for instrument_id, report in reports.items():
            assert _scored(report) == _scored(cli_reports[instrument_id]), (engine, instrument_id)
    # The Spark engine writes every output the local engine writes, with the same content.
    for name in ("matrix.csv", "failures.jsonl", "provisions.csv"):
        assert (tmp_path / "spark" / name).read_text() == (tmp_path / "processes" / name).read_text(), name
    assert pd.read_parquet(tmp_path / "spark" / "provisions.parquet").equals(pd.read_parquet(tmp_path / "processes" / "provisions.parquet"))


@pytest.fixture(scope="module")
def pyfunc(tmp_path_factory):
    """The shipped model saved as train/tracking.py logs it (models-from-code), loaded through MLflow."""
    import mlflow.pyfunc

    import provrisk.models.pyfunc as pyfunc_code
    from provrisk.models.artifacts import resolve_model_dir
    from provrisk.train.tracking import PIP_REQUIREMENTS

    path = tmp_path_factory.mktemp("pyfunc") / "model"
    mlflow.pyfunc.save_model(path, python_model=pyfunc_code.__file__, artifacts={"model_dir": str(resolve_model_dir(None))},
                             pip_requirements=PIP_REQUIREMENTS)
    return mlflow.pyfunc.load_model(str(path))


def test_pyfunc_scores_whole_statutes_as_the_cli(statutes, cli_reports, pyfunc):
    frame = pd.DataFrame({"statute": [item.path.read_bytes() for item in statutes],
                          "name": [item.path.name for item in statutes]})
    out = pyfunc.predict(frame)
    labels = [column for column in out.columns if column not in ("instrument_id", "provision_id", "citation", "labels")]
    for instrument_id, rows in out.groupby("instrument_id", sort=False):
        # A statute not assessed (another language) has no probabilities: NaN here, none in its report.
        got = [(row.provision_id, row.citation, row.labels.split(",") if row.labels else [],
                {label: getattr(row, label) for label in labels if not pd.isna(getattr(row, label))})
               for row in rows.itertuples()]
        assert got == _scored(cli_reports[instrument_id]), instrument_id


def test_pyfunc_scores_provisions_given_with_their_statute_as_the_cli(cli_reports, pyfunc):
    # Provisions given one by one are scored as given; a statute the CLI did not assess (its language) is left out.
    assessed = {instrument_id: report for instrument_id, report in cli_reports.items() if report["assessment"]["assessed"]}
    assert len(assessed) == len(cli_reports) - 1
    rows = [
        {"id": p["id"], "text": p["text"], "heading": p["heading"], "context": p["context"], "kind": p["kind"],
         "citation": p["citation"], "instrument_id": instrument_id}
        for instrument_id, report in assessed.items()
        for p in report["provisions"]
    ]
    out = pyfunc.predict(pd.DataFrame(rows))
    expected = [p for report in assessed.values() for p in report["provisions"]]
    labels = [column for column in out.columns if column != "labels"]
    assert len(out) == len(expected)
    for row, provision in zip(out.to_dict(orient="records"), expected):
        assert (row["labels"].split(",") if row["labels"] else []) == provision["labels"], provision["id"]
        assert {label: row[label] for label in labels} == provision["scores"], provision["id"]
