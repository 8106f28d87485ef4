"""The HTTP API under hostile requests (extends tests/serve/test_api.py, which covers the ordinary errors).

- Timeouts leave nothing behind: no temporary file (the tempfile module is
  pointed at an empty folder for the test, so anything Starlette, the
  multipart parser or provrisk spools lands there), and in the keep-uploads
  folder only complete uploads under random names.
- A 1 GB body, declared in Content-Length or sent chunked without one, is
  refused with 413 after reading about as much as the limit allows, never
  buffered: these requests go straight to the ASGI app with a receive() that
  counts what it hands out (TestClient would read the whole body first).
- Malformed multipart (including an over-long boundary), wrong content types
  and hostile JSON (100,000 levels deep, a 5,000-digit integer) get a 4xx
  with one line, never a 500.
- Concurrent oversized uploads are all refused and leave the service usable.
- A token brute force gets the same 401 every time, never reads a body, never
  scores, and locks nobody out.
- Upload names with path traversal, NUL and absolute paths are echoed as one
  safe component; nothing is written outside the keep-uploads folder.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import provrisk.serve.app as serve_app
from provrisk.models.artifacts import load_model_dir
from provrisk.serve.app import ServeSettings, create_app
from provrisk.serve.upload import BODY_OVERHEAD_BYTES

STATUTE = (
    b"1. Interception\nAn authorised officer may intercept any communication without a warrant.\n\n"
    b"2. Retention\nA service provider shall retain all traffic data for five years.\n"
)
MULTIPART = "multipart/form-data; boundary=B"
GIGABYTE = 1024**3
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def model():
    return load_model_dir()


def client_with(model, **settings) -> TestClient:
    return TestClient(create_app(ServeSettings(**settings), model=model), raise_server_exceptions=False)


def multipart(content: bytes = STATUTE, disposition: bytes = b'form-data; name="file"; filename="act.txt"') -> bytes:
    return b"--B\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content + b"\r\n--B--\r\n"


def one_line_error(response) -> str:
    error = response.json()["error"]
    assert "\n" not in error and "Traceback" not in response.text
    return error


# --- timeouts leave nothing behind -------------------------------------------------------------------


class SlowScoring:
    """Stands in for score_ingested: takes ``seconds``, and says when every call has finished."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.running += 1
            self.calls += 1
        try:
            time.sleep(self.seconds)
        finally:
            with self._lock:
                self.running -= 1

    def wait_idle(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not self.running


@pytest.fixture
def private_tempdir(tmp_path, monkeypatch) -> Path:
    """An empty folder that the tempfile module uses for everything during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


def _timed_out_uploads(client: TestClient) -> list[bytes]:
    # 2 MB: past the 1 MB at which Starlette's own form parser would spool to a temporary file
    big = STATUTE + b"A person commits an offence.\n" * (2 * 1024 * 1024 // 29)
    uploads = [big, STATUTE]
    for data in uploads:
        response = client.post("/v1/score", files={"file": ("slow.txt", data)})
        assert response.status_code == 504, response.text
    response = client.post("/v1/score", json={"text": "1. Title\nA person commits an offence.", "name": "slow.txt"})
    assert response.status_code == 504
    return uploads + [b"1. Title\nA person commits an offence."]


def test_timed_out_requests_leave_no_temporary_files(model, monkeypatch, private_tempdir):
    slow = SlowScoring(1.0)
    with client_with(model, request_timeout_s=0.2) as client:
        monkeypatch.setattr(serve_app, "score_ingested", slow)
        _timed_out_uploads(client)
        slow.wait_idle()
        assert slow.calls == 3
    assert list(private_tempdir.iterdir()) == []


def test_timed_out_requests_keep_only_complete_uploads_under_random_names(model, monkeypatch, private_tempdir, tmp_path):
    kept_dir = tmp_path / "kept"
    slow = SlowScoring(1.0)
    with client_with(model, request_timeout_s=0.2, keep_uploads_dir=kept_dir) as client:
        monkeypatch.setattr(serve_app, "score_ingested", slow)
        uploads = _timed_out_uploads(client)
        slow.wait_idle()
    kept = sorted(kept_dir.iterdir())
    assert sorted(path.read_bytes() for path in kept) == sorted(uploads)
    assert all(re.fullmatch(r"[0-9a-f]{32}", path.name) and path.stat().st_mode & 0o777 == 0o600 for path in kept)
    assert list(private_tempdir.iterdir()) == []


def test_request_timed_out_while_queued_is_never_scored(model, monkeypatch):
    # One scoring thread, busy: the second request's 504 comes while it waits,
    # and its work is cancelled rather than run for nobody later.
    slow = SlowScoring(1.0)
    with client_with(model, request_timeout_s=0.3, scoring_threads=1) as client:
        monkeypatch.setattr(serve_app, "score_ingested", slow)
        first = threading.Thread(target=lambda: client.post("/v1/score", files={"file": ("a.txt", STATUTE)}))
        first.start()
        while not slow.running:
            time.sleep(0.01)
        assert client.post("/v1/score", files={"file": ("b.txt", STATUTE)}).status_code == 504
        first.join(10)
        slow.wait_idle()
        time.sleep(0.2)
    assert slow.calls == 1


# --- bodies far over the limit are never buffered ----------------------------------------------------


def _endless(total: int, head: bytes = b"") -> Iterator[bytes]:
    """``head`` then zero-filled chunks up to ``total`` bytes, made one at a time."""
    yield head
    sent = len(head)
    while sent < total:
        yield b"a" * CHUNK
        sent += CHUNK


def call_app(app, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, dict, int]:
    """POST /v1/score to the ASGI app: (status, JSON body, body bytes it read)."""
    consumed = 0
    finished = False
    reply: dict = {"body": b""}

    async def receive():
        nonlocal consumed, finished
        if finished:
            await asyncio.sleep(3600)  # a client that keeps the connection open
        chunk = next(chunks, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            reply["status"] = message["status"]
        elif message["type"] == "http.response.body":
            reply["body"] += message.get("body", b"")

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/score", "raw_path": b"/v1/score", "query_string": b"", "root_path": "",
        "headers": [(key.lower().encode(), value.encode()) for key, value in headers.items()],
        "client": ("127.0.0.1", 1234), "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    return reply["status"], json.loads(reply["body"]), consumed


FILE_HEAD = b'--B\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n\r\n'
LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def limited_app(model):
    with client_with(model, max_upload_bytes=LIMIT) as client:
        yield client.app


@pytest.mark.parametrize(
    ("headers", "head", "most_read"),
    [
        ({"content-type": MULTIPART, "content-length": str(GIGABYTE)}, FILE_HEAD, BODY_OVERHEAD_BYTES + CHUNK),
        ({"content-type": MULTIPART}, FILE_HEAD, LIMIT + BODY_OVERHEAD_BYTES + CHUNK),
        ({"content-type": "application/json", "content-length": str(GIGABYTE)}, b'{"text": "', 0),
        ({"content-type": "application/json"}, b'{"text": "', LIMIT + BODY_OVERHEAD_BYTES + CHUNK),
    ],
    ids=["multipart declared 1 GB", "multipart chunked 1 GB", "JSON declared 1 GB", "JSON chunked 1 GB"],
)
def test_one_gigabyte_body_is_413_after_reading_at_most_the_limit(limited_app, headers, head, most_read):
    started = time.monotonic()
    status, body, consumed = call_app(limited_app, headers, _endless(GIGABYTE, head))
    assert status == 413
    assert body["error"].endswith("file too large (the limit is 1.0 MB)")
    assert consumed <= most_read
    assert time.monotonic() - started < 5


def test_body_is_not_read_when_the_token_is_wrong(model):
    with client_with(model, api_token="s3cret-token") as client:
        headers = {"content-type": MULTIPART, "authorization": "Bearer guess"}
        status, _, consumed = call_app(client.app, headers, _endless(GIGABYTE, FILE_HEAD))
    assert status == 401
    assert consumed == 0


# --- malformed requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (multipart(), "multipart/form-data", 400, "without a boundary"),
        (b"--B\r\nbroken header line\r\n\r\nx\r\n--B--\r\n", MULTIPART, 400, "malformed multipart upload"),
        (multipart().replace(b"\r\n", b"\n"), MULTIPART, 400, "malformed multipart upload"),
        (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + b"a" * 10_000 + b"\"\r\n\r\nx\r\n--B--\r\n",
         MULTIPART, 400, "malformed multipart upload"),
        (multipart()[:-10], MULTIPART, 422, 'without a file in a field named "file"'),
        (b"", MULTIPART, 422, 'without a file in a field named "file"'),
        (b"random bytes \x00\xff with no boundary at all", MULTIPART, 400, "malformed multipart upload"),
        (b"--B\r\nContent-Type: text/plain\r\n\r\n" + STATUTE + b"\r\n--B--\r\n", MULTIPART, 422, "without a file"),
        (multipart().replace(b"--B--", multipart()[:-len(b"--B--\r\n")] + b"--B--"), MULTIPART, 422,
         "one document per request"),
        (multipart(), "multipart/mixed; boundary=B", 415, "multipart/form-data"),
        (multipart(), "application/x-www-form-urlencoded", 415, "multipart/form-data"),
        (multipart(), "", 415, "multipart/form-data"),
        (b'{"text": "1. A\\nB."}', "text/json", 415, "multipart/form-data"),
        ('{"text": "café"}'.encode("latin-1"), "application/json", 422, "not valid JSON"),
        (b'{"text": NaN}', "application/json", 422, '"text"'),
        (b'{"text": "1. A\\nB.", "name": ["a"]}', "application/json", 422, '"name" must be a string'),
        (b"\xff\xfe{", "application/json", 422, "not valid JSON"),
    ],
    ids=[
        "no boundary", "header without colon", "LF line ends", "10 KB part header", "no closing boundary",
        "empty body", "garbage", "part without disposition", "file field twice", "multipart/mixed",
        "urlencoded", "no content type", "text/json", "JSON not UTF-8", "JSON NaN", "JSON name not a string",
        "JSON broken UTF-16",
    ],
)
def test_malformed_requests_get_a_one_line_4xx(model, body, content_type, status, words):
    with client_with(model) as client:
        response = client.post("/v1/score", content=body, headers={"content-type": content_type} if content_type else {})
    assert response.status_code == status, response.text
    assert words in one_line_error(response)


def test_ten_thousand_extra_form_fields_are_skipped_not_kept(model):
    fields = b"".join(b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nvalue\r\n' % i for i in range(10_000))
    with client_with(model) as client:
        response = client.post("/v1/score", content=fields + multipart(), headers={"content-type": MULTIPART})
    assert response.status_code == 200, response.text
    assert response.json()["instrument"]["source"] == "act.txt"


def test_deeply_nested_json_is_a_4xx(model):
    with client_with(model) as client:
        response = client.post(
            "/v1/score", content=b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            headers={"content-type": "application/json"},
        )
    assert 400 <= response.status_code < 500


def test_json_integer_of_five_thousand_digits_is_a_4xx(model):
    with client_with(model) as client:
        response = client.post(
            "/v1/score", content=b'{"text": ' + b"1" * 5000 + b"}", headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500


def test_overlong_multipart_boundary_is_a_4xx(model):
    boundary = "x" * 300
    body = multipart().replace(b"--B", f"--{boundary}".encode())
    with client_with(model) as client:
        response = client.post(
            "/v1/score", content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )
    assert 400 <= response.status_code < 500


# --- concurrency -----------------------------------------------------------------------------------


def test_concurrent_oversized_uploads_are_all_refused_and_the_service_stays_usable(model, monkeypatch):
    scored: list[str] = []
    real_score = serve_app.score_ingested

    def recording(document, *args, **kwargs):
        scored.append(document.source)
        return real_score(document, *args, **kwargs)

    oversized = b"A person commits an offence.\n" * (3 * 1024 * 1024 // 29)
    responses: dict[int, object] = {}
    with client_with(model, max_upload_bytes=256 * 1024, max_in_flight=16) as client:
        monkeypatch.setattr(serve_app, "score_ingested", recording)
        start = threading.Barrier(8)

        def post(i: int) -> None:
            start.wait()
            if i % 2:
                responses[i] = client.post("/v1/score", files={"file": (f"big-{i}.txt", oversized)})
            else:
                responses[i] = client.post("/v1/score", json={"text": oversized.decode(), "name": f"big-{i}.txt"})

        threads = [threading.Thread(target=post, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert client.app.state.service.in_flight == 0
        after = client.post("/v1/score", files={"file": ("small.txt", STATUTE)})
    assert sorted(response.status_code for response in responses.values()) == [413] * 8
    assert all("file too large" in one_line_error(response) for response in responses.values())
    assert after.status_code == 200
    assert scored == ["small.txt"]


# --- token brute force -----------------------------------------------------------------------------

TOKEN = "correct-horse-battery-staple"


def _guesses() -> list[str]:
    # (spaces around the token are not guesses: HTTP strips them from header values)
    guesses = ["", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), f"{TOKEN}{TOKEN}", TOKEN[1:], f"{TOKEN[:10]} {TOKEN[10:]}",
               "correct-horse-battery-staplé", "x" * 64 * 1024, "null", "undefined", "*"]
    guesses += [TOKEN[:n] for n in range(1, len(TOKEN))]
    guesses += [f"guess-{n:04d}" for n in range(200)]
    return guesses


def test_token_brute_force_gets_the_same_401_every_time_and_locks_nobody_out(model, monkeypatch):
    scored: list[str] = []
    answers = set()
    with client_with(model, api_token=TOKEN) as client:
        monkeypatch.setattr(serve_app, "score_ingested", lambda document, *a, **k: scored.append(document.source))
        for guess in _guesses():
            for scheme in ("Bearer", "bearer", "Basic", "Token"):
                response = client.post(
                    "/v1/score", files={"file": ("a.txt", STATUTE)},
                    headers={"Authorization": f"{scheme} {guess}".encode()},
                )
                assert response.status_code == 401, (scheme, guess[:40])
                # one answer for every guess: nothing about the guess is echoed or leaks through
                answers.add((response.text, response.headers["www-authenticate"]))
        monkeypatch.undo()
        good = {"Authorization": f"Bearer {TOKEN}"}
        accepted = client.post("/v1/score", files={"file": ("a.txt", STATUTE)}, headers=good)
    assert len(answers) == 1
    assert scored == []
    assert accepted.status_code == 200


# --- upload names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        (b"../../etc/passwd.txt", "passwd.txt"),
        (b"/etc/passwd.txt", "passwd.txt"),
        (b"..", "upload"),
        (b"../\x00/etc/shadow.txt", "shadow.txt"),
        (b"C:\\Windows\\..\\evil.txt", "evil.txt"),
        (b"act\x00.txt", "act?.txt"),
        (b"a" * 1000 + b".txt", "a" * 197 + "..."),
    ],
)
def test_hostile_upload_names_are_echoed_safely_and_nothing_is_written_outside_the_keep_folder(
    model, tmp_path, filename, shown
):
    kept_dir = tmp_path / "kept"
    with client_with(model, keep_uploads_dir=kept_dir) as client:
        response = client.post(
            "/v1/score", content=multipart(disposition=b'form-data; name="file"; filename="' + filename + b'"'),
            headers={"content-type": MULTIPART},
        )
    assert response.status_code == 200, response.text
    assert response.json()["instrument"]["source"] == shown
    assert [path.relative_to(tmp_path).parent for path in tmp_path.rglob("*") if path.is_file()] == [Path("kept")]
    assert not Path("/etc/passwd.txt").exists() and not Path("/etc/shadow.txt").exists()
