"""Shared test fixtures: where the shared corpus is, and offline mode for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests never reach a model hub.
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_name, "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = Path(os.environ.get("PROVRISK_CORPUS_DIR", REPO_ROOT.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (SHARED_CORPUS / "manifest.jsonl").exists():
        pytest.skip("the shared corpus (../shared/corpora) is not present")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


def pytest_terminal_summary(terminalreporter):
    """Report provision counts per corpus instrument after the end-to-end segmentation test."""
    from tests.segment.test_corpus import PROVISION_COUNTS

    if not PROVISION_COUNTS:
        return
    terminalreporter.section("provisions per corpus instrument")
    for instrument_id, count in sorted(PROVISION_COUNTS.items()):
        terminalreporter.write_line(f"{count:6d}  {instrument_id}")
    terminalreporter.write_line(f"{sum(PROVISION_COUNTS.values()):6d}  total ({len(PROVISION_COUNTS)} instruments)")
