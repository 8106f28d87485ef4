"""The HTTP API under hostile requests (extends tests/serve/test_api.py, which covers the ordinary errors).

- Timeouts leave nothing behind: no temporary file (the tempfile module is
  pointed at an empty folder for the test, so anything Starlette, the
  multipart parser or provrisk spools lands there), and in the keep-uploads
  folder only complete uploads under random names.
- A 1 GB body, declared in Content-Length or sent chunked without one, is
  refused with 413 after reading about as much as the limit allows, never
  buffered: these requests go straight to the ASGI app with a receive() that
  counts what it hands out (TestClient would read the whole body first).
- Malformed multipart, wrong content types
  and hostile JSON (100,000 levels deep, a 5,000-digit integer) get a 4xx
  with one line, never a 500.
- Concurrent oversized uploads are all refused and leave the service usable.
- A token brute force gets the same 401 every time, never reads a body, never
  scores, and locks nobody out.
- Upload names with path traversal, NUL and absolute paths are echoed as one
  safe component; nothing is written outside the keep-uploads folder.
- Every client-caused failure is a one-line 4xx: a lone surrogate in the JSON
  text (422; in the name it is shown as "?"), a provision over 1,000,000
  characters (422), and, in property tests, any JSON value, any Unicode and
  any multipart file name.
- A multipart boundary is accepted exactly as SECURITY.md says (1 to 70
  characters of RFC 2046's alphabet), and the routes open without a token are
  exactly the ones SECURITY.md lists (no /redoc, no /docs/oauth2-redirect).

Workers cannot be monkeypatched from here (they are other processes): tests
that need a slow, failing or recording worker serve tests/serve/tasks.py.
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provrisk.serve.app import ServeSettings, create_app
from provrisk.serve.scoring import TASK
from provrisk.serve.upload import BODY_OVERHEAD_BYTES
from tests.serve import tasks

STATUTE = (
    b"1. Interception\nAn authorised officer may intercept any communication without a warrant.\n\n"
    b"2. Retention\nA service provider shall retain all traffic data for five years.\n"
)
MULTIPART = "multipart/form-data; boundary=B"
GIGABYTE = 1024**3
CHUNK = 64 * 1024


def client_with(task: str = TASK, **settings) -> TestClient:
    return TestClient(create_app(ServeSettings(**settings), task=task), raise_server_exceptions=False)


def multipart(content: bytes = STATUTE, disposition: bytes = b'form-data; name="file"; filename="act.txt"') -> bytes:
    return b"--B\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content + b"\r\n--B--\r\n"


def one_line_error(response) -> str:
    error = response.json()["error"]
    assert "\n" not in error and "Traceback" not in response.text
    return error


def instruction(padding: int = 0, **what) -> bytes:
    """An upload that tells tests.serve.tasks.instructed what to do (JSON, padded with spaces to ``padding`` bytes)."""
    text = json.dumps(what)
    return (text + " " * max(0, padding - len(text))).encode()


def recorded(folder: Path) -> list[str]:
    """The upload names a worker ran instructions for."""
    return sorted(path.name.rsplit(".", 1)[0] for path in folder.iterdir())


# --- timeouts leave nothing behind -------------------------------------------------------------------


@pytest.fixture
def private_tempdir(tmp_path, monkeypatch) -> Path:
    """An empty folder that the tempfile module of the server process uses for everything during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


def _timed_out_uploads(client: TestClient) -> list[bytes]:
    # 2 MB: past the 1 MB at which Starlette's own form parser would spool to a temporary file
    uploads = [instruction(2 * 1024 * 1024, seconds=5), instruction(seconds=5)]
    for data in uploads:
        response = client.post("/v1/score", files={"file": ("slow.txt", data)})
        assert response.status_code == 504, response.text
    text = instruction(seconds=5).decode()
    response = client.post("/v1/score", json={"text": text, "name": "slow.txt"})
    assert response.status_code == 504
    return uploads + [text.encode()]


def test_timed_out_requests_leave_no_temporary_files(private_tempdir):
    with client_with(tasks.TASK, request_timeout_s=0.2) as client:
        _timed_out_uploads(client)
    assert list(private_tempdir.iterdir()) == []


def test_timed_out_requests_keep_only_complete_uploads_under_random_names(private_tempdir, tmp_path):
    kept_dir = tmp_path / "kept"
    with client_with(tasks.TASK, request_timeout_s=0.2, keep_uploads_dir=kept_dir) as client:
        uploads = _timed_out_uploads(client)
    kept = sorted(kept_dir.iterdir())
    assert sorted(path.read_bytes() for path in kept) == sorted(uploads)
    assert all(re.fullmatch(r"[0-9a-f]{32}", path.name) and path.stat().st_mode & 0o777 == 0o600 for path in kept)
    assert list(private_tempdir.iterdir()) == []


def test_request_timed_out_while_queued_is_never_scored(tmp_path):
    # One scoring process, busy: the second request's 504 comes while it waits,
    # and it is never handed to a worker, not even once the first is done.
    with client_with(tasks.TASK, request_timeout_s=0.5, scoring_processes=1) as client:
        first = threading.Thread(target=lambda: client.post(
            "/v1/score", files={"file": ("a.txt", instruction(seconds=0.9, record=str(tmp_path)))}))
        first.start()
        while not list(tmp_path.iterdir()):
            time.sleep(0.01)
        queued = client.post("/v1/score", files={"file": ("b.txt", instruction(record=str(tmp_path)))})
        first.join(10)
        time.sleep(0.5)
    assert queued.status_code == 504
    assert recorded(tmp_path) == ["a.txt"]


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
def limited_app():
    with client_with(max_upload_bytes=LIMIT) as client:
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


def test_body_is_not_read_when_the_token_is_wrong():
    with client_with(api_token="s3cret-token") as client:
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
def test_malformed_requests_get_a_one_line_4xx(body, content_type, status, words):
    with client_with() as client:
        response = client.post("/v1/score", content=body, headers={"content-type": content_type} if content_type else {})
    assert response.status_code == status, response.text
    assert words in one_line_error(response)


def test_ten_thousand_extra_form_fields_are_skipped_not_kept():
    fields = b"".join(b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nvalue\r\n' % i for i in range(10_000))
    with client_with() as client:
        response = client.post("/v1/score", content=fields + multipart(), headers={"content-type": MULTIPART})
    assert response.status_code == 200, response.text
    assert response.json()["instrument"]["source"] == "act.txt"


def test_deeply_nested_json_is_a_4xx():
    with client_with() as client:
        response = client.post(
            "/v1/score", content=b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            headers={"content-type": "application/json"},
        )
    assert 400 <= response.status_code < 500


def test_json_integer_of_five_thousand_digits_is_a_4xx():
    with client_with() as client:
        response = client.post(
            "/v1/score", content=b'{"text": ' + b"1" * 5000 + b"}", headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    ("boundary", "status"),
    [("B", 200), ("x" * 70, 200), ("a'()+_,-./:=? z", 200), ("x" * 71, 400), ("x" * 300, 400),
     ("ends-in-space ", 400), ("semi;colon", 400), ("nul\x00byte", 400), ("é-accent", 400)],
    ids=["1 char", "70 chars", "every allowed character", "71 chars", "300 chars", "trailing space", "semicolon", "NUL",
         "non-ASCII"],
)
def test_multipart_boundary_follows_rfc_2046_as_security_md_says(boundary, status):
    """SECURITY.md: a boundary must be 1 to 70 characters of RFC 2046's alphabet; anything else is a 400."""
    body = multipart().replace(b"--B", b"--" + boundary.encode("utf-8"))
    with client_with() as client:
        response = client.post(
            "/v1/score", content=body,
            headers={"content-type": f'multipart/form-data; boundary="{boundary}"'.encode("utf-8")},
        )
    assert response.status_code == status, response.text
    if status == 400:
        assert "boundary must be 1 to 70" in one_line_error(response)


# --- text that is not Unicode, provisions longer than the tokenizer reads ---------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "1. Title\\nA person \\ud800 commits an offence."}',
        b'{"text": "\\udfff"}',
        b'{"text": "1. Title\\nOffence \\udc00\\ud800."}',
    ],
    ids=["high surrogate", "low surrogate alone", "reversed pair"],
)
def test_lone_surrogate_in_text_is_a_one_line_422_before_scoring(body, tmp_path):
    with client_with() as client:
        response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert 'JSON field "text" is not valid Unicode: a lone surrogate' in one_line_error(response)


def test_lone_surrogate_in_name_is_shown_as_a_question_mark(caplog):
    body = b'{"text": "1. Title\\nA person commits an offence.", "name": "act\\ud800.txt"}'
    with client_with() as client:
        response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
        as_csv = client.post("/v1/score?format=csv", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["instrument"]["source"] == "act?.txt"
    assert as_csv.status_code == 200 and 'filename="act-provrisk.csv"' in as_csv.headers["content-disposition"]
    assert "Traceback" not in caplog.text


def test_provision_over_a_million_characters_is_a_one_line_422(caplog):
    text = "1. Title\nA person who " + "word " * 210_000 + "commits an offence.\n"
    with client_with() as client:
        response = client.post("/v1/score", json={"text": text, "name": "long.txt"})
    assert response.status_code == 422, response.text
    assert one_line_error(response) == (
        "long.txt: provision s. 1 is 1,050,032 characters long; provrisk reads provisions of up to 1,000,000 "
        "characters (is most of the text one block without section numbers?)"
    )
    assert "Traceback" not in caplog.text


# Any JSON value, and strings of any code point (lone surrogates included), in every field a client controls.
_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_ANY_TEXT, children, max_size=4),
    max_leaves=12,
)
_BODIES = st.one_of(
    _JSON,
    st.fixed_dictionaries({"text": _JSON}, optional={"name": _JSON}),
    st.fixed_dictionaries({"text": _ANY_TEXT.map(lambda words: "1. Title\nA person " + words + " commits an offence.")},
                          optional={"name": _ANY_TEXT}),
)


@pytest.fixture(scope="module")
def property_client():
    with client_with() as client:
        yield client


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_BODIES, report_format=st.sampled_from(["json", "csv", "xml", ""]), ascii_only=st.booleans())
def test_any_json_and_any_unicode_gets_a_report_or_a_one_line_4xx(property_client, body, report_format, ascii_only):
    encoded = json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    response = property_client.post(
        "/v1/score", params={"format": report_format}, content=encoded, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert report_format in ("json", "csv")
    else:
        assert 400 <= response.status_code < 500
        one_line_error(response)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.binary(max_size=60), content=_ANY_TEXT)
def test_any_multipart_file_name_and_content_gets_a_report_or_a_one_line_4xx(property_client, name, content):
    disposition = b'form-data; name="file"; filename="' + name.replace(b'"', b"").replace(b"\r", b"").replace(b"\n", b"") + b'"'
    data = ("1. Title\nA person " + content + " commits an offence.").encode("utf-8", "surrogatepass")
    response = property_client.post("/v1/score", content=multipart(data, disposition), headers={"content-type": MULTIPART})
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        one_line_error(response)


# --- open routes -------------------------------------------------------------------------------------


def test_every_route_open_without_a_token_is_listed_in_security_md(repo_root):
    """The routes a client without the token reaches are exactly OPEN_ROUTES, and SECURITY.md names each."""
    from provrisk.serve.app import OPEN_ROUTES

    def paths(routes) -> Iterator[str]:
        for route in routes:
            if hasattr(route, "path"):
                yield route.path
            else:  # a router included in the app
                yield from paths(route.original_router.routes)

    with client_with(api_token="s3cret-token") as client:
        every = sorted(set(paths(client.app.routes)))
        assert {"/v1/score", "/v1/labels", "/v1/models"} <= set(every)
        reachable = [path for path in every
                     if {client.get(path).status_code, client.post(path).status_code} - {401, 404, 405}]
        assert sorted(reachable) == sorted(OPEN_ROUTES)
        for closed in ("/redoc", "/docs/oauth2-redirect"):
            assert client.get(closed).status_code == 404
    security = (repo_root / "SECURITY.md").read_text(encoding="utf-8")
    open_line = next(line for line in security.splitlines() if "open without a token" in line)
    assert sorted(re.findall(r"`(/[^`]*)`", open_line)) == sorted(OPEN_ROUTES)


# --- concurrency -----------------------------------------------------------------------------------


def test_concurrent_oversized_uploads_are_all_refused_and_the_service_stays_usable(tmp_path):
    oversized = instruction(3 * 1024 * 1024, record=str(tmp_path))
    responses: dict[int, object] = {}
    with client_with(tasks.TASK, max_upload_bytes=256 * 1024, max_in_flight=16) as client:
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
        after = client.post("/v1/score", files={"file": ("small.txt", instruction(record=str(tmp_path)))})
    assert sorted(response.status_code for response in responses.values()) == [413] * 8
    assert all("file too large" in one_line_error(response) for response in responses.values())
    assert after.status_code == 200
    assert recorded(tmp_path) == ["small.txt"]


# --- token brute force -----------------------------------------------------------------------------

TOKEN = "correct-horse-battery-staple"


def _guesses() -> list[str]:
    # (spaces around the token are not guesses: HTTP strips them from header values)
    guesses = ["", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), f"{TOKEN}{TOKEN}", TOKEN[1:], f"{TOKEN[:10]} {TOKEN[10:]}",
               "correct-horse-battery-staplé", "x" * 64 * 1024, "null", "undefined", "*"]
    guesses += [TOKEN[:n] for n in range(1, len(TOKEN))]
    guesses += [f"guess-{n:04d}" for n in range(200)]
    return guesses


def test_token_brute_force_gets_the_same_401_every_time_and_locks_nobody_out(tmp_path):
    answers = set()
    attempt = instruction(record=str(tmp_path))
    with client_with(tasks.TASK, api_token=TOKEN) as client:
        for guess in _guesses():
            for scheme in ("Bearer", "bearer", "Basic", "Token"):
                response = client.post(
                    "/v1/score", files={"file": ("a.txt", attempt)},
                    headers={"Authorization": f"{scheme} {guess}".encode()},
                )
                assert response.status_code == 401, (scheme, guess[:40])
                # one answer for every guess: nothing about the guess is echoed or leaks through
                answers.add((response.text, response.headers["www-authenticate"]))
        assert recorded(tmp_path) == [], "no guess got a document scored"
        good = {"Authorization": f"Bearer {TOKEN}"}
        accepted = client.post("/v1/score", files={"file": ("a.txt", attempt)}, headers=good)
    assert len(answers) == 1
    assert accepted.status_code == 200
    assert recorded(tmp_path) == ["a.txt"]


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
    tmp_path, filename, shown
):
    kept_dir = tmp_path / "kept"
    with client_with(keep_uploads_dir=kept_dir) as client:
        response = client.post(
            "/v1/score", content=multipart(disposition=b'form-data; name="file"; filename="' + filename + b'"'),
            headers={"content-type": MULTIPART},
        )
    assert response.status_code == 200, response.text
    assert response.json()["instrument"]["source"] == shown
    assert [path.relative_to(tmp_path).parent for path in tmp_path.rglob("*") if path.is_file()] == [Path("kept")]
    assert not Path("/etc/passwd.txt").exists() and not Path("/etc/shadow.txt").exists()
