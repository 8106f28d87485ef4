"""Segmentation of the shared corpus: the Budapest acceptance check, the gold targets, and every instrument end to end."""

from __future__ import annotations

import re

import pytest

from provrisk.corpora.dataset import provision_rows
from provrisk.corpora.manifest import load_manifest, text_path
from provrisk.eval.segmentation import TARGETS, run
from provrisk.ingest import ingest_file
from provrisk.segment import Annotation, provision_text, segment_statute

pytestmark = pytest.mark.corpus

PROVISION_COUNTS: dict[str, int] = {}


def test_budapest_articles_each_once_with_paragraphs_and_items(corpus_dir):
    document = ingest_file(text_path(corpus_dir, "coe-budapest-convention-2001"))
    provisions = segment_statute(document.text, "coe-budapest-convention-2001")
    articles = [re.match(r"Art\. \d+", p.citation).group(0) for p in provisions if p.citation.startswith("Art.")]
    # Each article's provisions form one contiguous run, in order, 1 to 48.
    runs = [a for i, a in enumerate(articles) if i == 0 or articles[i - 1] != a]
    assert runs == [f"Art. {n}" for n in range(1, 49)]
    citations = {p.citation for p in provisions}
    items = {i.citation for p in provisions for i in p.items}
    assert "Art. 15(2)" in citations
    assert "Art. 20(1)(a)" in items and "Art. 20(1)(b)(ii)" in items
    art_20_1 = next(p for p in provisions if p.citation == "Art. 20(1)")
    assert "compel a service provider" in art_20_1.text
    assert [part.split(" ", 2)[:2] for part in art_20_1.path] == [
        ["Chapter", "II"], ["Section", "2"], ["Title", "5"], ["Art.", "20"], ["(1)"]
    ]


def test_segmentation_gold_targets(corpus_dir):
    report = run(corpus_dir)
    assert len(report["instruments"]) >= 6
    for instrument_id, result in report["instruments"].items():
        for level, target in TARGETS.items():
            assert result["levels"][level]["f1"] >= target, (instrument_id, level, result["levels"][level])


def test_every_manifest_instrument_segments(corpus_dir):
    for instrument in load_manifest(corpus_dir):
        rows, _warnings = provision_rows(corpus_dir, instrument)
        assert rows, instrument.id
        document = ingest_file(text_path(corpus_dir, instrument.id))
        for row in rows:
            annotations = [Annotation(**a) for a in row["annotations"]]
            assert provision_text(document.text, row["start"], row["end"], annotations) == row["text"]
            for annotation in annotations:
                assert document.text[annotation.start : annotation.end] == annotation.text
        ends = [(r["start"], r["end"]) for r in rows]
        assert all(b[0] >= a[1] for a, b in zip(ends, ends[1:])), f"{instrument.id}: provisions overlap"
        assert len({r["id"] for r in rows}) == len(rows), f"{instrument.id}: duplicate provision ids"
        PROVISION_COUNTS[instrument.id] = len(rows)


def test_fragment_is_cited_by_the_section_its_title_names(corpus_dir):
    # The title reads "... ACT, 2015 — SECTION 24 (CYBERSTALKING), FRAGMENT": its "(1)" is s. 24(1).
    document = ingest_file(text_path(corpus_dir, "nga-cybercrimes-act-2015-s24-fragment"))
    provisions = segment_statute(document.text, "nga")
    assert [p.citation for p in provisions] == ["s. 24(1)", "s. 24(2)"]
    assert {p.heading for p in provisions} == {"Cyberstalking"}
