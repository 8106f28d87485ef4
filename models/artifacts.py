"""Model directories: save and load a trained classifier without unpickling untrusted data.

A model directory (``models/<name>/``) holds ``metadata.json`` (model type,
labels, thresholds, metrics, training provenance), ``MODEL_CARD.md`` and the
weights: ``model.skops`` for the linear model (loaded with skops and an
explicit list of trusted types) or ``transformer/`` (safetensors and
tokenizer) for the transformer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from provrisk.errors import ConfigError
from provrisk.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_MODEL = "provrisk-linear"
METADATA = "metadata.json"
SKOPS_FILE = "model.skops"
TRANSFORMER_DIR = "transformer"

# The types in a linear model file that skops does not trust by default; a file
# naming any other untrusted type is refused.
TRUSTED_TYPES = [
    "provrisk.models.linear.LinearRiskClassifier",
    "provrisk.label.features.LFVoteFeaturizer",
    "provrisk.label.label_model.DawidSkeneLabelModel",
    "provrisk.models.embeddings.StaticEmbedder",
    "provrisk.models.embeddings.EncoderEmbedder",
]


@dataclass
class LoadedModel:
    """A classifier ready to score, with what it needs to decide and explain."""

    name: str
    path: Path
    metadata: dict
    estimator: object

    @property
    def labels(self) -> list[str]:
        return self.metadata["labels"]

    @property
    def thresholds(self) -> np.ndarray:
        return np.array([self.metadata["thresholds"][label] for label in self.labels])

    @property
    def model_type(self) -> str:
        return self.metadata["model_type"]

    def lf_votes(self, records: list[dict]):
        """The labelling functions' votes and evidence: the model's own LFs, or (a model without LF
        features) every registered LF, used for evidence only."""
        if hasattr(self.estimator, "lf_votes"):
            return self.estimator.lf_votes(records)
        from provrisk.label.features import LFVoteFeaturizer

        return LFVoteFeaturizer().fit().votes(records)

    def predict_proba(self, records: list[dict], lf_votes=None) -> np.ndarray:
        """Calibrated probabilities; ``lf_votes`` (from :meth:`lf_votes`) saves recomputing them."""
        if hasattr(self.estimator, "lf_votes"):
            return self.estimator.predict_proba(records, lf_votes)
        return self.estimator.predict_proba(records)


def save_model_dir(directory: Path, estimator, metadata: dict) -> Path:
    import skops.io as sio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if metadata["model_type"] == "linear":
        sio.dump(estimator, directory / SKOPS_FILE)
    else:
        estimator.save(directory / TRANSFORMER_DIR)
    (directory / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory


def resolve_model_dir(name_or_path: str | Path | None) -> Path:
    """A directory given as a path, a model name under ``models/``, or the shipped default."""
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    candidate = Path(name_or_path)
    for directory in (candidate, MODELS_DIR / str(name_or_path)):
        if (directory / METADATA).exists():
            return directory
    raise ConfigError(
        f"{name_or_path}: no model found (looked for {candidate}/{METADATA} and models/{name_or_path}/{METADATA}); "
        "train one with `provrisk train` and write it with `provrisk export`"
    )


def load_model_dir(name_or_path: str | Path | None = None) -> LoadedModel:
    directory = resolve_model_dir(name_or_path)
    metadata = json.loads((directory / METADATA).read_text(encoding="utf-8"))
    if metadata.get("model_type") == "linear":
        import skops.io as sio

        path = directory / SKOPS_FILE
        untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ConfigError(f"{path}: refusing to load untrusted types {sorted(untrusted)}")
        estimator = sio.load(path, trusted=TRUSTED_TYPES)
    elif metadata.get("model_type") == "transformer":
        from provrisk.models.transformer import TransformerClassifier

        estimator = TransformerClassifier.load(directory / TRANSFORMER_DIR)
    else:
        raise ConfigError(f"{directory / METADATA}: unknown model_type {metadata.get('model_type')!r}")
    return LoadedModel(directory.name, directory, metadata, estimator)
