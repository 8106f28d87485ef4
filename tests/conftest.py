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


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (two cores) for every test that needs it; skipped without pyspark or Java."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed (pip install '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java: no java on PATH and no JAVA_HOME")
    from provrisk.batch.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def pytest_terminal_summary(terminalreporter):
    """Report provision counts per corpus instrument after the end-to-end segmentation test."""
    from tests.segment.test_corpus import PROVISION_COUNTS

    if not PROVISION_COUNTS:
        return
    terminalreporter.section("provisions per corpus instrument")
    for instrument_id, count in sorted(PROVISION_COUNTS.items()):
        terminalreporter.write_line(f"{count:6d}  {instrument_id}")
    terminalreporter.write_line(f"{sum(PROVISION_COUNTS.values()):6d}  total ({len(PROVISION_COUNTS)} instruments)")
