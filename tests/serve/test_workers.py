"""`provrisk serve --workers 2`: several server processes, each with the model, answer on one port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_two_worker_processes_score_uploads(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "PROVRISK_MODEL"}
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "provrisk.cli", "serve", "--port", str(port), "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        pids = {int(child) for task in os.scandir(f"/proc/{server.pid}/task")
                for child in open(f"{task.path}/children").read().split()}
        assert len(pids) >= 2, "a supervisor with one process per worker"
        with EXAMPLE.open("rb") as handle:
            answer = httpx.post(url + "/v1/score", files={"file": (EXAMPLE.name, handle.read())}, timeout=60)
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["instrument"]["source"] == EXAMPLE.name
        assert any("executive_blocking_takedown" in p["labels"] for p in report["provisions"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
