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
    assert taxonomy.ids == shared_ids and taxonomy.version == "1.2"
    assert taxonomy.label2id["vague_offence_terms"] == 0


def test_invalid_taxonomy_is_a_one_line_config_error(tmp_path):
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("version: '1'\nunit: x\nrules: []\nconventions: {nope: x}\nlabels: []\n")
    with pytest.raises(ConfigError, match="conventions for unknown labels"):
        load_taxonomy(bad)


def test_unknown_label_ids_are_refused():
    with pytest.raises(ConfigError, match="unknown label ids"):
        load_taxonomy().check(["vague_offence_terms", "made_up"])


def test_project_copy_is_the_shared_taxonomy_verbatim():
    shared = REPO_ROOT.parent / "shared" / "taxonomy.yaml"
    if not shared.exists():
        pytest.skip("../shared is not present")
    assert (REPO_ROOT / "configs" / "taxonomy.yaml").read_bytes() == shared.read_bytes()


def test_every_label_names_the_standards_it_engages():
    taxonomy = load_taxonomy()
    assert all(label.standards for label in taxonomy.labels)
    assert load_taxonomy().label("no_prior_judicial_authorisation").standards[0] == (
        "Necessary and Proportionate, Principle 6 (competent judicial authority)")


def test_a_label_without_standards_is_a_config_error(tmp_path):
    raw = yaml.safe_load((REPO_ROOT / "configs" / "taxonomy.yaml").read_text())
    del raw["labels"][0]["standards"]
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="standards"):
        load_taxonomy(bad)
