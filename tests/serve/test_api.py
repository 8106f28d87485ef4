"""The HTTP API, through FastAPI's TestClient: every upload format, limits, auth, errors, isolation.

Every app built here scores in worker processes forked from one process that
loaded the model once (see provrisk.serve.workers); the model is also loaded
here, to compare the service's answers with predict_records. Tests that need
a worker to be slow, to fail or to say what it did serve the task in
tests/serve/tasks.py, which takes an upload that is a JSON object as an
instruction.
"""

from __future__ import annotations

import asyncio
import builtins
import csv
import io
import json
import os
import re
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

import provrisk
from provrisk.ingest import ingest_bytes
from provrisk.models.artifacts import load_model_dir
from provrisk.models.predict import predict_records
from provrisk.compare.formats import ALIGN_CSV_COLUMNS, DIFF_CSV_COLUMNS
from provrisk.compare.instruments import available_treaties
from provrisk.score.formats import CSV_COLUMNS, report_csv
from provrisk.segment import segment_statute
from provrisk.serve.app import ServeSettings, create_app, start_scoring
from provrisk.serve.scoring import DOCX_MEDIA_TYPE, TASK
from provrisk.serve.upload import RequestRefused, read_multipart_file
from provrisk.serve.workers import WorkerPool
from provrisk.taxonomy import load_taxonomy
from tests.serve import tasks
from tests.ingest.conftest import (  # noqa: F401 - fixtures shared with the ingestion tests
    akn_act,
    statute_docx,
    statute_html,
    statute_pdf,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "corpora" / "examples" / "example-cybercrime-act.txt"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpora"
PACKAGED_TREATY = "un-cybercrime-convention-2024"
PROVISION_KEYS = {"id", "citation", "heading", "kind", "role", "path", "context", "start", "end", "page", "text",
                  "annotations", "labels", "scores", "evidence", "flags", "definitions_used", "cross_references"}


@pytest.fixture(scope="module")
def model():
    return load_model_dir()


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ServeSettings())) as test_client:
        yield test_client


def client_with(task: str = TASK, **settings) -> TestClient:
    return TestClient(create_app(ServeSettings(**settings), task=task))


def instruction(**what) -> bytes:
    """An upload that tells tests.serve.tasks.instructed what to do."""
    return json.dumps(what).encode()


def recorded(folder: Path) -> list[str]:
    """The upload names a worker ran instructions for (tests.serve.tasks.instructed records them)."""
    return sorted(path.name.rsplit(".", 1)[0] for path in folder.iterdir())


def upload(client: TestClient, name: str, data: bytes, **kwargs):
    return client.post("/v1/score", files={"file": (name, data)}, **kwargs)


def numbered_statute(marker: str) -> str:
    """A small statute whose every provision carries ``marker``, so a response shows whose text it holds."""
    return (
        f"1. Interception {marker}\nAn authorised officer may intercept any communication ({marker}) "
        f"without a warrant where the officer considers it necessary.\n\n"
        f"2. Retention {marker}\nA service provider shall retain all traffic data ({marker}) for five years.\n\n"
        f"3. Offensive messages {marker}\nA person who sends a grossly offensive message ({marker}) commits an offence.\n"
    )


# --- every format ---------------------------------------------------------------------------------


def test_text_upload_returns_the_statute_report(client):
    response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    report = response.json()
    assert report["schema"] == "provrisk.statute-report/2"
    assert report["instrument"]["source"] == EXAMPLE.name
    assert report["instrument"]["id"] == "example-cybercrime-act"
    assert report["instrument"]["format"] == "txt"
    assert [label["id"] for label in report["labels"]] == load_taxonomy().ids
    assert report["profile"]["flagged"] > 0
    for provision in report["provisions"]:
        assert set(provision) == PROVISION_KEYS
        assert set(provision["scores"]) == set(load_taxonomy().ids)
        assert set(provision["evidence"]) == set(provision["labels"])
        assert [flag["label"] for flag in provision["flags"]] == sorted(
            provision["labels"], key=lambda label: -provision["scores"][label]
        )


def test_scores_are_exactly_what_predict_records_gives(client, model):
    data = EXAMPLE.read_bytes()
    report = upload(client, EXAMPLE.name, data).json()
    provisions = [p.to_dict() for p in segment_statute(ingest_bytes(data, EXAMPLE.name).text, "example-cybercrime-act")]
    expected = predict_records(model, provisions)
    assert [p["id"] for p in report["provisions"]] == [p["id"] for p in expected]
    for got, want in zip(report["provisions"], expected, strict=True):
        assert (got["labels"], got["scores"], got["evidence"]) == (want["labels"], want["scores"], want["evidence"])


@pytest.mark.parametrize(
    ("fixture", "expected_format"),
    [("statute_pdf", "pdf"), ("statute_docx", "docx"), ("statute_html", "html"), ("akn_act", "akn")],
)
def test_every_upload_format_is_scored(client, request, fixture, expected_format):
    path: Path = request.getfixturevalue(fixture)
    response = upload(client, path.name, path.read_bytes())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["instrument"]["format"] == expected_format
    assert report["instrument"]["source"] == path.name
    cited = [p["citation"] for p in report["provisions"] if p["citation"].startswith("s.")]
    assert len(cited) >= 2, cited
    assert all(set(p) == PROVISION_KEYS and p["text"] for p in report["provisions"])


def test_json_text_body_gives_the_same_report_as_an_upload(client):
    text = EXAMPLE.read_text(encoding="utf-8")
    from_json = client.post("/v1/score", json={"text": text, "name": EXAMPLE.name})
    from_upload = upload(client, EXAMPLE.name, text.encode("utf-8"))
    assert from_json.status_code == 200, from_json.text
    assert without_time(from_json.json()) == without_time(from_upload.json())


def without_time(report: dict) -> dict:
    return {**report, "generated_at": None}


def test_json_text_body_without_a_name_is_called_text_txt(client):
    report = client.post("/v1/score", json={"text": numbered_statute("plain")}).json()
    assert report["instrument"]["source"] == "text.txt"
    assert report["provisions"][0]["id"].startswith("text:")


def test_csv_format_is_the_report_csv(client):
    response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="example-cybercrime-act-provrisk.csv"' in response.headers["content-disposition"]
    assert response.text.splitlines()[0].split(",") == CSV_COLUMNS
    report = upload(client, EXAMPLE.name, EXAMPLE.read_bytes()).json()
    assert response.text == report_csv(report)


def test_docx_format_is_the_word_brief(client):
    import docx

    response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"format": "docx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX_MEDIA_TYPE
    assert 'attachment; filename="example-cybercrime-act-provrisk.docx"' == response.headers["content-disposition"]
    brief = docx.Document(io.BytesIO(response.content))
    assert brief.paragraphs[0].text == "CYBERCRIME AND DIGITAL INVESTIGATIONS (EXAMPLE) ACT 2026"
    assert [cell.text for cell in brief.tables[0].rows[0].cells][:2] == ["Provision", "Page"]


def test_label_and_labelled_only_keep_the_provisions_the_page_shows(client):
    report = upload(client, EXAMPLE.name, EXAMPLE.read_bytes()).json()
    provisions = len(report["provisions"])
    assert report["view"] == {"order": "document", "min_probability": 0.0, "solid_only": False, "label": None,
                              "labelled_only": False, "provisions_in_statute": provisions}
    label = "surveillance_power"
    carrying = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"label": label}).json()
    assert [p["citation"] for p in carrying["provisions"]] == [
        p["citation"] for p in report["provisions"] if label in p["labels"]]
    assert carrying["view"] == {**report["view"], "label": label}
    assert carrying["profile"] == report["profile"]
    labelled = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"labelled_only": "true", "format": "csv"})
    citations = {row["citation"] for row in csv.DictReader(io.StringIO(labelled.text))}
    assert citations == {p["citation"] for p in report["provisions"] if p["labels"]}
    brief = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"label": label, "format": "docx"})
    import docx

    rows = docx.Document(io.BytesIO(brief.content)).tables[0].rows[1:]
    assert {row.cells[0].text.splitlines()[0] for row in rows} <= {p["citation"] for p in carrying["provisions"]}


def test_confidence_filters_and_order_reach_every_format_as_the_cli_applies_them(client):
    report = upload(client, EXAMPLE.name, EXAMPLE.read_bytes()).json()
    params = {"solid_only": "true", "min_probability": "0.85", "order": "probability"}
    kept = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params=params).json()
    expected = sorted(((p["citation"], f["label"], f["probability"]) for p in report["provisions"] for f in p["flags"]
                       if f["verdict"] == "solid" and f["probability"] >= 0.85), key=lambda row: -row[2])
    assert expected and len(expected) < sum(len(p["flags"]) for p in report["provisions"])
    rows = list(csv.DictReader(io.StringIO(upload(client, EXAMPLE.name, EXAMPLE.read_bytes(),
                                                  params={**params, "format": "csv"}).text)))
    assert [(row["citation"], row["label"]) for row in rows] == [(c, label) for c, label, _ in expected]
    assert kept["view"]["solid_only"] and kept["view"]["min_probability"] == 0.85 and kept["view"]["order"] == "probability"
    assert {(p["citation"], f["label"]) for p in kept["provisions"] for f in p["flags"]} == {(c, l) for c, l, _ in expected}
    refused = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"min_probability": "1.5"})
    assert refused.status_code == 422 and "min_probability" in refused.json()["error"]


def test_unknown_label_is_a_clear_422(client):
    response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"label": "no_such_label"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error.startswith('label "no_such_label": not a label of the taxonomy') and "surveillance_power" in error


def test_unknown_format_is_a_clear_422(client):
    response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes(), params={"format": "xlsx"})
    assert response.status_code == 422
    assert "format" in response.json()["error"]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "empty file"),
        ("noise.bin", bytes(range(256)) * 40, "binary file"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(2048), "image file"),
        ("fake.pdf", b"this is not a pdf", "not a valid PDF"),
        ("letter.txt", b"Dear colleague, please find attached the minutes.", "no provisions found"),
    ],
)
def test_bad_file_is_a_one_line_422_naming_the_file(client, name, data, problem):
    response = upload(client, name, data)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error.startswith(f"{name}: ") and problem in error
    assert "Traceback" not in response.text and "\n" not in error


def test_uploaded_file_name_is_reduced_to_a_safe_name(client):
    # raw multipart: httpx would percent-encode the control character a hostile client can send as is
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="../../etc/secret\\evil\x07\x1b[2J.txt"\r\n\r\n'
        + numbered_statute("name").encode()
        + b"\r\n--B--\r\n"
    )
    response = client.post("/v1/score", content=body, headers={"content-type": "multipart/form-data; boundary=B"})
    report = response.json()
    assert report["instrument"]["source"] == "evil?[2J.txt"
    assert report["instrument"]["id"] == "evil-2j"


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"content": b"1. Title\nText.", "headers": {"content-type": "text/plain"}}, 415, "multipart/form-data"),
        ({"files": {"document": ("a.txt", b"1. A\nB.")}}, 422, 'field named "file"'),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "not valid JSON"),
        ({"json": {"text": 42}}, 422, '"text"'),
        ({"json": ["1. A"]}, 422, '"text"'),
    ],
)
def test_malformed_requests_get_a_clear_error(client, kwargs, status, words):
    response = client.post("/v1/score", **kwargs)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_unexpected_failure_is_a_logged_one_line_500(caplog):
    with client_with(tasks.TASK) as client:
        response = upload(client, "act.txt", instruction(fail=True))
    assert response.status_code == 500
    assert response.json() == {
        "error": "act.txt: unexpected failure while scoring (RuntimeError); the server log has details"
    }
    assert 'unexpected failure scoring "act.txt"' in caplog.text


# --- limits ---------------------------------------------------------------------------------------


def test_upload_over_the_limit_is_413_naming_file_and_limit():
    with client_with(max_upload_bytes=2048) as client:
        response = upload(client, EXAMPLE.name, EXAMPLE.read_bytes())
        small = upload(client, "small.txt", numbered_statute("s").encode())
    assert response.status_code == 413
    assert response.json() == {
        "error": f"{EXAMPLE.name}: file too large (the limit is 2.0 KB)",
        "limit_bytes": 2048,
    }
    assert small.status_code == 200


def test_body_declared_far_over_the_limit_is_refused_from_its_first_bytes():
    with client_with(max_upload_bytes=1024) as client:
        response = upload(client, "huge.pdf", b"%PDF-1.7\n" + bytes(300 * 1024))
    assert response.status_code == 413
    assert response.json()["error"] == "huge.pdf: file too large (the limit is 1.0 KB)"


def test_json_text_over_the_limit_is_413():
    with client_with(max_upload_bytes=1024) as client:
        response = client.post("/v1/score", json={"text": "x" * 2000, "name": "long.txt"})
    assert response.status_code == 413
    assert response.json()["error"] == "long.txt: file too large (the limit is 1.0 KB)"


def test_reading_an_endless_upload_stops_just_past_the_limit():
    chunk = 16 * 1024
    received = []
    head = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="endless.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )

    async def receive():
        received.append(chunk)
        body = head if len(received) == 1 else b"a" * chunk
        return {"type": "http.request", "body": body, "more_body": True}

    scope = {"type": "http", "method": "POST", "path": "/v1/score", "headers": [
        (b"content-type", b"multipart/form-data; boundary=B"),
    ]}
    with pytest.raises(RequestRefused) as refused:
        asyncio.run(read_multipart_file(Request(scope, receive), "file", limit=100 * 1024))
    assert refused.value.status == 413
    assert refused.value.message == "endless.txt: file too large (the limit is 100.0 KB)"
    assert len(received) <= 100 // 16 + 2


def test_scoring_past_the_time_limit_is_504_on_time_and_its_worker_is_killed(tmp_path):
    with client_with(tasks.TASK, request_timeout_s=0.5) as client:
        started = time.monotonic()
        response = upload(client, "slow.txt", instruction(seconds=60, spin=True, record=str(tmp_path)))
        elapsed = time.monotonic() - started
        after = upload(client, "next.txt", numbered_statute("next").encode())
    assert response.status_code == 504
    assert response.json()["error"] == (
        "slow.txt: scoring took longer than the server's limit of 0.5 s; split the document into parts and score each"
    )
    assert elapsed < 2
    (pid,) = [int(path.read_text()) for path in tmp_path.iterdir()]
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists(), "the timed-out worker still runs"
    assert after.status_code == 200, "a new worker took its place"


def test_requests_beyond_max_in_flight_get_503():
    with client_with(tasks.TASK, max_in_flight=1) as client:
        first: list = []
        worker = threading.Thread(target=lambda: first.append(upload(client, "first.txt", instruction(seconds=3))))
        worker.start()
        deadline = time.monotonic() + 5
        while client.app.state.service.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        second = upload(client, "second.txt", numbered_statute("2").encode())
        worker.join(10)
    assert second.status_code == 503
    assert "busy" in second.json()["error"]
    assert first[0].status_code == 200


# --- auth -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_client():
    with client_with(api_token="correct-horse-battery") as test_client:
        yield test_client


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Bearer correct-horse", "Basic correct-horse-battery"])
@pytest.mark.parametrize("path", ["/v1/labels", "/v1/models", "/v1/score", "/v1/treaties", "/v1/compare"])
def test_token_is_required_on_v1_when_configured(token_client, header, path):
    headers = {"Authorization": header} if header else {}
    if path == "/v1/score":
        response = token_client.post(path, json={"text": numbered_statute("t")}, headers=headers)
    elif path == "/v1/compare":
        statute = numbered_statute("t").encode()
        response = token_client.post(path, files={"old": ("a.txt", statute), "new": ("b.txt", statute)}, headers=headers)
    else:
        response = token_client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "access token" in response.json()["error"]


def test_right_token_is_accepted_and_open_paths_stay_open(token_client):
    good = {"Authorization": "Bearer correct-horse-battery"}
    assert upload(token_client, "a.txt", numbered_statute("a").encode(), headers=good).status_code == 200
    assert token_client.get("/v1/labels", headers=good).status_code == 200
    assert token_client.get("/healthz").status_code == 200
    assert token_client.get("/").status_code == 200


def test_no_token_configured_means_no_auth(client):
    assert client.get("/v1/labels").status_code == 200
    assert client.get("/v1/labels", headers={"Authorization": "Bearer anything"}).status_code == 200


# --- isolation and privacy ------------------------------------------------------------------------


def test_documents_are_scored_in_parallel_processes(tmp_path):
    n = 3
    with client_with(tasks.TASK, scoring_processes=n) as client:
        threads = [threading.Thread(target=upload, args=(client, f"act-{i}.txt", instruction(seconds=3, record=str(tmp_path))))
                   for i in range(n)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 2.5
        while len(list(tmp_path.iterdir())) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        started_together = len(list(tmp_path.iterdir()))
        for thread in threads:
            thread.join(30)
    assert started_together == n, "the documents were scored one after another, not at once"
    assert len({path.read_text() for path in tmp_path.iterdir()}) == n, "each in its own process"


def test_concurrent_requests_each_get_their_own_report():
    n = 10
    start = threading.Barrier(n)
    responses: dict[int, object] = {}

    def post(i: int) -> None:
        body = numbered_statute(f"MARKER{i:02d}")
        start.wait()
        if i % 2:
            responses[i] = client.post("/v1/score", json={"text": body, "name": f"statute-{i}.txt"})
        else:
            responses[i] = upload(client, f"statute-{i}.txt", body.encode())

    with client_with(scoring_processes=4) as client:
        threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    for i in range(n):
        response = responses[i]
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["instrument"]["source"] == f"statute-{i}.txt"
        assert report["instrument"]["id"] == f"statute-{i}"
        markers = set(re.findall(r"MARKER\d\d", json.dumps(report)))
        assert markers == {f"MARKER{i:02d}"}
        assert all(p["id"].startswith(f"statute-{i}:") for p in report["provisions"])
        assert len(report["provisions"]) == 3


def test_uploads_are_never_written_to_disk(monkeypatch, request):
    """Neither by the server process reading the request (watched here) nor by the worker scoring it (audited there)."""
    docx_path: Path = request.getfixturevalue("statute_docx")
    assert ServeSettings.from_env({}).keep_uploads_dir is None
    writes: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def watched_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def watched_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    with client_with() as client:
        monkeypatch.setattr(builtins, "open", watched_open)
        monkeypatch.setattr(io, "open", watched_open)
        monkeypatch.setattr(os, "open", watched_os_open)
        assert upload(client, "act.txt", EXAMPLE.read_bytes()).status_code == 200
        assert upload(client, docx_path.name, docx_path.read_bytes()).status_code == 200
        # over the 1 MB at which Starlette's own form parser would spool an upload to a temporary file
        big = upload(client, "big.png", b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024))
        assert big.status_code == 422
    assert writes == []

    async def in_a_worker() -> list[dict]:
        pool = WorkerPool(start_scoring(None), tasks.AUDITED, 1)
        await pool.start()
        try:
            return [(await pool.run({"name": name, "format": "json", "max_bytes": 1 << 26}, data, 60))[0]
                    for name, data in (("act.txt", EXAMPLE.read_bytes()), (docx_path.name, docx_path.read_bytes()))]
        finally:
            await pool.close()

    answers = asyncio.run(in_a_worker())
    assert [answer["status"] for answer in answers] == [200, 200]
    assert [answer["writes"] for answer in answers] == [[], []]


def test_keep_uploads_saves_under_a_random_name_only(tmp_path):
    kept = tmp_path / "kept"
    data = numbered_statute("kept").encode()
    with client_with(keep_uploads_dir=kept) as client:
        assert upload(client, "../../escape.txt", data).status_code == 200
    files = list(kept.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", files[0].name)
    assert files[0].read_bytes() == data
    assert files[0].stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.rglob("escape*"))


def test_settings_come_from_the_environment():
    settings = ServeSettings.from_env({
        "PROVRISK_MAX_UPLOAD_MB": "2",
        "PROVRISK_REQUEST_TIMEOUT_S": "5",
        "PROVRISK_API_TOKEN": "tok",
        "PROVRISK_KEEP_UPLOADS": "",
    })
    assert (settings.max_upload_bytes, settings.request_timeout_s, settings.api_token) == (2 * 1024 * 1024, 5.0, "tok")
    assert settings.keep_uploads_dir is None
    assert ServeSettings.from_env({}).max_upload_bytes == 50 * 1024 * 1024
    assert ServeSettings.from_env({}).api_token is None


def test_the_old_threads_setting_is_refused_with_its_replacement_named():
    from provrisk.errors import ConfigError

    with pytest.raises(ConfigError, match="set PROVRISK_SCORING_PROCESSES instead"):
        ServeSettings.from_env({"PROVRISK_SCORING_THREADS": "4"})
    assert ServeSettings.from_env({"PROVRISK_SCORING_PROCESSES": "3"}).scoring_processes == 3


@pytest.mark.parametrize("variable", ["PROVRISK_MAX_UPLOAD_MB", "PROVRISK_REQUEST_TIMEOUT_S"])
@pytest.mark.parametrize("value", ["lots", "-1"])
def test_bad_settings_are_one_line_config_errors(variable, value):
    from provrisk.errors import ConfigError

    with pytest.raises(ConfigError):
        ServeSettings.from_env({variable: value})


# --- reference endpoints --------------------------------------------------------------------------


def test_labels_lists_the_taxonomy(client):
    body = client.get("/v1/labels").json()
    assert [label["id"] for label in body["labels"]] == load_taxonomy().ids
    assert len(body["labels"]) == 14
    assert all(label["name"] and label["definition"] and label["standards"] for label in body["labels"])


def test_models_describes_the_loaded_model(client, model):
    body = client.get("/v1/models").json()
    assert body["loaded"]["name"] == model.name == "provrisk-linear"
    assert body["loaded"]["type"] == "linear"
    assert body["loaded"]["trained_at"] == model.metadata["trained_at"]
    assert 0 < body["loaded"]["metrics"]["macro_f1"] <= 1
    assert "provrisk-linear" in [entry["name"] for entry in body["available"]]


def test_health_docs_and_page(client):
    assert client.get("/healthz").json() == {"status": "ok", "model": "provrisk-linear", "version": provrisk.__version__}
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Swagger UI comes from the service itself, so /docs works with no network
    assert "/docs/swagger-ui-bundle.js" in docs.text and "/docs/swagger-ui.css" in docs.text
    assert "cdn." not in docs.text and "https://" not in docs.text.replace("https://swagger.io", "")
    script, style = client.get("/docs/swagger-ui-bundle.js"), client.get("/docs/swagger-ui.css")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    schema = client.get("/openapi.json").json()
    assert "multipart/form-data" in schema["paths"]["/v1/score"]["post"]["requestBody"]["content"]
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'sha256-" in page.headers["content-security-policy"]


def test_unknown_path_is_json_404(client):
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


# --- compare: two versions of a law, or a law with a treaty ----------------------------------------

# s. 9's real-time collection put under a judge's warrant, and s. 5's "public order or morality" dropped.
SECTION_9_BEFORE = ("The Director of the National Cyber Unit may, where it appears necessary for the purposes of "
                    "an investigation,")
SECTION_9_AFTER = ("A judge of the High Court may, on application by the Director, where satisfied that it is "
                   "necessary and proportionate to the investigation of a serious offence,")


@pytest.fixture
def amended_example(tmp_path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert SECTION_9_BEFORE in text and ", or that undermines public order or morality," in text
    amended = tmp_path / "example-cybercrime-act-2027.txt"
    amended.write_text(
        text.replace(SECTION_9_BEFORE, SECTION_9_AFTER).replace(", or that undermines public order or morality,", ","),
        encoding="utf-8",
    )
    return amended


@pytest.fixture(scope="module")
def treaty() -> str:
    """Budapest where the shared corpus is beside the repository (as tests/conftest.py's corpus_dir), else the packaged UN text."""
    if (SHARED_CORPUS / "manifest.jsonl").exists():
        return "coe-budapest-convention-2001"
    return PACKAGED_TREATY


def diff_request(client: TestClient, old: Path, new: Path, **kwargs):
    return client.post("/v1/compare", files={"old": (old.name, old.read_bytes()), "new": (new.name, new.read_bytes())},
                       **kwargs)


def align_request(client: TestClient, law: Path, treaty: str, **kwargs):
    return client.post("/v1/compare", files={"law": (law.name, law.read_bytes())}, data={"treaty": treaty}, **kwargs)


def test_compare_two_versions_answers_the_diff_document(client, amended_example):
    response = diff_request(client, EXAMPLE, amended_example)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["schema"] == "provrisk.diff/1"
    assert document["old"]["id"] == "example-cybercrime-act"
    assert [new["id"] for new in document["new"]] == ["example-cybercrime-act-2027"]
    changed = {pair["old"]: pair for pair in document["pairs"] if pair["status"] != "unchanged"}
    assert set(changed) == {"s. 5", "s. 9(1)"}
    assert {pair["status"] for pair in changed.values()} == {"modified"}
    # the judge's warrant is a safeguard gained, and the missing judicial authorisation is gone
    assert "no_prior_judicial_authorisation" in changed["s. 9(1)"]["labels_removed"]
    assert "rights_safeguard" in changed["s. 9(1)"]["labels_added"]
    assert document["summary"]["statuses"]["modified"] == 2


def test_compare_two_versions_in_every_format(client, amended_example):
    html = diff_request(client, EXAMPLE, amended_example, params={"format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "sandbox" in html.headers["content-security-policy"] and "script-src" not in html.headers["content-security-policy"]
    assert "<ins>" in html.text and "modified" in html.text
    csv_response = diff_request(client, EXAMPLE, amended_example, params={"format": "csv"})
    assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.text.splitlines()[0].split(",") == DIFF_CSV_COLUMNS
    assert 'filename="example-cybercrime-act-diff.csv"' in csv_response.headers["content-disposition"]
    docx = diff_request(client, EXAMPLE, amended_example, params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'filename="example-cybercrime-act-diff.docx"' in docx.headers["content-disposition"]


def test_compare_listed_only_keeps_the_pairs_the_page_lists(client, amended_example):
    whole = diff_request(client, EXAMPLE, amended_example).json()
    listed = diff_request(client, EXAMPLE, amended_example, params={"listed_only": "true"}).json()
    assert [p["old"] for p in listed["pairs"]] == [p["old"] for p in whole["pairs"] if p["status"] != "unchanged"]
    assert listed["selection"] == {"listed_only": True, "pairs_in_comparison": len(whole["pairs"])}
    assert listed["summary"] == whole["summary"]
    rows = list(csv.DictReader(io.StringIO(
        diff_request(client, EXAMPLE, amended_example, params={"listed_only": "true", "format": "csv"}).text)))
    assert rows and all(row["status"] != "unchanged" for row in rows)
    aligned = align_request(client, EXAMPLE, PACKAGED_TREATY, params={"listed_only": "true"}).json()
    assert aligned["pairs"] and all(p["article"] or p["labels_only_in_law"] for p in aligned["pairs"])
    assert aligned["selection"]["pairs_in_comparison"] > len(aligned["pairs"])


def test_compare_a_law_with_a_treaty_answers_the_alignment_document(client, treaty):
    response = align_request(client, EXAMPLE, treaty)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["schema"] == "provrisk.alignment/1"
    assert document["law"]["id"] == "example-cybercrime-act"
    assert document["treaty"]["id"] == treaty
    implementing = [pair for pair in document["pairs"] if pair["article"]]
    assert implementing and all(pair["article"].startswith("Art. ") for pair in implementing)
    assert len(document["pairs"]) == document["summary"]["provisions"]
    csv_response = align_request(client, EXAMPLE, treaty, params={"format": "csv"})
    assert csv_response.text.splitlines()[0].split(",") == ALIGN_CSV_COLUMNS
    assert f'filename="example-cybercrime-act-{treaty}-alignment.csv"' in csv_response.headers["content-disposition"]


def test_the_packaged_treaty_is_always_available(client):
    response = align_request(client, EXAMPLE, PACKAGED_TREATY, params={"format": "docx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_treaties_lists_the_ids_compare_takes_with_titles(client):
    treaties = client.get("/v1/treaties").json()["treaties"]
    assert [entry["id"] for entry in treaties] == available_treaties()
    packaged = next(entry for entry in treaties if entry["id"] == PACKAGED_TREATY)
    assert packaged["title"].startswith("United Nations Convention against Cybercrime")


def test_unknown_treaty_is_a_422_naming_the_valid_ids(client):
    response = align_request(client, EXAMPLE, "made-up-convention-1999")
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith('"made-up-convention-1999": not a treaty provrisk knows; choose one of ')
    assert PACKAGED_TREATY in body["error"] and "\n" not in body["error"]
    assert body["treaties"] == available_treaties()


@pytest.mark.parametrize(
    ("files", "data", "error"),
    [
        ({"old": ("old.txt", b"1. A\nB.")}, {}, 'old.txt: no new version to compare it with: send one in the field "new"'),
        ({"new": ("new.txt", b"1. A\nB.")}, {}, 'new.txt: no old version to compare it with: send one in the field "old"'),
        ({"law": ("law.txt", b"1. A\nB.")}, {}, "law.txt: no treaty to align it with"),
        ({"file": ("act.txt", b"1. A\nB.")}, {}, "multipart upload without files to compare"),
        ({"old": ("o.txt", b"1. A\nB."), "new": ("n.txt", b"1. A\nB."), "law": ("l.txt", b"1. A\nB.")}, {}, "not both"),
        ({"old": ("o.txt", b"1. A\nB."), "new": ("n.txt", b"1. A\nB.")}, {"treaty": PACKAGED_TREATY}, "takes no"),
    ],
    ids=["old only", "new only", "law without treaty", "wrong field", "diff and align", "diff with a treaty"],
)
def test_compare_without_the_files_it_needs_is_a_clear_422(client, files, data, error):
    response = client.post("/v1/compare", files=files, data=data)
    assert response.status_code == 422
    assert error in response.json()["error"]


def test_compare_names_the_file_it_cannot_read(client):
    response = client.post("/v1/compare", files={"old": (EXAMPLE.name, EXAMPLE.read_bytes()), "new": ("empty.txt", b"")})
    assert response.status_code == 422
    assert response.json() == {"error": "empty.txt: empty file (0 bytes)"}


def test_compare_is_multipart_only(client):
    response = client.post("/v1/compare", json={"text": "1. A\nB."})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["error"]


def test_compare_holds_each_file_to_the_upload_limit():
    small = numbered_statute("s").encode()
    with client_with(max_upload_bytes=2048) as client:
        response = client.post("/v1/compare", files={"old": ("small.txt", small), "new": (EXAMPLE.name, EXAMPLE.read_bytes())})
        both_small = client.post("/v1/compare", files={"old": ("a.txt", small), "new": ("b.txt", small)})
    assert response.status_code == 413
    assert response.json()["error"] == f"{EXAMPLE.name}: file too large (the limit is 2.0 KB)"
    assert both_small.status_code == 200, both_small.text


def test_comparing_past_the_time_limit_is_504_and_a_failure_a_one_line_500(caplog):
    statute = numbered_statute("b").encode()
    with client_with(tasks.TASK, request_timeout_s=0.5) as client:
        started = time.monotonic()
        slow = client.post("/v1/compare", files={"old": ("a.txt", instruction(seconds=60, spin=True)), "new": ("b.txt", statute)})
        elapsed = time.monotonic() - started
        failed = client.post("/v1/compare", files={"law": ("law.txt", instruction(fail=True))}, data={"treaty": PACKAGED_TREATY})
    assert slow.status_code == 504
    assert slow.json()["error"] == (
        "a.txt and b.txt: comparing took longer than the server's limit of 0.5 s; compare the documents part by part"
    )
    assert elapsed < 2
    assert failed.status_code == 500
    assert failed.json() == {"error": f"law.txt against {PACKAGED_TREATY}: unexpected failure while comparing "
                                      "(RuntimeError); the server log has details"}
    assert f'unexpected failure comparing "law.txt against {PACKAGED_TREATY}"' in caplog.text


def test_compare_and_treaties_are_documented(client):
    schema = client.get("/openapi.json").json()
    compare = schema["paths"]["/v1/compare"]["post"]
    assert compare["tags"] == ["comparison"]
    fields = compare["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert set(fields) == {"old", "new", "law", "treaty"}
    assert {"json", "html", "csv", "docx"} <= set(
        next(p for p in compare["parameters"] if p["name"] == "format")["schema"].get("enum", [])
        or schema["components"]["schemas"]["CompareFormat"]["enum"]
    )
    assert schema["paths"]["/v1/treaties"]["get"]["tags"] == ["comparison"]
    assert "treaty" in schema["paths"]["/v1/treaties"]["get"]["description"]
