"""Model directories that were damaged or tampered with: a clear refusal naming the problem, never a traceback.

Each case copies the shipped model's directory and breaks one thing: the
metadata (not JSON, not an object, labels missing, shortened, reversed,
swapped or unknown, thresholds missing, of the wrong type or out of range),
or the weights (missing, empty, truncated, a zip whose schema is garbage or
nested too deep, a skops file holding something else). ``load_model_dir``
raises one ConfigError naming the file and the problem, and ``provrisk
score --model DIR`` prints it as one line and exits 2.

Labels and thresholds are bound to the weights: a model saved (or exported)
records ``weights_sha256``; swapping two thresholds, or the labels, or putting
another model's weights in place, is refused at load.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import skops.io as sio
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.errors import ConfigError
from provrisk.models.artifacts import (
    METADATA,
    SKOPS_FILE,
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


def _deep_schema(directory: Path) -> None:
    with zipfile.ZipFile(directory / SKOPS_FILE, "w") as archive:
        archive.writestr("schema.json", "[" * 200_000 + "]" * 200_000)


def _garbage_schema(directory: Path) -> None:
    with zipfile.ZipFile(directory / SKOPS_FILE, "w") as archive:
        archive.writestr("schema.json", json.dumps({"__class__": "dict", "content": {"a": {"b": 1}}}))


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
    "weights missing": (lambda d: (d / SKOPS_FILE).unlink(), "model.skops: missing"),
    "weights empty": (lambda d: (d / SKOPS_FILE).write_bytes(b""), "cannot be loaded (BadZipFile)"),
    "weights truncated": (lambda d: (d / SKOPS_FILE).write_bytes((d / SKOPS_FILE).read_bytes()[:100_000]),
                          "cannot be loaded"),
    "schema nested too deep": (_deep_schema, "cannot be loaded"),
    "schema garbage": (_garbage_schema, "cannot be loaded"),
    "weights hold a dict": (lambda d: sio.dump({"coef": [1, 2, 3]}, d / SKOPS_FILE), "holds a dict, not a provrisk linear model"),
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
        estimator = sio.load(model_copy / SKOPS_FILE, trusted=sio.get_untrusted_types(file=model_copy / SKOPS_FILE))
        estimator.fitted_by_someone_else_ = True
        sio.dump(estimator, model_copy / SKOPS_FILE)
    with pytest.raises(ConfigError, match="changed since export"):
        load_model_dir(model_copy)
