"""The Dockerfile: its command is one `provrisk serve` accepts (always checked), and the image builds and
answers /healthz as a non-root user (only where a Docker daemon answers)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
import uuid

import httpx
import pytest
import typer
from typer.testing import CliRunner

from provrisk.cli import app
from provrisk.serve.app import OPEN_ROUTES
from tests.conftest import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction of the Dockerfile, continuation lines joined."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def exec_form(arguments: str) -> list[str]:
    """A JSON-array (exec form) argument list; a shell-form command would not get signals as PID 1."""
    words = json.loads(arguments)
    assert isinstance(words, list) and all(isinstance(word, str) for word in words), arguments
    return words


def instruction(keyword: str) -> str:
    found = [arguments for name, arguments in dockerfile_instructions() if name == keyword]
    assert len(found) == 1, f"the Dockerfile should have one {keyword}"
    return found[0]


def served_options(command: list[str]) -> dict:
    """The values `provrisk serve` reads from ``command``'s options (an unknown option or bad value raises)."""
    return typer.main.get_command(app).commands["serve"].make_context("serve", command[2:]).params


def test_the_command_is_one_provrisk_serve_accepts():
    command = exec_form(instruction("CMD"))
    assert command[:2] == ["provrisk", "serve"]
    # with --help last, `provrisk serve` parses every option before it prints its help: an unknown one fails
    checked = CliRunner().invoke(app, [*command[1:], "--help"])
    assert checked.exit_code == 0, f"provrisk serve refuses the Dockerfile's CMD {shlex.join(command)}: {checked.output}"
    options = served_options(command)
    assert options["host"] == "0.0.0.0"
    assert options["model"] is None, "the image serves the shipped default model"


def test_the_health_check_asks_the_served_port_for_an_open_route():
    port = served_options(exec_form(instruction("CMD")))["port"]
    health = instruction("HEALTHCHECK")
    assert f"http://127.0.0.1:{port}/healthz" in health and "/healthz" in OPEN_ROUTES
    assert f"{port}" in instruction("EXPOSE").split()


def test_the_image_is_python_3_11_slim_and_runs_as_a_non_root_user():
    assert instruction("FROM") == "python:3.11-slim"
    assert instruction("USER").split(":")[0] not in ("root", "0")
    # torch, if ever installed, must be the pinned CPU build (a looser spec pulls a multi-GB CUDA build)
    runs = " ".join(arguments for name, arguments in dockerfile_instructions() if name == "RUN")
    assert set(re.findall(r"torch[^\s'\"\]]*", runs)) <= {"torch==2.13.0"}


def test_the_build_context_leaves_out_local_state_and_keeps_what_the_service_reads():
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "out", "mlruns", "mlflow.db", "data", "tests"} <= ignored
    needed = ("pyproject.toml", "README.md", "pipeline", "models/provrisk-linear", "configs", "corpora", "eval")
    assert not [path for path in needed for pattern in ignored if path == pattern or path.startswith(pattern + "/")]


def _docker_daemon_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.slow
def test_the_image_builds_and_answers_healthz_as_a_non_root_user():
    if not _docker_daemon_answers():
        pytest.skip("no Docker daemon: docker is not on PATH or `docker info` fails")
    tag = f"provrisk-test:{uuid.uuid4().hex[:12]}"
    name = tag.replace(":", "-")
    subprocess.run(["docker", "build", "-t", tag, str(REPO_ROOT)], check=True, timeout=1800)
    try:
        subprocess.run(["docker", "run", "-d", "--name", name, "-p", "127.0.0.1::8000", tag],
                       check=True, capture_output=True, timeout=60)
        address = subprocess.run(["docker", "port", name, "8000/tcp"], check=True, capture_output=True, text=True,
                                 timeout=30).stdout.split()[0]
        url = f"http://{address}"
        deadline = time.monotonic() + 180
        while True:
            try:
                answer = httpx.get(url + "/healthz", timeout=5)
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, subprocess.run(["docker", "logs", name], capture_output=True,
                                                               text=True).stdout
            time.sleep(2)
        assert answer.json()["status"] == "ok"
        uid = subprocess.run(["docker", "exec", name, "id", "-u"], check=True, capture_output=True, text=True,
                             timeout=30).stdout.strip()
        assert uid != "0"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
