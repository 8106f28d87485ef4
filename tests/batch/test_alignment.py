"""`provrisk batch --align-to`: every law aligned with one treaty, the country × article matrix and its heatmap."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from provrisk.cli import app
from tests.batch.test_batch import BLOCKING_ACT, INTERCEPTION_ACT

UNCC = "un-cybercrime-convention-2024"


def _corpus(folder, records, texts):
    (folder / "texts").mkdir(parents=True)
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for instrument_id, text in texts.items():
        (folder / "texts" / f"{instrument_id}.txt").write_text(text, encoding="utf-8")
    return folder / "manifest.jsonl"


def test_every_law_is_aligned_and_the_matrix_has_a_cell_per_law_and_article(tmp_path):
    manifest = _corpus(
        tmp_path / "corpus",
        [{"id": "xa-interception-act", "title": "Interception Act", "jurisdiction": "XA", "kind": "statute"},
         {"id": "xb-content-act", "title": "Content Act", "jurisdiction": "XB", "kind": "statute"}],
        {"xa-interception-act": INTERCEPTION_ACT, "xb-content-act": BLOCKING_ACT},
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(manifest), "--out", str(out), "--workers", "1", "--align-to", UNCC])
    assert result.exit_code == 0, result.output
    for instrument_id in ("xa-interception-act", "xb-content-act"):
        document = json.loads((out / "alignment" / f"{instrument_id}.json").read_text(encoding="utf-8"))
        assert document["schema"] == "provrisk.alignment/1" and document["treaty"]["id"] == UNCC
    matrix = pd.read_csv(out / "alignment" / "matrix.csv", keep_default_na=False)
    articles = json.loads((out / "alignment" / "xa-interception-act.json").read_text(encoding="utf-8"))["articles"]
    operative = [a["article"] for a in articles]
    by_instrument = matrix[matrix["level"] == "instrument"]
    # one cell per law and operative article, and a jurisdiction row per jurisdiction and article
    assert sorted(by_instrument.groupby("instrument_id").size().tolist()) == [len(operative)] * 2
    assert set(matrix.loc[matrix["level"] == "jurisdiction", "jurisdiction"]) == {"XA", "XB"}
    # a cell is implemented exactly when it names the provisions that implement it
    assert ((by_instrument["implemented"] == 1) == (by_instrument["provisions"] != "")).all()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Alignment with" in index and 'href="alignment/matrix.csv"' in index
    assert (out / "alignment" / "heatmap.png").read_bytes().startswith(b"\x89PNG")


def test_an_unknown_treaty_fails_before_any_statute_is_scored(tmp_path):
    manifest = _corpus(tmp_path / "corpus", [{"id": "xa-act", "title": "Act", "jurisdiction": "XA", "kind": "statute"}],
                       {"xa-act": INTERCEPTION_ACT})
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(manifest), "--out", str(out), "--align-to", "no-such-convention"])
    assert result.exit_code == 2
    assert "no-such-convention" in result.output and "known treaties" in result.output
    assert not (out / "reports").exists()


@pytest.mark.corpus
def test_national_laws_against_budapest_name_the_articles_they_implement(corpus_dir, tmp_path):
    wanted = ("phl-cybercrime-prevention-act-2012", "tza-cybercrimes-act-2015", "coe-budapest-convention-2001")
    records = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = tmp_path / "corpus"
    (folder / "texts").mkdir(parents=True)
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records if r["id"] in wanted), encoding="utf-8")
    for instrument_id in wanted:
        shutil.copy(corpus_dir / "texts" / f"{instrument_id}.txt", folder / "texts")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--workers", "2", "--format", "json",
                                      "--align-to", "coe-budapest-convention-2001"])
    assert result.exit_code == 0, result.output
    matrix = pd.read_csv(out / "alignment" / "matrix.csv", keep_default_na=False)
    # the treaty is one of the batch's statutes, but it is not aligned with itself
    assert set(matrix["instrument_id"]) - {""} == {"phl-cybercrime-prevention-act-2012", "tza-cybercrimes-act-2015"}
    cell = matrix[(matrix["instrument_id"] == "phl-cybercrime-prevention-act-2012") & (matrix["article"] == "Art. 2")].iloc[0]
    # s. 4(a)(1), illegal access, implements Art. 2 (gold: eval/gold/alignment/treaty.jsonl)
    assert cell["implemented"] == 1 and "s. 4(a)(1)" in cell["provisions"].split("; ")
