"""provrisk.eval.bench.report: the markdown of a stored report, its targets, partial reports and the files."""

from __future__ import annotations

import json

import pytest

from provrisk.eval.bench.report import targets, to_markdown, write_report
from provrisk.eval.report_files import REPORTS_DIR

HEADINGS = ("## Targets", "## 1. Floor", "## 2. Stages", "## 3. Linear scoring", "## 4. One statute",
            "## 5. API under load", "## 6. Training time", "## 7. PDF ingestion", "## 8. Hostile load", "## 9. Spark")


@pytest.fixture(scope="module")
def stored():
    """The committed report of the last full run: a real report of every section."""
    return json.loads((REPORTS_DIR / "bench.json").read_text(encoding="utf-8"))


def test_every_section_is_rendered_in_order(stored):
    markdown = to_markdown(stored)
    assert markdown.startswith("# provrisk benchmark\n\nGenerated ")
    positions = [markdown.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)


def test_targets_are_recomputed_from_the_figures(stored):
    assert targets(stored) == stored["targets"]


def test_a_report_of_the_pdf_section_alone_renders_that_section_alone():
    report = {"schema": "provrisk.bench/1", "pdf_ingestion": {"measured": False, "reason": "not measured: no PDF files"}}
    assert to_markdown(report) == "# provrisk benchmark\n\n## 7. PDF ingestion: real statutes\n\nnot measured: no PDF files\n"


def test_a_spark_section_measured_alone_names_its_run_and_targets_follow_it(stored):
    section = {**stored["spark"], "command": "provrisk bench --spark-only", "generated_at": "2026-12-05T00:00:00+00:00",
               "machine": stored["machine"], "identical": False}
    markdown = to_markdown({**stored, "spark": section})
    assert "wrote NOT identical outputs" in markdown and "by `provrisk bench --spark-only`" in markdown
    spark_target = next(t for t in targets({**stored, "spark": section}) if t["target"].startswith("Spark"))
    assert spark_target["pass"] is False


def test_write_report_writes_json_and_markdown(stored, tmp_path):
    json_path, md_path = write_report(stored, tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8")) == stored
    assert md_path.read_text(encoding="utf-8") == to_markdown(stored)
