"""Wire conventions (contract §1.3, §1.4, §10): content types, body checks, problem details."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from objectbase.api.tracy.dialect import TracyDialect
from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem


@pytest.mark.parametrize("content_type", ["application/json", "text/json", "application/problem+json",
                                          "application/json-patch+json", "application/json; charset=utf-8"])
def test_json_content_types_are_accepted(tracy: Tracy, content_type: str) -> None:
    tracy.qb.make_user("ann")
    response = tracy.post("/v1/access-tokens", {"login": "ann", "password": "password1"},
                          headers=tracy.app_headers, content_type=content_type)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""])
def test_other_content_types_are_415(tracy: Tracy, content_type: str) -> None:
    tracy.qb.make_user("ann")
    events = len(tracy.qb.events())
    response = tracy.post("/v1/access-tokens", {"login": "ann", "password": "password1"},
                          headers=tracy.app_headers, content_type=content_type)
    assert_problem(response, 415)
    assert len(tracy.qb.events()) == events


def _raw(tracy: Tracy, body: bytes) -> dict[str, object]:
    response = tracy.qb.client.post("/v1/access-tokens", content=body,
                                    headers={"Content-Type": "application/json", **tracy.app_headers})
    return assert_problem(response, 400)


@pytest.mark.parametrize(("body", "key"), [
    (b'{"login": "ann", "password": "password1", "colour": 1}', "colour"),
    (b'{"emailValidationToken": {"id": "x", "code": "1"}}', "emailValidationToken.code"),
    (b'{"login": "an\\u0000n", "password": "password1"}', "login"),
    (b'{"login": "ann", "password": 123456789012345678901234567890}', "$"),
    (b'{"login": "ann", "password": 1e999}', "$"),
    (b'{"login": "ann", "password": NaN}', "$"),
], ids=["unknown-member", "unknown-nested-member", "nul", "huge-integer", "huge-decimal", "nan"])
def test_bad_members_are_400_keyed_by_json_path(tracy: Tracy, body: bytes, key: str) -> None:
    tracy.qb.make_user("ann")
    events = len(tracy.qb.events())
    problem = _raw(tracy, body)
    assert key in problem["errors"]  # type: ignore[operator]
    assert len(tracy.qb.events()) == events


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'"text"', b"\xff\xfe"],
                         ids=["truncated", "array", "string", "not-utf8"])
def test_unreadable_bodies_are_400(tracy: Tracy, body: bytes) -> None:
    _raw(tracy, body)


def test_missing_member_is_400(tracy: Tracy) -> None:
    assert_problem(tracy.post("/v1/access-tokens", {"login": "ann"}, headers=tracy.app_headers), 400, "password")


def test_unknown_path_and_verb_answer_as_problems(tracy: Tracy) -> None:
    assert_problem(tracy.get("/v1/nothing-here"), 404)
    assert_problem(tracy.post("/v1/datasets/1", {}, method="PUT"), 405)


def test_trace_id_is_the_request_id(tracy: Tracy) -> None:
    response = tracy.qb.client.get("/v1/datasets", headers={"X-Request-Id": "trace-me-1"})
    assert assert_problem(response, 401)["traceId"] == "trace-me-1"


def test_health(tracy: Tracy) -> None:
    response = tracy.qb.client.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_prefix_moves_with_the_setting(settings: Settings, services: Services) -> None:
    client = TestClient(build_app(dataclasses.replace(settings, tracy_prefix="/tracy/v1"), services))
    assert client.get("/tracy/v1/health").json() == {"status": "ok"}
    assert client.get("/tracy/v1/openapi.json").status_code == 200
    assert not client.get("/v1/health").headers["content-type"].startswith("application/problem+json")
    for bad in ("", "/", "v1"):
        with pytest.raises(ValueError, match="tracy-prefix"):
            TracyDialect(bad)


def test_missing_credentials_are_401_before_parameters_are_read(tracy: Tracy) -> None:
    # Without credentials the answer is that they are missing, not that a parameter or member is.
    for method, path in (("GET", "/v1/records"), ("POST", "/v1/records"), ("GET", "/v1/datums"),
                         ("PATCH", "/v1/states/1"), ("GET", "/v1/events")):
        response = tracy.qb.client.request(method, path, content=b"{oops", headers={"Content-Type": "text/plain"})
        assert_problem(response, 401)
    # With them, the same request's own fault is reported; unknown paths stay 404; open endpoints stay open.
    assert_problem(tracy.get("/v1/records"), 400, "datasetId")
    assert_problem(tracy.qb.client.get("/v1/no-such-thing"), 404)
    assert tracy.qb.client.get("/v1/health").status_code == 200
    assert tracy.qb.client.get("/v1/openapi.json").status_code == 200
    assert_problem(tracy.post("/v1/access-tokens", {"refreshToken": "nope"}, headers={}), 401)
