"""`provrisk batch` over manifests and folders assembled by someone else.

- A manifest id is a file name: one that is not a safe one ("../../victim/keep",
  an absolute path, a hidden name...) refuses the whole manifest before anything
  is written or deleted; every output path stays inside --out, even when
  --out/reports or a report is a symbolic link.
- Symbolic links out of the corpus are refused unless --follow-symlinks; FIFOs,
  sockets and devices are refused with an error naming the file, in manifest
  and in folder mode, and never hang the batch.
- kill -9 of the batch leaves no worker running.
- A rerun trusts only reports whose checksums match: a truncated HTML, an empty
  CSV and an edited JSON are all redone, and the edit never reaches the
  comparative outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.cli import app
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
ACT = "1. Interception\nAn authorised officer may intercept any communication without a warrant.\n"
SECRET = "1. Secret\nThe password of the host is hunter2.\n"


def _batch(*args: str):
    return CliRunner().invoke(app, ["batch", *map(str, args), "--workers", "1"])


def _corpus(folder: Path, records: list[dict], texts: dict[str, str]) -> Path:
    (folder / "texts").mkdir(parents=True)
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for name, text in texts.items():
        (folder / "texts" / name).write_text(text, encoding="utf-8")
    return folder


def _record(instrument_id: str) -> dict:
    return {"id": instrument_id, "title": "t", "jurisdiction": "x", "kind": "statute"}


def _everything_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- ids and output paths ------------------------------------------------------------------------------


def test_the_probes_traversal_id_deletes_and_writes_nothing_outside_out(tmp_path, monkeypatch):
    """The reproduction of issue 16: victim/keep.json survives, with and without an existing text."""
    monkeypatch.chdir(tmp_path)
    Path("victim").mkdir()
    Path("victim/keep.json").write_text("x\n", encoding="utf-8")
    _corpus(Path("c"), [_record("../../victim/keep")], {})
    first = _batch("c", "--out", "out")
    Path("victim/keep.txt").write_text(ACT, encoding="utf-8")  # "with an existing text"
    second = _batch("c", "--out", "out")
    for result in (first, second):
        assert result.exit_code == 2, result.output
        assert 'instrument id "../../victim/keep" is not a safe file name' in result.output
    assert Path("victim/keep.json").read_text(encoding="utf-8") == "x\n"
    assert sorted(p.name for p in Path("victim").iterdir()) == ["keep.json", "keep.txt"]
    assert not Path("out").exists() or not any(Path("out").rglob("*"))


@pytest.mark.parametrize(
    "instrument_id",
    ["../escape", "/tmp/absolute", "a/b", "a\\b", ".hidden", "..", "", "-leading-dash", "nul\x00byte", "new\nline",
     "x" * 129, "é-accent", "C:evil"],
)
def test_an_id_that_is_not_a_safe_file_name_refuses_the_manifest(tmp_path, instrument_id):
    corpus = _corpus(tmp_path / "corpus", [_record("good-act"), _record(instrument_id)], {"good-act.txt": ACT})
    before = _everything_under(tmp_path)
    result = _batch(corpus, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "is not a safe file name" in result.output and "Traceback" not in result.output
    assert _everything_under(tmp_path) == before


def test_outputs_never_go_through_a_link_out_of_the_output_folder(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "act.json").write_text("precious\n", encoding="utf-8")
    statutes = tmp_path / "statutes"
    statutes.mkdir()
    (statutes / "act.txt").write_text(ACT, encoding="utf-8")

    linked_reports = tmp_path / "out-linked"
    linked_reports.mkdir()
    (linked_reports / "reports").symlink_to(victim)
    result = _batch(statutes, "--out", linked_reports)
    assert result.exit_code == 2 and "outside the output folder" in result.output, result.output

    # A report that is itself a link is replaced, and on failure unlinked: its target is never written.
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "reports" / "act.json").symlink_to(victim / "act.json")
    assert _batch(statutes, "--out", out).exit_code == 0
    assert not (out / "reports" / "act.json").is_symlink()
    (out / "reports" / "act.json").unlink()
    (out / "reports" / "act.json").symlink_to(victim / "act.json")
    (statutes / "act.txt").write_bytes(b"")
    assert _batch(statutes, "--out", out).exit_code == 2
    assert not os.path.lexists(out / "reports" / "act.json")
    assert (victim / "act.json").read_text(encoding="utf-8") == "precious\n"


# --- what is read --------------------------------------------------------------------------------------


def _failures(out: Path) -> dict[str, str]:
    return {f["instrument_id"]: f["error"] for f in map(json.loads, (out / "failures.jsonl").read_text().splitlines())}


def _reports_text(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


def test_links_out_of_a_folder_are_refused_unless_asked(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    statutes = tmp_path / "statutes"
    statutes.mkdir()
    (statutes / "act.txt").write_text(ACT, encoding="utf-8")
    (statutes / "inside-link.txt").symlink_to(statutes / "act.txt")
    (statutes / "secret.txt").symlink_to(outside / "secret.txt")

    result = _batch(statutes, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    failures = _failures(tmp_path / "out")
    assert set(failures) == {"secret"}
    assert "a symbolic link to" in failures["secret"] and "--follow-symlinks" in failures["secret"]
    assert "hunter2" not in _reports_text(tmp_path / "out")
    assert (tmp_path / "out" / "reports" / "inside-link.json").exists(), "a link inside the folder is read"

    followed = _batch(statutes, "--out", tmp_path / "followed", "--follow-symlinks")
    assert followed.exit_code == 0, followed.output
    assert "hunter2" in (tmp_path / "followed" / "reports" / "secret.json").read_text(encoding="utf-8")


def test_links_out_of_a_corpus_are_refused_in_manifest_mode(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leaked.txt").write_text(SECRET, encoding="utf-8")
    corpus = _corpus(tmp_path / "corpus", [_record("act"), _record("leaked")], {"act.txt": ACT})
    (corpus / "texts" / "leaked.txt").symlink_to(outside / "leaked.txt")
    result = _batch(corpus, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "outside" in _failures(tmp_path / "out")["leaked"]
    # texts/ itself a link out of the corpus: every text is outside
    linked = tmp_path / "linked"
    linked.mkdir()
    shutil.copy(corpus / "manifest.jsonl", linked / "manifest.jsonl")
    (linked / "texts").symlink_to(corpus / "texts")
    assert _batch(linked, "--out", tmp_path / "out2").exit_code == 2
    assert set(_failures(tmp_path / "out2")) == {"act", "leaked"}
    assert "hunter2" not in _reports_text(tmp_path / "out") + _reports_text(tmp_path / "out2")


def _special_files(folder: Path, stem: str) -> dict[str, str]:
    """A FIFO, a socket and a link to a device, named like statutes: what each must be reported as."""
    os.mkfifo(folder / f"{stem}-fifo.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(folder / f"{stem}-socket.txt"))
    listener.close()
    (folder / f"{stem}-device.txt").symlink_to("/dev/zero")
    return {f"{stem}-fifo": "named pipe (FIFO)", f"{stem}-socket": "socket", f"{stem}-device": "character device"}


def _run_cli_with_a_deadline(*args: str) -> subprocess.CompletedProcess:
    """The batch in a child process: a hang fails the test instead of blocking the suite."""
    command = [sys.executable, "-m", "provrisk.cli", "batch", *map(str, args), "--workers", "1"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_fifos_sockets_and_devices_are_refused_never_read_nor_skipped(tmp_path):
    statutes = tmp_path / "statutes"
    statutes.mkdir()
    (statutes / "act.txt").write_text(ACT, encoding="utf-8")
    expected = _special_files(statutes, "folder")
    corpus = _corpus(tmp_path / "corpus", [_record("act"), _record("corpus-fifo"), _record("corpus-socket"),
                                           _record("corpus-device")], {"act.txt": ACT})
    expected_corpus = _special_files(corpus / "texts", "corpus")
    for source, kinds, out in ((statutes, expected, tmp_path / "out"), (corpus, expected_corpus, tmp_path / "out2")):
        result = _run_cli_with_a_deadline(source, "--out", out, "--follow-symlinks")
        assert result.returncode == 2, result.stderr
        failures = _failures(out)
        assert set(failures) == set(kinds), "every special file is reported, none skipped silently"
        for instrument_id, kind in kinds.items():
            assert f"not a regular file (a {kind})" in failures[instrument_id]
        assert (out / "reports" / "act.json").exists()


# --- workers die with the batch ------------------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    found, pending = set(), [pid]
    while pending:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except FileNotFoundError:
                continue
            found.update(children)
            pending.extend(children)
    return found


@pytest.mark.slow
def test_kill_9_of_the_batch_leaves_no_worker_running(tmp_path):
    statutes = tmp_path / "statutes"
    statutes.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    for i in range(12):
        (statutes / f"act-{i}.txt").write_text(text.replace("ACT 2026", f"ACT {2030 + i}"), encoding="utf-8")
    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, "-m", "provrisk.cli", "batch", str(statutes), "--out", str(out),
                              "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not list((out / "reports").glob("*.sha256")):
            workers |= _descendants(batch.pid)
            time.sleep(0.05)
        workers |= _descendants(batch.pid)
        assert len(workers) >= 2, "the batch started its workers"
        os.kill(batch.pid, signal.SIGKILL)  # the batch alone: its workers are not signalled
        batch.wait(30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "workers outlived the batch"
        finished = sorted(p.name for p in (out / "reports").iterdir())
        time.sleep(3)
        assert sorted(p.name for p in (out / "reports").iterdir()) == finished, "nothing is written after the kill"
    finally:
        if batch.poll() is None:
            batch.kill()
        for pid in workers:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


# --- resume trusts only verified outputs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scored_once(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    statutes = root / "statutes"
    statutes.mkdir()
    shutil.copy(EXAMPLE, statutes / "example.txt")
    (statutes / "act.txt").write_text(ACT, encoding="utf-8")
    (statutes / "other.txt").write_text(ACT.replace("Interception", "Retention"), encoding="utf-8")
    out = root / "out"
    result = run_batch(collect_inputs(statutes), out, workers=1, formats=("json", "html", "csv"))
    assert result.count("scored") == 3
    return statutes, out


def test_every_report_is_listed_with_its_checksum(scored_once):
    _, out = scored_once
    for instrument_id in ("example", "act", "other"):
        listing = (out / "reports" / f"{instrument_id}.sha256").read_text(encoding="utf-8")
        assert [line.split("  ")[1] for line in listing.splitlines()] == [f"{instrument_id}.{f}" for f in ("json", "html", "csv")]
        checked = subprocess.run(["sha256sum", "-c", f"{instrument_id}.sha256"], cwd=out / "reports",
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_truncated_html_empty_csv_and_edited_json_are_redone(scored_once, tmp_path):
    statutes, first = scored_once
    out = tmp_path / "out"
    shutil.copytree(first, out)
    reports = out / "reports"
    pristine = {p.name: p.read_bytes() for p in reports.iterdir()}
    html = reports / "act.html"
    html.write_bytes(html.read_bytes()[: len(html.read_bytes()) // 2])
    (reports / "other.csv").write_bytes(b"")
    edited = json.loads((reports / "example.json").read_text(encoding="utf-8"))
    edited["provisions"] = edited["provisions"][:3]
    edited["profile"].update(provisions=3, risk_index=0.0, flagged=0)
    (reports / "example.json").write_text(json.dumps(edited, indent=2), encoding="utf-8")

    result = run_batch(collect_inputs(statutes), out, workers=1, formats=("json", "html", "csv"))
    status = {o.item.instrument_id: o.status for o in result.outcomes}
    assert status == {"example": "scored", "act": "skipped", "other": "skipped"}
    assert reports.joinpath("act.html").read_bytes() == pristine["act.html"], "rendered again from the verified JSON"
    assert reports.joinpath("other.csv").read_bytes() == pristine["other.csv"]
    example = json.loads((reports / "example.json").read_text(encoding="utf-8"))
    assert example["profile"]["risk_index"] > 0 and len(example["provisions"]) > 3
    provisions = pd.read_parquet(out / "provisions.parquet")
    assert (provisions["instrument_id"] == "example").sum() == len(example["provisions"])
    assert f"{example['profile']['risk_index']:.1f}" in (out / "index.html").read_text(encoding="utf-8")


def test_a_report_without_its_checksum_file_is_not_trusted(scored_once, tmp_path):
    statutes, first = scored_once
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "reports" / "act.sha256").unlink()
    result = run_batch(collect_inputs(statutes), out, workers=1, formats=("json", "html", "csv"))
    assert {o.item.instrument_id: o.status for o in result.outcomes}["act"] == "scored"
