"""Record a training run in MLflow: parameters, config, corpus hash, metrics, LF report, model.

The model is logged as an MLflow pyfunc (:class:`provrisk.models.pyfunc.ProvriskPyfunc`)
whose artifact is the provrisk model directory ``provrisk train`` wrote (so the
registered model and the directory are the same bytes), and registered under
the config's ``mlflow.registered_model`` name.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import yaml

import provrisk
from provrisk.models.artifacts import read_metadata
from provrisk.settings import PROJECT_ROOT
from provrisk.train.config import TrainConfig, config_hash
from provrisk.train.run import TrainResult

PIP_REQUIREMENTS = [
    "scikit-learn==1.9.1", "safetensors==0.8.0", "spacy==3.8.18", "mlflow==3.17.2", "pandas", "numpy", "scipy",
]


def _flatten(prefix: str, value, out: dict) -> dict:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = value
    return out


def metadata_for(result: TrainResult, raw_config: dict, overrides: list[str]) -> dict:
    """What a model directory records about how it was made and how good it is."""
    return {
        "model_type": result.config.model.type,
        "labels": result.labels,
        "thresholds": {label: float(t) for label, t in zip(result.labels, result.thresholds)},
        "run_name": result.config.run_name,
        "config": raw_config,
        "config_hash": config_hash(raw_config),
        "overrides": list(overrides),
        "corpus_hash": result.corpus_hash,
        "provrisk_version": provrisk.__version__,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "n_train_provisions": result.data["n_provisions"],
        "n_gold": result.data["n_gold"],
        "gold_instruments": result.data["gold_instruments"],
        "training_instruments": result.data["training_instruments"],
        "languages": result.data["languages"],
        "gold_positives": result.data["gold_positives"],
        "cv_metrics": result.cv_metrics,
        "label_model_metrics": result.label_model_metrics,
        "train_seconds": round(result.seconds, 1),
    }


def log_run(result: TrainResult, config_path: Path, raw_config: dict, overrides: list[str], model_dir: Path) -> dict:
    """Log the run and the model directory ``train`` wrote, register the model; returns run id, model URI and registered version."""
    import mlflow

    config: TrainConfig = result.config
    mlflow.set_tracking_uri(config.mlflow.resolved_uri())
    mlflow.set_experiment(config.mlflow.experiment)
    metadata = read_metadata(model_dir)
    with mlflow.start_run(run_name=config.run_name) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in _flatten("", raw_config, {}).items()})
        mlflow.log_params({"overrides": " ".join(overrides) or "-", "corpus_hash": result.corpus_hash,
                           "config_hash": metadata["config_hash"]})
        mlflow.set_tags({"provrisk.version": provrisk.__version__, "model_type": config.model.type})
        metrics = {
            "cv_macro_f1": result.cv_metrics["macro_f1"],
            "cv_micro_f1": result.cv_metrics["micro_f1"],
            "cv_macro_pr_auc": result.cv_metrics["macro_pr_auc"],
            "cv_ece": result.cv_metrics["ece"],
            "label_model_macro_f1": result.label_model_metrics["macro_f1"],
            "train_seconds": result.seconds,
        }
        for label, scores in result.cv_metrics["per_label"].items():
            for name in ("precision", "recall", "f1", "pr_auc"):
                if scores[name] is not None:
                    metrics[f"cv_{name}.{label}"] = scores[name]
            metrics[f"threshold.{label}"] = metadata["thresholds"][label]
        mlflow.log_metrics(metrics)
        mlflow.log_text(yaml.safe_dump(raw_config, sort_keys=False), f"config/{Path(config_path).name}")
        report = PROJECT_ROOT / "eval" / "reports" / "labelling.json"
        if report.exists():
            mlflow.log_artifact(str(report), "reports")
        import provrisk.models.pyfunc as pyfunc_code

        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=pyfunc_code.__file__,
            artifacts={"model_dir": str(model_dir)},
            pip_requirements=PIP_REQUIREMENTS,
            registered_model_name=config.mlflow.registered_model,
        )
        mlflow.log_text(json.dumps(metadata, indent=2), "metadata.json")
    return {"run_id": run.info.run_id, "model_uri": info.model_uri,
            "registered_model": config.mlflow.registered_model, "version": info.registered_model_version}
