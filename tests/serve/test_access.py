"""Cross-origin access (PROVRISK_ALLOWED_ORIGINS) and per-client rate limits (PROVRISK_RATE_LIMIT), through TestClient.

TestClient names its client by the ``client`` address; a second TestClient on the
same app, with another address, is another client of the same running service.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from provrisk.errors import ConfigError
from provrisk.serve.app import OPEN_ROUTES, ServeSettings, create_app

LISTED = "https://ngo.example.org"
UNLISTED = "https://attacker.example.net"
OTHER_CLIENT = ("198.51.100.7", 50000)
STATUTE = {"text": "1. Interception\nAn officer may intercept any communication without a warrant.\n", "name": "act.txt"}


def serving(**settings) -> TestClient:
    return TestClient(create_app(ServeSettings(scoring_processes=1, **settings)))


def preflight(client: TestClient, origin: str):
    return client.options("/v1/score", headers={
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    })


def one_line_error(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and "\n" not in body["error"]
    return body["error"]


# --- cross-origin access -------------------------------------------------------------------------


def test_a_listed_origin_may_call_the_api_from_its_pages():
    with serving(allowed_origins=(LISTED,), api_token="tok") as client:
        answer = preflight(client, LISTED)
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == LISTED
        assert "POST" in answer.headers["access-control-allow-methods"]
        assert "authorization" in answer.headers["access-control-allow-headers"].lower()
        call = client.get("/v1/labels", headers={"Origin": LISTED, "Authorization": "Bearer tok"})
        assert call.status_code == 200
        assert call.headers["access-control-allow-origin"] == LISTED
        assert "retry-after" in call.headers["access-control-expose-headers"].lower()


def test_an_unlisted_origin_gets_no_cross_origin_permission():
    with serving(allowed_origins=(LISTED,)) as client:
        answer = preflight(client, UNLISTED)
        assert answer.status_code >= 400
        assert "access-control-allow-origin" not in answer.headers
        call = client.get("/v1/labels", headers={"Origin": UNLISTED})
        assert "access-control-allow-origin" not in call.headers


def test_by_default_no_origin_gets_cross_origin_permission():
    with serving() as client:
        assert ServeSettings.from_env({}).allowed_origins == ()
        answer = preflight(client, LISTED)
        assert answer.status_code == 405
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-origin" not in client.get("/v1/labels", headers={"Origin": LISTED}).headers


def test_origins_are_read_as_browsers_send_them():
    settings = ServeSettings.from_env({"PROVRISK_ALLOWED_ORIGINS": "https://NGO.example.org:443, http://localhost:8080"})
    assert settings.allowed_origins == (LISTED, "http://localhost:8080")
    assert ServeSettings(allowed_origins=["http://[::1]:80"]).allowed_origins == ("http://[::1]",)


@pytest.mark.parametrize("origin", ["ngo.example.org", "ftp://ngo.example.org", "https://ngo.example.org/",
                                    "https://ngo.example.org/page", "https://user@ngo.example.org", "*",
                                    "https://ngo.example.org:70000"])
def test_a_value_that_is_not_an_origin_is_a_one_line_error_naming_the_variable(origin):
    named = r"^server setting allowed_origins \(PROVRISK_ALLOWED_ORIGINS=.*is not an origin"
    with pytest.raises(ConfigError, match=named) as refused:
        ServeSettings.from_env({"PROVRISK_ALLOWED_ORIGINS": f"{LISTED},{origin}"})
    assert "\n" not in str(refused.value)


# --- rate limits ---------------------------------------------------------------------------------


def test_a_client_over_the_limit_gets_429_with_retry_after_and_others_do_not():
    with serving(rate_limit="3/minute") as client:
        assert [client.get("/v1/labels").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/v1/labels")
        assert refused.status_code == 429
        assert "3/minute" in one_line_error(refused)
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.post("/v1/score", json=STATUTE).status_code == 429
        other = TestClient(client.app, client=OTHER_CLIENT)
        assert other.get("/v1/labels").status_code == 200


def test_scoring_and_comparing_count_toward_the_limit():
    with serving(rate_limit="2/minute") as client:
        assert client.post("/v1/score", json=STATUTE).status_code == 200
        assert client.post("/v1/compare", files={"law": ("act.txt", STATUTE["text"].encode())}).status_code == 422
        refused = client.post("/v1/score", json=STATUTE)
        assert refused.status_code == 429
        one_line_error(refused)
        assert client.post("/v1/compare", files={"law": ("act.txt", b"x")}).status_code == 429


def test_open_routes_are_not_limited():
    with serving(rate_limit="1/minute") as client:
        assert client.get("/v1/labels").status_code == 200
        assert client.get("/v1/labels").status_code == 429
        for _ in range(3):
            for path in OPEN_ROUTES:
                assert client.get(path).status_code == 200, path


def test_token_guesses_count_toward_the_limit():
    with serving(rate_limit="2/minute", api_token="s3cret") as client:
        wrong = {"Authorization": "Bearer guess"}
        assert [client.get("/v1/labels", headers=wrong).status_code for _ in range(2)] == [401, 401]
        assert client.get("/v1/labels", headers={"Authorization": "Bearer s3cret"}).status_code == 429


def test_a_cross_origin_page_can_read_the_429():
    with serving(rate_limit="1/minute", allowed_origins=(LISTED,)) as client:
        client.get("/v1/labels", headers={"Origin": LISTED})
        refused = client.get("/v1/labels", headers={"Origin": LISTED})
        assert refused.status_code == 429
        assert refused.headers["access-control-allow-origin"] == LISTED


def test_by_default_there_is_no_rate_limit():
    assert ServeSettings.from_env({}).rate_limit is None
    with serving() as client:
        assert {client.get("/v1/labels").status_code for _ in range(30)} == {200}


@pytest.mark.parametrize("value", ["lots", "60", "60/fortnight", "0/minute", "1/second;60/minute"])
def test_a_bad_rate_limit_is_a_one_line_error_naming_the_variable(value):
    with pytest.raises(ConfigError, match=r"^server setting rate_limit \(PROVRISK_RATE_LIMIT=") as refused:
        ServeSettings.from_env({"PROVRISK_RATE_LIMIT": value})
    assert "\n" not in str(refused.value)
