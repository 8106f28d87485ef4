"""The taxonomy contract: the project's copy keeps the shared ids and is validated."""

from __future__ import annotations

import pytest
import yaml

from provrisk.errors import ConfigError
from provrisk.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT


def test_project_copy_keeps_the_shared_label_ids():
    shared = REPO_ROOT.parent / "shared" / "taxonomy.yaml"
    if not shared.exists():
        pytest.skip("../shared is not present")
    shared_ids = [label["id"] for label in yaml.safe_load(shared.read_text())["labels"]]
    taxonomy = load_taxonomy()
    assert taxonomy.ids == shared_ids and taxonomy.version == "1.1"
    assert taxonomy.label2id["vague_offence_terms"] == 0


def test_invalid_taxonomy_is_a_one_line_config_error(tmp_path):
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("version: '1'\nunit: x\nrules: []\nconventions: {nope: x}\nlabels: []\n")
    with pytest.raises(ConfigError, match="conventions for unknown labels"):
        load_taxonomy(bad)


def test_unknown_label_ids_are_refused():
    with pytest.raises(ConfigError, match="unknown label ids"):
        load_taxonomy().check(["vague_offence_terms", "made_up"])


def test_standard_is_the_whole_first_sentence_even_with_an_ellipsis():
    standard = load_taxonomy().label("optional_intent").standard
    assert standard.startswith("Criminal intent (mens rea)")
    assert "committed with ... intent" in standard
    assert standard.endswith("or liability is strict.")
