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
from provrisk.score.formats import CSV_COLUMNS, report_csv
from provrisk.segment import segment_statute
from provrisk.serve.app import ServeSettings, create_app, start_scoring
from provrisk.serve.scoring import TASK
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
PROVISION_KEYS = {"id", "citation", "heading", "kind", "role", "path", "context", "start", "end", "page", "text",
                  "annotations", "labels", "scores", "evidence", "flags"}


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
    assert report["schema"] == "provrisk.statute-report/1"
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
@pytest.mark.parametrize("path", ["/v1/labels", "/v1/models", "/v1/score"])
def test_token_is_required_on_v1_when_configured(token_client, header, path):
    headers = {"Authorization": header} if header else {}
    if path == "/v1/score":
        response = token_client.post(path, json={"text": numbered_statute("t")}, headers=headers)
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
    assert all(label["name"] and label["definition"] and label["standard"] for label in body["labels"])


def test_models_describes_the_loaded_model(client, model):
    body = client.get("/v1/models").json()
    assert body["loaded"]["name"] == model.name == "provrisk-linear"
    assert body["loaded"]["type"] == "linear"
    assert body["loaded"]["trained_at"] == model.metadata["trained_at"]
    assert 0 < body["loaded"]["metrics"]["macro_f1"] <= 1
    assert "provrisk-linear" in [entry["name"] for entry in body["available"]]


def test_health_docs_and_page(client):
    assert client.get("/healthz").json() == {"status": "ok", "model": "provrisk-linear", "version": provrisk.__version__}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "multipart/form-data" in schema["paths"]["/v1/score"]["post"]["requestBody"]["content"]
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'sha256-" in page.headers["content-security-policy"]


def test_unknown_path_is_json_404(client):
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}
