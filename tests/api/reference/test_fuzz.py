"""Schemathesis against each served OpenAPI document, on both databases, as a signed-in user: no
5xx, responses as documented (status, content type, schema), and no refused request changed anything.

Bounded for CI: OBJECTBASE_FUZZ_EXAMPLES examples per operation (3), at most
OBJECTBASE_FUZZ_SECONDS per dialect (20). A longer run by hand: docs/security.md, "How it is tested"."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from schemathesis import checks as st
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from starlette.testclient import TestClient

from tests.conftest import QB

EXAMPLES = int(os.environ.get("OBJECTBASE_FUZZ_EXAMPLES", "3"))
SECONDS = float(os.environ.get("OBJECTBASE_FUZZ_SECONDS", "14"))
_TRUE = frozenset({"true", "1", "yes", "on"})  # DreamFactory flags (api/dreamfactory/params.py)
SCORE_TABLE = {"name": "ScoreTable", "fields": {"score_value": "Integer", "title": "String"}}


def _quickblox(qb: QB) -> dict[str, str]:
    return {"QB-Token": qb.token("fuzzer")}


def _dreamfactory(qb: QB) -> dict[str, str]:
    return {"X-DreamFactory-Api-Key": qb.credentials.auth_key, "X-DreamFactory-Session-Token": qb.token("fuzzer")}


def _tracy(qb: QB) -> dict[str, str]:
    response = qb.client.post("/v1/access-tokens", json={"login": "fuzzer", "password": "password1"},
                              headers={"X-Api-Key": qb.credentials.auth_key})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


# Path parameters pinned to what exists, so that generated requests reach records, not only 404s.
_PINNED = {"class_name": "ScoreTable", "table": "ScoreTable", "service": "db"}
# Not `positive_data_acceptance`: the documents' bodies are looser than the core's rules (a schema-valid
# body may still be a 422), and the core's rules are what the hostile-input properties test.
CHECKS = [st.not_a_server_error, st.status_code_conformance, st.content_type_conformance,
          st.response_schema_conformance]
# Signing out would leave every later request a 401; signing out is tested in each dialect's tests.
SIGN_OUT = {"DELETE /session.json", "DELETE /login.json", "DELETE /users/{user_id}.json",
            "DELETE /api/v2/user/session", "DELETE /rest/user/session", "DELETE /api/v2/system/admin/session",
            "DELETE /rest/system/admin/session"}
SIGN_IN: dict[str, Callable[[QB], dict[str, str]]] = {
    "quickblox": _quickblox, "dreamfactory": _dreamfactory, "tracy": _tracy}


def _typed(node: Any) -> Any:
    """The document with the test class's fields where it only says "the class's fields", so that
    generated bodies carry integers and strings to real columns, not only unknown names."""
    if isinstance(node, list):
        return [_typed(item) for item in node]
    if not isinstance(node, dict):
        return node
    typed = {key: _typed(value) for key, value in node.items()}
    if typed.get("additionalProperties") is True and "properties" not in typed:
        typed["properties"] = {"score_value": {"type": ["integer", "null"]}, "title": {"type": ["string", "null"]}}
    return typed


def _strategy(operation: Any) -> Any:
    """Requests that fit the document, and requests that do not (which must be refused unchanged)."""
    return operation.as_strategy() | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)


def _kept_by_batch(case: Case[Any], response: Any) -> bool:
    """DreamFactory's one documented exception (docs/dreamfactory.md, batch writes): a batch error
    without `rollback` keeps the records written before (with `continue`: besides) the failed ones."""
    if not case.formatted_path.startswith(("/api/v2/", "/rest/")) or response.status_code != 400:
        return False
    if str((case.query or {}).get("rollback", "")).strip().lower() in _TRUE:
        return False
    error = response.json().get("error")
    error = error[0] if isinstance(error, list) and error else error
    context = error.get("context") if isinstance(error, dict) else None
    return isinstance(context, dict) and isinstance(context.get("error"), list)


def _state(qb: QB) -> tuple[int, int]:
    """What a refused request must leave as it was: the app's events and its records."""
    return len(qb.events()), qb.count()


def _run(qb: QB, schema: Any, headers: dict[str, str], deadline: float) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() > deadline:
            print(f"fuzzing stopped at {operation.label}: OBJECTBASE_FUZZ_SECONDS spent")  # shown on failure
            break
        if operation.label in SIGN_OUT:
            continue

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=_strategy(operation))
        def check(case: Case[Any]) -> None:
            for name, value in _PINNED.items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = value
            before = _state(qb)
            response = case.call(headers=headers)
            case.validate_response(response, headers=headers, checks=CHECKS)
            if 400 <= response.status_code < 500 and not _kept_by_batch(case, response):
                assert _state(qb) == before, f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300}: " \
                                             f"refused with {response.status_code} but changed events or records"

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # every operation's first failure, reported together below
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures


@pytest.mark.parametrize("dialect", sorted(SIGN_IN))
def test_fuzz_finds_nothing(client: TestClient, qb: QB, dialect: str) -> None:
    qb.apply_class(SCORE_TABLE)
    qb.make_user("fuzzer")
    schema = schemathesis.openapi.from_dict(_typed(client.get(f"/openapi/{dialect}.json").json()))
    schema.app = client.app
    failures = _run(qb, schema, SIGN_IN[dialect](qb), time.monotonic() + SECONDS)
    assert not failures, "\n\n".join(failures)
