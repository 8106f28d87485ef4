"""What the service's worker processes do: load the model once, then score one upload (or compare two) each.

:func:`load_model` is the zygote's setup (see :mod:`provrisk.serve.workers`):
input the model's name or directory; output the loaded model, with every
lazily built cache warmed, and a summary for the server (name, directory,
metadata). :func:`score_upload` is the task a worker runs: input a header
``{"name", "format", "max_bytes", "ocr", "view"}`` and the document's bytes;
output a header (``status``; for 200 also ``media_type`` and the report's
provision counts; otherwise ``error``, one line) and the response body (the
report as JSON, CSV or the Word brief, as ``provrisk score`` writes it,
holding only the provisions and flags ``view`` keeps: the keyword arguments
of :func:`provrisk.score.view.select`).

A header with ``"job": "compare"`` is a comparison (:func:`compare_uploads`):
``"mode"`` ``"diff"`` (two versions of a law) or ``"align"`` (a law and the
treaty ``"treaty"`` names), ``"names"`` and ``"sizes"`` of the uploads whose
bytes follow one another in the payload, ``"format"`` json, html, csv or
docx, and ``"listed_only"`` (only the pairs listed by default:
:func:`provrisk.compare.selection.select_listed`). The uploads are scored by
the same function as a single upload, the treaty by
:func:`provrisk.compare.instruments.scored_instrument` (as ``provrisk align
--to``), and the document is rendered as ``provrisk align``
and ``provrisk diff`` write it. Both uploads of a comparison are scored in
the one worker that serves the request, so nothing of them is seen by another
request.
"""

from __future__ import annotations

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes
from provrisk.models.artifacts import LoadedModel, load_model_dir
from provrisk.score.brief import statute_brief
from provrisk.score.formats import report_csv, report_json
from provrisk.score.report import instrument_id_for, score_ingested
from provrisk.score.view import select

# A statute small enough to score in milliseconds, scored once in the zygote so that
# the lazily built caches (spaCy tokenizer and cue matchers, taxonomy) are built
# there once and every worker inherits them.
WARM_UP_STATUTE = b"1. Interception\nAn authorised officer may intercept any communication without a warrant.\n"
SETUP = "provrisk.serve.scoring:load_model"
TASK = "provrisk.serve.scoring:score_upload"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "docx": DOCX_MEDIA_TYPE}
COMPARE_MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": DOCX_MEDIA_TYPE,
}


def load_model(model: str) -> tuple[LoadedModel, dict]:
    loaded = load_model_dir(model)
    score_ingested(ingest_bytes(WARM_UP_STATUTE, "warm-up.txt"), loaded)
    # imported here, once, so that a worker forked for a comparison does not import them per job
    import provrisk.compare.align  # noqa: F401
    import provrisk.compare.brief  # noqa: F401
    import provrisk.compare.diff  # noqa: F401
    import provrisk.compare.formats  # noqa: F401

    return loaded, {"name": loaded.name, "path": str(loaded.path), "metadata": loaded.metadata}


def _scored(model: LoadedModel, name: str, data: bytes, header: dict) -> dict:
    """The statute report of one upload (InputError, naming it, when it cannot be read)."""
    document = ingest_bytes(data, name, max_bytes=header["max_bytes"], ocr=header.get("ocr", "never"))
    return score_ingested(document, model, instrument_id=instrument_id_for(name))


def score_upload(model: LoadedModel, header: dict, data: bytes) -> tuple[dict, bytes]:
    if header.get("job") == "compare":
        return compare_uploads(model, header, data)
    name = header["name"]
    try:
        report = _scored(model, name, data, header)
    except InputError as error:
        return {"status": 422, "error": str(error)}, b""
    selected = select(report, **header.get("view", {}))
    if header["format"] == "docx":
        body = statute_brief(selected)
    else:
        body = (report_csv(selected) if header["format"] == "csv" else report_json(selected)).encode("utf-8")
    profile = report["profile"]
    answer = {
        "status": 200,
        "media_type": MEDIA_TYPES[header["format"]],
        "instrument_id": report["instrument"]["id"],
        "provisions": profile["provisions"],
        "flagged": profile["flagged"],
    }
    return answer, body


def compare_uploads(model: LoadedModel, header: dict, data: bytes) -> tuple[dict, bytes]:
    """An alignment (``mode`` "align") or diff document of the uploads in ``data``, rendered in ``format``."""
    from provrisk.compare import brief, formats
    from provrisk.compare.align import align_reports
    from provrisk.compare.config import load_compare_config
    from provrisk.compare.diff import diff_reports
    from provrisk.compare.instruments import scored_instrument
    from provrisk.compare.selection import select_listed

    uploads, start = [], 0
    for name, size in zip(header["names"], header["sizes"], strict=True):
        uploads.append((name, data[start : start + size]))
        start += size
    align = header["mode"] == "align"
    try:
        reports = [_scored(model, name, part, header) for name, part in uploads]
        if align:
            treaty = scored_instrument(header["treaty"], model)
            document = align_reports(reports[0], treaty, load_compare_config())
        else:
            document = diff_reports(reports[0], reports[1:], load_compare_config())
    except InputError as error:
        return {"status": 422, "error": str(error)}, b""
    if header.get("listed_only"):
        document = select_listed(document)
    report_format = header["format"]
    if report_format == "docx":
        body = (brief.alignment_brief if align else brief.diff_brief)(document)
    else:
        render = {
            "json": formats.to_json,
            "csv": formats.alignment_csv if align else formats.diff_csv,
            "html": formats.alignment_html if align else formats.diff_html,
        }[report_format]
        body = render(document).encode("utf-8")
    # instrument ids are [a-z0-9-] only, so the file name needs no quoting
    if align:
        stem = f"{document['law']['id']}-{document['treaty']['id']}-alignment"
    else:
        stem = f"{document['old']['id']}-diff"
    summary = document["summary"]
    answer = {
        "status": 200,
        "media_type": COMPARE_MEDIA_TYPES[report_format],
        "filename": f"{stem}.{report_format}",
        "provisions": summary["provisions"] if align else sum(summary["statuses"].values()),
    }
    return answer, body
