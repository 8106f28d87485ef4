"""The linear model's files: ``model.json`` (settings, vocabularies, LF names) and ``model.safetensors`` (arrays).

:func:`save_linear` writes a fitted :class:`~provrisk.models.linear.LinearRiskClassifier`
to a directory; :func:`load_linear` rebuilds it from the two files, or raises
:class:`~provrisk.errors.ConfigError` (one line, naming the file) when they do
not describe a provrisk linear model.

Why this format: neither file can carry code. The JSON holds only settings and
strings and the safetensors file only arrays; loading builds the known classes
(TF-IDF vectorisers, the LF featurizer, the label model, the embedder) from
their settings and checks every array's shape against them. It also loads in a
fraction of the time skops took, which had to import and scan every
scikit-learn estimator before reading a byte (2 s of a 4 s cold start).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from provrisk.errors import ConfigError

LINEAR_JSON = "model.json"
LINEAR_WEIGHTS = "model.safetensors"
LINEAR_FORMAT = "provrisk.linear/1"


def save_linear(estimator, directory: Path) -> None:
    """Write ``estimator`` (fitted) as ``directory/model.json`` and ``directory/model.safetensors``."""
    from safetensors.numpy import save_file

    arrays = {"coef": estimator.coef_, "intercept": estimator.intercept_, "calibration": estimator.calibration_}
    vectorizers = []
    for name, vectorizer in estimator.vectorizer_.transformer_list:
        vocabulary = vectorizer.vocabulary_
        vectorizers.append({"name": name, "params": _vectorizer_params(vectorizer),
                            "terms": sorted(vocabulary, key=vocabulary.__getitem__)})
        arrays[f"idf.{name}"] = vectorizer.idf_
    document = {"format": LINEAR_FORMAT, "params": _jsonable(estimator.get_params()), "labels": list(estimator.labels_),
                "vectorizers": vectorizers, "lf_featurizer": None, "label_model": None, "embedder": None}
    if estimator.use_lf_votes:
        featurizer = estimator.lf_featurizer_
        document["lf_featurizer"] = {"lfs": _jsonable(featurizer.lfs), "names": featurizer.lf_names_,
                                     "labels": featurizer.lf_labels_}
        if estimator.use_label_model:
            label_model = estimator.label_model_
            document["label_model"] = {"params": _jsonable(label_model.get_params()), "labels": label_model.labels_,
                                       "n_iter": int(label_model.n_iter_)}
            arrays["label_model.accuracy"] = label_model.accuracy_
    if estimator.embedding_weight > 0:
        embedder = estimator.embedder_
        if hasattr(embedder, "vectors_"):
            document["embedder"] = {"kind": "static", "params": _jsonable(embedder.get_params()),
                                    "tokenizer_json": embedder.tokenizer_json_}
            arrays["embedder.vectors"] = embedder.vectors_
        else:
            document["embedder"] = {"kind": "encoder", "params": _jsonable(embedder.get_params()),
                                    "resolved_path": embedder.resolved_path_}
    directory = Path(directory)
    (directory / LINEAR_JSON).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    save_file({key: np.ascontiguousarray(value) for key, value in arrays.items()}, str(directory / LINEAR_WEIGHTS))


def load_linear(directory: Path):
    """The classifier stored in ``directory`` (ConfigError naming the file if the files do not hold one)."""
    from safetensors.numpy import load_file

    directory = Path(directory)
    path, weights = directory / LINEAR_JSON, directory / LINEAR_WEIGHTS
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ConfigError(f"{path}: not readable as JSON ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != LINEAR_FORMAT:
        raise ConfigError(f"{path}: not a provrisk linear model (format {LINEAR_FORMAT} expected)")
    try:
        arrays = load_file(str(weights))
    except Exception as error:  # noqa: BLE001 - safetensors reports a damaged file with several exception types
        raise ConfigError(f"{weights}: cannot be loaded ({type(error).__name__}); the file is damaged "
                          "or was not written by provrisk export") from None
    try:
        return _rebuild(document, arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{path}: not a provrisk linear model ({type(error).__name__}: {error})") from None


def _rebuild(document: dict, arrays: dict[str, np.ndarray]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    from provrisk.label.features import LFVoteFeaturizer
    from provrisk.label.label_model import DawidSkeneLabelModel
    from provrisk.models.embeddings import EncoderEmbedder, StaticEmbedder
    from provrisk.models.linear import LinearRiskClassifier

    estimator = LinearRiskClassifier(**_known(LinearRiskClassifier, document["params"]))
    estimator.labels_ = _strings(document["labels"])
    n_labels = len(estimator.labels_)
    vectorizers, n_features = [], 0
    for entry in document["vectorizers"]:
        params = _known(TfidfVectorizer, entry["params"])
        params["dtype"] = np.dtype(params.get("dtype", "float64")).type
        vectorizer = TfidfVectorizer(**params)
        # scikit-learn's own parameter checks: a "tokenizer" that is not None or a function, an unknown analyzer...
        vectorizer._validate_params()
        terms = _strings(entry["terms"])
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
        vectorizer.idf_ = _shaped(arrays, f"idf.{entry['name']}", (len(terms),))
        vectorizers.append((entry["name"], vectorizer))
        n_features += len(terms)
    estimator.vectorizer_ = FeatureUnion(vectorizers)
    if document["embedder"] is not None:
        entry = document["embedder"]
        if entry["kind"] == "static":
            embedder = StaticEmbedder(**_known(StaticEmbedder, entry["params"]))
            embedder.tokenizer_json_ = str(entry["tokenizer_json"])
            embedder.vectors_ = arrays["embedder.vectors"]
            n_features += embedder.vectors_.shape[1]
        else:
            embedder = EncoderEmbedder(**_known(EncoderEmbedder, entry["params"]))
            embedder.resolved_path_ = str(entry["resolved_path"])
            n_features += _encoder_width(arrays, n_features, document)
        estimator.embedder_ = embedder
    if document["lf_featurizer"] is not None:
        entry = document["lf_featurizer"]
        featurizer = LFVoteFeaturizer(lfs=entry["lfs"])
        featurizer.lf_names_, featurizer.lf_labels_ = _strings(entry["names"]), _strings(entry["labels"])
        estimator.lf_featurizer_ = featurizer
        n_features += len(featurizer.lf_names_)
        if document["label_model"] is not None:
            entry = document["label_model"]
            label_model = DawidSkeneLabelModel(**_known(DawidSkeneLabelModel, entry["params"]))
            label_model.labels_ = _strings(entry["labels"])
            label_model.n_iter_ = int(entry["n_iter"])
            label_model.accuracy_ = _shaped(arrays, "label_model.accuracy", (len(featurizer.lf_names_),))
            estimator.label_model_ = label_model
            n_features += len(label_model.labels_)
    estimator.coef_ = _shaped(arrays, "coef", (n_labels, n_features))
    estimator.intercept_ = _shaped(arrays, "intercept", (n_labels,))
    estimator.calibration_ = _shaped(arrays, "calibration", (n_labels, 2))
    return estimator


def _encoder_width(arrays: dict[str, np.ndarray], before: int, document: dict) -> int:
    """An encoder's embedding width is not stored: it is what the coefficients leave after the other blocks."""
    n_lfs = len(document["lf_featurizer"]["names"]) if document["lf_featurizer"] else 0
    n_label_model = len(document["label_model"]["labels"]) if document["label_model"] else 0
    return arrays["coef"].shape[1] - before - n_lfs - n_label_model


def _vectorizer_params(vectorizer) -> dict:
    params = vectorizer.get_params()
    if any(callable(params.get(key)) for key in ("analyzer", "preprocessor", "tokenizer")):
        raise ValueError("a vectorizer with custom functions cannot be saved: its code would have to travel with it")
    params["dtype"] = np.dtype(params["dtype"]).name
    return _jsonable(params)


def _jsonable(value):
    """Tuples as lists, numpy scalars as numbers: the settings as JSON holds them."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _known(cls, params: dict) -> dict:
    """``params`` if every key is a parameter of ``cls`` (ValueError otherwise): nothing else reaches a constructor.

    JSON has no tuples: a list is given back as a tuple where the parameter's default is one.
    """
    defaults = cls().get_params()
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(f"unknown settings for {cls.__name__}: {sorted(unknown)}")
    return {key: tuple(value) if isinstance(defaults[key], tuple) and isinstance(value, list) else value
            for key, value in params.items()}


def _strings(values) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise TypeError("expected a list of strings")
    return values


def _shaped(arrays: dict[str, np.ndarray], key: str, shape: tuple[int, ...]) -> np.ndarray:
    array = arrays[key]
    if array.shape != shape:
        raise ValueError(f"{key} has shape {array.shape}, expected {shape}")
    return array
