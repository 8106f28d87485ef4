"""`provrisk batch --engine spark`: bad files become failures, not a failed job; a killed job resumes where it stopped.

The corpus-wide comparison with the local engine is in tests/test_scoring_paths.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.cli import app
from tests.batch.test_kill_and_resume import _comparable, _statutes

pytestmark = pytest.mark.slow


def test_corrupt_and_oversized_files_are_failures_and_the_rest_is_scored(spark, tmp_path):
    source = _statutes(tmp_path / "statutes", n=2)  # two statutes and a corrupt PDF
    (source / "empty.docx").write_bytes(b"")
    (source / "huge.txt").write_text("1. Interception\nThe Minister may intercept.\n" * 20_000, encoding="utf-8")
    result = run_batch(collect_inputs(source), tmp_path / "out", formats=("json",), engine="spark",
                       max_bytes=200_000)
    outcomes = {o.item.instrument_id: o for o in result.outcomes}
    assert {i: o.status for i, o in outcomes.items()} == {
        "act-0": "scored", "act-1": "scored", "broken": "failed", "empty": "failed", "huge": "failed"}
    assert "broken.pdf" in outcomes["broken"].error and "\n" not in outcomes["broken"].error
    assert "empty file (0 bytes)" in outcomes["empty"].error
    assert "file too large" in outcomes["huge"].error
    failures = (tmp_path / "out" / "failures.jsonl").read_text().splitlines()
    assert len(failures) == 3


def _spark_batch_command(source, out):
    return [sys.executable, "-m", "provrisk.cli", "batch", str(source), "--out", str(out), "--engine", "spark",
            "--spark-master", "local[1]"]


def test_a_killed_spark_job_resumes_and_ends_as_an_uninterrupted_run(spark, tmp_path):
    source = _statutes(tmp_path / "statutes")  # six statutes and a corrupt PDF
    uninterrupted = tmp_path / "uninterrupted"
    run_batch(collect_inputs(source), uninterrupted, engine="spark")

    killed = tmp_path / "killed"
    process = subprocess.Popen(_spark_batch_command(source, killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    # reports/<id>.sha256 is written last: it marks a statute as done
    while time.monotonic() < deadline and not list((killed / "reports").glob("*.sha256")):
        time.sleep(0.05)
    # SIGKILL the driver, its JVM and the Python workers once some but not all reports exist.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    finished_before = len(list((killed / "reports").glob("*.sha256")))
    assert 1 <= finished_before < 6, "the kill must land mid-run"
    assert not (killed / "index.html").exists()

    rerun = CliRunner().invoke(app, ["batch", str(source), "--out", str(killed), "--engine", "spark"])
    assert rerun.exit_code == 2, rerun.output  # broken.pdf fails, every time
    assert f"{finished_before} already scored" in rerun.stdout
    assert _comparable(killed) == _comparable(uninterrupted)
    assert not _comparable(killed)["leftovers"]


def test_spark_engine_needs_pyspark_named_in_one_line(monkeypatch, tmp_path):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real_find_spec(name, *a))
    result = CliRunner().invoke(app, ["batch", str(_statutes(tmp_path / "statutes", n=1)), "--out", str(tmp_path / "out"),
                                      "--engine", "spark"])
    assert result.exit_code != 0
    assert "pip install '.[spark]'" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
