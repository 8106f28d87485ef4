"""The web page at /, end to end: the real app under uvicorn, driven in headless Chromium by Playwright.

Skipped when the system Chromium (``chromium`` on PATH) or the playwright
package is missing; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import docx
import httpx
import pytest
import uvicorn

from provrisk.serve.app import ServeSettings, create_app

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: `chromium` is not on PATH")

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
# The example Act with s. 9's real-time collection put under a judge's warrant and s. 5's "public order or
# morality" offence dropped: two provisions the diff finds modified.
SECTION_9_BEFORE = ("The Director of the National Cyber Unit may, where it appears necessary for the purposes of "
                    "an investigation,")
SECTION_9_AFTER = ("A judge of the High Court may, on application by the Director, where satisfied that it is "
                   "necessary and proportionate to the investigation of a serious offence,")
# The packaged UN Convention's verbatim articles are always here; Budapest only with the shared corpus.
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpora"
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

    # expanding a provision shows its text with the trigger words marked, the verdict and the standards engaged
    first = visible.first
    first.locator(".provision-toggle").click()
    body = first.locator(".provision-body")
    body.wait_for(state="visible")
    provision = next(p for p in expected["provisions"] if p["citation"] == carrying[0])
    marked = [text.casefold() for text in body.locator("mark").all_text_contents()]
    assert marked and any(quote.casefold() in marked for quote in provision["evidence"][label])
    flag = next(f for f in provision["flags"] if f["label"] == label)
    reason = body.locator(f'.rationale li[data-label="{label}"]').text_content()
    assert all(standard in reason for standard in flag["standards"])
    assert flag["why"] in reason and flag["verdict"] in reason
    assert f"{round(flag['heldout_precision'] * 100)}% of this label's {flag['heldout_flags']} flags" in reason
    assert body.locator(".provision-text").text_content() == provision["text"]

    # while the filter is on, every download holds the provisions the page shows
    with page.expect_download() as brief_download:
        page.click("#download-docx")
    assert brief_download.value.suggested_filename == "example-cybercrime-act-provrisk.docx"
    brief = docx.Document(brief_download.value.path())
    assert any(f"hold the provisions carrying ‘{flag['name']}’, as chosen" in p.text for p in brief.paragraphs)
    in_table = [row.cells[0].text.splitlines()[0] for row in brief.tables[0].rows[1:]]
    assert set(in_table) == set(carrying)
    with page.expect_download() as json_download:
        page.click("#download-json")
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [p["citation"] for p in report["provisions"]] == carrying
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert list(dict.fromkeys(row["citation"] for row in rows)) == carrying

    # the same button again clears the filter: every provision with a label shows, and is downloaded
    button.click()
    labelled = [p["citation"] for p in expected["provisions"] if p["labels"]]
    assert visible.count() == len(labelled)
    with page.expect_download() as json_download:
        page.click("#download-json")
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert report["instrument"]["source"] == EXAMPLE.name
    assert [p["citation"] for p in report["provisions"]] == labelled
    assert json_download.value.suggested_filename == "example-cybercrime-act-provrisk.json"
    # showing the provisions without a label too: the download holds every provision
    page.check("#show-unflagged")
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert list(dict.fromkeys(row["citation"] for row in rows)) == list(
        dict.fromkeys(p["citation"] for p in expected["provisions"]))
    assert not [text for text in console if "Content Security Policy" in text]
    # the inline style ran under the page's Content-Security-Policy
    assert page.eval_on_selector("#score", "node => getComputedStyle(node).backgroundColor") == "rgb(31, 78, 140)"


def test_confidence_filters_and_order(page, server):
    expected = httpx.post(f"{server.url}/v1/score", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())}).json()
    score_in_page(page, server.url, str(EXAMPLE))
    page.wait_for_selector("#provisions .provision .chip")
    profile = expected["profile"]
    assert page.text_content("#profile-solid") == f"{profile['solid']} of {profile['flags']}"
    assert expected["confidence"]["rule"] in page.text_content("#verdict-rule")

    # solid only: just the provisions with a solid flag, and only their solid chips
    solid = [p["citation"] for p in expected["provisions"] if any(f["verdict"] == "solid" for f in p["flags"])]
    assert 0 < len(solid) < profile["flagged"]
    page.check("#solid-only")
    visible = page.locator("#provisions .provision:visible")
    assert [element.get_attribute("data-citation") for element in visible.all()] == solid
    assert {chip.get_attribute("data-verdict") for chip in page.locator("#provisions .chip:visible").all()} == {"solid"}
    # the downloads hold the solid flags only, as the page shows them
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert rows and {row["verdict"] for row in rows} == {"solid"}
    assert list(dict.fromkeys(row["citation"] for row in rows)) == solid
    page.uncheck("#solid-only")

    # a minimum probability, then the most probable first
    page.select_option("#min-probability", "0.9")
    high = [p for p in expected["provisions"] if any(f["probability"] >= 0.9 for f in p["flags"])]
    assert [element.get_attribute("data-citation") for element in visible.all()] == [p["citation"] for p in high]
    page.select_option("#min-probability", "0")
    page.select_option("#order", "probability")
    flagged = [p for p in expected["provisions"] if p["flags"]]
    by_probability = sorted(flagged, key=lambda p: -max(f["probability"] for f in p["flags"]))
    assert [element.get_attribute("data-citation") for element in visible.all()] == [p["citation"] for p in by_probability]
    page.select_option("#order", "document")
    assert [element.get_attribute("data-citation") for element in visible.all()] == [p["citation"] for p in flagged]


def test_evidence_clauses_and_links_to_what_a_provision_uses(page, server):
    expected = httpx.post(f"{server.url}/v1/score", files={"file": (EXAMPLE.name, EXAMPLE.read_bytes())}).json()
    score_in_page(page, server.url, str(EXAMPLE))
    page.wait_for_selector("#provisions .provision .chip")
    page.check("#show-unflagged")
    # a flagged provision that cites another one of the Act
    provision = next(p for p in expected["provisions"] if p["flags"] and any(r["id"] for r in p["cross_references"]))
    article = page.locator(f'#provisions article[data-id="{provision["id"]}"]')
    article.locator(".provision-toggle").click()
    body = article.locator(".provision-body")
    body.wait_for(state="visible")

    # each flag shows its clauses, marked rule or model, cited
    for flag in provision["flags"]:
        lines = body.locator(f'.rationale li[data-label="{flag["label"]}"] .evidence')
        assert [line.get_attribute("data-source") for line in lines.all()] == [c["source"] for c in flag["evidence_clauses"]]
        for line, clause in zip(lines.all(), flag["evidence_clauses"]):
            assert clause["citation"] in line.text_content()
            assert line.locator(".source").text_content() == ("rule match" if clause["source"] == "rule" else "model reading")

    # every link leads to a provision on the page; following one opens that provision
    links = body.locator(".uses a")
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert hrefs == [f"#p-{d['id']}" for d in provision["definitions_used"]] + [
        f"#p-{r['id']}" for r in provision["cross_references"] if r["id"]]
    assert all(page.evaluate("(id) => document.getElementById(id) !== null", href[1:]) for href in hrefs)
    reference = next(r for r in provision["cross_references"] if r["id"])
    body.locator(f'.uses a[href="#p-{reference["id"]}"]').first.click()
    target = page.locator(f'article[id="p-{reference["id"]}"]')
    target.locator(".provision-body").wait_for(state="visible")
    assert target.locator(".provision-toggle").get_attribute("aria-expanded") == "true"
    assert target.is_visible()


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


def test_a_statute_in_another_language_shows_not_assessed_not_0(page, server):
    from tests.score.test_report import FRENCH_STATUTE

    score_in_page(page, server.url, {"name": "loi.txt", "mimeType": "text/plain", "buffer": FRENCH_STATUTE.encode()})
    page.wait_for_selector("#result:not([hidden])")
    shown = "not assessed (language: und-Latn)"
    assert page.text_content("#profile-risk-index") == shown and page.text_content("#profile-flagged") == shown
    assert "Not assessed: the text looks like" in page.text_content("#warnings")
    assert page.text_content("#status") == f"loi.txt: {shown}."


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


def amended_example(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert SECTION_9_BEFORE in text
    amended = folder / "example-cybercrime-act-2027.txt"
    amended.write_text(
        text.replace(SECTION_9_BEFORE, SECTION_9_AFTER).replace(", or that undermines public order or morality,", ","),
        encoding="utf-8",
    )
    return amended


def test_compare_two_versions_and_a_law_with_a_treaty(page, console, server, tmp_path):
    amended = amended_example(tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server.url + "/")
    page.click("#tab-compare")
    assert page.locator("#score-view").is_hidden()
    page.wait_for_selector("#treaty option[value='un-cybercrime-convention-2024']", state="attached")

    # two versions: a diff, with the modified provisions' words and risk labels shown side by side
    page.set_input_files("#old-file", str(EXAMPLE))
    page.set_input_files("#new-file", str(amended))
    page.click("#compare")
    modified = page.locator('#changes .change[data-status="modified"]')
    modified.first.wait_for()
    assert "Compared example-cybercrime-act.txt and example-cybercrime-act-2027.txt" in page.text_content("#compare-status")
    assert {element.get_attribute("data-old") for element in modified.all()} == {"s. 5", "s. 9(1)"}
    section_9 = page.locator('#changes .change[data-old="s. 9(1)"]')
    assert section_9.locator(".status-badge").text_content() == "modified"
    assert section_9.locator(".status-badge").is_visible()
    assert "judge of the High Court" in " ".join(section_9.locator("ins").all_text_contents())
    assert "of the National Cyber Unit may" in section_9.locator("del").all_text_contents()
    # the judge's warrant removes "no prior judicial authorisation": a struck chip
    assert section_9.locator('.chip.gone[data-chip-label="no_prior_judicial_authorisation"]').is_visible()
    assert page.locator('#changes .change[data-status="unchanged"]:visible').count() == 0
    page.check("#compare-show-all")
    assert page.locator('#changes .change[data-status="unchanged"]:visible').count() > 20
    page.uncheck("#compare-show-all")
    section_9.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "compare-diff.png"), full_page=True)

    with page.expect_download() as brief:
        page.click("#download-brief")
    assert brief.value.suggested_filename == "example-cybercrime-act-diff.docx"
    assert Path(brief.value.path()).read_bytes()[:2] == b"PK"  # a .docx is a zip
    with page.expect_download() as csv_download:
        page.click("#download-compare-csv")
    assert Path(csv_download.value.path()).read_text(encoding="utf-8").startswith("old,new,new_instrument,status,")
    # the downloads hold the pairs the page shows: the changed ones, or with "show unchanged" every pair
    with page.expect_download() as json_download:
        page.click("#download-compare-json")
    listed = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert {pair["old"] for pair in listed["pairs"] if pair["status"] == "modified"} == {"s. 5", "s. 9(1)"}
    assert all(pair["status"] != "unchanged" for pair in listed["pairs"])
    page.check("#compare-show-all")
    with page.expect_download() as json_download:
        page.click("#download-compare-json")
    every = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert len(every["pairs"]) == page.locator("#changes .change").count() > len(listed["pairs"])
    page.uncheck("#compare-show-all")

    # a law with a treaty: each provision's article
    treaty = "coe-budapest-convention-2001" if (SHARED_CORPUS / "manifest.jsonl").exists() else "un-cybercrime-convention-2024"
    expected = httpx.post(f"{server.url}/v1/compare", files={"law": (EXAMPLE.name, EXAMPLE.read_bytes())},
                          data={"treaty": treaty}, timeout=60).json()
    page.check("#mode-align")
    assert page.locator("#old-file").is_hidden() and page.locator("#law-file").is_visible()
    page.set_input_files("#law-file", str(EXAMPLE))
    page.select_option("#treaty", treaty)
    page.click("#compare")
    page.locator("#alignment").wait_for()
    assert page.text_content("#compare-title") == f"{expected['law']['title']} against {expected['treaty']['title']}"
    implementing = [pair for pair in expected["pairs"] if pair["article"]]
    assert implementing
    first = page.locator(f"#alignment tbody tr[data-provision={json.dumps(implementing[0]['provision'])}]")
    assert first.is_visible()
    assert first.locator("td.article").text_content().startswith(", ".join(implementing[0]["articles"]))
    assert implementing[0]["article"].startswith("Art. ")
    rows = page.locator("#alignment tbody tr:visible")
    assert rows.count() == sum(1 for pair in expected["pairs"] if pair["article"] or pair["labels_only_in_law"])
    assert page.locator("#changes").is_hidden()
    page.screenshot(path=str(tmp_path / "compare-align.png"))

    with page.expect_download() as brief:
        page.click("#download-brief")
    assert brief.value.suggested_filename == f"example-cybercrime-act-{treaty}-alignment.docx"
    with page.expect_download() as csv_download:
        page.click("#download-compare-csv")
    assert Path(csv_download.value.path()).read_text(encoding="utf-8").startswith("law,provision,heading,article,")
    assert not [text for text in console if "Content Security Policy" in text]
    assert not page.locator("#compare-status.error").count()


def test_compare_shows_statute_text_as_text_never_run(page, server):
    page.goto(server.url + "/")
    page.click("#tab-compare")
    old = {"name": "old.txt", "mimeType": "text/plain", "buffer": HOSTILE_STATUTE.encode()}
    new = {"name": "new.txt", "mimeType": "text/plain",
           "buffer": HOSTILE_STATUTE.replace("without a warrant", "<b>with</b> a warrant").encode()}
    page.set_input_files("#old-file", old)
    page.set_input_files("#new-file", new)
    page.click("#compare")
    page.locator("#changes .change").first.wait_for()
    page.check("#compare-show-all")
    assert '<img src=x onerror="window.pwned=1">' in page.locator("#changes .change .heading").first.text_content()
    assert "< script >" in page.text_content("#changes")  # the word diff's tokens, shown as text
    assert page.locator("#changes img, #changes script, #changes b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_compare_asks_for_the_token_and_sends_it(page, token_server):
    page.goto(token_server.url + "/")
    page.click("#tab-compare")
    page.locator("#compare-status.error").wait_for()
    assert "access token" in page.text_content("#compare-status")
    page.fill("#token", TOKEN)
    page.check("#mode-align")
    page.set_input_files("#law-file", str(EXAMPLE))
    page.click("#compare")
    page.locator("#alignment").wait_for()
    assert page.locator("#alignment tbody tr:visible").count() > 0
    assert not page.locator("#compare-status.error").count()
    assert page.locator("#treaty option").count() >= 1
