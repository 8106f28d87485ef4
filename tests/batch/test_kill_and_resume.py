"""`provrisk batch` killed with SIGKILL mid-run and started again ends exactly where an uninterrupted run ends."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


def _statutes(folder, n=6):
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    for i in range(n):
        # Distinct statutes: a different Act name and one extra section each.
        extra = f"\n17. Commencement {i}\nThis Act comes into force on the day the Minister appoints by notice number {i}.\n"
        (folder / f"act-{i}.txt").write_text(text.replace("ACT 2026", f"ACT {2030 + i}") + extra, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    return folder


def _batch_command(source, out):
    return [sys.executable, "-m", "provrisk.cli", "batch", str(source), "--out", str(out), "--workers", "1"]


def _comparable(out):
    """Every output, minus what legitimately differs between two runs (report timestamps)."""
    reports = {}
    for path in sorted((out / "reports").glob("*.json")):
        document = json.loads(path.read_text())
        document.pop("generated_at")
        reports[path.name] = document
    provisions = pd.read_parquet(out / "provisions.parquet")
    return {
        "reports": reports,
        "report_files": sorted(p.name for p in (out / "reports").iterdir()),
        "failures": sorted((out / "failures.jsonl").read_text().splitlines()),
        "provisions": json.loads(provisions.to_json(orient="records")),
        "matrix": (out / "matrix.csv").read_text(),
        "leftovers": sorted(p.name for p in out.rglob("*.tmp")),
    }


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_equals_an_uninterrupted_run(tmp_path):
    source = _statutes(tmp_path / "statutes")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    uninterrupted = tmp_path / "uninterrupted"
    subprocess.run(_batch_command(source, uninterrupted), env=env, capture_output=True, timeout=600)

    killed = tmp_path / "killed"
    process = subprocess.Popen(_batch_command(source, killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    # reports/<id>.sha256 is written last: it marks a statute as done
    while time.monotonic() < deadline and not list((killed / "reports").glob("*.sha256")):
        time.sleep(0.05)
    # SIGKILL the whole process group (the batch and its worker) once some but not all reports exist.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    finished_before = len(list((killed / "reports").glob("*.sha256")))
    assert 1 <= finished_before < 6, "the kill must land mid-run"
    assert not (killed / "index.html").exists()

    rerun = subprocess.run(_batch_command(source, killed), env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 2, rerun.stderr  # broken.pdf fails, every time
    assert f"{finished_before} already scored" in rerun.stdout
    assert _comparable(killed) == _comparable(uninterrupted)
    assert not _comparable(killed)["leftovers"]


def test_files_that_are_not_statutes_are_reported_not_dropped(tmp_path):
    source = tmp_path / "statutes"
    source.mkdir()
    shutil.copy(EXAMPLE, source / EXAMPLE.name)
    (source / "notes.csv").write_text("meeting,notes", encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(source), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "ignored 1 file(s) that are not a statute format" in result.stderr and "notes.csv" in result.stderr
