"""Every readable format goes through ingestion and segmentation to cited provisions (the CLI path)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provrisk.cli import app

runner = CliRunner()


@pytest.mark.parametrize("fixture", ["statute_pdf", "statute_docx", "statute_html", "akn_act"])
def test_segment_cites_provisions_from_every_format(fixture, request):
    path = request.getfixturevalue(fixture)
    result = runner.invoke(app, ["segment", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    cited = [r["citation"] for r in records if r["citation"].startswith(("s.", "Art.", "§"))]
    assert len(cited) >= 2, [r["citation"] for r in records]
    assert all(r["text"] for r in records)
