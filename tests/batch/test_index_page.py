"""The batch index and feature view in a browser: headless Chromium, driven by Playwright, opens them from disk.

Skipped when the system Chromium (``chromium`` on PATH) or the playwright
package is missing; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import json

import pytest

from provrisk.batch.run import collect_inputs, run_batch
from provrisk.taxonomy import load_taxonomy
from tests.batch.test_batch import BLOCKING_ACT, EXAMPLE, INTERCEPTION_ACT
from tests.score.test_report import FRENCH_STATUTE

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
# the headless Chromium the web page's tests launch, one per module
from tests.serve.test_web import CHROMIUM, browser  # noqa: E402, F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: `chromium` is not on PATH")
FEATURE = "executive_blocking_takedown"
CORPUS = {  # instrument id -> (jurisdiction, text)
    "xa-interception-act": ("XA", INTERCEPTION_ACT),
    "xb-content-act": ("XB", BLOCKING_ACT),
    "xb-example-act": ("XB", EXAMPLE.read_text(encoding="utf-8")),
    "xc-loi-cybercriminalite": ("XC", FRENCH_STATUTE),
}
ROWS = "#ranking tbody tr:not([hidden])"
UNASSESSED_ROWS = "#not-assessed tbody tr:not([hidden])"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    (root / "corpus" / "texts").mkdir(parents=True)
    manifest = "".join(json.dumps({"id": id_, "title": id_, "jurisdiction": where, "kind": "statute"}) + "\n"
                       for id_, (where, _) in CORPUS.items())
    (root / "corpus" / "manifest.jsonl").write_text(manifest, encoding="utf-8")
    for id_, (_, text) in CORPUS.items():
        (root / "corpus" / "texts" / f"{id_}.txt").write_text(text, encoding="utf-8")
    run_batch(collect_inputs(root / "corpus"), root / "out", workers=1)
    reports = {id_: json.loads((root / "out" / "reports" / f"{id_}.json").read_text(encoding="utf-8")) for id_ in CORPUS}
    return root / "out", reports


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def shown(page, rows: str = ROWS) -> list[str]:
    """The instrument ids of the rows visible, in order."""
    return page.eval_on_selector_all(rows, "rows => rows.map(row => row.cells[rows[0].closest('#ranking') ? 1 : 0]"
                                           ".querySelector('a').textContent)")


def test_index_filters_by_feature_and_jurisdiction(page, batch, tmp_path):
    out, reports = batch
    assessed = {id_: r for id_, r in reports.items() if r["assessment"]["assessed"]}
    assert set(reports) - set(assessed) == {"xc-loi-cybercriminalite"}, "the French statute is not assessed"
    with_feature = {id_ for id_, r in assessed.items() if r["profile"]["label_counts"][FEATURE]}
    assert with_feature and with_feature != set(assessed), "the fixture needs laws with and without the feature"
    page.goto((out / "index.html").as_uri())
    ranked = sorted(assessed, key=lambda id_: (-assessed[id_]["profile"]["risk_index"], id_))
    assert shown(page) == ranked
    assert shown(page, UNASSESSED_ROWS) == ["xc-loi-cybercriminalite"]
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)

    page.select_option("#feature", FEATURE)
    assert set(shown(page)) == with_feature
    assert shown(page, UNASSESSED_ROWS) == ["xc-loi-cybercriminalite"], "a statute not assessed is never filtered out"
    page.select_option("#jurisdiction", "XB")
    assert set(shown(page)) == {id_ for id_ in with_feature if CORPUS[id_][0] == "XB"}
    assert shown(page, UNASSESSED_ROWS) == []
    assert page.text_content("#shown").startswith(f"Showing {len(shown(page))} of {len(assessed)}")
    page.screenshot(path=str(tmp_path / "index-filtered.png"), full_page=True)

    page.select_option("#feature", "")
    page.select_option("#jurisdiction", "XA")
    assert shown(page) == ["xa-interception-act"]
    page.select_option("#jurisdiction", "XC")
    assert shown(page) == [] and shown(page, UNASSESSED_ROWS) == ["xc-loi-cybercriminalite"]


def test_index_sorts_on_a_column_and_back(page, batch):
    out, reports = batch
    assessed = {id_: r for id_, r in reports.items() if r["assessment"]["assessed"]}
    page.goto((out / "index.html").as_uri())
    page.click("#ranking thead th:nth-child(5) button")  # provisions
    by_size = sorted(assessed, key=lambda id_: -assessed[id_]["profile"]["provisions"])
    assert shown(page) == by_size
    page.click("#ranking thead th:nth-child(5) button")
    assert shown(page) == by_size[::-1]
    page.click("#ranking thead th:nth-child(1) button")  # back to the rank
    assert shown(page) == sorted(assessed, key=lambda id_: (-assessed[id_]["profile"]["risk_index"], id_))


def test_a_count_opens_the_provisions_behind_it_with_their_quotes(page, batch, tmp_path):
    out, reports = batch
    report = reports["xb-content-act"]
    behind = [p for p in report["provisions"] if FEATURE in p["labels"]]
    assert behind
    page.goto((out / "index.html").as_uri())
    row = page.locator("#ranking tbody tr", has_text="xb-content-act")
    row.locator(f"td[data-label={FEATURE}] a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"features/{FEATURE}.html#xb-content-act")
    section = page.locator("h2#xb-content-act + ol > li")
    assert section.count() == len(behind)
    for item, provision in zip(section.all(), behind):
        text = " ".join(item.text_content().split())
        assert text.startswith(provision["citation"])
        flag = next(f for f in provision["flags"] if f["label"] == FEATURE)
        assert all(quote in text for quote in flag["evidence"])
        assert item.locator(".verdict").text_content() == flag["verdict"]
        for clause in flag["evidence_clauses"]:
            assert f"{'rule match' if clause['source'] == 'rule' else 'model reading'} in {clause['citation']}" in text
    assert "xc-loi-cybercriminalite" in page.text_content("body"), "the statute not assessed is named as not searched"
    assert page.locator(".standard li").count() == len(load_taxonomy().label(FEATURE).standards)
    page.screenshot(path=str(tmp_path / "feature.png"), full_page=True)
    section.first.locator("a.citation").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"reports/xb-content-act.html#p-{behind[0]['id']}")
