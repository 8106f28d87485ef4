"""What a new user does, from a fresh clone: ``make run``, then ``.venv/bin/provrisk serve``, then a statute
uploaded on the web page is scored.

The clone is of the committed ``HEAD`` (what a user gets), and ``make run`` builds its own virtual
environment from the package registry, as on a new machine: this is the test that catches an extra
the server needs but ``make run`` does not install. The upload goes through the page in headless
Chromium where it is installed (``chromium`` on PATH), and through the same multipart form the page
posts otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git"),
    pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout: nothing to clone"),
]

EXAMPLE = Path("corpora/examples/example-cybercrime-act.txt")
INSTALL_TIMEOUT_S = 1500
CHROMIUM = shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone on which ``make run`` has run, with the environment a user's shell would have."""
    folder = tmp_path_factory.mktemp("fresh") / "provrisk"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(folder)], check=True, timeout=120)
    env = {name: value for name, value in os.environ.items() if name not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # the interpreter that made this test's environment, not the test environment itself
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep)
                                  if not part.startswith(str(REPO_ROOT)))
    made = subprocess.run(["make", "run"], cwd=folder, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    return folder


def test_make_run_writes_the_report_of_the_shipped_example(clone):
    report = clone / "out" / "example-cybercrime-act.report.html"
    assert report.exists() and "s. 9" in report.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(clone):
    """``.venv/bin/provrisk serve`` of the clone, as the README shows it, on a free port."""
    port = _free_port()
    log = clone / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(clone / ".venv" / "bin" / "provrisk"), "serve", "--port", str(port)], cwd=clone,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"provrisk serve exited: {log.read_text(errors='replace')[-2000:]}"
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"provrisk serve did not answer: {log.read_text(errors='replace')[-2000:]}"
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def test_the_served_page_and_its_offline_docs_load(served):
    page = httpx.get(served + "/")
    assert page.status_code == 200 and 'id="file"' in page.text
    docs = httpx.get(served + "/docs")
    assert docs.status_code == 200
    # Swagger UI's assets come from the server itself: /docs works offline
    assets = re.findall(r'(?:src|href)="(/docs/[^"]+)"', docs.text)
    assert len(assets) >= 2 and all(httpx.get(served + asset).status_code == 200 for asset in assets)
    assert "https://" not in docs.text and httpx.get(served + "/openapi.json").status_code == 200


def test_a_statute_uploaded_as_the_page_does_is_scored(served, clone):
    example = clone / EXAMPLE
    answer = httpx.post(served + "/v1/score", files={"file": (example.name, example.read_bytes(), "text/plain")}, timeout=120)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["profile"]["flagged"] > 0
    assert any(provision["citation"] == "s. 9(1)" and provision["labels"] for provision in report["provisions"])


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: `chromium` is not on PATH")
def test_a_statute_uploaded_on_the_page_is_scored_in_the_browser(served, clone):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(served + "/")
            page.set_input_files("#file", str(clone / EXAMPLE))
            page.click("#score")
            page.wait_for_selector("#provisions .provision .chip", timeout=120_000)
            assert page.locator('#provisions .provision[data-citation="s. 9(1)"]').count() == 1
        finally:
            browser.close()
