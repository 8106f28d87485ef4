"""Training from a config on a small corpus: grouped CV, reproducibility, MLflow logging, registry, serving."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import yaml

from provrisk.errors import ConfigError
from provrisk.eval.split import held_out_instruments
from provrisk.label.config import load_labelling_config
from provrisk.label.weak import save_weak_labels, weak_label_corpus
from provrisk.models.artifacts import load_model_dir, save_model_dir
from provrisk.models.predict import predict_records
from provrisk.train.config import load_train_config
from provrisk.train.run import train
from provrisk.train.tracking import log_run, metadata_for
from tests.corpora.test_dataset import _corpus
from tests.label.test_weak import ACT

SECTION_5 = """
5. Warrants
A judge may, on application by a police officer, issue a warrant to search a computer where it is necessary and proportionate.
"""
ACTS = {f"act-{n}": ACT.replace("CYBER ACT", f"ACT {n}") + SECTION_5 for n in range(1, 5)}


@pytest.fixture()
def setup(tmp_path):
    corpus = _corpus(tmp_path, ACTS)
    gold = tmp_path / "gold.jsonl"
    with gold.open("w") as handle:
        for instrument in ACTS:
            for citation, labels in (("s. 3", ["surveillance_power", "secrecy_obligation", "no_prior_judicial_authorisation"]),
                                     ("s. 2", ["vague_offence_terms", "research_chilling"])):
                text = {"s. 3": "The Minister may direct a service provider to intercept communications in real time and to keep confidential the fact of the direction.",
                        "s. 2": "A person who intentionally and without authority accesses a computer commits an offence."}[citation]
                handle.write(json.dumps({"instrument_id": instrument, "citation": citation, "labels": labels, "rationale": {},
                                         "text_sha256": hashlib.sha256(text.encode()).hexdigest()}) + "\n")
    labelling = yaml.safe_load(Path("configs/labelling.yaml").read_text())
    labelling.update(corpus_dir=str(corpus), output_dir=str(tmp_path / "weak"))
    (tmp_path / "labelling.yaml").write_text(yaml.safe_dump(labelling))
    labelling_config = load_labelling_config(tmp_path / "labelling.yaml")
    save_weak_labels(weak_label_corpus(labelling_config), labelling_config, tmp_path / "weak")
    config = yaml.safe_load(Path("configs/linear.yaml").read_text())
    config.update(corpus_dir=str(corpus), cv={"folds": 2})
    config["weak_labels"].update(dataset=str(tmp_path / "weak"), labelling_config=str(tmp_path / "labelling.yaml"))
    config["gold"].update(train=[str(gold)])
    config["model"]["params"].update(max_word_features=500, max_char_features=500, n_jobs=1)
    config["mlflow"] = {"tracking_uri": f"sqlite:///{tmp_path / 'mlflow.db'}", "experiment": "test", "registered_model": "test-model"}
    path = tmp_path / "linear.yaml"
    path.write_text(yaml.safe_dump(config))
    return path, tmp_path


def test_overrides_are_applied_and_bad_keys_are_one_line_errors(setup):
    path, _ = setup
    config, raw = load_train_config(path, ["model.params.C=2.0"])
    assert config.model.params.C == 2.0 and raw["model"]["params"]["C"] == 2.0
    with pytest.raises(ConfigError, match="cv.folds"):
        load_train_config(path, ["cv.folds=1"])
    with pytest.raises(ConfigError, match=r"^--set 'model.params.min_df=2': model.params.min_df: Extra inputs"):
        load_train_config(path, ["model.params.min_df=2"])
    with pytest.raises(ConfigError, match=r"^--set 'model.params.C=high': model.params.C: Input should be a valid number"):
        load_train_config(path, ["model.params.C=high"])
    with pytest.raises(ConfigError, match=r"^--set 'labels.surveillance_power.threshold=1.5': labels.surveillance_power.threshold"):
        load_train_config(path, ["labels.surveillance_power.threshold=1.5"])
    with pytest.raises(ConfigError, match=r"^--set 'labels.surveillance.threshold=0.4': labels.surveillance: not a label id"):
        load_train_config(path, ["labels.surveillance.threshold=0.4"])
    with pytest.raises(ConfigError, match="use_label_model needs use_lf_votes"):
        load_train_config(path, ["model.params.use_lf_votes=false"])


def test_label_settings_fix_thresholds_and_weigh_positives(setup):
    path, _ = setup
    base = train(load_train_config(path)[0], progress=lambda m: None)
    config, _ = load_train_config(path, ["labels.surveillance_power.threshold=0.83",
                                         "labels.research_chilling.positive_weight=5"])
    result = train(config, progress=lambda m: None)
    k = result.labels.index("surveillance_power")
    assert result.thresholds[k] == 0.83 and base.thresholds[k] != 0.83
    r = result.labels.index("research_chilling")
    assert not np.array_equal(result.estimator.coef_[r], base.estimator.coef_[r])
    s = result.labels.index("secrecy_obligation")
    assert np.array_equal(result.estimator.coef_[s], base.estimator.coef_[s])


def test_shipped_configs_name_only_keys_that_exist():
    for name in ("linear", "transformer"):
        load_train_config(Path("configs") / f"{name}.yaml")


def test_stale_weak_labels_are_refused_before_training(setup):
    path, tmp_path = setup
    text = tmp_path / "corpus" / "texts" / "act-1.txt"
    text.write_text(text.read_text() + "\n6. Commencement\nThis Act comes into force on assent.\n")
    config, _ = load_train_config(path)
    with pytest.raises(ConfigError, match="rerun `provrisk label corpus"):
        train(config, progress=lambda m: None)


def test_gold_of_a_held_out_test_instrument_is_refused(setup):
    path, tmp_path = setup
    leaked = tmp_path / "leaked.jsonl"
    held_out = sorted(held_out_instruments())[0]
    leaked.write_text(json.dumps({"instrument_id": held_out, "citation": "s. 1", "labels": [], "text_sha256": "0"}) + "\n")
    config, _ = load_train_config(path, [f"gold.train=[{leaked}]"])
    with pytest.raises(ConfigError, match="held-out test instruments"):
        train(config, progress=lambda m: None)


def test_same_config_gives_identical_metrics(setup):
    path, _ = setup
    config, _ = load_train_config(path)
    first, second = train(config, progress=lambda m: None), train(config, progress=lambda m: None)
    assert first.cv_metrics == second.cv_metrics
    assert np.array_equal(first.thresholds, second.thresholds)
    assert first.cv_metrics["per_label"]["surveillance_power"]["support"] == 4


def test_model_directory_round_trip_and_predictions_with_evidence(setup):
    path, tmp_path = setup
    config, raw = load_train_config(path)
    result = train(config, progress=lambda m: None)
    directory = save_model_dir(tmp_path / "model", result.estimator, metadata_for(result, raw, []))
    loaded = load_model_dir(directory)
    assert loaded.metadata["languages"] == ["en"], "the languages of the training provisions, which the model reads"
    records = [{"id": "x", "text": "The Minister may direct a service provider to intercept communications in real time."}]
    assert np.allclose(loaded.predict_proba(records), result.estimator.predict_proba(records))
    [prediction] = predict_records(loaded, records)
    assert set(prediction["scores"]) == set(result.labels)
    assert "surveillance_power" in prediction["labels"]
    assert any("intercept" in quote for quote in prediction["evidence"]["surveillance_power"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_registered_model_is_served_by_mlflow(setup):
    path, tmp_path = setup
    config, raw = load_train_config(path)
    result = train(config, progress=lambda m: None)
    directory = save_model_dir(tmp_path / "model", result.estimator, metadata_for(result, raw, []))
    logged = log_run(result, path, raw, [], directory)
    assert str(logged["version"]) == "1"
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "MLFLOW_TRACKING_URI": config.mlflow.resolved_uri()}
    server = subprocess.Popen(
        [str(bin_dir / "mlflow"), "models", "serve", "-m", "models:/test-model/1", "--env-manager", "local",
         "-h", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        payload = {"dataframe_records": [{"text": "The Minister may direct a service provider to intercept communications in real time."}]}
        deadline = time.time() + 120
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/invocations", json=payload, timeout=10)
                break
            except httpx.TransportError:
                if time.time() > deadline or server.poll() is not None:
                    raise
                time.sleep(1)
        assert response.status_code == 200, response.text
        [row] = response.json()["predictions"]
        assert "surveillance_power" in row["labels"].split(",")
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(tmp_path / "mlruns", ignore_errors=True)


def test_training_rows_cap_is_strict_and_keeps_gold_then_weak_positives():
    import numpy as np

    from provrisk.train.run import training_rows

    rows = np.arange(100)
    targets = np.zeros((100, 2))
    targets[10:60, 0] = 0.9  # 50 weakly positive provisions
    is_gold = np.zeros(100, dtype=bool)
    is_gold[:5] = True
    kept = training_rows(rows, targets, is_gold, cap=30, seed=1)
    assert len(kept) == 30 and len(set(kept)) == 30
    assert set(range(5)) <= set(kept), "every gold provision is kept"
    assert all(10 <= r < 60 for r in kept if r >= 5), "then weak positives, before any negative"
    assert list(training_rows(rows, targets, is_gold, cap=30, seed=1)) == list(kept)
    assert list(training_rows(rows, targets, is_gold, cap=None, seed=1)) == list(rows)


def test_train_command_writes_a_model_directory_with_or_without_mlflow(setup, monkeypatch):
    from typer.testing import CliRunner

    from provrisk.cli import app

    path, tmp_path = setup
    monkeypatch.chdir(tmp_path)  # MLflow puts run artifacts in ./mlruns
    runner = CliRunner()
    records = [{"id": "x", "text": "The Minister may direct a service provider to intercept communications in real time."}]
    for name, options in (("plain", ["--no-mlflow"]), ("tracked", [])):
        out = tmp_path / name
        result = runner.invoke(app, ["train", "--config", str(path), "--out", str(out), *options])
        assert result.exit_code == 0, result.output
        loaded = load_model_dir(out)
        assert (out / "MODEL_CARD.md").exists() and loaded.metadata["run_name"] == "linear"
        assert "surveillance_power" in predict_records(loaded, records)[0]["labels"]
    assert "registered test-model version 1" in result.stdout
    before = (tmp_path / "plain" / "model.safetensors").read_bytes()
    refused = runner.invoke(app, ["train", "--config", str(path), "--out", str(tmp_path / "plain"), "--no-mlflow"])
    assert refused.exit_code == 2 and "plain: already exists; pass --force" in refused.stderr
    assert "training provisions" not in refused.stderr  # refused before any work
    assert (tmp_path / "plain" / "model.safetensors").read_bytes() == before
    replaced = runner.invoke(app, ["train", "--config", str(path), "--out", str(tmp_path / "plain"), "--no-mlflow", "--force",
                                   "--set", "labels.surveillance_power.threshold=0.9"])
    assert replaced.exit_code == 0, replaced.output
    assert load_model_dir(tmp_path / "plain").metadata["thresholds"]["surveillance_power"] == 0.9
