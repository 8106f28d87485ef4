"""`provrisk serve --allowed-origins/--rate-limit/--forwarded-allow-ips`: bad values refused in one line, good ones
reaching every server process (the real command, in a subprocess, behind a pretend proxy on loopback)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from provrisk.cli import app

LISTED = "https://ngo.example.org"
runner = CliRunner()


@pytest.mark.parametrize("arguments, named", [
    (["--allowed-origins", "https://ngo.example.org,ngo.example.net"], "--allowed-origins"),
    (["--allowed-origins", LISTED, "--allowed-origins", "https://ngo.example.org/"], "--allowed-origins"),
    (["--rate-limit", "sixty a minute"], "--rate-limit"),
    (["--rate-limit", "0/minute"], "--rate-limit"),
    (["--forwarded-allow-ips", "proxy.internal"], "--forwarded-allow-ips"),
])
def test_a_bad_option_is_one_line_and_nothing_starts(arguments, named):
    result = runner.invoke(app, ["serve", "--port", "1", *arguments])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {named}"), result.stderr
    assert "Traceback" not in result.output


def test_a_bad_variable_is_one_line_naming_it():
    result = runner.invoke(app, ["serve", "--port", "1"], env={"PROVRISK_RATE_LIMIT": "lots"})
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "(PROVRISK_RATE_LIMIT='lots')" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(log: Path, *options: str) -> Iterator[str]:
    """``provrisk serve *options`` on a free loopback port, until it answers /healthz: its URL."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("PROVRISK_MODEL", "PROVRISK_ALLOWED_ORIGINS", "PROVRISK_RATE_LIMIT", "FORWARDED_ALLOW_IPS")}
    env["PROVRISK_SCORING_PROCESSES"] = "1"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "provrisk.cli", "serve", "--port", str(port), *options],
                                  stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _labels_as(url: str, client_address: str) -> int:
    """GET /v1/labels on a new connection, as a trusted proxy would pass on a request of ``client_address``."""
    return httpx.get(url + "/v1/labels", headers={"X-Forwarded-For": client_address}, timeout=10).status_code


@pytest.mark.slow
def test_options_reach_every_server_process_and_limit_each_real_client(tmp_path):
    workers = 2
    with running_server(tmp_path / "serve.log", "--workers", str(workers), "--allowed-origins", LISTED,
                        "--rate-limit", "2/minute", "--forwarded-allow-ips", "127.0.0.1") as url:
        for _ in range(6):  # new connections, so both processes answer some
            allowed = httpx.options(url + "/v1/score", timeout=10, headers={
                "Origin": LISTED, "Access-Control-Request-Method": "POST"})
            assert allowed.headers.get("access-control-allow-origin") == LISTED
        answers = Counter(_labels_as(url, "203.0.113.1") for _ in range(12))
        # each process counts on its own: at most the limit per process gets through
        assert set(answers) == {200, 429} and 2 <= answers[200] <= 2 * workers, answers
        assert _labels_as(url, "203.0.113.2") == 200


@pytest.mark.slow
def test_x_forwarded_for_from_an_untrusted_proxy_is_ignored(tmp_path):
    with running_server(tmp_path / "serve.log", "--rate-limit", "2/minute",
                        "--forwarded-allow-ips", "10.0.0.1") as url:
        assert [_labels_as(url, "203.0.113.1") for _ in range(2)] == [200, 200]
        # the proxy here (127.0.0.1) is not trusted, so every request is its own, whatever it forwards
        assert _labels_as(url, "203.0.113.2") == 429
