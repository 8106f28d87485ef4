"""OCR in the web service: off unless PROVRISK_OCR turns it on."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from provrisk.errors import ConfigError
from provrisk.serve.app import ServeSettings, create_app
from tests.ingest.test_ocr import scan  # noqa: F401 - the rasterised real statute


def test_ocr_setting_comes_from_the_environment():
    assert ServeSettings.from_env({}).ocr == "never"
    assert ServeSettings.from_env({"PROVRISK_OCR": "auto"}).ocr == "auto"
    with pytest.raises(ConfigError, match="server setting ocr"):
        ServeSettings.from_env({"PROVRISK_OCR": "sometimes"})


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed (make ocr)")
def test_a_scan_is_refused_by_default_and_scored_with_ocr_on(scan):  # noqa: F811
    files = {"file": ("scan.pdf", scan.read_bytes(), "application/pdf")}
    with TestClient(create_app(ServeSettings())) as client:
        refused = client.post("/v1/score", files=files)
    assert refused.status_code == 422
    assert "scanned PDF without a text layer; OCR is off" in refused.json()["error"]
    with TestClient(create_app(ServeSettings(ocr="auto"))) as client:
        scored = client.post("/v1/score", files=files)
    assert scored.status_code == 200, scored.text
    report = scored.json()
    assert report["instrument"]["metadata"]["ocr_pages"] == "1, 2, 3"
    assert {p["page"] for p in report["provisions"]} == {1, 2, 3}
    assert any(p["citation"].startswith("s. 7") for p in report["provisions"])
