"""Issue 12's hostile-input rules, applied by the core, reach Tracy too: NUL in a string, an
integer past every bound and JSON beyond the standard are a 4xx problem, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem

HUGE = "1" + "0" * 30


@pytest.mark.parametrize("path, body", [
    ("/v1/access-tokens", {"login": "a\x00b", "password": "password1"}),
    ("/v1/access-tokens", {"login": "a\x00@b.example", "password": "password1"}),
    ("/v1/access-tokens", {"refreshToken": "a\x00b"}),
    ("/v1/access-tokens", {"emailValidationToken": {"id": "a\x00b"}}),
    ("/v1/email-validation-tokens", {"email": "a\x00@b.example"}),
], ids=["login", "email", "refresh-token", "email-code", "email-validation"])
def test_nul_in_a_string_is_a_4xx_problem(tracy: Tracy, path: str, body: dict[str, Any]) -> None:
    tracy.qb.make_user("ann", email="ann@b.example")
    before = len(tracy.qb.events())
    response = tracy.post(path, body, headers=tracy.app_headers)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)
    assert len(tracy.qb.events()) == before


@pytest.mark.parametrize("path", [
    f"/v1/users?offset={HUGE}", f"/v1/users?limit={HUGE}", f"/v1/users/{HUGE}", f"/v1/datasets/{HUGE}",
    "/v1/users?offset=9223372036854775807", "/v1/properties/-9223372036854775809",
], ids=["offset", "limit", "user-id", "dataset-id", "offset-int64", "property-id"])
def test_integers_past_every_bound_are_400(tracy: Tracy, path: str) -> None:
    assert_problem(tracy.get(path), 400)


@pytest.mark.parametrize("content", [b"{'login': 'ann'}", b'{"login": "ann", "password": Infinity}',
                                     b'{"login": "ann" /* c */}'], ids=["single-quotes", "infinity", "comment"])
def test_json_beyond_the_standard_is_400(tracy: Tracy, content: bytes) -> None:
    response = tracy.qb.client.post("/v1/access-tokens", content=content,
                                    headers={**tracy.app_headers, "Content-Type": "application/json"})
    assert_problem(response, 400)
