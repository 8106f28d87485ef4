"""The web page at /, end to end: the real app under uvicorn, driven in headless Chromium by Playwright.

Skipped when the system Chromium (``chromium`` on PATH) or the playwright
package is missing; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from provrisk.serve.app import ServeSettings, create_app

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: `chromium` is not on PATH")

EXAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "examples" / "example-cybercrime-act.txt"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TOKEN = "web-test-token"
HOSTILE_STATUTE = (
    "1. Interception <img src=x onerror=\"window.pwned=1\">\n"
    "An authorised officer may intercept any communication <script>window.pwned=1</script> without a warrant.\n"
)


class BackgroundServer:
    """uvicorn serving ``app`` on a socket bound here, so the port is free and known before it starts."""

    def __init__(self, app) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(create_app(ServeSettings())) as running:
        yield running


@pytest.fixture(scope="module")
def token_server():
    with BackgroundServer(create_app(ServeSettings(api_token=TOKEN))) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console() -> list[str]:
    """What the page logs to its console (a blocked inline script or style shows up here)."""
    return []


@pytest.fixture
def page(browser, console):
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    opened.on("console", lambda message: console.append(message.text))
    yield opened
    context.close()


def score_in_page(page, url: str, files) -> None:
    page.goto(url + "/")
    page.set_input_files("#file", files)
    page.click("#score")


def test_score_filter_expand_and_download(page, console, server):
    expected = httpx.post(f"{server.url}/v1/score", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())}).json()
    score_in_page(page, server.url, str(EXAMPLE))
    page.wait_for_selector("#provisions .provision .chip")

    assert page.text_content("#instrument-title") == expected["instrument"]["title"]
    profile = expected["profile"]
    assert page.text_content("#profile-flagged") == f"{profile['flagged']} of {profile['provisions']}"
    assert page.text_content("#profile-risk-index") == f"{profile['risk_index']:.1f} / 100"

    # filter by a label that some, not all, flagged provisions carry
    label = "surveillance_power"
    carrying = [p["citation"] for p in expected["provisions"] if label in p["labels"]]
    assert 0 < len(carrying) < profile["flagged"]
    button = page.locator(f'#filters button[data-label="{label}"]')
    assert button.text_content().endswith(str(len(carrying)))
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    visible = page.locator("#provisions .provision:visible")
    assert [element.get_attribute("data-citation") for element in visible.all()] == carrying
    for element in visible.all():
        assert label in element.get_attribute("data-labels").split()
    hidden = page.locator("#provisions .provision:not(:visible)")
    assert hidden.count() == len(expected["provisions"]) - len(carrying)
    for element in hidden.all():
        assert label not in element.get_attribute("data-labels").split()

    # expanding a provision shows its text with the trigger words marked and the standard engaged
    first = visible.first
    first.locator(".provision-toggle").click()
    body = first.locator(".provision-body")
    body.wait_for(state="visible")
    provision = next(p for p in expected["provisions"] if p["citation"] == carrying[0])
    marked = [text.casefold() for text in body.locator("mark").all_text_contents()]
    assert marked and any(quote.casefold() in marked for quote in provision["evidence"][label])
    flag = next(f for f in provision["flags"] if f["label"] == label)
    assert flag["standard"] in body.locator(f'.rationale li[data-label="{label}"]').text_content()
    assert body.locator(".provision-text").text_content() == provision["text"]

    # the same button again clears the filter: every provision with a label shows
    button.click()
    assert visible.count() == sum(1 for p in expected["provisions"] if p["labels"])

    with page.expect_download() as json_download:
        page.click("#download-json")
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert report["instrument"]["source"] == EXAMPLE.name
    assert json_download.value.suggested_filename == "example-cybercrime-act-provrisk.json"
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    assert Path(csv_download.value.path()).read_text(encoding="utf-8").startswith("instrument_id,citation,")
    assert not [text for text in console if "Content Security Policy" in text]
    # the inline style ran under the page's Content-Security-Policy
    assert page.eval_on_selector("#score", "node => getComputedStyle(node).backgroundColor") == "rgb(31, 78, 140)"


def test_statute_text_is_shown_as_text_never_run(page, server):
    upload = {"name": "hostile.txt", "mimeType": "text/plain", "buffer": HOSTILE_STATUTE.encode()}
    score_in_page(page, server.url, upload)
    provision = page.locator("#provisions .provision").first
    provision.wait_for()
    page.check("#show-unflagged")
    provision.locator(".provision-toggle").click()
    assert "<img src=x" in provision.locator(".heading").text_content()
    assert "<script>window.pwned=1</script>" in provision.locator(".provision-text").text_content()
    assert page.locator("#provisions img, #provisions script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_bad_file_shows_the_server_message(page, server):
    score_in_page(page, server.url, {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""})
    status = page.locator("#status.error")
    status.wait_for()
    assert status.text_content() == "empty.txt: empty file (0 bytes)"
    assert page.locator("#result").is_hidden()


def test_token_field_is_sent_as_bearer_token(page, token_server):
    score_in_page(page, token_server.url, str(EXAMPLE))
    page.locator("#status.error").wait_for()
    assert "access token" in page.text_content("#status")
    page.fill("#token", TOKEN)
    page.click("#score")
    page.wait_for_selector("#provisions .provision .chip")
    assert not page.locator("#status.error").count()
    assert page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
