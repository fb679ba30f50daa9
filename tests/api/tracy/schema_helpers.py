"""Set-up and read-backs shared by the schema-write tests (DS3, P2, O2, ST2)."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from objectbase.core.records import NewRecord
from objectbase.core.users import NewUser
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.seed_schemas import assert_valid

LEAD: dict[str, Any] = {
    "name": "Lead",
    "fields": {"company": "String", "amount": "Float",
               "priority": {"type": "Option", "options": [{"text": "Low", "color": 4278255360}, "High"]}},
    "states": [{"name": "New"}, {"name": "Won", "color": 4280391411}],
}


def lead(tracy: Tracy) -> dict[str, Any]:
    """The Lead dataset, as DS2 renders it (states and properties included)."""
    tracy.qb.apply_class(LEAD)
    dataset = next(d for d in tracy.get("/v1/datasets").json() if d["name"] == "Lead")
    body: dict[str, Any] = tracy.get(f"/v1/datasets/{dataset['id']}", {"include": "states,properties.options"}).json()
    return body


def add_record(tracy: Tracy, values: dict[str, Any] | None = None, class_name: str = "Lead", **options: Any) -> str:
    records = tracy.qb.services.records.create_records(tracy.qb.admin, class_name,
                                                       [NewRecord(values or {}, **options)])
    return records.records[0].id


def user_headers(tracy: Tracy, login: str, *, admin: bool = False) -> dict[str, str]:
    """A signed-in user's `Authorization: Bearer` header."""
    tracy.qb.services.users.create_user(tracy.qb.admin, NewUser({"login": login}, "password1", (), is_admin=admin))
    return tracy.bearer(login)


def schema_snapshot(tracy: Tracy) -> tuple[Any, int]:
    """Every dataset with states, properties and options, and how many events the app has: a
    refused request changes neither."""
    datasets = tracy.get("/v1/datasets", {"include": "states,properties.options"})
    assert datasets.status_code == 200, datasets.text
    return datasets.json(), len(tracy.qb.events())


def valid_answer(response: httpx.Response, schema: str) -> dict[str, Any]:
    """A write's 200 answer, checked against the seed's `schema`."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert_valid(body, schema)
    return body
