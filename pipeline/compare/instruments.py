"""The instruments a comparison reads: a file, a corpus instrument, or a treaty packaged with provrisk.

Input: a reference (a file path; an instrument id of the corpus manifest,
such as ``coe-budapest-convention-2001``; or the id of a treaty under
``corpora/treaties/``, such as ``un-cybercrime-convention-2024``) and a loaded
model. Output: the statute report of :func:`provrisk.score.report.score_ingested`
(the one scoring function), so a compared provision carries exactly the labels
``provrisk score`` gives it.

A packaged treaty is a JSONL of verbatim articles (``citation``, ``heading``,
``text``, ``source``, ``complete``), each with the source it was copied from;
its provisions are the articles' numbered paragraphs, scored like any other. Its report's ``instrument.metadata.partial_text`` says
when only some articles are available.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes, ingest_file
from provrisk.score.report import instrument_id_for, score_ingested
from provrisk.segment import Provision
from provrisk.settings import PROJECT_ROOT, get_settings

PACKAGED_TREATIES = PROJECT_ROOT / "corpora" / "treaties"
_INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,120}$")


def require_assessed(*reports: dict) -> None:
    """InputError for a report the model could not read (another language): a comparison of its labels would be empty."""
    for report in reports:
        assessment = report["assessment"]
        if not assessment["assessed"]:
            raise InputError(report["instrument"]["source"], f"not assessed (language: {assessment['language']}): "
                             f"{assessment['reason']}, so it cannot be compared")


def available_treaties() -> list[str]:
    """Instrument ids a user can name after ``--to``: the corpus's treaties, then the packaged ones."""
    ids = []
    try:
        from provrisk.corpora.manifest import load_manifest

        ids = [i.id for i in load_manifest(get_settings().corpus_dir) if i.kind in ("treaty", "protocol", "convention")]
    except Exception:  # noqa: BLE001 - no corpus beside the repository: only the packaged treaties
        ids = []
    return ids + sorted(p.stem for p in PACKAGED_TREATIES.glob("*.jsonl"))


def scored_instrument(reference: str | Path, model, *, max_bytes: int | None = None, ocr: str = "never") -> dict:
    """The statute report of the file, corpus instrument or packaged treaty ``reference`` names."""
    path = Path(reference)
    if path.is_file():
        kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
        document = ingest_file(path, ocr=ocr, **kwargs)
        return score_ingested(document, model, instrument_id=instrument_id_for(path.name))
    name = str(reference)
    if not _INSTRUMENT_ID.match(name):
        raise InputError(name, "no such file")
    packaged = PACKAGED_TREATIES / f"{name}.jsonl"
    if packaged.is_file():
        return _score_packaged(packaged, model)
    corpus_text = get_settings().corpus_dir / "texts" / f"{name}.txt"
    if corpus_text.is_file():
        report = score_ingested(ingest_file(corpus_text), model, instrument_id=name)
        title = _manifest_title(name)
        if title:
            report["instrument"]["title"] = title
        return report
    raise InputError(
        name, "no such file, and no corpus or packaged instrument has this id (known treaties: "
        + ", ".join(available_treaties()) + ")"
    )


def _manifest_title(instrument_id: str) -> str | None:
    from provrisk.corpora.manifest import load_manifest

    try:
        instruments = load_manifest(get_settings().corpus_dir)
    except Exception:  # noqa: BLE001 - a text without its manifest keeps its printed title
        return None
    return next((i.title for i in instruments if i.id == instrument_id), None)


def packaged_articles(path: Path) -> list[dict]:
    """The verbatim articles of a packaged treaty, in article order."""
    articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(articles, key=lambda a: int(re.search(r"\d+", a["citation"]).group(0)))


def _score_packaged(path: Path, model) -> dict:
    articles = packaged_articles(path)
    title = articles[0].get("instrument_title", path.stem) if articles else path.stem
    # The provisions are built from the articles' numbered paragraphs ("21. Mutual legal assistance
    # may be refused" is Art. 40(21)) rather than found by the segmenter: the available articles are
    # far apart (4, 6, 40, 61), and a segmenter rightly takes a jump of 34 articles for a cross-reference.
    text, provisions = title, []
    for article in articles:
        for paragraph in article["text"].strip().split("\n"):
            if not paragraph.strip():
                continue
            if paragraph[:1] in "(" and provisions:  # a list item: part of the paragraph before it
                text += "\n" + paragraph
                last = provisions[-1]
                last.end, last.text = len(text), text[last.start : len(text)]
                continue
            number = re.match(r"^(\d+)\.\s", paragraph)
            citation = f"{article['citation']}({number.group(1)})" if number else article["citation"]
            text += "\n\n"
            start = len(text)
            text += paragraph
            provisions.append(Provision(path.stem, citation, [article["citation"]] + ([f"({number.group(1)})"] if number else []),
                                        article.get("heading") or None, paragraph, start, len(text), article.get("kind", "operative")))
    document = ingest_bytes(text.encode("utf-8"), f"{path.stem}.txt")
    report = score_ingested(document, model, instrument_id=path.stem, provisions=provisions)
    report["instrument"]["title"] = title
    report["instrument"]["metadata"]["partial_text"] = not all(a.get("complete") for a in articles)
    report["instrument"]["metadata"]["articles_available"] = [a["citation"] for a in articles]
    report["instrument"]["metadata"]["sources"] = sorted({a["source"] for a in articles})
    return report
