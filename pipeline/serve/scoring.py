"""What the service's worker processes do: load the model once, then score one upload each.

:func:`load_model` is the zygote's setup (see :mod:`provrisk.serve.workers`):
input the model's name or directory; output the loaded model, with every
lazily built cache warmed, and a summary for the server (name, directory,
metadata). :func:`score_upload` is the task a worker runs: input a header
``{"name", "format", "max_bytes", "ocr"}`` and the document's bytes; output a header
(``status``; for 200 also ``media_type`` and the report's provision counts;
otherwise ``error``, one line) and the response body (the report as JSON or
CSV, as ``provrisk score`` writes it).
"""

from __future__ import annotations

from provrisk.errors import InputError
from provrisk.ingest import ingest_bytes
from provrisk.models.artifacts import LoadedModel, load_model_dir
from provrisk.score.formats import report_csv, report_json
from provrisk.score.report import instrument_id_for, score_ingested

# A statute small enough to score in milliseconds, scored once in the zygote so that
# the lazily built caches (spaCy tokenizer and cue matchers, taxonomy) are built
# there once and every worker inherits them.
WARM_UP_STATUTE = b"1. Interception\nAn authorised officer may intercept any communication without a warrant.\n"
SETUP = "provrisk.serve.scoring:load_model"
TASK = "provrisk.serve.scoring:score_upload"
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def load_model(model: str) -> tuple[LoadedModel, dict]:
    loaded = load_model_dir(model)
    score_ingested(ingest_bytes(WARM_UP_STATUTE, "warm-up.txt"), loaded)
    return loaded, {"name": loaded.name, "path": str(loaded.path), "metadata": loaded.metadata}


def score_upload(model: LoadedModel, header: dict, data: bytes) -> tuple[dict, bytes]:
    name = header["name"]
    try:
        document = ingest_bytes(data, name, max_bytes=header["max_bytes"], ocr=header.get("ocr", "never"))
        report = score_ingested(document, model, instrument_id=instrument_id_for(name))
    except InputError as error:
        return {"status": 422, "error": str(error)}, b""
    body = report_csv(report) if header["format"] == "csv" else report_json(report)
    profile = report["profile"]
    answer = {
        "status": 200,
        "media_type": MEDIA_TYPES[header["format"]],
        "instrument_id": report["instrument"]["id"],
        "provisions": profile["provisions"],
        "flagged": profile["flagged"],
    }
    return answer, body.encode("utf-8")
