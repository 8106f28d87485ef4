"""The package layout: one `provrisk` namespace mapped onto the design card's folders."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO_ROOT


def test_every_code_folder_is_a_listed_package():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = config["package-dir"]
    listed = set(config["packages"])
    found = set()
    for import_name, folder in mapping.items():
        root = REPO_ROOT / folder
        for init in root.rglob("__init__.py"):
            relative = init.parent.relative_to(root).parts
            found.add(".".join((import_name, *relative)))
    # Subfolders of a mapped folder that are themselves mapped appear under their own name.
    assert found == listed


def test_everything_installs_under_the_provrisk_namespace():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert all(name == "provrisk" or name.startswith("provrisk.") for name in config["packages"])
    assert all(name == "provrisk" or name.startswith("provrisk.") for name in config["package-dir"])
