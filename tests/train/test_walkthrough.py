"""The README's retraining walk-through ("correct a flag, add ten examples, retrain, compare") runs as written.

The commands are read from the README itself (the ``sh`` block after the
``retrain-walkthrough`` marker) and run in the project folder, as an analyst
would, with two changes: what they write under ``out/retrain/`` goes to a
temporary folder, and the weak labels go there too; the training run is
made smaller with ``--set`` (two folds, fewer features, at most 3,000
provisions, every gold one kept) so the whole walk-through costs about 2.5
CPU-minutes. The shipped model and the gold files must be byte for byte
unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from provrisk.eval.gold import GOLD_FILES, read_jsonl
from provrisk.models.artifacts import load_model_dir
from tests.conftest import REPO_ROOT

WRITES = "out/retrain/"
SMALLER = ["--set", "cv.folds=2", "--set", "sampling.max_train_provisions=3000",
           "--set", "model.params.max_word_features=5000", "--set", "model.params.max_char_features=5000"]


def walkthrough_commands() -> list[list[str]]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- retrain-walkthrough.*?-->\n```sh\n(.*?)\n```", readme, re.S)
    assert block, "README.md has no retrain-walkthrough block"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.startswith(".venv/bin/provrisk ")]


def _digests(paths) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


@pytest.mark.slow
@pytest.mark.corpus
def test_the_readme_retraining_walkthrough_runs_as_written(tmp_path, corpus_dir):
    commands = walkthrough_commands()
    steps = [command[1:3] for command in commands]
    assert steps[0] == ["label", "corpus"] and ["train", "--config"] in steps and ["eval", "--model"] in steps
    assert sum(step == ["gold", "add"] for step in steps) == 10
    shipped = REPO_ROOT / "models" / "provrisk-linear"
    protected = [*shipped.iterdir(), *GOLD_FILES]
    before = _digests(protected)
    provrisk = str(Path(sys.executable).parent / "provrisk")
    weak = tmp_path / "weak"
    outputs = {}
    for command in commands:
        argv = [provrisk, *(argument.replace(WRITES, f"{tmp_path}/") for argument in command[1:])]
        if command[1:3] == ["label", "corpus"]:
            argv += ["--out", str(weak)]
        if command[1] == "train":
            argv += ["--set", f"weak_labels.dataset={weak}", *SMALLER]
        done = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0, f"{shlex.join(command)}\n{done.stderr[-2000:]}"
        outputs[" ".join(command[1:3])] = done.stdout

    reviewed = read_jsonl(tmp_path / "reviewed.jsonl")
    assert len(reviewed) == 10 and reviewed[0]["citation"] == "s. 12(1)" and reviewed[0]["labels"] == []
    model = load_model_dir(tmp_path / "model")
    trained_gold = sum(len(read_jsonl(path)) for path in GOLD_FILES[:2]) + 10
    assert model.metadata["n_gold"] == trained_gold
    assert f"{tmp_path}/reviewed.jsonl" in model.metadata["config"]["gold"]["train"]
    assert "ken-computer-misuse-cybercrimes-act-2018" in model.metadata["gold_instruments"]

    first = json.loads((tmp_path / "ken.json").read_text())
    again = json.loads((tmp_path / "ken-retrained.json").read_text())
    assert first["model"]["name"] == "provrisk-linear" and again["model"]["name"] == "model"
    [corrected] = [p for p in again["provisions"] if p["citation"] == "s. 12(1)"]
    assert set(corrected["scores"]) == set(model.labels)
    assert "grouped-CV macro-F1" in outputs["eval --model"] and "provrisk-linear" in outputs["eval --model"]
    assert _digests(protected) == before
