"""Training configuration (``configs/linear.yaml``, ``configs/transformer.yaml``), validated.

Input: a YAML file and ``--set KEY=VALUE`` overrides. Output: a
:class:`TrainConfig` and the raw dict (after overrides) it came from. The
overrides are applied to the raw YAML before validation and recorded with the
run; an unknown key or a bad value, in the file or in an override, is a
one-line :class:`~provrisk.errors.ConfigError` naming the key (and the
``--set`` that gave it), raised before any data is read. The ``labels``
section's keys are checked against the config's taxonomy.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provrisk.config_files import read_yaml
from provrisk.errors import ConfigError
from provrisk.models.params import LinearParams, TransformerParams
from provrisk.settings import PROJECT_ROOT, get_settings
from provrisk.taxonomy import load_taxonomy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WeakLabelsConfig(_Strict):
    # The dataset `provrisk label corpus` wrote; refused when its corpus hash or its
    # labelling config's fingerprint no longer match (rerun `provrisk label corpus`).
    dataset: Path = Path("data/weak_labels")
    labelling_config: Path = Path("configs/labelling.yaml")
    # A weakly labelled provision's weight, times the label model's confidence |2p - 1| in
    # that label (at least `min_confidence`); 0 trains on gold only.
    weight: float = Field(1.0, ge=0)
    min_confidence: float = Field(0.2, ge=0, le=1)


class GoldConfig(_Strict):
    # Gold of the training instruments: trained on (out of fold during cross-validation),
    # and the out-of-fold predictions of it fit calibration and thresholds. The held-out
    # test instruments (eval/gold/sampling.yaml) are refused here.
    train: list[Path] = Field(default_factory=lambda: [Path("eval/gold/dev.jsonl"), Path("eval/gold/train.jsonl")], min_length=1)
    weight: float = Field(3.0, gt=0)


class LinearModelConfig(_Strict):
    type: Literal["linear"]
    params: LinearParams = LinearParams()


class TransformerModelConfig(_Strict):
    type: Literal["transformer"]
    params: TransformerParams = TransformerParams()


class CalibrationConfig(_Strict):
    # Per-label Platt scaling on out-of-fold gold scores; C is the inverse regularisation strength.
    C: float = Field(1.0, gt=0)


class ThresholdGrid(_Strict):
    start: float = Field(0.05, gt=0, lt=1)
    stop: float = Field(0.95, gt=0, lt=1)
    step: float = Field(0.01, gt=0, lt=1)

    def values(self):
        import numpy as np

        return np.round(np.arange(self.start, self.stop + self.step / 2, self.step), 4)


class ThresholdConfig(_Strict):
    strategy: Literal["per_label_f1", "fixed"] = "per_label_f1"
    fixed: float = Field(0.5, gt=0, lt=1)
    grid: ThresholdGrid = ThresholdGrid()


class SamplingConfig(_Strict):
    # Cap on training provisions per fit: every gold and weakly positive provision is kept,
    # negatives are drawn at random (seeded) up to the cap. None trains on everything.
    max_train_provisions: int | None = Field(None, ge=10)


class CVConfig(_Strict):
    # Folds are groups of whole instruments (training instruments only).
    folds: int = Field(5, ge=2)


class LabelSettings(_Strict):
    # A fixed decision threshold for this label, used instead of the tuned one (in the
    # cross-validation figures as in the model).
    threshold: float | None = Field(None, gt=0, lt=1)
    # Each training provision that is positive for this label (gold or weak) weighs this many
    # times more in this label's fit: above 1 buys recall on a rare label, below 1 precision.
    positive_weight: float = Field(1.0, gt=0)


class MLflowConfig(_Strict):
    tracking_uri: str | None = None
    experiment: str = "provrisk"
    registered_model: str = "provrisk-linear"

    def resolved_uri(self) -> str:
        # Absolute sqlite paths need four slashes.
        return self.tracking_uri or f"sqlite:///{(PROJECT_ROOT / 'mlflow.db').as_posix()}"


class TrainConfig(_Strict):
    run_name: str
    seed: int = 13
    corpus_dir: Path | None = None
    taxonomy: Path = Path("configs/taxonomy.yaml")
    weak_labels: WeakLabelsConfig = WeakLabelsConfig()
    gold: GoldConfig = GoldConfig()
    model: LinearModelConfig | TransformerModelConfig = Field(discriminator="type")
    calibration: CalibrationConfig = CalibrationConfig()
    threshold: ThresholdConfig = ThresholdConfig()
    cv: CVConfig = CVConfig()
    sampling: SamplingConfig = SamplingConfig()
    mlflow: MLflowConfig = MLflowConfig()
    # Per-label settings, keyed by taxonomy label id; a label not named here uses the defaults.
    labels: dict[str, LabelSettings] = Field(default_factory=dict)

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else PROJECT_ROOT / path

    def resolved_corpus_dir(self) -> Path:
        settings = get_settings()
        return settings.resolve(self.corpus_dir) if self.corpus_dir else settings.corpus_dir


def _parse_value(text: str) -> Any:
    return yaml.safe_load(text)


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    """``["model.params.C=2.0"]`` -> raw["model"]["params"]["C"] = 2.0 (values parsed as YAML)."""
    raw = copy.deepcopy(raw)
    for override in overrides:
        if "=" not in override:
            raise ConfigError(f"--set {override!r}: expected KEY=VALUE, e.g. model.params.C=2.0")
        key, value = override.split("=", 1)
        node = raw
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {override!r}: {part} is not a section")
        node[parts[-1]] = _parse_value(value)
    return raw


def _key(loc: tuple) -> str:
    """A validation error's location as the user writes the key: ``model.params.C``, not ``model.linear.params.C``."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["model"] and parts[1:2] in (["linear"], ["transformer"]):
        del parts[1]  # the tag pydantic adds for the model-type union
    return ".".join(parts)


def _override_of(key: str, overrides: list[str]) -> str | None:
    """The last ``--set`` whose key is ``key`` or a section above or below it."""
    for override in reversed(overrides):
        given = override.split("=", 1)[0].strip()
        if key == given or key.startswith(given + ".") or given.startswith(key + "."):
            return override
    return None


def load_train_config(path: Path, overrides: list[str] = ()) -> tuple[TrainConfig, dict]:
    """The validated config and the raw dict it came from (after overrides)."""
    overrides = list(overrides)
    raw = read_yaml(path, "training config not found")
    raw = apply_overrides(raw, overrides)
    try:
        config = TrainConfig(**raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = _key(error["loc"])
        override = _override_of(key, overrides)
        source = f"--set {override!r}" if override else str(path)
        raise ConfigError(f"{source}: {key}: {error['msg']}") from None
    known = load_taxonomy(config.resolve(config.taxonomy)).ids
    for label in config.labels:
        if label not in known:
            override = _override_of(f"labels.{label}", overrides)
            source = f"--set {override!r}" if override else str(path)
            raise ConfigError(f"{source}: labels.{label}: not a label id of {config.taxonomy}")
    return config, raw


def config_hash(raw: dict) -> str:
    return hashlib.sha256(yaml.safe_dump(raw, sort_keys=True).encode()).hexdigest()[:16]
