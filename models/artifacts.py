"""Model directories: save and load a trained classifier without unpickling untrusted data.

A model directory (``models/<name>/``) holds ``metadata.json`` (model type,
labels, thresholds, metrics, training provenance), ``MODEL_CARD.md`` and the
weights: ``model.json`` and ``model.safetensors`` for the linear model
(settings and arrays only, :mod:`provrisk.models.linear_file`) or
``transformer/`` (safetensors and tokenizer) for the transformer. Nothing in
a model directory is unpickled.

A model directory is not trusted to be intact. ``load_model_dir`` refuses,
with a one-line :class:`~provrisk.errors.ConfigError` naming the file and the
problem, metadata that is not valid (labels that are not distinct taxonomy ids,
a threshold missing or outside [0, 1]) and weights that cannot be read or are
not a provrisk model. ``save_model_dir`` (and ``provrisk export``) record
``weights_sha256``, a hash of the weights with the labels in order and the
thresholds, and loading checks it, so labels swapped, reversed or shortened
in ``metadata.json`` are refused instead of mislabelling provisions; a model
whose estimator knows its labels (``labels_``) is also checked against them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from provrisk.errors import ConfigError
from provrisk.models.linear_file import LINEAR_JSON, LINEAR_WEIGHTS, load_linear, save_linear
from provrisk.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_MODEL = "provrisk-linear"
METADATA = "metadata.json"
TRANSFORMER_DIR = "transformer"
WEIGHTS_DIGEST = "weights_sha256"  # metadata key binding labels and thresholds to the weights
# Models exported before metadata recorded "languages" were all trained on English provisions only
# (pipeline/train/data.py keeps language == "en"), so that is what such a model reads.
LANGUAGES_BEFORE_RECORDED = ("en",)


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

    @property
    def languages(self) -> list[str]:
        """The languages of the provisions the model was trained on (ISO 639-1 codes), the only ones it reads."""
        return model_languages(self.metadata)

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
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if metadata["model_type"] == "linear":
        save_linear(estimator, directory)
    else:
        estimator.save(directory / TRANSFORMER_DIR)
    metadata = {**metadata, WEIGHTS_DIGEST: weights_digest(directory, metadata)}
    (directory / METADATA).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory


def weights_digest(directory: Path, metadata: dict) -> str:
    """SHA-256 of the labels in order, the thresholds, and every weights file (its path and bytes)."""
    directory = Path(directory)
    digest = hashlib.sha256(json.dumps([metadata["labels"], metadata["thresholds"]], sort_keys=True).encode("utf-8"))
    if metadata["model_type"] == "linear":
        files = [directory / LINEAR_JSON, directory / LINEAR_WEIGHTS]
    else:
        files = sorted(path for path in (directory / TRANSFORMER_DIR).rglob("*") if path.is_file())
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def read_metadata(directory: Path) -> dict:
    """A model directory's ``metadata.json``, checked: ConfigError (one line, naming the file) if unusable."""
    from provrisk.taxonomy import load_taxonomy

    path = Path(directory) / METADATA
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ConfigError(f"{path}: not readable as JSON ({type(error).__name__})") from None
    if not isinstance(metadata, dict):
        raise ConfigError(f"{path}: not a JSON object")
    if metadata.get("model_type") not in ("linear", "transformer"):
        raise ConfigError(f"{path}: unknown model_type {metadata.get('model_type')!r}")
    labels, thresholds = metadata.get("labels"), metadata.get("thresholds")
    known = set(load_taxonomy().ids)
    if not (isinstance(labels, list) and labels and all(isinstance(label, str) and label in known for label in labels)
            and len(set(labels)) == len(labels)):
        raise ConfigError(f"{path}: \"labels\" must be a list of distinct label ids of the taxonomy")
    if not (isinstance(thresholds, dict) and set(thresholds) == set(labels) and all(
            isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
            for value in thresholds.values())):
        raise ConfigError(f"{path}: \"thresholds\" must give each label, and only the labels, a number from 0 to 1")
    languages = metadata.get("languages")
    if languages is not None and not (isinstance(languages, list) and languages
                                      and all(isinstance(code, str) and code for code in languages)):
        raise ConfigError(f"{path}: \"languages\" must be a list of language codes (\"en\")")
    return metadata


def model_languages(metadata: dict) -> list[str]:
    """``metadata["languages"]``, the training data's languages, or English for a model that predates the key."""
    return list(metadata.get("languages") or LANGUAGES_BEFORE_RECORDED)


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
    """The model in a directory, after every check of the module docstring (ConfigError, one line, otherwise)."""
    directory = resolve_model_dir(name_or_path)
    metadata = read_metadata(directory)
    weights = [directory / LINEAR_JSON, directory / LINEAR_WEIGHTS] if metadata["model_type"] == "linear" else [directory / TRANSFORMER_DIR]
    for path in weights:
        if not path.exists():
            raise ConfigError(f"{path}: missing; the model directory is incomplete")
    try:
        estimator = _load_weights(directory, metadata)
    except ConfigError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged file can make a loader fail in any way
        raise ConfigError(f"{weights[-1]}: cannot be loaded ({type(error).__name__}); "
                          "the file is damaged or was not written by provrisk export") from None
    _check_bound(directory, metadata, estimator)
    return LoadedModel(directory.name, directory, metadata, estimator)


def _load_weights(directory: Path, metadata: dict):
    if metadata["model_type"] == "linear":
        return load_linear(directory)
    from provrisk.models.transformer import TransformerClassifier

    return TransformerClassifier.load(directory / TRANSFORMER_DIR)


def _check_bound(directory: Path, metadata: dict, estimator) -> None:
    """Refuse labels or thresholds that are not the ones the weights were exported with."""
    recorded = metadata.get(WEIGHTS_DIGEST)
    if recorded is not None and recorded != weights_digest(directory, metadata):
        raise ConfigError(f"{directory / METADATA}: labels, thresholds or weights changed since export "
                          f"({WEIGHTS_DIGEST} does not match); export the model again")
    own = getattr(estimator, "labels_", None)
    if own is not None and list(own) != metadata["labels"]:
        raise ConfigError(f"{directory / METADATA}: \"labels\" are not the labels, in the order, the weights were trained for")
