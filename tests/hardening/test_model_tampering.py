"""Model directories that were damaged or tampered with: a clear refusal naming the problem, never a traceback.

Each case copies the shipped model's directory and breaks one thing: the
metadata (not JSON, not an object, labels missing, shortened, reversed,
swapped or unknown, thresholds missing, of the wrong type or out of range),
or the weights (missing, empty, truncated, JSON nested too deep, a file of
another format, arrays of the wrong shape, a setting a class does not take). ``load_model_dir``
raises one ConfigError naming the file and the problem, and ``provrisk
score --model DIR`` prints it as one line and exits 2.

Labels and thresholds are bound to the weights: a model saved (or exported)
records ``weights_sha256``; swapping two thresholds, or the labels, or putting
another model's weights in place, is refused at load.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from safetensors.numpy import load_file, save_file
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.errors import ConfigError
from provrisk.models.linear_file import LINEAR_JSON, LINEAR_WEIGHTS
from provrisk.models.artifacts import (
    METADATA,
    WEIGHTS_DIGEST,
    load_model_dir,
    resolve_model_dir,
    weights_digest,
)

SHIPPED = resolve_model_dir(None)


def _metadata(directory: Path) -> dict:
    return json.loads((directory / METADATA).read_text(encoding="utf-8"))


def _write_metadata(directory: Path, metadata: dict) -> None:
    (directory / METADATA).write_text(json.dumps(metadata), encoding="utf-8")


def _edit(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        metadata = _metadata(directory)
        change(metadata)
        _write_metadata(directory, metadata)

    return apply


def _swap_first_two(metadata: dict) -> None:
    labels = metadata["labels"]
    labels[0], labels[1] = labels[1], labels[0]


def _deep_json(directory: Path) -> None:
    (directory / LINEAR_JSON).write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def _edit_json(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        document = json.loads((directory / LINEAR_JSON).read_text(encoding="utf-8"))
        change(document)
        (directory / LINEAR_JSON).write_text(json.dumps(document), encoding="utf-8")

    return apply


def _shorter_coefficients(directory: Path) -> None:
    arrays = load_file(str(directory / LINEAR_WEIGHTS))
    arrays["coef"] = arrays["coef"][:, :-1].copy()
    save_file(arrays, str(directory / LINEAR_WEIGHTS))


TAMPERINGS: dict[str, tuple[Callable[[Path], None], str]] = {
    "metadata not JSON": (lambda d: (d / METADATA).write_text("{", encoding="utf-8"), "not readable as JSON"),
    "metadata a list": (lambda d: (d / METADATA).write_text("[]", encoding="utf-8"), "not a JSON object"),
    "model type missing": (_edit(lambda m: m.pop("model_type")), "unknown model_type"),
    "labels missing": (_edit(lambda m: m.pop("labels")), '"labels" must be a list'),
    "labels shortened": (_edit(lambda m: m["labels"].pop()), '"thresholds" must give each label'),
    # A model exported before digests were recorded: the weights' own label order still refuses it.
    "labels reversed, no digest": (_edit(lambda m: (m.pop(WEIGHTS_DIGEST, None), m["labels"].reverse())),
                                   "not the labels, in the order"),
    "two labels swapped, no digest": (_edit(lambda m: (m.pop(WEIGHTS_DIGEST, None), _swap_first_two(m))),
                                      "not the labels, in the order"),
    "labels reversed": (_edit(lambda m: m["labels"].reverse()), "changed since export"),
    "label not in the taxonomy": (_edit(lambda m: m["labels"].__setitem__(0, "mind_control")), '"labels" must be a list'),
    "label twice": (_edit(lambda m: m["labels"].__setitem__(1, m["labels"][0])), '"labels" must be a list'),
    "threshold missing": (_edit(lambda m: m["thresholds"].pop(m["labels"][0])), '"thresholds" must give each label'),
    "threshold a string": (_edit(lambda m: m["thresholds"].__setitem__(m["labels"][0], "0.5")), '"thresholds"'),
    "threshold above 1": (_edit(lambda m: m["thresholds"].__setitem__(m["labels"][0], 1.5)), '"thresholds"'),
    "threshold NaN": (_edit(lambda m: m["thresholds"].__setitem__(m["labels"][0], float("nan"))), '"thresholds"'),
    "languages a string": (_edit(lambda m: m.__setitem__("languages", "en")), '"languages" must be a list'),
    "languages empty": (_edit(lambda m: m.__setitem__("languages", [])), '"languages" must be a list'),
    "weights missing": (lambda d: (d / LINEAR_WEIGHTS).unlink(), "model.safetensors: missing"),
    "settings missing": (lambda d: (d / LINEAR_JSON).unlink(), "model.json: missing"),
    "weights empty": (lambda d: (d / LINEAR_WEIGHTS).write_bytes(b""), "model.safetensors: cannot be loaded"),
    "weights truncated": (lambda d: (d / LINEAR_WEIGHTS).write_bytes((d / LINEAR_WEIGHTS).read_bytes()[:100_000]),
                          "model.safetensors: cannot be loaded"),
    "settings nested too deep": (_deep_json, "model.json: not readable as JSON"),
    "settings a list": (lambda d: (d / LINEAR_JSON).write_text("[1, 2]", encoding="utf-8"), "not a provrisk linear model"),
    "settings of another format": (_edit_json(lambda m: m.__setitem__("format", "pickle")), "not a provrisk linear model"),
    "a setting no class takes": (_edit_json(lambda m: m["params"].__setitem__("__reduce__", "os.system")),
                                 "unknown settings for LinearRiskClassifier"),
    "vocabulary not strings": (_edit_json(lambda m: m["vectorizers"][0].__setitem__("terms", [1, 2])),
                               "not a provrisk linear model"),
    "coefficients of the wrong shape": (_shorter_coefficients, "coef has shape"),
}


@pytest.fixture
def model_copy(tmp_path) -> Path:
    directory = tmp_path / "tampered-model"
    shutil.copytree(SHIPPED, directory)
    return directory


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_tampered_model_directory_is_refused_in_one_line_naming_the_problem(model_copy, tmp_path, tampering):
    damage, problem = TAMPERINGS[tampering]
    damage(model_copy)
    with pytest.raises(ConfigError) as refused:
        load_model_dir(model_copy)
    message = str(refused.value)
    assert problem in message and str(model_copy) in message and "\n" not in message
    statute = tmp_path / "act.txt"
    statute.write_text("1. Interception\nAn officer may intercept any communication.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(statute), "--model", str(model_copy)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("error: ") and "unexpected failure" not in result.output
    assert "Traceback" not in result.output


def _bind(directory: Path) -> None:
    """Record the digest, as save_model_dir and provrisk export do."""
    metadata = _metadata(directory)
    metadata[WEIGHTS_DIGEST] = weights_digest(directory, metadata)
    _write_metadata(directory, metadata)


def test_a_bound_model_loads_and_scores_as_before(model_copy):
    _bind(model_copy)
    bound = load_model_dir(model_copy)
    shipped = load_model_dir(SHIPPED)
    assert bound.labels == shipped.labels and list(bound.thresholds) == list(shipped.thresholds)


@pytest.mark.parametrize(
    "tampering",
    ["two thresholds swapped", "labels reversed with their thresholds", "weights of another model"],
)
def test_labels_and_thresholds_are_bound_to_the_weights(model_copy, tmp_path, tampering):
    _bind(model_copy)
    metadata = _metadata(model_copy)
    first, second = metadata["labels"][:2]
    if tampering == "two thresholds swapped":
        metadata["thresholds"][first], metadata["thresholds"][second] = (
            metadata["thresholds"][second] or 0.5, (metadata["thresholds"][first] or 0.5) / 2)
        _write_metadata(model_copy, metadata)
    elif tampering == "labels reversed with their thresholds":
        metadata["labels"].reverse()
        _write_metadata(model_copy, metadata)
    else:
        arrays = load_file(str(model_copy / LINEAR_WEIGHTS))
        arrays["intercept"] = arrays["intercept"] + 1.0
        save_file(arrays, str(model_copy / LINEAR_WEIGHTS))
    with pytest.raises(ConfigError, match="changed since export"):
        load_model_dir(model_copy)
